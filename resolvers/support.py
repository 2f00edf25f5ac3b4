"""Project support totals: votes, money per currency, hours, in-kind help, backers by sector.

Totals are computed from the pledge and match rows with three grouped queries per batch of
projects (no counters on the project row), so concurrent pledges never contend on one hot row and
the numbers can never drift from the pledges that make them up.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise.functions import Count, Sum

from models import ActorKind, Currency, Match, Pledge, PledgeKind, PledgeStatus
from models.money import from_minor_units
from models.pledge import ENDED

CITIZEN_SECTOR = "CITIZEN"
KEPT = (PledgeStatus.CONFIRMED, PledgeStatus.FULFILLED)
HUNDREDTHS = Decimal("0.01")


@dataclass
class SupportTotals:
    """Support from one group of backers (all of them, or one sector)."""

    votes: int = 0
    verified_votes: int = 0  # by people known to the hub (an account, a personal code)
    money_minor: dict[Currency, int] = field(default_factory=dict)
    hours_hundredths: int = 0
    in_kind_count: int = 0
    in_kind_value_minor: dict[Currency, int] = field(default_factory=dict)
    backers: int = 0
    # Kept pledges: CONFIRMED or FULFILLED ("confirmed"), FULFILLED ("fulfilled"; money as
    # received). Money matched by pools (whole-project totals only).
    money_confirmed_minor: dict[Currency, int] = field(default_factory=dict)
    money_fulfilled_minor: dict[Currency, int] = field(default_factory=dict)
    hours_confirmed_hundredths: int = 0
    hours_fulfilled_hundredths: int = 0
    in_kind_confirmed_count: int = 0
    in_kind_fulfilled_count: int = 0
    matched_minor: dict[Currency, int] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.hours_hundredths)

    def money(self) -> list[tuple[Decimal, Currency]]:
        return per_currency(self.money_minor)

    def in_kind_value(self) -> list[tuple[Decimal, Currency]]:
        return per_currency(self.in_kind_value_minor)


def hours_of(hundredths: int) -> Decimal:
    return (Decimal(hundredths) * HUNDREDTHS).quantize(HUNDREDTHS)


def per_currency(minor: dict[Currency, int]) -> list[tuple[Decimal, Currency]]:
    """Exact amounts, one per currency, in currency order."""
    return [(from_minor_units(v), c) for c, v in sorted(minor.items())]


def _add(into: dict[Currency, int], currency: Currency, amount: int) -> None:
    into[currency] = into.get(currency, 0) + amount


@dataclass
class ProjectSupportTotals:
    """A project's whole support plus its breakdown by backer sector."""

    project_id: int
    total: SupportTotals = field(default_factory=SupportTotals)
    by_sector: dict[str, SupportTotals] = field(default_factory=dict)


def _add_row(totals: SupportTotals, row: dict[str, object]) -> None:
    kind = PledgeKind(str(row["kind"]))
    count = int(str(row["pledge_count"]))
    amount = int(str(row["amount_sum"] or 0))
    hours = int(str(row["hours_sum"] or 0))
    status = PledgeStatus(str(row["status"]))
    kept = status in KEPT
    fulfilled = status == PledgeStatus.FULFILLED
    if kind == PledgeKind.VOTE:
        totals.votes += count
        if row["verified"]:
            totals.verified_votes += count
    elif kind == PledgeKind.MONEY and row["currency"]:
        currency = Currency(str(row["currency"]))
        _add(totals.money_minor, currency, amount)
        if kept:
            received = int(str(row["received_sum"] or 0)) if fulfilled else amount
            _add(totals.money_confirmed_minor, currency, received)
        if fulfilled:
            _add(totals.money_fulfilled_minor, currency, int(str(row["received_sum"] or 0)))
    elif kind == PledgeKind.TIME:
        totals.hours_hundredths += hours
        totals.hours_confirmed_hundredths += hours if kept else 0
        totals.hours_fulfilled_hundredths += hours if fulfilled else 0
    elif kind == PledgeKind.IN_KIND:
        totals.in_kind_count += count
        totals.in_kind_confirmed_count += count if kept else 0
        totals.in_kind_fulfilled_count += count if fulfilled else 0
        if row["currency"]:
            _add(totals.in_kind_value_minor, Currency(str(row["currency"])), amount)


def _sector_of(row: dict[str, object]) -> str:
    if row["backer__kind"] == ActorKind.PERSON:
        return CITIZEN_SECTOR
    return str(row["backer__sector"])


async def support_for_projects(project_ids: Iterable[int]) -> dict[int, ProjectSupportTotals]:
    """Support totals of every given project, in two queries whatever their number."""
    ids = list(project_ids)
    result = {project_id: ProjectSupportTotals(project_id) for project_id in ids}
    counting = Pledge.filter(project_id__in=ids).exclude(status__in=ENDED)
    sums = (
        await counting.annotate(
            pledge_count=Count("id"),
            amount_sum=Sum("amount_minor"),
            received_sum=Sum("received_minor"),
            hours_sum=Sum("hours_hundredths"),
        )
        .group_by(
            "project_id", "kind", "status", "currency", "verified", "backer__kind", "backer__sector"
        )
        .values(
            "project_id",
            "kind",
            "status",
            "verified",
            "currency",
            "backer__kind",
            "backer__sector",
            "pledge_count",
            "amount_sum",
            "received_sum",
            "hours_sum",
        )
    )
    for row in sums:
        project = result[int(row["project_id"])]
        _add_row(project.total, row)
        _add_row(project.by_sector.setdefault(_sector_of(row), SupportTotals()), row)
    backers = (
        await counting.annotate(backer_count=Count("backer_id", distinct=True))
        .group_by("project_id", "backer__kind", "backer__sector")
        .values("project_id", "backer__kind", "backer__sector", "backer_count")
    )
    for row in backers:
        project = result[int(row["project_id"])]
        count = int(row["backer_count"])
        # A backer belongs to exactly one sector, so per-sector counts add up exactly.
        project.total.backers += count
        project.by_sector.setdefault(_sector_of(row), SupportTotals()).backers += count
    matched = (
        await Match.filter(project_id__in=ids, active_pledge_id__isnull=False)
        .annotate(matched_sum=Sum("amount_minor"))
        .group_by("project_id", "pool__currency")
        .values("project_id", "pool__currency", "matched_sum")
    )
    for row in matched:
        totals = result[int(row["project_id"])].total
        _add(
            totals.matched_minor, Currency(str(row["pool__currency"])), int(row["matched_sum"] or 0)
        )
    return result


@dataclass(frozen=True)
class Funding:
    """A project's money in its own currency (minor units): what it asks for, what backers
    confirmed, what pools matched, and what is still needed (never below zero)."""

    requested_minor: int
    own_minor: int
    matched_minor: int

    @property
    def remaining_minor(self) -> int:
        return max(0, self.requested_minor - self.own_minor - self.matched_minor)


def funding_of(requested_minor: int, currency: Currency, totals: SupportTotals) -> Funding:
    return Funding(
        requested_minor=requested_minor,
        own_minor=totals.money_confirmed_minor.get(currency, 0),
        matched_minor=totals.matched_minor.get(currency, 0),
    )
