"""A ceiling for multipart uploads (issue 13 attachments): a body larger than the attachment limit plus
room for the form fields is refused with 413 before it is read, so nobody can fill the server's disk
with one request. Smaller files over the limit get the clear Danish 422 from services.attachments."""
from __future__ import annotations

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OVERHEAD = 1024 * 1024   # the other form fields and the multipart framing
TOO_LARGE = "Filen er for stor."


class UploadLimit:
    def __init__(self, app: ASGIApp, *, max_file_bytes: int):
        self.app = app
        self.limit = max_file_bytes + OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_multipart(scope):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(scope)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:   # chunked and too long: stop reading, the request fails
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.split(b";")[0].strip().lower() == b"multipart/form-data"
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _refuse(scope: Scope):
    if scope.get("path", "").startswith("/api"):
        return JSONResponse({"error": "too_large", "message": TOO_LARGE}, status_code=413)
    return PlainTextResponse(TOO_LARGE, status_code=413)
