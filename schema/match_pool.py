"""GraphQL types, queries and mutations of match pools (co-financing by funders)."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from models import Match as MatchRow
from models import MatchPool as MatchPoolRow
from models import MatchRelease, MatchRule
from models.money import Currency
from resolvers import match_pool as pool_resolvers
from resolvers.ids import to_global_id
from resolvers.match_pool import ProjectPool
from resolvers.pagination import PageArgs
from schema.actor import Actor, load_actor
from schema.community import CommunityRef, load_community
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.money import Money, MoneyInput, money_of
from schema.node import Connection, Node, build_connection
from schema.project import Project, load_projects, money_args

MatchRuleEnum = strawberry.enum(
    MatchRule,
    description="What set a match's amount: RATIO in full, or the cap or balance that held "
    "it lower (PER_PLEDGE, PER_BACKER_PER_PROJECT, PER_BACKER, PER_PROJECT, PROJECT_NEED, "
    "POOL_BALANCE).",
)
MatchReleaseEnum = strawberry.enum(
    MatchRelease, description="Why a match's money went back to its pool."
)


class BackerSector(StrEnum):
    CITIZEN = "CITIZEN"
    PUBLIC = "PUBLIC"
    NONPROFIT = "NONPROFIT"
    BUSINESS = "BUSINESS"


BackerSectorEnum = strawberry.enum(
    BackerSector,
    description="A backer's sector, as a pool's rule names it: CITIZEN for people backing "
    "as themselves, or the organization's sector.",
)


def _optional_money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else money_of(minor, currency)


@strawberry.type(description="What one funder put into a pool, and what matches drew of it.")
class MatchContribution:
    funder_id: strawberry.Private[int]
    amount: Money = strawberry.field(description="What the funder put in.")
    drawn: Money = strawberry.field(description="What matches have drawn from it.")
    unspent: Money = strawberry.field(
        description="What is left of it: the funder's own once the pool closes."
    )
    created_at: datetime = strawberry.field(description="When it was put in (UTC).")

    @strawberry.field(description="The funder: an organization.")
    async def funder(self, info: Info) -> Actor:
        return await load_actor(info, self.funder_id)


@strawberry.type(description="The part of a match one funder's contribution paid.")
class MatchShare:
    funder_id: strawberry.Private[int]
    amount: Money = strawberry.field(description="The funder's part.")

    @strawberry.field(description="The funder.")
    async def funder(self, info: Info) -> Actor:
        return await load_actor(info, self.funder_id)


@strawberry.type(description="Money a pool added to one confirmed pledge: one ledger row.")
class Match(Node):
    row: strawberry.Private[MatchRow]
    amount: Money = strawberry.field(description="The money added (zero when a cap left none).")
    rule: MatchRule = strawberry.field(description="What set the amount.")
    created_at: datetime = strawberry.field(description="When it was matched (UTC).")
    released_at: datetime | None = strawberry.field(
        description="When the money went back to the pool; null while it holds."
    )
    release_reason: MatchRelease | None = strawberry.field(
        description="Why it went back (WITHDRAWN, DECLINED, RECEIVED_LESS)."
    )
    shares_by_match: strawberry.Private[dict[int, list[tuple[int, int]]] | None] = None

    @strawberry.field(description="Which funders paid it, in proportion to what each had left.")
    async def shares(self) -> list[MatchShare]:
        shares = self.shares_by_match
        if shares is None:  # read only when asked for (one query for a whole ledger page)
            shares = await pool_resolvers.shares_of([self.row.pk])
        currency = self.amount.currency
        return [
            MatchShare(funder_id=funder_id, amount=money_of(minor, currency))
            for funder_id, minor in shares.get(self.row.pk, [])
        ]

    @strawberry.field(description="The pledge matched.")
    async def pledge_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Pledge", self.row.pledge_id))

    @strawberry.field(description="The project the pledge backs.")
    async def project(self, info: Info) -> Project | None:
        projects = await load_projects(info, [self.row.project_id])
        return projects[0] if projects else None

    @strawberry.field(description="The pledge's backer.")
    async def backer(self, info: Info) -> Actor:
        return await load_actor(info, self.row.backer_id)


async def match_nodes(
    rows: list[MatchRow], currency: str, *, with_shares: bool = False
) -> list[Match]:
    """Ledger rows as nodes; ``with_shares`` reads every row's shares in one query."""
    shares = await pool_resolvers.shares_of([row.pk for row in rows]) if with_shares else None
    return [
        Match(
            id=strawberry.ID(to_global_id("Match", row.pk)),
            row=row,
            amount=money_of(row.amount_minor, currency),
            rule=MatchRule(row.rule),
            created_at=row.created_at,
            released_at=row.released_at,
            release_reason=MatchRelease(row.release_reason) if row.release_reason else None,
            shares_by_match=shares,
        )
        for row in rows
    ]


