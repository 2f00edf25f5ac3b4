"""Conditions the issue and project lists share: SDG and affected-group tags, who is behind
the item (sector, person or organization), and the order of the list."""

from typing import TypeVar

from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import ActorKind, AffectedGroup, IssueAffectedGroup, IssueSdgGoal, Sector
from resolvers.errors import ErrorCode, ValidationFailed
from resolvers.ids import decode_id
from resolvers.validation import Checker

SDG_GOALS = range(1, 18)

RowT = TypeVar("RowT", bound=Model)


def issue_tag_subqueries(
    sdg_goal: int | None, affected_group: AffectedGroup | None
) -> list[Subquery]:
    """Subqueries of the IDs of issues tagged with the SDG and hitting the group (each
    given condition one subquery; all must hold)."""
    subqueries = []
    if sdg_goal is not None:
        subqueries.append(Subquery(IssueSdgGoal.filter(goal=sdg_goal).values("issue_id")))
    if affected_group is not None:
        hit = IssueAffectedGroup.filter(group=affected_group).values("issue_id")
        subqueries.append(Subquery(hit))
    return subqueries


def by_actor(
    query: QuerySet[RowT], relation: str, sector: Sector | None, people: bool | None
) -> QuerySet[RowT]:
    """Rows whose actor ``relation`` (author, lead) is of the sector, and is a person
    (``people=True``) or an organization (``False``)."""
    if sector is not None:
        query = query.filter(**{f"{relation}__sector": sector})
    if people is not None:
        kind = ActorKind.PERSON if people else ActorKind.ORGANIZATION
        query = query.filter(**{f"{relation}__kind": kind})
    return query


def in_order(
    query: QuerySet[RowT], columns: dict[str, str], field: str, descending: bool
) -> QuerySet[RowT]:
    """The rows ordered by the column of ``field`` (the API's name), ties broken by ID."""
    prefix = "-" if descending else ""
    return query.order_by(f"{prefix}{columns[field]}", f"{prefix}id")


def check_sdg_filter(checker: Checker, goal: int | None, field: str = "filter.sdgGoal") -> None:
    if goal is not None and goal not in SDG_GOALS:
        checker.add(field, ErrorCode.OUT_OF_RANGE, "SDG goals are numbered 1 to 17.")


def decoded_id(checker: Checker, global_id: str | None, type_name: str, field: str) -> int | None:
    """The primary key of an optional global ID; a malformed one goes to ``checker``."""
    if global_id is None:
        return None
    try:
        return decode_id(global_id, type_name, field=field)
    except ValidationFailed as error:
        checker.problems.extend(error.problems)
        return None
