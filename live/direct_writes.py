"""uvicorn's WebSocket protocol, plus writing a live frame without going through ASGI.

A cohort sends the same snapshot to thousands of viewers. Through ASGI, each frame costs a
Starlette state check, uvicorn's ``send`` and websockets' frame serialisation: more Python
than the write itself. ``HubWebSocketProtocol`` is uvicorn's default protocol
(websockets-sansio) that also puts a ``write_text_frame`` function in the connection's
ASGI scope (``scope["extensions"][WRITE_TEXT_FRAME]``). It writes one ready, unmasked text
frame (``live.frames.text_frame``) straight to the transport, so a frame built once can go
to many connections; and it refuses (returns False) whenever the plain path must decide:
the transport is paused (a slow client), the connection is not open, a close was sent, a
fragmented message is in progress or an extension (per-message deflate) is on. The caller
then sends through ASGI as usual, which waits for the connection.

It reads private attributes of uvicorn's protocol and of websockets' ``ServerProtocol``
(``live.protocol.REQUIRED_ATTRIBUTES``). ``si-hub serve`` serves this class only when a
probe instance has them all (``live.protocol.websocket_protocol``); should one still be
missing on a live connection, the write refuses, direct writes stop for the whole process
with one warning, and every frame goes through ASGI.

Every other frame still goes through uvicorn, and every write of either path happens
synchronously in the event loop thread, so frames keep their order on the wire.

This module imports uvicorn's websockets-sansio protocol (uvicorn 0.35 and later): import
it only where ``live.protocol.direct_writes_available()`` said yes.
"""

import logging
from typing import ClassVar

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import OPEN

from live.protocol import WRITE_TEXT_FRAME

logger = logging.getLogger(__name__)


class HubWebSocketProtocol(WebSocketsSansIOProtocol):
    """websockets-sansio, with ``write_text_frame`` offered to the app (see the module)."""

    direct_writes: ClassVar[bool] = True  # turned off for the process by a failing write

    def handle_connect(self, event: object) -> None:
        super().handle_connect(event)  # type: ignore[arg-type]
        scope = getattr(self, "scope", None)  # only set when the handshake is accepted
        if scope is not None and HubWebSocketProtocol.direct_writes:
            scope["extensions"][WRITE_TEXT_FRAME] = self.write_text_frame

    def write_text_frame(self, frame: bytes) -> bool:
        """Write ``frame`` (from ``text_frame``) now, or return False untouched."""
        if not HubWebSocketProtocol.direct_writes:
            return False
        try:
            conn = self.conn
            refused = (
                self.close_sent
                or self.disconnected
                or not self.writable.is_set()
                or conn.state is not OPEN
                or conn.expect_continuation_frame
                or conn.extensions
                or self.transport.is_closing()
            )
        except AttributeError as missing:  # a uvicorn or websockets the probe did not see
            HubWebSocketProtocol.direct_writes = False
            logger.warning("live frames go through ASGI from now on: %s", missing)
            return False
        if refused:
            return False
        self.transport.write(frame)
        return True
