"""The life of a pledge after it is made: confirmed, fulfilled, withdrawn or declined.

PLEDGED -> CONFIRMED (the project's side acknowledges it; money is matched now) ->
FULFILLED (received: a date, a reference, for money the amount actually received); or
WITHDRAWN (by the backer, before FULFILLED) or DECLINED (by the project, with a reason),
which give any matched money back to its pools in the same transaction. Each move is one
conditional UPDATE on the pledge's status, under the project's row lock, so a pledge moves
once however many requests race for it.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from tortoise.transactions import in_transaction

from models import (
    Actor,
    Match,
    MatchRelease,
    Pledge,
    PledgeKind,
    PledgeStatus,
    Project,
)
from models.money import to_minor_units
from resolvers.activity import record_activity
from resolvers.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from resolvers.ids import decode_id, to_global_id
from resolvers.matching import lock_project, match_confirmed, release_matches, rematch_received
from resolvers.permissions import acts_as_admin_of, require_owner, require_signed_in
from resolvers.project import MoneyArgs
from resolvers.validation import Checker

MAX_REFERENCE_LENGTH = 200
MAX_REASON_LENGTH = 1000


@dataclass(frozen=True)
class PledgeMove:
    """A pledge after a move, and the matches the move made or gave back."""

    pledge: Pledge
    community_id: int  # the project's, for the notices
    matched: list[Match]
    released: list[Match]


async def _pledge(pledge_id: str) -> Pledge:
    pledge = await Pledge.get_or_none(
        pk=decode_id(pledge_id, "Pledge", field="pledgeId")
    ).select_related("backer")  # matching needs the backer's sector
    if pledge is None:
        raise NotFound("No pledge has the ID given in pledgeId.", field="pledgeId")
    return pledge


async def require_project_side(viewer: Actor | None, project: Project) -> Actor:
    """The project's lead, or an admin of the leading organization (or its API key)."""
    actor = require_signed_in(viewer)
    if await acts_as_admin_of(actor, project.lead_id):
        return actor
    raise PermissionDenied(
        "Only the project's lead (or an admin of the leading organization) may do this.",
        field="pledgeId",
        code=ErrorCode.NOT_OWNER,
    )


def _refuse(pledge: Pledge, move: str) -> Conflict:
    if move == "withdrawn" and pledge.status == PledgeStatus.WITHDRAWN:
        return Conflict(
            "This pledge is already withdrawn.", field="pledgeId", code=ErrorCode.ALREADY_WITHDRAWN
        )
    return Conflict(
        f"This pledge is {pledge.status}: it cannot be {move}.",
        field="pledgeId",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
    )


After = Callable[[Pledge, Project, datetime], Awaitable[tuple[list[Match], list[Match]]]]


Permit = Callable[[Project], Awaitable[Actor]]


async def _move(
    pledge: Pledge,
    permit: Permit,
    *,
    from_statuses: tuple[PledgeStatus, ...],
    changes: dict[str, Any],
    verb: str,
    move: str,
    after: After,
    details: dict[str, Any] | None = None,
) -> PledgeMove:
    now = datetime.now(UTC)
    async with in_transaction():
        project = await lock_project(pledge.project_id)
        person = await permit(project)  # refused: the transaction ends, nothing written
        changed = await Pledge.filter(pk=pledge.pk, status__in=from_statuses).update(
            **changes, updated_at=now
        )
        if not changed:
            await pledge.refresh_from_db()
            raise _refuse(pledge, move)
        for name, value in {**changes, "updated_at": now}.items():
            setattr(pledge, name, value)  # what the UPDATE wrote, without reading it back
        await record_activity(
            verb=verb,
            subject=pledge,
            actor=pledge.backer_id,
            performed_by=person,
            community_id=project.community_id,
            details={
                "projectId": to_global_id("Project", project.pk),
                "kind": str(pledge.kind),
                **(details or {}),
            },
        )
        # Last: matching takes the pools' locks, held until the commit right after.
        matched, released = await after(pledge, project, now)
    return PledgeMove(pledge, project.community_id, matched, released)


def _not_a_vote(pledge: Pledge, move: str) -> None:
    if pledge.kind == PledgeKind.VOTE:
        raise Conflict(
            f"A vote is not {move}: it counts as soon as it is cast.",
            field="pledgeId",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
        )


async def confirm_pledge(viewer: Actor | None, *, pledge_id: str) -> PledgeMove:
    """The project's side acknowledges a pledge; a MONEY pledge is matched by open pools."""
    pledge = await _pledge(pledge_id)
    _not_a_vote(pledge, "confirmed")

    async def matched(
        pledge: Pledge, project: Project, now: datetime
    ) -> tuple[list[Match], list[Match]]:
        return await match_confirmed(pledge, project, now), []

    return await _move(
        pledge,
        partial(require_project_side, viewer),
        from_statuses=(PledgeStatus.PLEDGED,),
        changes={"status": PledgeStatus.CONFIRMED, "confirmed_at": datetime.now(UTC)},
        verb="pledge.confirmed",
        move="confirmed",
        after=matched,
    )


