"""A lean HTTP/1.1 keep-alive client for load generation on the same machine as the server.

Why our own: the load generator shares the 2 cores with the server it measures. httpx spends about
a millisecond of CPU per request (and more as its pool grows), which at 64-128 clients takes CPU
from the server and shows up as a falling server throughput that is really the generator's. wrk
cannot follow the dynamic request mix (task ids from earlier answers). This client does only what
the benchmark needs: one persistent connection per simulated person, Content-Length or chunked
bodies, a reconnect when the server closes. Not used by Sagsflow itself."""
from __future__ import annotations

import asyncio
import json


class HttpError(Exception):
    """The connection failed or the answer was not HTTP."""


class Connection:
    def __init__(self, host: str, port: int, *, timeout: float = 60) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      json_body=None) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._exchange(method, path, headers or {}, json_body), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
            await self.close()
            raise HttpError(type(exc).__name__) from exc

    async def _exchange(self, method, path, headers, json_body) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        body = b"" if json_body is None else json.dumps(json_body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if json_body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._chunked()
        else:
            payload = await self._reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
