"""uvicorn's WebSocket protocol, plus writing a live frame without going through ASGI.

A cohort sends the same snapshot to thousands of viewers. Through ASGI, each frame costs a
Starlette state check, uvicorn's ``send`` and websockets' frame serialisation: more Python
than the write itself. ``HubWebSocketProtocol`` is uvicorn's default protocol
(websockets-sansio) that also puts a ``write_text_frame`` function in the connection's
ASGI scope (``scope["extensions"][WRITE_TEXT_FRAME]``). It writes one ready, unmasked text
frame (RFC 6455 section 5.2, built by ``text_frame``) straight to the transport, so a
frame built once can go to many connections, as gorilla/websocket's ``PreparedMessage``
does; and it refuses (returns False) whenever the plain path must decide:
the transport is paused (a slow client), the connection is not open, a close was sent, a
fragmented message is in progress or an extension (per-message deflate) is on. The caller
then sends through ASGI as usual, which waits for the connection.

Every other frame still goes through uvicorn, and every write of either path happens
synchronously in the event loop thread, so frames keep their order on the wire.
"""

from collections.abc import Callable, Sequence

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import OPEN

WRITE_TEXT_FRAME = "smart_interactions.write_text_frame"
WriteTextFrame = Callable[[bytes], bool]  # a whole encoded frame (``text_frame``)

FIN_TEXT = 0x81  # FIN bit set, opcode 1 (text)
SHORT_LIMIT = 126  # lengths below fit in the second byte
MEDIUM_LIMIT = 1 << 16  # lengths below take 2 more bytes, longer ones 8


def text_frame_header(length: int) -> bytes:
    """The header of a final, unmasked text frame carrying ``length`` bytes."""
    if length < SHORT_LIMIT:
        return bytes((FIN_TEXT, length))
    if length < MEDIUM_LIMIT:
        return bytes((FIN_TEXT, 126)) + length.to_bytes(2, "big")
    return bytes((FIN_TEXT, 127)) + length.to_bytes(8, "big")


def text_frame(parts: Sequence[bytes]) -> bytes:
    """A final, unmasked text frame carrying ``parts`` (UTF-8), ready for the wire."""
    payload = b"".join(parts)
    return text_frame_header(len(payload)) + payload


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    """websockets-sansio, with ``write_text_frame`` offered to the app (see the module)."""

    def handle_connect(self, event: object) -> None:
        super().handle_connect(event)  # type: ignore[arg-type]
        scope = getattr(self, "scope", None)  # only set when the handshake is accepted
        if scope is not None:
            scope["extensions"][WRITE_TEXT_FRAME] = self.write_text_frame

    def write_text_frame(self, frame: bytes) -> bool:
        """Write ``frame`` (from ``text_frame``) now, or return False untouched."""
        conn = self.conn
        if (
            self.close_sent
            or self.disconnected
            or not self.writable.is_set()
            or conn.state is not OPEN
            or conn.expect_continuation_frame
            or conn.extensions
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
