"""Security headers on every answer, and no caching of personal pages (issue 5, issue 9).

A plain ASGI middleware rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs
every request through an extra task and memory streams (about a millisecond of CPU per request
here), and this one only needs to add headers when the answer starts."""
from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    # scripts only from our own files (no inline script anywhere); bpmn-js sets inline styles
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Inside the session middleware: a signed-in user's answers get `Cache-Control: no-store`
    (read when the answer starts, so a sign-in's own answer counts too). Also keeps the thread
    pool sized for every request that holds a database slot (web/deps.py db_session)."""

    def __init__(self, app: ASGIApp, *, threads: int) -> None:
        self.app = app
        self.threads = threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limiter = anyio.to_thread.current_default_thread_limiter()
        if limiter.total_tokens != self.threads:
            limiter.total_tokens = self.threads

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if (scope.get("session") or {}).get("user") and scope.get("path") != "/healthz":
                    headers.setdefault("Cache-Control", "no-store")   # personal pages stay out of caches
            await send(message)

        await self.app(scope, receive, send_with_headers)
