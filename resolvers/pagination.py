"""Relay connection arguments over offsets: opaque cursors, ``first`` capped at 100.

Cursors encode a position in the ordered result. They are opaque to clients, so a later
switch to keyset cursors changes no client.
"""

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
CURSOR_PREFIX = "cursor:"

RowT = TypeVar("RowT")
ModelT = TypeVar("ModelT", bound=Model)


class PaginationError(ValueError):
    """Bad ``first``/``last``/``after``/``before``; reported as a GraphQL error."""


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    offset: int
    total_count: int
    has_previous_page: bool
    has_next_page: bool

    def cursor_at(self, index: int) -> str:
        return encode_cursor(self.offset + index)


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except ValueError:
        raise PaginationError(f"'{argument}' is not a valid cursor.") from None
    raw = decoded.removeprefix(CURSOR_PREFIX)
    if not decoded.startswith(CURSOR_PREFIX) or not (raw.isascii() and raw.isdigit()):
        raise PaginationError(f"'{argument}' is not a valid cursor.")
    return int(raw)


def _check_size(value: int | None, argument: str) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise PaginationError(f"'{argument}' must be between 0 and {MAX_PAGE_SIZE}, got {value}.")


def window(args: PageArgs, total_count: int) -> tuple[int, int]:
    """The [start, end) slice of a list of ``total_count`` items the arguments select."""
    _check_size(args.first, "first")
    _check_size(args.last, "last")
    start = 0
    end = total_count
    if args.after is not None:
        start = min(decode_cursor(args.after, "after") + 1, total_count)
    if args.before is not None:
        end = max(min(decode_cursor(args.before, "before"), total_count), start)
    if args.first is not None:
        end = min(end, start + args.first)
    if args.last is not None:
        start = max(start, end - args.last)
    if args.first is None and args.last is None:
        end = min(end, start + DEFAULT_PAGE_SIZE)
    return start, end


def page_of_list(items: Sequence[RowT], args: PageArgs) -> Page[RowT]:
    """Paginate an already loaded list (relations loaded through dataloaders)."""
    start, end = window(args, len(items))
    return Page(
        rows=list(items[start:end]),
        offset=start,
        total_count=len(items),
        has_previous_page=start > 0,
        has_next_page=end < len(items),
    )


async def page_of_query(query: QuerySet[ModelT], args: PageArgs) -> Page[ModelT]:
    """Paginate an ordered queryset: one COUNT and one SELECT."""
    total_count = await query.count()
    start, end = window(args, total_count)
    rows = await query.offset(start).limit(end - start) if end > start else []
    return Page(
        rows=list(rows),
        offset=start,
        total_count=total_count,
        has_previous_page=start > 0,
        has_next_page=end < total_count,
    )
