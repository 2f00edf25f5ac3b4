"""GraphQL types, inputs and mutations of pledges (support for projects)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from models import Pledge as PledgeRow
from models import PledgeKind, PledgeStatus
from models.money import Currency, from_minor_units
from resolvers import pledge as pledge_resolvers
from resolvers import pledge_status
from resolvers.ids import to_global_id
from schema.actor import Actor, load_actor
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.money import Money, MoneyInput
from schema.node import Connection, Node
from schema.project import Project, money_args

PledgeKindEnum = strawberry.enum(PledgeKind, description="How a pledge supports a project.")
PledgeStatusEnum = strawberry.enum(PledgeStatus, description="Where a pledge stands.")


async def load_project(info: Info, project_id: int) -> Project:
    row = await info.context.loaders.project_by_id.load(project_id)
    assert row is not None  # guaranteed by the foreign key
    return Project.from_row(row)


@strawberry.type(description="An actor's support for a project.")
class Pledge(Node):
    row: strawberry.Private[PledgeRow]
    kind: PledgeKind = strawberry.field(description="VOTE, MONEY, TIME or IN_KIND.")
    status: PledgeStatus = strawberry.field(
        description="PLEDGED, CONFIRMED (acknowledged by the project), FULFILLED (received), "
        "WITHDRAWN (by the backer) or DECLINED (by the project)."
    )
    amount: Money | None = strawberry.field(
        description="Money pledged, or the estimated value of in-kind help."
    )
    hours: Decimal | None = strawberry.field(description="Volunteer hours, for TIME pledges.")
    description: str = strawberry.field(description="What is offered (in-kind) or a note.")
    created_at: datetime = strawberry.field(description="When it was pledged (UTC).")
    confirmed_at: datetime | None = strawberry.field(
        description="When the project's side confirmed it (UTC)."
    )
    fulfilled_on: date | None = strawberry.field(description="When the help was received.")
    received_amount: Money | None = strawberry.field(
        description="FULFILLED MONEY: the amount actually received (may be below the pledge)."
    )
    fulfillment_reference: str = strawberry.field(
        description="The payment or delivery reference given when it was fulfilled."
    )
    declined_at: datetime | None = strawberry.field(description="When the project declined it.")
    decline_reason: str = strawberry.field(description="Why the project declined it.")

    @strawberry.field(description="The project supported.")
    async def project(self, info: Info) -> Project:
        return await load_project(info, self.row.project_id)

    @strawberry.field(description="Who backs the project: a person or an organization.")
    async def backer(self, info: Info) -> Actor:
        return await load_actor(info, self.row.backer_id)

    @classmethod
    def from_row(cls, row: PledgeRow) -> "Pledge":
        amount = None
        if row.amount_minor is not None and row.currency is not None:
            amount = Money(
                amount=from_minor_units(row.amount_minor), currency=Currency(row.currency)
            )
        hours = None
        if row.hours_hundredths is not None:
            hours = (Decimal(row.hours_hundredths) / 100).quantize(Decimal("0.01"))
        received = None
        if row.received_minor is not None and row.currency is not None:
            received = Money(
                amount=from_minor_units(row.received_minor), currency=Currency(row.currency)
            )
        return cls(
            id=strawberry.ID(to_global_id("Pledge", row.pk)),
            row=row,
            kind=PledgeKind(row.kind),
            status=PledgeStatus(row.status),
            amount=amount,
            hours=hours,
            description=row.description,
            created_at=row.created_at,
            confirmed_at=row.confirmed_at,
            fulfilled_on=row.fulfilled_on,
            received_amount=received,
            fulfillment_reference=row.fulfillment_reference,
            declined_at=row.declined_at,
            decline_reason=row.decline_reason,
        )


@strawberry.type(description="A page of pledges.")
class PledgeConnection(Connection[Pledge]):
    pass


@strawberry.input(description="Support a project.")
class PledgeInput:
    project_id: strawberry.ID = strawberry.field(description="The project to support.")
    kind: PledgeKind = strawberry.field(description="VOTE, MONEY, TIME or IN_KIND.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="MONEY: the amount; IN_KIND: optional estimated value."
    )
    hours: str | None = strawberry.field(
        default=None, description='TIME: volunteer hours as a decimal string, e.g. "4.5".'
    )
    description: str | None = strawberry.field(
        default=None, description="IN_KIND: what is offered (required); otherwise a note."
    )
    acting_for: strawberry.ID | None = strawberry.field(
        default=None, description="Pledge on behalf of this organization (you must belong)."
    )
    event_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Pledge MONEY, TIME or IN_KIND at this LIVE pitching event (VOTEs at "
        "events go through supportPitch).",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Client-chosen key (1-128 chars): a retry with the same key returns the "
        "first result and creates nothing new.",
    )


@strawberry.input(description="Withdraw a pledge.")
class WithdrawPledgeInput:
    pledge_id: strawberry.ID = strawberry.field(description="The pledge to withdraw.")


@strawberry.type(description="The pledge was recorded (or replayed for a retried request).")
class PledgeSuccess:
    pledge: Pledge = strawberry.field(description="The pledge.")
    replayed: bool = strawberry.field(
        description="True when an earlier request with the same idempotencyKey made it."
    )

    @strawberry.field(description="The supported project, with its updated support.")
    async def project(self, info: Info) -> Project:
        return await load_project(info, self.pledge.row.project_id)


@strawberry.type(description="The pledge was withdrawn.")
class WithdrawPledgeSuccess:
    pledge: Pledge = strawberry.field(description="The withdrawn pledge.")

    @strawberry.field(description="The project, with its updated support.")
    async def project(self, info: Info) -> Project:
        return await load_project(info, self.pledge.row.project_id)


PledgeResult = Annotated[
    PledgeSuccess | AnyError,
    strawberry.union("PledgeResult", description="The pledge, or why not."),
]
WithdrawPledgeResult = Annotated[
    WithdrawPledgeSuccess | AnyError,
    strawberry.union("WithdrawPledgeResult", description="The withdrawn pledge, or why not."),
]


async def notify_pledge_changed(
    info: Info, project_id: int, community_id: int | None = None
) -> None:
    """Tell the project's viewers, its community's and its live events' screens."""
    notice = await pledge_resolvers.pledge_notice(project_id, community_id)
    await info.context.notifier.pledge_changed(
        notice.project_id, notice.community_id, notice.live_event_ids
    )


