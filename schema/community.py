"""GraphQL types of regions and communities."""

from datetime import datetime
from typing import Annotated

import strawberry

from models import Community as CommunityRow
from models import Region as RegionRow
from resolvers.ids import to_global_id
from schema.actor import Organization
from schema.context import Info
from schema.node import Connection, Node


@strawberry.type(description="A point on the map (WGS 84 degrees).")
class GeoPoint:
    latitude: float = strawberry.field(description="Latitude, -90 to 90.")
    longitude: float = strawberry.field(description="Longitude, -180 to 180.")


@strawberry.input(description="A point on the map (WGS 84 degrees).")
class GeoPointInput:
    latitude: float = strawberry.field(description="Latitude, -90 to 90.")
    longitude: float = strawberry.field(description="Longitude, -180 to 180.")


@strawberry.type(description="An administrative region (oblast).")
class Region(Node):
    name: str = strawberry.field(description="Region name.")

    @classmethod
    def from_row(cls, row: RegionRow) -> "Region":
        return cls(id=strawberry.ID(to_global_id("Region", row.pk)), name=row.name)


@strawberry.type(description="A territorial community (hromada) and its interaction space.")
class Community(Node):
    row: strawberry.Private[CommunityRow]
    name: str = strawberry.field(description="Community name.")
    population: int | None = strawberry.field(description="Number of residents, if known.")
    centre: GeoPoint = strawberry.field(description="Map centre of the community.")
    created_at: datetime = strawberry.field(description="When the space was opened (UTC).")

    @strawberry.field(description="The region the community lies in.")
    async def region(self, info: Info) -> Region:
        row = await info.context.loaders.region_by_id.load(self.row.region_id)
        assert row is not None  # guaranteed by the foreign key
        return Region.from_row(row)

    @strawberry.field(description="The local authority that opened the space.")
    async def opened_by(self, info: Info) -> Organization | None:
        if self.row.opened_by_id is None:
            return None
        row = await info.context.loaders.actor_by_id.load(self.row.opened_by_id)
        return Organization.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: CommunityRow) -> "Community":
        return cls(
            id=strawberry.ID(to_global_id("Community", row.pk)),
            row=row,
            name=row.name,
            population=row.population,
            centre=GeoPoint(latitude=row.centre_latitude, longitude=row.centre_longitude),
            created_at=row.created_at,
        )


@strawberry.type(description="A page of communities.")
class CommunityConnection(Connection[Community]):
    pass


async def load_community(info: Info, community_id: int) -> Community:
    row = await info.context.loaders.community_by_id.load(community_id)
    assert row is not None  # guaranteed by the foreign key
    return Community.from_row(row)


CommunityRef = Annotated["Community", strawberry.lazy("schema.community")]
