"""SQL terms for map queries, per database, with every value sent as a query parameter.

PostgreSQL finds the issues in a box through the GiST index ``issue_point_gist`` on
``point(longitude, latitude)`` (migration 0003), so the box test must be spelled exactly as
that indexed expression. SQLite has no such index and compares the columns.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from pypika_tortoise.utils import format_alias_sql
from tortoise.transactions import in_transaction

from models import Issue
from resolvers.geo import EARTH_RADIUS_METERS, BoundingBox


def on_postgres() -> bool:
    return bool(Issue._meta.db.capabilities.dialect == "postgres")


@asynccontextmanager
async def custom_plans() -> AsyncIterator[None]:
    """PostgreSQL: plan every statement of the block for its own values.

    asyncpg prepares statements, and after five runs PostgreSQL may keep a generic plan made
    without the values: for a box it then assumes a few issues, whatever the box holds.
    """
    if not on_postgres():
        yield
        return
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


def _param(value: float, ctx: SqlContext) -> str:
    return str(ValueWrapper(float(value)).get_sql(ctx))


class PointInBox(Criterion):
    """PostgreSQL: the issue's point lies in the box (the form the GiST index answers)."""

    def __init__(self, box: BoundingBox) -> None:
        super().__init__()
        self.box = box

    def get_sql(self, ctx: SqlContext) -> str:
        west, south = _param(self.box.west, ctx), _param(self.box.south, ctx)
        east, north = _param(self.box.east, ctx), _param(self.box.north, ctx)
        sql = (
            '(point("issue"."longitude","issue"."latitude")'
            f" <@ box(point({west},{south}),point({east},{north})))"
        )
        return str(format_alias_sql(sql, self.alias, ctx)) if ctx.with_alias else sql


class CellIndex(Term):
    """The row or column of the clustering grid a coordinate falls in.

    The coordinate is shifted to be non-negative first (latitude + 90, longitude + 180), so
    SQLite's CAST, which truncates, floors like PostgreSQL's floor() on every input.
    """

    def __init__(self, column: str, shift: int, cell_size: float) -> None:
        super().__init__()
        self.column = column
        self.shift = shift
        self.cell_size = cell_size

    def get_sql(self, ctx: SqlContext) -> str:
        ratio = f'("issue"."{self.column}"+{self.shift})/{_param(self.cell_size, ctx)}'
        sql = f"CAST(floor({ratio}) AS BIGINT)" if on_postgres() else f"CAST({ratio} AS INTEGER)"
        return str(format_alias_sql(sql, self.alias, ctx)) if ctx.with_alias else sql


class IssueIdList(Term):
    """Aggregate: the comma-separated IDs of a group's issues (in no particular order)."""

    is_aggregate = True

    def get_sql(self, ctx: SqlContext) -> str:
        if on_postgres():
            sql = """string_agg(CAST("issue"."id" AS TEXT),',')"""
        else:
            sql = """group_concat("issue"."id",',')"""
        return str(format_alias_sql(sql, self.alias, ctx)) if ctx.with_alias else sql


class HaversineMeters(Term):
    """PostgreSQL: great-circle distance from the issue to a point, as resolvers/geo.py."""

    def __init__(self, latitude: float, longitude: float) -> None:
        super().__init__()
        self.latitude = latitude
        self.longitude = longitude

    def get_sql(self, ctx: SqlContext) -> str:
        lat = '"issue"."latitude"'
        dphi = f"radians({lat}-{_param(self.latitude, ctx)})/2"
        dlambda = f'radians("issue"."longitude"-{_param(self.longitude, ctx)})/2'
        h = (
            f"power(sin({dphi}),2)+cos(radians({_param(self.latitude, ctx)}))"
            f"*cos(radians({lat}))*power(sin({dlambda}),2)"
        )
        sql = f"(2*{EARTH_RADIUS_METERS}*asin(least(1.0,sqrt({h}))))"
        return str(format_alias_sql(sql, self.alias, ctx)) if ctx.with_alias else sql
