"""WebSocket text frames built once and written to many connections (RFC 6455 section 5.2).

A server's frames are never masked, so one frame's bytes are the same on every connection
that receives the same message: a cohort builds them once per snapshot (gorilla/websocket's
``PreparedMessage`` idea) and the protocol writes them as they are.
"""

from collections.abc import Sequence

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
