"""Which WebSocket protocol ``si-hub serve`` asks uvicorn for: ours, or uvicorn's own.

Live frames written straight to the transport (``live.direct_writes``) read private
attributes of uvicorn's websockets-sansio protocol and of websockets' ``ServerProtocol``.
Private attributes change without notice (uvicorn 0.52 has no ``disconnected``, 0.34
no websockets-sansio at all), so they are checked once at start-up on a probe instance:
when one is missing, the server logs one warning and serves uvicorn's own protocol
(websockets-sansio where it has it), and every frame goes through ASGI: slower for a big
audience, never wrong.
The versions this was tested on are those of ``requirements/`` (see the README).
"""

import asyncio
import importlib
import importlib.util
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

WRITE_TEXT_FRAME = "smart_interactions.write_text_frame"
WriteTextFrame = Callable[[bytes], bool]  # a whole encoded frame (``live.frames.text_frame``)

SANSIO_MODULE = "uvicorn.protocols.websockets.websockets_sansio_impl"
OUR_PROTOCOL = "live.direct_writes:HubWebSocketProtocol"
UVICORN_SANSIO = "websockets-sansio"
UVICORN_AUTO = "auto"  # where uvicorn has no websockets-sansio
# What ``HubWebSocketProtocol.write_text_frame`` reads, on the protocol and on its ``conn``.
REQUIRED_ATTRIBUTES = ("conn", "close_sent", "disconnected", "writable", "transport")
REQUIRED_CONNECTION_ATTRIBUTES = ("state", "expect_continuation_frame", "extensions")

Probe = Callable[[], object]


def missing_attributes(protocol: object) -> list[str]:
    """The attributes direct writes need that ``protocol`` (an instance) lacks."""
    missing = [name for name in REQUIRED_ATTRIBUTES if not hasattr(protocol, name)]
    conn = getattr(protocol, "conn", None)
    if conn is not None:
        missing += [
            f"conn.{name}" for name in REQUIRED_CONNECTION_ATTRIBUTES if not hasattr(conn, name)
        ]
    if not callable(getattr(protocol, "handle_connect", None)):
        missing.append("handle_connect")
    return missing


def uvicorn_probe() -> object:
    """A websockets-sansio protocol instance as uvicorn makes one (never connected)."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    protocol_class = importlib.import_module(SANSIO_MODULE).WebSocketsSansIOProtocol

    async def no_app(scope: object, receive: object, send: object) -> None:
        """The probe never runs an app."""

    loop = asyncio.new_event_loop()
    try:
        return protocol_class(
            config=Config(app=no_app), server_state=ServerState(), app_state={}, _loop=loop
        )
    finally:
        loop.close()


def direct_writes_available(probe: Probe = uvicorn_probe) -> tuple[bool, str]:
    """Whether this uvicorn and websockets offer what direct writes read, and if not, why."""
    try:
        protocol = probe()
    except ImportError as error:
        return False, f"uvicorn has no websockets-sansio protocol ({error})"
    except Exception as error:  # a constructor whose signature changed: not what we tested
        return False, f"uvicorn's websockets-sansio protocol could not be probed ({error!r})"
    missing = missing_attributes(protocol)
    if missing:
        return False, f"uvicorn's websockets-sansio protocol lacks {', '.join(missing)}"
    return True, "uvicorn's websockets-sansio protocol has what direct writes read"


def uvicorn_own_protocol() -> str:
    """uvicorn's websockets-sansio protocol where it has one, else its default choice."""
    return UVICORN_SANSIO if importlib.util.find_spec(SANSIO_MODULE) else UVICORN_AUTO


def websocket_protocol(probe: Probe = uvicorn_probe) -> str:
    """uvicorn's ``ws`` setting: our protocol when the probe passes, else uvicorn's own."""
    available, reason = direct_writes_available(probe)
    if available:
        return OUR_PROTOCOL
    logger.warning("live frames go through ASGI (slower for big audiences): %s", reason)
    return uvicorn_own_protocol()
