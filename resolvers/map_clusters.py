"""Server-side clustering: the issues in a box, counted per cell of a zoom-sized grid.

A phone showing 10,000 issues downloads a few dozen clusters instead of 10,000 pins. The
grid is global (cell indexes are floor(latitude / cell), floor(longitude / cell)), so a
cluster stays put while the map pans. Two grouped statements, whatever the number of
issues: one for the cells (count, centre, bounds, the IDs of small cells), one for the
affected groups per cell.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Avg, Count, Max, Min
from tortoise.queryset import QuerySet

from models import AffectedGroup, Issue
from resolvers.errors import ErrorCode
from resolvers.geo import MAX_ZOOM, MIN_ZOOM, BoundingBox, cell_size_degrees
from resolvers.issue import IssueFilterArgs
from resolvers.map import issues_in_box
from resolvers.spatial_sql import CellIndex, IssueIdList, custom_plans
from resolvers.validation import Checker

SMALL_CLUSTER = 5  # clusters this small list their issues, so a tap can open one
TOP_GROUPS = 3
# A box at most this many cells wide and high: 128 cells of 64 pixels is an 8,192-pixel
# screen. A bigger box means a zoom that does not match the box, and far too many clusters.
MAX_CELLS_PER_SIDE = 128
# From this many issues in the box, the groups are counted without the index (measured on
# 100,000 issues: at 9,000 the index path takes 40 ms and the plain one 53 ms; at 28,000,
# 97 and 120 ms; at 62,000, 444 and 212 ms, its sort spilling to disk).
LARGE_BOX_ISSUES = 20_000

Cell = tuple[int, int]


@dataclass(frozen=True)
class Cluster:
    """The issues of one grid cell."""

    cell: Cell  # (row, column) of the grid
    latitude: float  # centre: the mean of the issues' coordinates
    longitude: float
    count: int
    bounds: BoundingBox  # the smallest box holding the cluster's issues
    top_groups: list[tuple[AffectedGroup, int]]
    issue_ids: list[int]  # only for clusters of at most SMALL_CLUSTER issues


def check_zoom(checker: Checker, zoom: int, box: BoundingBox | None, field: str = "bbox") -> None:
    """Check the zoom, and the size of the box (None: the box is invalid) at that zoom."""
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        checker.add("zoom", ErrorCode.OUT_OF_RANGE, f"zoom must be {MIN_ZOOM} to {MAX_ZOOM}.")
        return
    if box is None:
        return
    size = cell_size_degrees(zoom)
    cells_wide = math.ceil((box.east - box.west) / size)
    cells_high = math.ceil((box.north - box.south) / size)
    if max(cells_wide, cells_high) > MAX_CELLS_PER_SIDE:
        checker.add(
            field,
            ErrorCode.AREA_TOO_LARGE,
            f"At zoom {zoom} the box spans {cells_wide} x {cells_high} cluster cells (at most "
            f"{MAX_CELLS_PER_SIDE} per side): send the visible area with its own zoom.",
        )


async def issue_clusters(filters: IssueFilterArgs, box: BoundingBox, zoom: int) -> list[Cluster]:
    """Clusters of the matching issues in the box, biggest first."""
    size = cell_size_degrees(zoom)
    async with custom_plans():
        cells = await _cells(_gridded(issues_in_box(filters, box), size))
        # PostgreSQL guesses that any box holds 0.1 % of the issues (its point-in-box
        # operator has no statistics). For a box of tens of thousands, that guess makes it
        # join the groups issue by issue and sort them on disk, two to three times slower
        # than hashing, which it does when it estimates the box from the columns'
        # histograms instead (at the cost of reading all the community's issues). The
        # cells just counted tell which it is.
        through_index = sum(int(row["issue_count"]) for row in cells) < LARGE_BOX_ISSUES
        in_box = issues_in_box(filters, box, through_index=through_index)
        groups = await _groups_per_cell(_gridded(in_box, size))
    clusters = [_cluster(row, groups) for row in cells]
    return sorted(clusters, key=lambda cluster: (-cluster.count, cluster.cell))


def _gridded(issues: QuerySet[Issue], cell_size: float) -> QuerySet[Issue]:
    return issues.order_by().annotate(
        cell_y=CellIndex("latitude", 90, cell_size), cell_x=CellIndex("longitude", 180, cell_size)
    )


async def _cells(gridded: QuerySet[Issue]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await gridded.annotate(
            issue_count=Count("id"),
            mean_latitude=Avg("latitude"),
            mean_longitude=Avg("longitude"),
            south=Min("latitude"),
            north=Max("latitude"),
            west=Min("longitude"),
            east=Max("longitude"),
            issue_ids=IssueIdList(),
        )
        .group_by("cell_y", "cell_x")
        .values(
            "cell_y",
            "cell_x",
            "issue_count",
            "mean_latitude",
            "mean_longitude",
            "south",
            "north",
            "west",
            "east",
            "issue_ids",
        )
    )
    return rows


async def _groups_per_cell(gridded: QuerySet[Issue]) -> dict[Cell, list[tuple[AffectedGroup, int]]]:
    """Per cell, how many of its issues hit each group, most first (ties by name)."""
    rows = (
        await gridded.annotate(group_count=Count("id"))
        .group_by("cell_y", "cell_x", "affected_groups__group")
        .values("cell_y", "cell_x", "affected_groups__group", "group_count")
    )
    groups: dict[Cell, list[tuple[AffectedGroup, int]]] = defaultdict(list)
    for row in rows:
        if row["affected_groups__group"] is not None:  # issues hitting no group
            cell = (int(row["cell_y"]), int(row["cell_x"]))
            group = AffectedGroup(row["affected_groups__group"])
            groups[cell].append((group, int(row["group_count"])))
    for ranked in groups.values():
        ranked.sort(key=lambda pair: (-pair[1], pair[0].value))
    return groups


def _cluster(row: dict[str, Any], groups: dict[Cell, list[tuple[AffectedGroup, int]]]) -> Cluster:
    count = int(row["issue_count"])
    cell = (int(row["cell_y"]), int(row["cell_x"]))
    issue_ids = (
        sorted(int(part) for part in str(row["issue_ids"]).split(","))
        if count <= SMALL_CLUSTER
        else []
    )
    return Cluster(
        cell=cell,
        latitude=float(row["mean_latitude"]),
        longitude=float(row["mean_longitude"]),
        count=count,
        bounds=BoundingBox(
            south=float(row["south"]),
            west=float(row["west"]),
            north=float(row["north"]),
            east=float(row["east"]),
        ),
        top_groups=groups.get(cell, [])[:TOP_GROUPS],
        issue_ids=issue_ids,
    )