@dataclass(frozen=True)
class Receipt:
    received_on: date
    reference: str
    received: MoneyArgs | None


def _received_minor(pledge: Pledge, receipt: Receipt) -> int | None:
    checker = Checker()
    checker.text("reference", receipt.reference, min_length=0, max_length=MAX_REFERENCE_LENGTH)
    if receipt.received_on > datetime.now(UTC).date():
        checker.add("receivedOn", ErrorCode.OUT_OF_RANGE, "receivedOn cannot be in the future.")
    received_minor: int | None = None
    if receipt.received is not None:
        if pledge.kind != PledgeKind.MONEY:
            checker.add(
                "receivedAmount", ErrorCode.INVALID, "Only MONEY pledges take receivedAmount."
            )
        elif receipt.received.currency.value != pledge.currency:
            checker.add(
                "receivedAmount.currency",
                ErrorCode.CURRENCY_MISMATCH,
                f"The pledge is in {pledge.currency}.",
            )
        else:
            amount = checker.positive_decimal("receivedAmount.amount", receipt.received.amount)
            if amount is not None:
                received_minor = to_minor_units(amount)
                if received_minor > (pledge.amount_minor or 0):
                    checker.add(
                        "receivedAmount.amount",
                        ErrorCode.OUT_OF_RANGE,
                        "More than pledged: record the extra as a pledge of its own.",
                    )
    checker.raise_if_any()
    if pledge.kind == PledgeKind.MONEY and received_minor is None:
        return int(pledge.amount_minor or 0)
    return received_minor


async def fulfill_pledge(viewer: Actor | None, *, pledge_id: str, receipt: Receipt) -> PledgeMove:
    """The help arrived; money received below the pledge lowers its matches to match."""
    pledge = await _pledge(pledge_id)
    _not_a_vote(pledge, "fulfilled")
    received_minor = _received_minor(pledge, receipt)

    async def rematched(
        pledge: Pledge, project: Project, now: datetime
    ) -> tuple[list[Match], list[Match]]:
        before = {m.pk for m in await Match.filter(active_pledge_id=pledge.pk)}
        made = await rematch_received(pledge, project, now)
        released = [m for m in await Match.filter(pk__in=before) if m.active_pledge_id is None]
        return made, released

    return await _move(
        pledge,
        partial(require_project_side, viewer),
        from_statuses=(PledgeStatus.CONFIRMED,),
        changes={
            "status": PledgeStatus.FULFILLED,
            "fulfilled_on": receipt.received_on,
            "fulfillment_reference": receipt.reference.strip(),
            "received_minor": received_minor,
        },
        verb="pledge.fulfilled",
        move="fulfilled",
        after=rematched,
        details={"receivedMinor": received_minor} if received_minor is not None else None,
    )


async def decline_pledge(viewer: Actor | None, *, pledge_id: str, reason: str) -> PledgeMove:
    """The project's side turns a pledge down, saying why; matched money goes back."""
    pledge = await _pledge(pledge_id)
    _not_a_vote(pledge, "declined")
    checker = Checker()
    text = checker.text("reason", reason, max_length=MAX_REASON_LENGTH)
    checker.raise_if_any()

    async def released(
        pledge: Pledge, project: Project, now: datetime
    ) -> tuple[list[Match], list[Match]]:
        return [], await release_matches(pledge, MatchRelease.DECLINED, project, now)

    return await _move(
        pledge,
        partial(require_project_side, viewer),
        from_statuses=(PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED),
        changes={
            "status": PledgeStatus.DECLINED,
            "declined_at": datetime.now(UTC),
            "decline_reason": text,
        },
        verb="pledge.declined",
        move="declined",
        after=released,
        details={"reason": text},
    )


async def withdraw_pledge(viewer: Actor | None, *, pledge_id: str) -> PledgeMove:
    """The backer takes a pledge back before it is fulfilled: it stays on record but stops
    counting, frees the vote (or event slot), and gives matched money back."""
    require_signed_in(viewer)
    pledge = await _pledge(pledge_id)
    person = await require_owner(viewer, pledge.made_by_id, pledge.backer_id, what="pledge")

    async def backer_side(_: Project) -> Actor:
        return person

    async def released(
        pledge: Pledge, project: Project, now: datetime
    ) -> tuple[list[Match], list[Match]]:
        return [], await release_matches(pledge, MatchRelease.WITHDRAWN, project, now)

    return await _move(
        pledge,
        backer_side,
        from_statuses=(PledgeStatus.PLEDGED, PledgeStatus.CONFIRMED),
        changes={
            "status": PledgeStatus.WITHDRAWN,
            "active_vote_backer_id": None,
            "event_slot": None,  # frees the attendee's event support slot
            "withdrawn_at": datetime.now(UTC),
        },
        verb="pledge.withdrawn",
        move="withdrawn",
        after=released,
    )
