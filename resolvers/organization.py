"""Organizations of the three sectors and their memberships."""

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Actor, ActorKind, Membership, MembershipRole, Sector
from resolvers.activity import record_activity
from resolvers.errors import Conflict, ErrorCode, NotFound
from resolvers.ids import decode_id, to_global_id
from resolvers.pagination import Page, PageArgs, page_of_query
from resolvers.permissions import acting_actor, require_person
from resolvers.validation import Checker


def organizations_query(
    *, sector: Sector | None = None, name_contains: str | None = None
) -> QuerySet[Actor]:
    query = Actor.filter(kind=ActorKind.ORGANIZATION).order_by("display_name", "id")
    if sector is not None:
        query = query.filter(sector=sector)
    if name_contains:
        query = query.filter(display_name__icontains=name_contains.strip())
    return query


async def organizations_page(
    page: PageArgs, *, sector: Sector | None = None, name_contains: str | None = None
) -> Page[Actor]:
    """A page of organizations, by name."""
    return await page_of_query(
        organizations_query(sector=sector, name_contains=name_contains), page
    )


async def create_organization(
    viewer: Actor | None, *, display_name: str, sector: Sector, description: str
) -> Actor:
    """Create an organization; its creator becomes its first admin."""
    person = require_person(viewer)
    checker = Checker()
    name = checker.text("displayName", display_name, min_length=2, max_length=160)
    about = checker.text("description", description, min_length=0, max_length=5000)
    checker.raise_if_any()
    async with in_transaction():
        organization = await Actor.create(
            kind=ActorKind.ORGANIZATION, display_name=name, sector=sector, description=about
        )
        await Membership.create(organization=organization, person=person, role=MembershipRole.ADMIN)
        await record_activity(
            verb="organization.created",
            subject=organization,
            actor=organization,
            performed_by=person,
            details={"sector": sector.value},
        )
    return organization


async def add_member(
    viewer: Actor | None, *, organization_id: str, person_id: str, role: MembershipRole
) -> Membership:
    """An organization's admin adds a person as a member or admin (never an API key: who
    belongs to an organization is decided by people)."""
    require_person(viewer)
    organization = await acting_actor(
        viewer, organization_id, require_admin=True, field="organizationId"
    )
    person_pk = decode_id(person_id, "Person", field="personId")
    person = await Actor.get_or_none(pk=person_pk, kind=ActorKind.PERSON)
    if person is None:
        raise NotFound("No person has the ID given in personId.", field="personId")
    try:
        async with in_transaction():
            membership = await Membership.create(
                organization=organization, person=person, role=role
            )
            await record_activity(
                verb="organization.member_added",
                subject=membership,
                actor=organization,
                performed_by=viewer,
                details={"personId": to_global_id("Person", person.pk), "role": role.value},
            )
    except IntegrityError:
        raise Conflict(
            "This person is already a member of the organization.",
            field="personId",
            code=ErrorCode.ALREADY_EXISTS,
        ) from None
    return membership
