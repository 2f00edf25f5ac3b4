"""The live support numbers of a project, as a pitching audience watches them."""

from decimal import Decimal

import strawberry

from resolvers.support import ProjectSupportTotals, SupportTotals, hours_of, per_currency
from schema.money import Money, money_list


@strawberry.type(description="Support from one sector of backers.")
class SectorSupport:
    sector: str = strawberry.field(
        description="PUBLIC, NONPROFIT, BUSINESS, or CITIZEN for people backing as themselves."
    )
    votes: int = strawberry.field(description="Active votes.")
    verified_votes: int = strawberry.field(
        description="Active votes of people known to the hub (an account or a personal code)."
    )
    money: list[Money] = strawberry.field(description="Money pledged, summed per currency.")
    hours: Decimal = strawberry.field(description="Volunteer hours pledged.")
    in_kind_count: int = strawberry.field(description="Number of in-kind pledges.")
    backers: int = strawberry.field(description="Distinct backers.")


@strawberry.type(
    description="A project's support, counting every pledge not withdrawn or declined: "
    "pledged, then how much of it was confirmed and fulfilled, and what pools matched."
)
class ProjectSupport:
    votes: int = strawberry.field(description="Active votes, verified and anonymous.")
    verified_votes: int = strawberry.field(
        description="Active votes of people known to the hub: signed in, or holding a "
        "personal code. The support a budget counts."
    )
    anonymous_votes: int = strawberry.field(
        description="Active votes of anonymous attendees of OPEN pitching events, shown apart."
    )
    money: list[Money] = strawberry.field(description="Money pledged, summed per currency.")
    hours: Decimal = strawberry.field(description="Volunteer hours pledged.")
    in_kind_count: int = strawberry.field(description="Number of in-kind pledges.")
    in_kind_value: list[Money] = strawberry.field(
        description="Estimated value of in-kind help, summed per currency."
    )
    backers: int = strawberry.field(description="Distinct backers (people and organizations).")
    money_confirmed: list[Money] = strawberry.field(
        description="Money the project's side confirmed (CONFIRMED or FULFILLED; fulfilled "
        "pledges count what was received), per currency."
    )
    money_fulfilled: list[Money] = strawberry.field(
        description="Money actually received (FULFILLED), per currency."
    )
    matched: list[Money] = strawberry.field(
        description="Money match pools added to confirmed pledges, per currency."
    )
    hours_confirmed: Decimal = strawberry.field(description="Volunteer hours confirmed.")
    hours_fulfilled: Decimal = strawberry.field(description="Volunteer hours given.")
    in_kind_confirmed_count: int = strawberry.field(description="In-kind pledges confirmed.")
    in_kind_fulfilled_count: int = strawberry.field(description="In-kind pledges received.")
    by_sector: list[SectorSupport] = strawberry.field(
        description="The same numbers per sector of the backers."
    )


def _sector(sector: str, totals: SupportTotals) -> SectorSupport:
    return SectorSupport(
        sector=sector,
        votes=totals.votes,
        verified_votes=totals.verified_votes,
        money=money_list(totals.money()),
        hours=totals.hours,
        in_kind_count=totals.in_kind_count,
        backers=totals.backers,
    )


def project_support(totals: ProjectSupportTotals) -> ProjectSupport:
    whole = totals.total
    return ProjectSupport(
        votes=whole.votes,
        verified_votes=whole.verified_votes,
        anonymous_votes=whole.votes - whole.verified_votes,
        money=money_list(whole.money()),
        hours=whole.hours,
        in_kind_count=whole.in_kind_count,
        in_kind_value=money_list(whole.in_kind_value()),
        backers=whole.backers,
        money_confirmed=money_list(per_currency(whole.money_confirmed_minor)),
        money_fulfilled=money_list(per_currency(whole.money_fulfilled_minor)),
        matched=money_list(per_currency(whole.matched_minor)),
        hours_confirmed=hours_of(whole.hours_confirmed_hundredths),
        hours_fulfilled=hours_of(whole.hours_fulfilled_hundredths),
        in_kind_confirmed_count=whole.in_kind_confirmed_count,
        in_kind_fulfilled_count=whole.in_kind_fulfilled_count,
        by_sector=[_sector(name, part) for name, part in sorted(totals.by_sector.items())],
    )
