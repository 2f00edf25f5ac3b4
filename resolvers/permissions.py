"""Who may act: signed-in checks, acting for an organization, ownership of objects."""

from models import Actor, ActorKind, Community, Membership, MembershipRole, Sector
from resolvers.errors import ErrorCode, NotFound, PermissionDenied
from resolvers.ids import decode_id, parse_global_id


def require_signed_in(viewer: Actor | None) -> Actor:
    """The viewer: a signed-in person, or the organization of a partner API key."""
    if viewer is None:
        raise PermissionDenied(
            "Sign in first: send 'Authorization: Bearer <token>'.",
            code=ErrorCode.AUTHENTICATION_REQUIRED,
        )
    return viewer


def require_person(viewer: Actor | None) -> Actor:
    """The signed-in person: an API key, which acts for its organization, is refused."""
    actor = require_signed_in(viewer)
    if actor.kind != ActorKind.PERSON:
        raise PermissionDenied(
            "A partner API key acts for its organization: this needs a signed-in person.",
            code=ErrorCode.PERSON_REQUIRED,
        )
    return actor


async def membership_of(person: Actor, organization_id: int) -> Membership | None:
    return await Membership.get_or_none(person_id=person.pk, organization_id=organization_id)


async def load_organization(global_id: str, *, field: str) -> Actor:
    organization_pk = decode_id(global_id, "Organization", field=field)
    organization = await Actor.get_or_none(pk=organization_pk, kind=ActorKind.ORGANIZATION)
    if organization is None:
        raise NotFound(f"No organization has the ID given in {field}.", field=field)
    return organization


async def acting_actor(
    viewer: Actor | None,
    acting_for: str | None,
    *,
    require_admin: bool = False,
    required_sector: Sector | None = None,
    field: str = "actingFor",
) -> Actor:
    """The actor a mutation acts as: the viewer, or an organization the viewer belongs to.

    A partner API key's viewer is its organization: it acts as that organization (as its
    admins would), and for no other.
    """
    actor = require_signed_in(viewer)
    if actor.kind == ActorKind.ORGANIZATION:
        return _as_key_organization(actor, acting_for, required_sector, field)
    person = actor
    if acting_for is None:
        if required_sector is not None:
            raise PermissionDenied(
                f"Act for a {required_sector.value} organization (set actingFor).",
                field=field,
                code=ErrorCode.WRONG_SECTOR,
            )
        return person
    organization = await load_organization(acting_for, field=field)
    membership = await membership_of(person, organization.pk)
    if membership is None:
        raise PermissionDenied(
            "You are not a member of the organization you act for.",
            field=field,
            code=ErrorCode.NOT_A_MEMBER,
        )
    if require_admin and membership.role != MembershipRole.ADMIN:
        raise PermissionDenied(
            "Only admins of the organization may do this.",
            field=field,
            code=ErrorCode.ADMIN_REQUIRED,
        )
    if required_sector is not None and organization.sector != required_sector:
        raise PermissionDenied(
            f"Act for a {required_sector.value} organization.",
            field=field,
            code=ErrorCode.WRONG_SECTOR,
        )
    return organization


def _as_key_organization(
    organization: Actor, acting_for: str | None, required_sector: Sector | None, field: str
) -> Actor:
    if acting_for is not None and parse_global_id(acting_for) != ("Organization", organization.pk):
        raise PermissionDenied(
            "A partner API key acts for its own organization only.",
            field=field,
            code=ErrorCode.NOT_A_MEMBER,
        )
    if required_sector is not None and organization.sector != required_sector:
        raise PermissionDenied(
            f"Act for a {required_sector.value} organization.",
            field=field,
            code=ErrorCode.WRONG_SECTOR,
        )
    return organization


async def acts_as_admin_of(actor: Actor, actor_id: int) -> bool:
    """True when ``actor`` is that actor (a person, or an organization's API key), or an
    admin of that organization."""
    if actor.pk == actor_id:
        return True
    if actor.kind != ActorKind.PERSON:
        return False
    membership = await membership_of(actor, actor_id)
    return membership is not None and membership.role == MembershipRole.ADMIN


async def may_act_as(person: Actor, actor_id: int) -> bool:
    """True when ``person`` is that actor, or a member of that organization."""
    if person.pk == actor_id:
        return True
    return await Membership.exists(person_id=person.pk, organization_id=actor_id)


async def require_owner(viewer: Actor | None, *owner_ids: int, what: str) -> Actor:
    """The viewer must be one of the owners or belong to an owning organization (an API
    key: be that organization)."""
    person = require_signed_in(viewer)
    for owner_id in owner_ids:
        if await may_act_as(person, owner_id):
            return person
    raise PermissionDenied(
        f"Only the author of this {what} (or members of its organization) may change it.",
        code=ErrorCode.NOT_OWNER,
    )


async def is_moderator(person: Actor, community: Community) -> bool:
    """Members of the local authority that opened a community's space moderate it."""
    if community.opened_by_id is None:
        return False
    return await Membership.exists(person_id=person.pk, organization_id=community.opened_by_id)
