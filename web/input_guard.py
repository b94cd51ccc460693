"""The web side of the text boundary (issue 9): every form post and JSON body is cleaned with
`domain.text` before any route sees it (NUL and other controls removed, line separators
normalised), so the web forms and the REST API store the same text on SQLite and PostgreSQL. A
path or query string with control characters is refused with a clear 400 (nothing is looked up);
a form or JSON body over the size limit is refused with 413. Multipart uploads pass unchanged:
their text fields are cleaned by the services, their files are bytes."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, unquote, urlencode

from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.text import clean_text, clean_tree, has_controls

CLEANED_TYPES = ("application/x-www-form-urlencoded", "application/json")
REFUSED = "Adressen indeholder ugyldige tegn (kontroltegn)."
TOO_LARGE = "Indholdet er for stort."


class InputGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int = 4 * 1024 * 1024):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if has_controls(scope.get("path", "")) or has_controls(unquote(query)) or "\x00" in scope.get("path", ""):
            await _refuse(scope, 400, "invalid_characters", REFUSED)(scope, receive, send)
            return
        content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
        if scope.get("method") not in ("POST", "PUT", "PATCH") or content_type not in CLEANED_TYPES:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_body_bytes:
                await _refuse(scope, 413, "too_large", TOO_LARGE)(scope, receive, send)
                return
        cleaned = _cleaned(bytes(body), content_type)
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(cleaned)).encode()))
        scope = {**scope, "headers": headers}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": cleaned, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _cleaned(body: bytes, content_type: str) -> bytes:
    text = body.decode("utf-8", errors="replace")
    if content_type == "application/json":
        try:
            return json.dumps(clean_tree(json.loads(text)), ensure_ascii=False).encode("utf-8")
        except ValueError:
            return body   # not JSON: the route answers 422 as it would anyway
    pairs = parse_qsl(text, keep_blank_values=True)
    return urlencode([(clean_text(k), clean_text(v)) for k, v in pairs]).encode("ascii")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _refuse(scope: Scope, status: int, code: str, message: str):
    if scope.get("path", "").startswith("/api") or "json" in _header(scope, b"accept"):
        return JSONResponse({"error": code, "message": message}, status_code=status)
    return HTMLResponse(f'<!doctype html><html lang="da"><meta charset="utf-8"><title>Fejl</title>'
                        f'<h1>Fejl</h1><p>{message}</p><p><a href="/">Til forsiden</a></p></html>', status_code=status)