@strawberry.type(description="A page of a pool's ledger.")
class MatchConnection(Connection[Match]):
    pass


@strawberry.type(description="What a pool has matched for one project.")
class ProjectMatched:
    project_id: strawberry.Private[int]
    matched: Money = strawberry.field(description="Matched money that holds.")

    @strawberry.field(description="The project.")
    async def project(self, info: Info) -> Project | None:
        projects = await load_projects(info, [self.project_id])
        return projects[0] if projects else None


@strawberry.type(description="A ratio: the pool adds `funds` for every `per` a backer gives.")
class MatchRatio:
    funds: int = strawberry.field(description="What the pool adds...")
    per: int = strawberry.field(description="...for this much given.")
    text: str = strawberry.field(description='The ratio written "funds:per", e.g. "2:1".')


@strawberry.type(
    description="Money a funder puts up to match confirmed MONEY pledges, by a ratio and "
    "within caps, until it is spent or closed."
)
class MatchPool(Node):
    row: strawberry.Private[MatchPoolRow]
    title: str = strawberry.field(description="Its name, e.g. 'Council match 2027'.")
    currency: Currency = strawberry.field(description="It matches pledges in this currency.")
    ratio: MatchRatio = strawberry.field(description="How much it adds per amount given.")
    cap_per_pledge: Money | None = strawberry.field(description="At most this per pledge.")
    cap_per_backer_per_project: Money | None = strawberry.field(
        description="At most this per backer per project."
    )
    cap_per_backer: Money | None = strawberry.field(description="At most this per backer.")
    cap_per_project: Money | None = strawberry.field(description="At most this per project.")
    sectors: list[BackerSector] = strawberry.field(
        description="Backers whose pledges qualify; empty: every sector."
    )
    min_backers: int = strawberry.field(
        description="Distinct backers of confirmed money a project needs before its pledges "
        "are matched (then every waiting one is)."
    )
    opens_at: datetime = strawberry.field(description="Pledges confirmed from then are matched.")
    closes_at: datetime | None = strawberry.field(description="And until then (null: open-ended).")
    closed_at: datetime | None = strawberry.field(description="When it was closed early.")
    total: Money = strawberry.field(description="What the funders put in.")
    matched: Money = strawberry.field(description="Matched money that holds.")
    remaining: Money = strawberry.field(description="What it can still match.")
    is_open: bool = strawberry.field(description="True while it matches confirmations.")

    @strawberry.field(description="The community it matches pledges in.")
    async def community(self, info: Info) -> CommunityRef:
        return await load_community(info, self.row.community_id)

    @strawberry.field(description="The organization that opened it.")
    async def funder(self, info: Info) -> Actor:
        return await load_actor(info, self.row.funder_id)

    @strawberry.field(description="The pitching event it is for (its pitched projects), if any.")
    async def event_id(self) -> strawberry.ID | None:
        if self.row.event_id is None:
            return None
        return strawberry.ID(to_global_id("PitchingEvent", self.row.event_id))

    @strawberry.field(description="The projects it is restricted to; empty: every project.")
    async def projects(self, info: Info) -> list[Project]:
        return await load_projects(info, await pool_resolvers.restricted_project_ids(self.row.pk))

    @strawberry.field(description="Each funder's contribution, oldest first.")
    async def contributions(self) -> list[MatchContribution]:
        rows = await pool_resolvers.contributions_of(self.row.pk)
        currency = str(self.row.currency)
        return [
            MatchContribution(
                funder_id=row.funder_id,
                amount=money_of(row.amount_minor, currency),
                drawn=money_of(row.drawn_minor, currency),
                unspent=money_of(row.amount_minor - row.drawn_minor, currency),
                created_at=row.created_at,
            )
            for row in rows
        ]

    @strawberry.field(description="Matched money per project.")
    async def per_project(self) -> list[ProjectMatched]:
        currency = str(self.row.currency)
        return [
            ProjectMatched(project_id=project_id, matched=money_of(minor, currency))
            for project_id, minor in await pool_resolvers.matched_by_project(self.row.pk)
        ]

    @strawberry.field(
        description="Every match, oldest first, released ones too: with the shares, the sums "
        "of the public ledger are the pool's totals."
    )
    async def ledger(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MatchConnection:
        page = await pool_resolvers.ledger_page(self.row.pk, PageArgs(first, after, last, before))
        nodes = await match_nodes(page.rows, str(self.row.currency), with_shares=True)
        return build_connection(MatchConnection, page, nodes)

    @classmethod
    def from_row(cls, row: MatchPoolRow) -> "MatchPool":
        currency = str(row.currency)
        now = datetime.now(UTC)
        return cls(
            id=strawberry.ID(to_global_id("MatchPool", row.pk)),
            row=row,
            title=row.title,
            currency=Currency(currency),
            ratio=MatchRatio(
                funds=row.ratio_funds, per=row.ratio_per, text=f"{row.ratio_funds}:{row.ratio_per}"
            ),
            cap_per_pledge=_optional_money(row.cap_per_pledge_minor, currency),
            cap_per_backer_per_project=_optional_money(
                row.cap_per_backer_per_project_minor, currency
            ),
            cap_per_backer=_optional_money(row.cap_per_backer_minor, currency),
            cap_per_project=_optional_money(row.cap_per_project_minor, currency),
            sectors=[BackerSector(s) for s in row.sectors],
            min_backers=row.min_backers,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            closed_at=row.closed_at,
            total=money_of(row.total_minor, currency),
            matched=money_of(row.matched_minor, currency),
            remaining=money_of(row.total_minor - row.matched_minor, currency),
            is_open=pool_resolvers.is_open(row, now),
        )


@strawberry.type(description="A page of match pools.")
class MatchPoolConnection(Connection[MatchPool]):
    pass


@strawberry.type(description="A pool that matches a project, and what it may still add.")
class ProjectMatchPool:
    pool: MatchPool = strawberry.field(description="The pool.")
    matched: Money = strawberry.field(description="What it has matched for the project.")
    matchable: Money = strawberry.field(
        description="What it may still add for the project (its balance, within its project cap)."
    )


def project_match_pools(rows: list[ProjectPool]) -> list[ProjectMatchPool]:
    return [
        ProjectMatchPool(
            pool=MatchPool.from_row(row.pool),
            matched=money_of(row.matched_minor, str(row.pool.currency)),
            matchable=money_of(row.matchable_minor, str(row.pool.currency)),
        )
        for row in rows
    ]


@strawberry.input(description="Open a match pool for a community.")
class OpenMatchPoolInput:
    community_id: strawberry.ID = strawberry.field(description="The community.")
    acting_for: strawberry.ID = strawberry.field(
        description="The funding organization (you must be its admin)."
    )
    title: str = strawberry.field(description="Its name (1-200 characters).")
    total: MoneyInput = strawberry.field(description="The money put up, and its currency.")
    ratio: str = strawberry.field(
        description='"funds:per": "1:1" doubles every hryvnia, "2:1" triples it, "1:2" adds half.'
    )
    cap_per_pledge: str | None = strawberry.field(
        default=None, description="Decimal cap per pledge."
    )
    cap_per_backer_per_project: str | None = strawberry.field(
        default=None, description="Decimal cap per backer per project."
    )
    cap_per_backer: str | None = strawberry.field(
        default=None, description="Decimal cap per backer."
    )
    cap_per_project: str | None = strawberry.field(
        default=None, description="Decimal cap per project (not above the total)."
    )
    sectors: list[BackerSector] | None = strawberry.field(
        default=None, description="Only pledges of backers of these sectors (default: all)."
    )
    min_backers: int = strawberry.field(
        default=0, description="Distinct backers a project needs before it is matched."
    )
    event_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only projects pitched at this event of the community."
    )
    project_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these projects of the community (at most 100)."
    )
    opens_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    closes_at: datetime | None = strawberry.field(default=None, description="Default: open-ended.")


