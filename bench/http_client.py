"""A lean HTTP/1.1 client for load generation: keep-alive POSTs of pre-built JSON bodies.

httpx spends about a millisecond of Python per request (pool bookkeeping, header models,
its own event hooks); at 200 requests/s on the same 2-core machine as the server, the
driver then competes with the hub for CPU and its lagging event loop inflates every
latency it measures. This client keeps a fixed set of keep-alive connections, writes each
request in one ``write`` and reads the response by its ``Content-Length`` (what uvicorn
sends for GraphQL responses). Not a general-purpose client: no chunked bodies, no TLS, no
redirects; a connection that fails is dropped and the request counts as failed (it may have
committed: a POST is never retried).
"""

import asyncio
from contextlib import suppress

HEADER_END = b"\r\n\r\n"
# uvicorn closes a keep-alive connection idle for 5 s (timeout_keep_alive); one idle that
# long may be closing as it is picked, and a POST written to it would fail: not reused.
IDLE_LIMIT = 4.0


class HttpError(Exception):
    """A response the lean client cannot read, or a non-2xx status."""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = asyncio.get_running_loop().time()

    async def exchange(self, request: bytes) -> bytes:
        self.writer.write(request)
        head = await self.reader.readuntil(HEADER_END)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = None
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise HttpError(f"no Content-Length in a {status} response")
        body = await self.reader.readexactly(length)
        if not 200 <= status < 300:
            raise HttpError(f"HTTP {status}: {body[:200]!r}")
        return body

    def close(self) -> None:
        self.writer.close()


class LeanHttpPool:
    """At most ``size`` keep-alive connections to one host; ``post`` waits for a free one."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(size)

    def request(self, path: str, body: bytes) -> bytes:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def post(self, path: str, body: bytes) -> bytes:
        """The response body of one POST (raises on a transport error or a non-2xx status)."""
        async with self._slots:
            connection = await self._connection()
            try:
                response = await connection.exchange(self.request(path, body))
            except BaseException:
                connection.close()
                raise
            connection.idle_since = asyncio.get_running_loop().time()
            self._idle.append(connection)
            return response

    async def _connection(self) -> Connection:
        """An idle connection the server has not closed nor is about to close, or a new
        one."""
        now = asyncio.get_running_loop().time()
        while self._idle:
            connection = self._idle.pop()
            if not connection.reader.at_eof() and now - connection.idle_since < IDLE_LIMIT:
                return connection
            connection.close()
        return await self._open()

    async def _open(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
            with suppress(OSError):
                await connection.writer.wait_closed()
        self._idle.clear()
