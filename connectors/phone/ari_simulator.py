"""Local Asterisk ARI simulator for tests and demos of click-to-call (H-R1.3).

Speaks the subset of the Asterisk Channels REST API that ``connectors.phone.ari`` uses, with
Asterisk's formats: HTTP basic auth (401 + ``WWW-Authenticate`` otherwise), errors as JSON
``{"message": "..."}``, and

- ``POST /ari/channels`` (originate): parameters from the query string, plus the JSON body
  whose ``variables`` object becomes channel variables (string values only) and whose other
  keys count as query parameters. Checks in Asterisk's order: endpoint given, endpoint
  ``TECH/resource``, ``app`` or ``extension`` given, ``channelId`` unused (409). Unlike a real
  PBX it also answers 400 for an endpoint technology it does not know (Asterisk itself fails
  later, with 500 "Allocation failed"). Returns 200 with a Channel (state "Down").
- ``GET /ari/channels/{id}`` (200 / 404) and ``DELETE /ari/channels/{id}`` (204 / 404).

Test hooks: ``requests`` (every request as received, authorised or not), ``channels``,
``fail_next(n, status)`` and ``delay_next(n, seconds)``.

Run: ``python -m connectors.phone.ari_simulator --port 8088`` (user ``demo``, password ``demo``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TECHNOLOGIES = frozenset({"PJSIP", "SIP", "IAX2", "DAHDI", "Local"})
_CHANNEL_PATH = re.compile(r"^/ari/channels/([^/]+)$")
_CALLER_ID = re.compile(r'^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$')


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the simulator received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorized: bool


@dataclass
class _Faults:
    fail: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)


class AriSimulator:
    """A threaded ARI server on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        username: str = "demo",
        password: str = "demo",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.username, self.password, self._clock = username, password, clock
        self.requests: list[RecordedRequest] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self._faults = _Faults()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 0
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="ari-simulator", daemon=True,
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AriSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> AriSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next ``count`` requests get ``status`` with an ARI error body."""
        with self._lock:
            self._faults.fail.extend([status] * count)

    def delay_next(self, count: int = 1, *, seconds: float) -> None:
        """The next ``count`` requests wait ``seconds`` before being handled (ends early on stop)."""
        with self._lock:
            self._faults.delays.extend([seconds] * count)

    # -- request handling (called on the server's threads) ---------------------------------

    def _handle(self, method: str, target: str, headers: Any, raw_body: bytes) -> tuple[int, Any]:
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = raw_body.decode("utf-8", "replace")
        authorized = self._authorized(headers.get("Authorization"))
        with self._lock:
            self.requests.append(RecordedRequest(method, split.path, query, body, authorized))
            delay = self._faults.delays.pop(0) if self._faults.delays else 0.0
            failure = self._faults.fail.pop(0) if self._faults.fail else None
        if delay:
            self._stopping.wait(delay)
        if failure is not None:
            return failure, {"message": "Internal Server Error (injected fault)"}
        if not authorized:
            return 401, {"message": "Authentication required"}
        if split.path == "/ari/channels":
            if method != "POST":
                return 405, {"message": "Method Not Allowed"}
            return self._originate(query, body)
        match = _CHANNEL_PATH.match(split.path)
        if match is None:
            return 404, {"message": "Resource not found"}
        with self._lock:
            if method == "GET":
                channel = self.channels.get(match.group(1))
                return (200, channel) if channel else (404, {"message": "Channel not found"})
            if method == "DELETE":
                removed = self.channels.pop(match.group(1), None)
                return (204, None) if removed else (404, {"message": "Channel not found"})
        return 405, {"message": "Method Not Allowed"}

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (user, password) == (self.username, self.password)

    def _originate(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        params, variables = dict(query), {}
        if body is not None:
            if not isinstance(body, dict):
                return 400, {"message": "Request body must be a JSON object"}
            variables = body.get("variables") or {}
            params.update({key: str(value) for key, value in body.items() if key != "variables"})
            if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
                return 400, {"message": "Only string values in the 'variables' object allowed"}
        endpoint = params.get("endpoint", "")
        if not endpoint:
            return 400, {"message": "Endpoint must be specified"}
        technology, _, resource = endpoint.partition("/")
        if not technology or not resource:
            return 400, {"message": "Invalid endpoint specified"}
        if technology not in TECHNOLOGIES:
            return 400, {"message": f"Unknown endpoint technology '{technology}'"}
        if not params.get("app") and not params.get("extension"):
            return 400, {"message": "Application or extension must be specified"}
        try:
            priority = int(params.get("priority") or 1)
            int(params.get("timeout") or 30)
        except ValueError:
            return 400, {"message": "priority and timeout must be integers"}
        with self._lock:
            if params.get("channelId") in self.channels:
                return 409, {"message": "Channel with given unique ID already exists"}
            self._counter += 1
            now = self._clock()
            channel_id = params.get("channelId") or f"{int(now.timestamp())}.{self._counter}"
            name, number = _parse_caller_id(params.get("callerId", ""))
            caller = {"name": name, "number": number}
            self.channels[channel_id] = {
                "id": channel_id,
                "name": f"{technology}/{resource.split('@')[0]}-{self._counter:08x}",
                "state": "Down",
                "caller": caller,
                "connected": dict(caller),
                "accountcode": "",
                "dialplan": {
                    "context": params.get("context") or "default",
                    "exten": params.get("extension") or "s",
                    "priority": priority,
                },
                "creationtime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000",
                "language": "en",
                "channelvars": dict(variables),
            }
            return 200, self.channels[channel_id]


def _parse_caller_id(value: str) -> tuple[str, str]:
    match = _CALLER_ID.match(value)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return ("", value.strip()) if value.strip().lstrip("+").isdigit() else (value.strip(), "")


def _handler_for(simulator: AriSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Asterisk/sagsflow-simulator"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = simulator._handle(self.command, self.path, self.headers, self.rfile.read(length))
            data = b"" if payload is None else json.dumps(payload).encode("utf-8")
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Asterisk REST Interface"')
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its timeout during delay_next); nothing to tell it

        do_GET = do_POST = do_DELETE = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Silent: request lines contain customers' phone numbers."""

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Asterisk ARI simulator (click-to-call subset)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args(argv)
    simulator = AriSimulator(username=args.username, password=args.password, host=args.host, port=args.port)
    print(f"ARI simulator on {simulator.base_url}/ari (user {args.username!r}); Ctrl-C stops it")
    try:
        simulator._server.serve_forever()
    except KeyboardInterrupt:
        simulator._server.server_close()


if __name__ == "__main__":
    main()
