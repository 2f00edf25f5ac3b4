"""GraphQL types and queries of the map: issues and projects in a box, near a point, clustered."""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry

from models import AffectedGroup
from models import Issue as IssueRow
from resolvers import map as map_resolvers
from resolvers import map_clusters as cluster_resolvers
from resolvers.geo import BoundingBox as Box
from resolvers.ids import to_global_id
from resolvers.issue import IssueFilterArgs, Location
from resolvers.pagination import Page, PageArgs
from resolvers.validation import Checker
from schema.community import GeoPoint, GeoPointInput
from schema.context import Info
from schema.errors import NotFoundError, ValidationError, as_query_result
from schema.issue import Issue, IssueConnection, IssueFilter
from schema.node import PageInfo, build_connection
from schema.project import Project, ProjectConnection


@strawberry.input(description="A map area: latitudes -90 to 90, longitudes -180 to 180.")
class BoundingBoxInput:
    south: float = strawberry.field(description="Southern edge (latitude), at most north.")
    west: float = strawberry.field(description="Western edge (longitude), at most east.")
    north: float = strawberry.field(description="Northern edge (latitude).")
    east: float = strawberry.field(description="Eastern edge (longitude).")

    def to_box(self) -> Box:
        return Box(south=self.south, west=self.west, north=self.north, east=self.east)


@strawberry.type(description="A map area (WGS 84 degrees).")
class BoundingBox:
    south: float = strawberry.field(description="Southern edge (latitude).")
    west: float = strawberry.field(description="Western edge (longitude).")
    north: float = strawberry.field(description="Northern edge (latitude).")
    east: float = strawberry.field(description="Eastern edge (longitude).")


@strawberry.input(
    description="Which issues a map shows: one community's, narrowed like any list of issues."
)
class MapFilter(IssueFilter):
    community_id: strawberry.ID = strawberry.field(description="The community on the map.")


@strawberry.type(description="An issue near the asked point, with its distance.")
class IssueDistanceEdge:
    node: Issue = strawberry.field(description="The issue.")
    distance_meters: float = strawberry.field(
        description="Great-circle distance from the point, in metres."
    )
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")


@strawberry.type(description="Issues within a radius of a point, nearest first.")
class IssuesNear:
    edges: list[IssueDistanceEdge] = strawberry.field(description="Issues with distances.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of issues within the radius.")


@strawberry.type(description="How many issues of a cluster hit one group.")
class AffectedGroupCount:
    group: AffectedGroup = strawberry.field(description="The group.")
    count: int = strawberry.field(description="Issues of the cluster hitting it.")


@strawberry.type(description="Nearby issues drawn as one marker at low zoom.")
class IssueCluster:
    centre: GeoPoint = strawberry.field(description="Mean position of the cluster's issues.")
    count: int = strawberry.field(description="Number of issues in the cluster.")
    bounds: BoundingBox = strawberry.field(
        description="Smallest box holding the cluster's issues: zoom to it to split it."
    )
    top_affected_groups: list[AffectedGroupCount] = strawberry.field(
        description="The groups its issues hit most (at most 3), most first."
    )
    issue_ids: list[strawberry.ID] = strawberry.field(
        description=f"IDs of its issues when it has at most {cluster_resolvers.SMALL_CLUSTER}, "
        "else empty."
    )


@strawberry.type(description="The issues of a map area, clustered for the zoom.")
class IssueClusters:
    clusters: list[IssueCluster] = strawberry.field(description="Clusters, biggest first.")
    total_count: int = strawberry.field(description="Number of issues in all the clusters.")


IssuesInAreaResult = Annotated[
    IssueConnection | ValidationError | NotFoundError,
    strawberry.union("IssuesInAreaResult", description="Issues in the area, or why not."),
]
IssuesNearResult = Annotated[
    IssuesNear | ValidationError | NotFoundError,
    strawberry.union("IssuesNearResult", description="Issues near the point, or why not."),
]
ProjectsInAreaResult = Annotated[
    ProjectConnection | ValidationError | NotFoundError,
    strawberry.union("ProjectsInAreaResult", description="Projects in the area, or why not."),
]
IssueClustersResult = Annotated[
    IssueClusters | ValidationError | NotFoundError,
    strawberry.union("IssueClustersResult", description="Clusters of the area, or why not."),
]


def _issues_near(info: Info, page: Page[tuple[IssueRow, float]]) -> IssuesNear:
    rows = [row for row, _ in page.rows]
    info.context.loaders.prime(rows)
    connection = build_connection(IssueConnection, page, [Issue.from_row(row) for row in rows])
    edges = [
        IssueDistanceEdge(node=edge.node, distance_meters=distance, cursor=edge.cursor)
        for edge, (_, distance) in zip(connection.edges, page.rows, strict=True)
    ]
    return IssuesNear(edges=edges, page_info=connection.page_info, total_count=page.total_count)


