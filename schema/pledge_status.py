"""GraphQL mutations that move a pledge on: confirm, fulfill, decline (withdraw is in
``schema.pledge``), each with the matches the move made or gave back."""

from datetime import date
from typing import Annotated

import strawberry

from resolvers import pledge_status as status_resolvers
from resolvers.pledge_status import PledgeMove, Receipt
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.match_pool import Match, match_nodes
from schema.money import MoneyInput
from schema.pledge import Pledge, load_project, notify_pledge_changed
from schema.project import Project, money_args


@strawberry.type(description="The pledge moved on; with the matches this made or gave back.")
class PledgeMoveSuccess:
    pledge: Pledge = strawberry.field(description="The pledge, in its new status.")
    matched: list[Match] = strawberry.field(
        description="Matches this made (a confirmation; a lower amount received)."
    )
    released: list[Match] = strawberry.field(
        description="Matches whose money went back to their pools."
    )

    @strawberry.field(description="The project, with its updated support and funding.")
    async def project(self, info: Info) -> Project:
        return await load_project(info, self.pledge.row.project_id)


PledgeMoveResult = Annotated[
    PledgeMoveSuccess | AnyError,
    strawberry.union("PledgeMoveResult", description="The moved pledge, or why not."),
]


@strawberry.input(description="Acknowledge a pledge to a project you lead.")
class ConfirmPledgeInput:
    pledge_id: strawberry.ID = strawberry.field(description="The pledge (PLEDGED).")


@strawberry.input(description="Record that pledged help arrived.")
class FulfillPledgeInput:
    pledge_id: strawberry.ID = strawberry.field(description="The pledge (CONFIRMED).")
    received_on: date = strawberry.field(description="When it was received (not in the future).")
    reference: str = strawberry.field(
        default="", description="A payment or delivery reference (up to 200 characters)."
    )
    received_amount: MoneyInput | None = strawberry.field(
        default=None,
        description="MONEY: the amount actually received, if lower than pledged (default: all).",
    )


@strawberry.input(description="Turn down a pledge to a project you lead.")
class DeclinePledgeInput:
    pledge_id: strawberry.ID = strawberry.field(description="The pledge (PLEDGED or CONFIRMED).")
    reason: str = strawberry.field(description="Why, shown to the backer (1-1000 characters).")


async def moved(info: Info, move: PledgeMove) -> PledgeMoveSuccess:
    """The success of a move, after its notices went out."""
    await notify_pledge_changed(info, move.pledge.project_id, move.community_id)
    currency = str(move.pledge.currency or "UAH")
    return PledgeMoveSuccess(
        pledge=Pledge.from_row(move.pledge),
        matched=await match_nodes(move.matched, currency),
        released=await match_nodes(move.released, currency),
    )


@strawberry.type
class PledgeStatusMutation:
    @strawberry.mutation(
        description="Confirm a pledge (the project's lead, or an admin of the leading "
        "organization); open match pools match a MONEY pledge now."
    )
    async def confirm_pledge(self, info: Info, input: ConfirmPledgeInput) -> PledgeMoveResult:
        async def run() -> PledgeMoveSuccess:
            move = await status_resolvers.confirm_pledge(
                info.context.viewer, pledge_id=input.pledge_id
            )
            return await moved(info, move)

        return await as_result(run())

    @strawberry.mutation(description="Record a confirmed pledge as received (the project's side).")
    async def fulfill_pledge(self, info: Info, input: FulfillPledgeInput) -> PledgeMoveResult:
        async def run() -> PledgeMoveSuccess:
            receipt = Receipt(
                received_on=input.received_on,
                reference=input.reference,
                received=money_args(input.received_amount),
            )
            move = await status_resolvers.fulfill_pledge(
                info.context.viewer, pledge_id=input.pledge_id, receipt=receipt
            )
            return await moved(info, move)

        return await as_result(run())

    @strawberry.mutation(description="Decline a pledge, with a reason (the project's side).")
    async def decline_pledge(self, info: Info, input: DeclinePledgeInput) -> PledgeMoveResult:
        async def run() -> PledgeMoveSuccess:
            move = await status_resolvers.decline_pledge(
                info.context.viewer, pledge_id=input.pledge_id, reason=input.reason
            )
            return await moved(info, move)

        return await as_result(run())