@strawberry.input(description="Add money to an open pool.")
class TopUpMatchPoolInput:
    pool_id: strawberry.ID = strawberry.field(description="The pool.")
    acting_for: strawberry.ID = strawberry.field(description="The organization putting money in.")
    amount: MoneyInput = strawberry.field(description="The amount, in the pool's currency.")


@strawberry.input(description="Close a pool early; what is unspent stays with its funders.")
class CloseMatchPoolInput:
    pool_id: strawberry.ID = strawberry.field(description="The pool.")


@strawberry.type(description="The pool, as it stands after the change.")
class MatchPoolSuccess:
    pool: MatchPool = strawberry.field(description="The pool.")


MatchPoolResult = Annotated[
    MatchPoolSuccess | AnyError,
    strawberry.union("MatchPoolResult", description="The pool, or why not."),
]


def _success(row: MatchPoolRow) -> MatchPoolSuccess:
    return MatchPoolSuccess(pool=MatchPool.from_row(row))


@strawberry.type
class MatchPoolMutation:
    @strawberry.mutation(description="Open a match pool (an admin of the funder).")
    async def open_match_pool(self, info: Info, input: OpenMatchPoolInput) -> MatchPoolResult:
        async def run() -> MatchPoolSuccess:
            total = money_args(input.total)
            assert total is not None
            args = pool_resolvers.PoolArgs(
                community_id=input.community_id,
                acting_for=input.acting_for,
                title=input.title,
                total=total,
                ratio=input.ratio,
                cap_per_pledge=input.cap_per_pledge,
                cap_per_backer_per_project=input.cap_per_backer_per_project,
                cap_per_backer=input.cap_per_backer,
                cap_per_project=input.cap_per_project,
                sectors=[str(s.value) for s in input.sectors or []],
                min_backers=input.min_backers,
                event_id=input.event_id,
                project_ids=[str(p) for p in input.project_ids or []],
                opens_at=input.opens_at,
                closes_at=input.closes_at,
            )
            return _success(await pool_resolvers.open_pool(info.context.viewer, args))

        return await as_result(run())

    @strawberry.mutation(description="Top up an open pool (any organization, through an admin).")
    async def top_up_match_pool(self, info: Info, input: TopUpMatchPoolInput) -> MatchPoolResult:
        async def run() -> MatchPoolSuccess:
            amount = money_args(input.amount)
            assert amount is not None
            row = await pool_resolvers.top_up_pool(
                info.context.viewer,
                pool_id=input.pool_id,
                acting_for=input.acting_for,
                amount=amount,
            )
            return _success(row)

        return await as_result(run())

    @strawberry.mutation(description="Close a pool early (an admin of its funder).")
    async def close_match_pool(self, info: Info, input: CloseMatchPoolInput) -> MatchPoolResult:
        async def run() -> MatchPoolSuccess:
            return _success(
                await pool_resolvers.close_pool(info.context.viewer, pool_id=input.pool_id)
            )

        return await as_result(run())


@strawberry.type
class MatchPoolQuery:
    @strawberry.field(description="A community's match pools, newest first.")
    async def match_pools(
        self,
        community_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MatchPoolConnection:
        page = await pool_resolvers.pools_page(community_id, PageArgs(first, after, last, before))
        return build_connection(
            MatchPoolConnection, page, [MatchPool.from_row(r) for r in page.rows]
        )
