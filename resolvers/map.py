"""Issues and projects on the map: inside a bounding box, near a point; the map's input checks.

Every map query takes a community (a map shows one interaction space) and the usual issue
filters. On PostgreSQL the box is found through the GiST index on the issue's point; on
SQLite with plain comparisons of the columns (its embedded use is small communities).
"""

from tortoise.expressions import RawSQL, Subquery
from tortoise.queryset import QuerySet

from models import (
    Issue,
    Project,
    ProjectIssue,
    ProjectStatus,
)
from resolvers.community import require_community
from resolvers.errors import ErrorCode
from resolvers.geo import BoundingBox, box_around, haversine_meters
from resolvers.issue import IssueFilterArgs, Location, issue_filter_args, issues_query
from resolvers.pagination import (
    MAX_PAGE_SIZE,
    Page,
    PageArgs,
    PaginationError,
    decode_cursor,
    page_of_list,
    page_of_query,
)
from resolvers.spatial_sql import HaversineMeters, PointInBox, on_postgres
from resolvers.validation import Checker

MAX_RADIUS_METERS = 50_000.0
DISTANCE = "distance_meters"  # the annotation holding an issue's distance on PostgreSQL


def check_box(checker: Checker, box: BoundingBox, field: str = "bbox") -> bool:
    """Report the box's problems; True when it has none."""
    problems_before = len(checker.problems)
    for side, value, limit in (
        ("south", box.south, 90),
        ("west", box.west, 180),
        ("north", box.north, 90),
        ("east", box.east, 180),
    ):
        checker.number_range(f"{field}.{side}", value, minimum=-limit, maximum=limit)
    if box.south > box.north:
        checker.add(field, ErrorCode.INVERTED_BOUNDS, f"{field}.south must not exceed its north.")
    if box.west > box.east:
        checker.add(
            field,
            ErrorCode.CROSSES_ANTIMERIDIAN,
            f"{field}.west exceeds its east: a box across the antimeridian (180°) is not "
            "supported; send its two halves as two boxes.",
        )
    return len(checker.problems) == problems_before


def check_centre(checker: Checker, centre: Location, radius_meters: float) -> None:
    checker.number_range("centre.latitude", centre.latitude, minimum=-90, maximum=90)
    checker.number_range("centre.longitude", centre.longitude, minimum=-180, maximum=180)
    if not 0 < radius_meters <= MAX_RADIUS_METERS:  # also refuses NaN
        checker.add(
            "radiusMeters",
            ErrorCode.OUT_OF_RANGE,
            f"radiusMeters must be above 0 and at most {MAX_RADIUS_METERS:.0f}.",
        )


def check_page(checker: Checker, first: int | None, after: str | None) -> PageArgs:
    """Pagination problems reported with the others, as typed errors of the result."""
    if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
        checker.add("first", ErrorCode.OUT_OF_RANGE, f"first must be 0 to {MAX_PAGE_SIZE}.")
    if after is not None:
        try:
            decode_cursor(after, "after")
        except PaginationError as error:
            checker.add("after", ErrorCode.INVALID, str(error))
    return PageArgs(first=first, after=after)


async def map_filter(
    checker: Checker, conditions: IssueFilterArgs, community_id: str
) -> IssueFilterArgs:
    """Check the map's filter, raise every problem found so far, then require the community
    (a map shows one community)."""
    filters = issue_filter_args(checker, conditions, community_id)
    checker.raise_if_any()
    assert filters.community_id is not None  # decoded, or a problem was raised
    await require_community(filters.community_id, field="filter.communityId")
    return filters


def issues_in_box(
    filters: IssueFilterArgs, box: BoundingBox, *, through_index: bool = True
) -> QuerySet[Issue]:
    """Issues matching the filters inside the box (edges included), newest first.

    ``through_index=False`` leaves out PostgreSQL's index condition: for a box known to
    hold most of the community (see resolvers/map_clusters.py).
    """
    query = issues_query(filters)
    if through_index and on_postgres():
        # The index condition; tortoise filters only on fields or annotations, so the
        # criterion is an annotation compared with TRUE (PostgreSQL folds the comparison
        # away and still uses the index).
        query = query.annotate(inside_box=PointInBox(box)).filter(inside_box=RawSQL("TRUE"))
    # Exact bounds on both databases: PostgreSQL's geometric operators tolerate 1e-6
    # degrees, and a point on the edge must not be in or out depending on the database.
    return query.filter(
        latitude__gte=box.south,
        latitude__lte=box.north,
        longitude__gte=box.west,
        longitude__lte=box.east,
    )


async def issues_in_area(filters: IssueFilterArgs, box: BoundingBox, page: PageArgs) -> Page[Issue]:
    return await page_of_query(issues_in_box(filters, box), page)


def issues_within(
    filters: IssueFilterArgs, centre: Location, radius_meters: float
) -> QuerySet[Issue]:
    """PostgreSQL: the issues within the radius, nearest first, with their distance."""
    box = box_around(centre.latitude, centre.longitude, radius_meters)
    distance = HaversineMeters(centre.latitude, centre.longitude)
    return (
        issues_in_box(filters, box)
        .annotate(**{DISTANCE: distance})
        .filter(**{f"{DISTANCE}__lte": radius_meters})
        .order_by(DISTANCE, "id")
    )


async def issues_near(
    filters: IssueFilterArgs, centre: Location, radius_meters: float, page: PageArgs
) -> Page[tuple[Issue, float]]:
    """Issues within the radius with their distances in metres, nearest first.

    The circle's bounding box narrows the candidates (through the index on PostgreSQL),
    then the exact great-circle distance decides: in SQL on PostgreSQL, in Python over the
    box's rows on SQLite, which has no trigonometry built in everywhere.
    """
    if on_postgres():
        found = await page_of_query(issues_within(filters, centre, radius_meters), page)
        return Page(
            rows=[(row, float(getattr(row, DISTANCE))) for row in found.rows],
            offset=found.offset,
            total_count=found.total_count,
            has_previous_page=found.has_previous_page,
            has_next_page=found.has_next_page,
        )
    box = box_around(centre.latitude, centre.longitude, radius_meters)
    measured = [
        (row, haversine_meters(centre.latitude, centre.longitude, row.latitude, row.longitude))
        for row in await issues_in_box(filters, box).order_by()
    ]
    within = sorted(
        (pair for pair in measured if pair[1] <= radius_meters),
        key=lambda pair: (pair[1], pair[0].pk),
    )
    return page_of_list(within, page)


async def projects_in_area(
    filters: IssueFilterArgs, box: BoundingBox, page: PageArgs
) -> Page[Project]:
    """Projects (never drafts) addressing a matching issue inside the box, newest first."""
    issue_ids = issues_in_box(filters, box).order_by().values("id")
    project_ids = ProjectIssue.filter(issue_id__in=Subquery(issue_ids)).values("project_id")
    query = (
        Project.filter(id__in=Subquery(project_ids))
        .exclude(status=ProjectStatus.DRAFT)
        .order_by("-created_at", "-id")
    )
    return await page_of_query(query, page)
