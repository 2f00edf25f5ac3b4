"""A lean WebSocket client for load generation: thousands of connections in one process.

The ``websockets`` library spends tens of microseconds of Python per received frame; with
10,000 viewers on the same 2-core machine as the server, that alone would use more CPU
than the hub. This client is an ``asyncio.Protocol`` that parses server frames straight
from the socket buffer (server frames are never masked) and hands each text message to a
callback with the arrival time of its chunk, so a frame costs a few microseconds.

Client frames must be masked (RFC 6455 §5.3); the few this client sends (connection_init,
subscribe, pongs) use an all-zero masking key, which is valid on the wire and leaves the
payload unchanged. Not a general-purpose client: no extensions, no TLS.
"""

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable
from typing import cast

TEXT, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x0, 0x8, 0x9, 0xA
ZERO_MASK = b"\x00\x00\x00\x00"


def client_frame(opcode: int, payload: bytes) -> bytes:
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return head + ZERO_MASK + payload


class LeanWebSocket(asyncio.Protocol):
    """One client connection; ``on_message(payload, arrived)`` gets every text message."""

    def __init__(
        self,
        host: str,
        path: str,
        subprotocol: str | None,
        on_message: Callable[[bytes, float], None],
    ) -> None:
        self.request = self._handshake(host, path, subprotocol)
        self.on_message = on_message
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._upgraded = False

    @staticmethod
    def _handshake(host: str, path: str, subprotocol: str | None) -> bytes:
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if subprotocol:
            lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send_text(self, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(TEXT, text.encode()))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        buffer = self._buffer
        buffer += data
        if not self._upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")])
            del buffer[: end + 4]
            if b" 101 " not in status:
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                self.close()
                return
            self._upgraded = True
            self.opened.set_result(None)
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = struct.unpack_from("!H", buffer, 2)[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = struct.unpack_from("!Q", buffer, 2)[0], 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            self._frame(first & 0x0F, bool(first & 0x80), payload, arrived)

    def _frame(self, opcode: int, final: bool, payload: bytes, arrived: float) -> None:
        if opcode in (TEXT, CONTINUATION):
            if not final:
                self._fragments.append(payload)
                return
            if self._fragments:
                payload = b"".join([*self._fragments, payload])
                self._fragments.clear()
            self.on_message(payload, arrived)
        elif opcode == PING and self.transport is not None:
            self.transport.write(client_frame(PONG, payload))
        elif opcode == CLOSE and self.transport is not None:
            self.transport.write(client_frame(CLOSE, payload[:2]))
            self.transport.close()


async def connect(
    url: str, subprotocol: str | None, on_message: Callable[[bytes, float], None]
) -> LeanWebSocket:
    """Open ``ws://host:port/path``; returns once the server accepted the upgrade."""
    rest = url.removeprefix("ws://")
    authority, _, path = rest.partition("/")
    host, _, port = authority.partition(":")
    loop = asyncio.get_running_loop()
    protocol = LeanWebSocket(authority, "/" + path, subprotocol, on_message)
    await loop.create_connection(lambda: protocol, host, int(port or 80))
    await protocol.opened
    return protocol
