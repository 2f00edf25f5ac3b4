"""Regions and communities: listing them and opening a community's interaction space."""

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Actor, Community, Region, Sector
from resolvers.activity import record_activity
from resolvers.errors import Conflict, ErrorCode, NotFound
from resolvers.ids import decode_id
from resolvers.pagination import Page, PageArgs, page_of_query
from resolvers.permissions import acting_actor
from resolvers.validation import Checker

MAX_POPULATION = 50_000_000


def communities_query(region_id: int | None = None) -> QuerySet[Community]:
    query = Community.all().order_by("name", "id")
    if region_id is not None:
        query = query.filter(region_id=region_id)
    return query


async def communities_page(page: PageArgs, *, region_id: int | None = None) -> Page[Community]:
    """A page of communities (of one region), by name."""
    return await page_of_query(communities_query(region_id), page)


async def all_regions() -> list[Region]:
    return await Region.all().order_by("name", "id")


async def require_community(pk: int, *, field: str = "communityId") -> None:
    """Raise NotFound unless a community has this primary key."""
    if not await Community.exists(pk=pk):
        raise NotFound("No community has this ID.", field=field)


async def community_authority_id(community_id: int) -> int | None:
    """The local authority that opened a community's space (its moderators' organization)."""
    community = await Community.get_or_none(pk=community_id).only("id", "opened_by_id")
    return community.opened_by_id if community else None


async def community_by_global_id(global_id: str, *, field: str = "communityId") -> Community:
    community = await Community.get_or_none(pk=decode_id(global_id, "Community", field=field))
    if community is None:
        raise NotFound(f"No community has the ID given in {field}.", field=field)
    return community


async def create_community(
    viewer: Actor | None,
    *,
    acting_for: str,
    name: str,
    region_name: str,
    population: int | None,
    latitude: float,
    longitude: float,
) -> Community:
    """Open a community's space; only a PUBLIC organization (a local authority) may."""
    checker = Checker()
    clean_name = checker.text("name", name, min_length=2, max_length=160)
    clean_region = checker.text("regionName", region_name, min_length=2, max_length=120)
    checker.number_range("centre.latitude", latitude, minimum=-90, maximum=90)
    checker.number_range("centre.longitude", longitude, minimum=-180, maximum=180)
    if population is not None:
        checker.number_range("population", population, minimum=0, maximum=MAX_POPULATION)
    checker.raise_if_any()
    authority = await acting_actor(viewer, acting_for, required_sector=Sector.PUBLIC)
    try:
        async with in_transaction():
            region, _ = await Region.get_or_create(name=clean_region)
            community = await Community.create(
                name=clean_name,
                region=region,
                population=population,
                centre_latitude=latitude,
                centre_longitude=longitude,
                opened_by=authority,
            )
            await record_activity(
                verb="community.created",
                subject=community,
                actor=authority,
                performed_by=viewer,
                community_id=community.pk,
                details={"name": clean_name, "region": clean_region},
            )
    except IntegrityError:
        raise Conflict(
            f"The region {clean_region} already has a community named {clean_name}.",
            field="name",
            code=ErrorCode.ALREADY_EXISTS,
        ) from None
    return community
