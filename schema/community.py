"""GraphQL of regions and communities: their types, listing them, opening a community's space."""

from datetime import datetime
from typing import Annotated

import strawberry

from models import Community as CommunityRow
from models import Region as RegionRow
from resolvers import community as community_resolvers
from resolvers.ids import decode_id, to_global_id
from resolvers.pagination import PageArgs
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.node import Connection, Node, build_connection
from schema.organization import Organization


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


@strawberry.input(description="Open a community's interaction space (local authorities only).")
class CreateCommunityInput:
    name: str = strawberry.field(description="Community (hromada) name.")
    region_name: str = strawberry.field(description="Region (oblast); created if new.")
    population: int | None = strawberry.field(default=None, description="Residents, if known.")
    centre: GeoPointInput = strawberry.field(description="Map centre.")
    acting_for: strawberry.ID = strawberry.field(
        description="The PUBLIC organization (local authority) you act for."
    )


@strawberry.type(description="The community space was opened.")
class CreateCommunitySuccess:
    community: Community = strawberry.field(description="The new community.")


CreateCommunityResult = Annotated[
    CreateCommunitySuccess | AnyError,
    strawberry.union("CreateCommunityResult", description="The community, or why not."),
]


@strawberry.type
class CommunityQuery:
    @strawberry.field(description="All regions, by name.")
    async def regions(self) -> list[Region]:
        return [Region.from_row(row) for row in await community_resolvers.all_regions()]

    @strawberry.field(description="Communities (hromadas), by name.")
    async def communities(
        self,
        info: Info,
        region_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CommunityConnection:
        region_pk = None if region_id is None else decode_id(region_id, "Region", field="regionId")
        page = await community_resolvers.communities_page(
            PageArgs(first, after, last, before), region_id=region_pk
        )
        info.context.loaders.prime(page.rows)
        return build_connection(
            CommunityConnection, page, [Community.from_row(row) for row in page.rows]
        )

    @strawberry.field(description="One community by its ID.")
    async def community(self, info: Info, id: strawberry.ID) -> Community | None:
        row = await info.context.loaders.community_by_id.load(
            decode_id(id, "Community", field="id")
        )
        return Community.from_row(row) if row else None


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Open a community space, acting for a local authority.")
    async def create_community(
        self, info: Info, input: CreateCommunityInput
    ) -> CreateCommunityResult:
        async def run() -> CreateCommunitySuccess:
            row = await community_resolvers.create_community(
                info.context.viewer,
                acting_for=input.acting_for,
                name=input.name,
                region_name=input.region_name,
                population=input.population,
                latitude=input.centre.latitude,
                longitude=input.centre.longitude,
            )
            return CreateCommunitySuccess(community=Community.from_row(row))

        return await as_result(run())