def _cluster(cluster: cluster_resolvers.Cluster) -> IssueCluster:
    bounds = cluster.bounds
    return IssueCluster(
        centre=GeoPoint(latitude=cluster.latitude, longitude=cluster.longitude),
        count=cluster.count,
        bounds=BoundingBox(
            south=bounds.south, west=bounds.west, north=bounds.north, east=bounds.east
        ),
        top_affected_groups=[
            AffectedGroupCount(group=group, count=count) for group, count in cluster.top_groups
        ],
        issue_ids=[strawberry.ID(to_global_id("Issue", pk)) for pk in cluster.issue_ids],
    )


async def _area_arguments(
    bbox: BoundingBoxInput, filter: MapFilter, first: int | None, after: str | None
) -> tuple[IssueFilterArgs, Box, PageArgs]:
    """Check a paged area query's arguments together, so every problem is reported at once."""
    checker = Checker()
    box = bbox.to_box()
    map_resolvers.check_box(checker, box)
    page_args = map_resolvers.check_page(checker, first, after)
    filters = await _map_filter(checker, filter)
    return filters, box, page_args


async def _map_filter(checker: Checker, filter: MapFilter) -> IssueFilterArgs:
    """The map's filter checked with the problems found so far; the community must exist."""
    return await map_resolvers.map_filter(checker, filter.conditions(), filter.community_id)


RowT = TypeVar("RowT")
NodeT = TypeVar("NodeT")
ConnectionT = TypeVar("ConnectionT", IssueConnection, ProjectConnection)


async def _page_in_area(
    info: Info,
    arguments: tuple[BoundingBoxInput, MapFilter, int | None, str | None],
    find: Callable[[IssueFilterArgs, Box, PageArgs], Awaitable[Page[RowT]]],
    connection: type[ConnectionT],
    from_row: Callable[[RowT], NodeT],
) -> ConnectionT:
    """A page of what ``find`` finds in the area, its rows primed in the loaders."""
    filters, box, page_args = await _area_arguments(*arguments)
    page = await find(filters, box, page_args)
    info.context.loaders.prime(page.rows)  # type: ignore[arg-type]  # model rows
    return build_connection(connection, page, [from_row(row) for row in page.rows])


@strawberry.type
class MapQuery:
    @strawberry.field(description="Issues inside a map area, newest first.")
    async def issues_in_area(
        self,
        info: Info,
        bbox: BoundingBoxInput,
        filter: MapFilter,
        first: int | None = None,
        after: str | None = None,
    ) -> IssuesInAreaResult:
        return await as_query_result(
            _page_in_area(
                info,
                (bbox, filter, first, after),
                map_resolvers.issues_in_area,
                IssueConnection,
                Issue.from_row,
            )
        )

    @strawberry.field(
        description="Issues within a radius (at most 50 km) of a point, nearest first."
    )
    async def issues_near(
        self,
        info: Info,
        centre: GeoPointInput,
        radius_meters: float,
        filter: MapFilter,
        first: int | None = None,
        after: str | None = None,
    ) -> IssuesNearResult:
        async def run() -> IssuesNear:
            checker = Checker()
            location = Location(latitude=centre.latitude, longitude=centre.longitude)
            map_resolvers.check_centre(checker, location, radius_meters)
            page_args = map_resolvers.check_page(checker, first, after)
            filters = await _map_filter(checker, filter)
            page = await map_resolvers.issues_near(filters, location, radius_meters, page_args)
            return _issues_near(info, page)

        return await as_query_result(run())

    @strawberry.field(
        description="Projects addressing issues inside a map area (the filter picks the "
        "issues), newest first; drafts are never shown."
    )
    async def projects_in_area(
        self,
        info: Info,
        bbox: BoundingBoxInput,
        filter: MapFilter,
        first: int | None = None,
        after: str | None = None,
    ) -> ProjectsInAreaResult:
        return await as_query_result(
            _page_in_area(
                info,
                (bbox, filter, first, after),
                map_resolvers.projects_in_area,
                ProjectConnection,
                Project.from_row,
            )
        )

    @strawberry.field(
        description="The issues of a map area grouped into clusters on a grid that follows "
        "the zoom (0-22; cells of about 64 screen pixels)."
    )
    async def issue_clusters(
        self, bbox: BoundingBoxInput, zoom: int, filter: MapFilter
    ) -> IssueClustersResult:
        async def run() -> IssueClusters:
            checker = Checker()
            box = bbox.to_box()
            box_is_valid = map_resolvers.check_box(checker, box)
            cluster_resolvers.check_zoom(checker, zoom, box if box_is_valid else None)
            filters = await _map_filter(checker, filter)
            clusters = await cluster_resolvers.issue_clusters(filters, box, zoom)
            return IssueClusters(
                clusters=[_cluster(cluster) for cluster in clusters],
                total_count=sum(cluster.count for cluster in clusters),
            )

        return await as_query_result(run())