@strawberry.type
class PledgeMutation:
    @strawberry.mutation(description="Support a project with a vote, money, time or in-kind help.")
    async def pledge(self, info: Info, input: PledgeInput) -> PledgeResult:
        async def run() -> PledgeSuccess:
            row, created = await pledge_resolvers.make_pledge(
                info.context.viewer,
                project_id=input.project_id,
                kind=input.kind,
                amount=money_args(input.amount),
                hours=input.hours,
                description=input.description,
                acting_for=input.acting_for,
                idempotency_key=input.idempotency_key,
                event_id=input.event_id,
            )
            if created:
                await notify_pledge_changed(info, row.project_id)
            return PledgeSuccess(pledge=Pledge.from_row(row), replayed=not created)

        return await as_result(run())

    @strawberry.mutation(
        description="Withdraw a pledge you made, before it is fulfilled; it stops counting and "
        "its matched money goes back to the pools."
    )
    async def withdraw_pledge(self, info: Info, input: WithdrawPledgeInput) -> WithdrawPledgeResult:
        async def run() -> WithdrawPledgeSuccess:
            move = await pledge_status.withdraw_pledge(
                info.context.viewer, pledge_id=input.pledge_id
            )
            await notify_pledge_changed(info, move.pledge.project_id, move.community_id)
            return WithdrawPledgeSuccess(pledge=Pledge.from_row(move.pledge))

        return await as_result(run())
