"""Finding the pitching event a page is for, by the join code in its URL."""

from dataclasses import dataclass

from resolvers.errors import NotFound
from resolvers.event import event_by_code
from resolvers.ids import to_global_id

# Join codes are short; anything longer is not one and needs no database query.
MAX_CODE_LENGTH = 32


@dataclass(frozen=True)
class EventHeading:
    """What a page needs before the live snapshot arrives over the WebSocket."""

    global_id: str
    title: str
    join_code: str


async def find_event_by_code(code: str) -> EventHeading | None:
    """The event with this join code, read as joinEvent reads it (case, dashes, spaces)."""
    if len(code) > MAX_CODE_LENGTH:
        return None
    try:
        event = await event_by_code(code)
    except NotFound:
        return None
    return EventHeading(
        global_id=to_global_id("PitchingEvent", event.pk),
        title=event.title,
        join_code=event.join_code,
    )
