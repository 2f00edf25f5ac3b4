"""Project support totals: votes, money per currency, hours, in-kind help, backers by sector.

Totals are computed from the pledge rows with two grouped queries per batch of projects
(no counters on the project row), so concurrent pledges never contend on one hot row and
the numbers can never drift from the pledges that make them up.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tortoise.functions import Count, Sum

from models import ActorKind, Currency, Pledge, PledgeKind, PledgeStatus
from models.money import from_minor_units

CITIZEN_SECTOR = "CITIZEN"
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

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.hours_hundredths) * HUNDREDTHS).quantize(HUNDREDTHS)

    def money(self) -> list[tuple[Decimal, Currency]]:
        return [(from_minor_units(v), c) for c, v in sorted(self.money_minor.items())]

    def in_kind_value(self) -> list[tuple[Decimal, Currency]]:
        return [(from_minor_units(v), c) for c, v in sorted(self.in_kind_value_minor.items())]


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
    if kind == PledgeKind.VOTE:
        totals.votes += count
        if row["verified"]:
            totals.verified_votes += count
    elif kind == PledgeKind.MONEY and row["currency"]:
        currency = Currency(str(row["currency"]))
        totals.money_minor[currency] = totals.money_minor.get(currency, 0) + amount
    elif kind == PledgeKind.TIME:
        totals.hours_hundredths += int(str(row["hours_sum"] or 0))
    elif kind == PledgeKind.IN_KIND:
        totals.in_kind_count += count
        if row["currency"]:
            currency = Currency(str(row["currency"]))
            totals.in_kind_value_minor[currency] = (
                totals.in_kind_value_minor.get(currency, 0) + amount
            )


def _sector_of(row: dict[str, object]) -> str:
    if row["backer__kind"] == ActorKind.PERSON:
        return CITIZEN_SECTOR
    return str(row["backer__sector"])


async def support_for_projects(project_ids: Iterable[int]) -> dict[int, ProjectSupportTotals]:
    """Support totals of every given project, in two queries whatever their number."""
    ids = list(project_ids)
    result = {project_id: ProjectSupportTotals(project_id) for project_id in ids}
    counting = Pledge.filter(project_id__in=ids).exclude(status=PledgeStatus.WITHDRAWN)
    sums = (
        await counting.annotate(
            pledge_count=Count("id"),
            amount_sum=Sum("amount_minor"),
            hours_sum=Sum("hours_hundredths"),
        )
        .group_by("project_id", "kind", "currency", "verified", "backer__kind", "backer__sector")
        .values(
            "project_id",
            "kind",
            "verified",
            "currency",
            "backer__kind",
            "backer__sector",
            "pledge_count",
            "amount_sum",
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
    return result
