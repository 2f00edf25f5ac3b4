"""GraphQL types of actors: the Actor interface over Person and Organization, memberships."""

from datetime import datetime
from typing import Annotated

import strawberry

from models import Actor as ActorRow
from models import ActorKind, MembershipRole, Sector
from models import Membership as MembershipRow
from resolvers.ids import to_global_id
from schema.context import Info
from schema.node import Connection, Node

SectorEnum = strawberry.enum(
    Sector, description="The sector of an organization: local authority, nonprofit or business."
)
MembershipRoleEnum = strawberry.enum(
    MembershipRole, description="What a person may do for an organization."
)


@strawberry.interface(description="Someone who can define issues, lead projects and pledge.")
class Actor(Node):
    display_name: str = strawberry.field(description="Name shown to everyone.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")


@strawberry.type(description="A person who belongs to an organization, and in which role.")
class Membership(Node):
    row: strawberry.Private[MembershipRow]
    role: MembershipRole = strawberry.field(description="MEMBER or ADMIN.")
    created_at: datetime = strawberry.field(description="When the person joined (UTC).")

    @strawberry.field(description="The organization.")
    async def organization(
        self, info: Info
    ) -> Annotated["Organization", strawberry.lazy("schema.actor")]:
        row = await info.context.loaders.actor_by_id.load(self.row.organization_id)
        assert row is not None  # guaranteed by the foreign key
        return Organization.from_row(row)

    @strawberry.field(description="The person.")
    async def person(self, info: Info) -> Annotated["Person", strawberry.lazy("schema.actor")]:
        row = await info.context.loaders.actor_by_id.load(self.row.person_id)
        assert row is not None  # guaranteed by the foreign key
        return Person.from_row(row)

    @classmethod
    def from_row(cls, row: MembershipRow) -> "Membership":
        return cls(
            id=strawberry.ID(to_global_id("Membership", row.pk)),
            row=row,
            role=MembershipRole(row.role),
            created_at=row.created_at,
        )


async def _memberships(info: Info, loader_name: str, key: int) -> list[Membership]:
    loader = getattr(info.context.loaders, loader_name)
    return [Membership.from_row(row) for row in await loader.load(key)]


@strawberry.type(description="A citizen account.")
class Person(Actor):
    row: strawberry.Private[ActorRow]

    @strawberry.field(description="Email address; visible only to the person themself.")
    def email(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return self.row.email if viewer is not None and viewer.pk == self.row.pk else None

    @strawberry.field(description="Organizations this person belongs to.")
    async def memberships(self, info: Info) -> list[Membership]:
        return await _memberships(info, "memberships_by_person", self.row.pk)

    @classmethod
    def from_row(cls, row: ActorRow) -> "Person":
        return cls(
            id=strawberry.ID(to_global_id("Person", row.pk)),
            row=row,
            display_name=row.display_name,
            created_at=row.created_at,
        )


@strawberry.type(description="A local authority, nonprofit or business.")
class Organization(Actor):
    row: strawberry.Private[ActorRow]
    sector: Sector = strawberry.field(description="PUBLIC, NONPROFIT or BUSINESS.")
    description: str = strawberry.field(description="What the organization does.")

    @strawberry.field(description="People who belong to the organization.")
    async def members(self, info: Info) -> list[Membership]:
        return await _memberships(info, "memberships_by_organization", self.row.pk)

    @classmethod
    def from_row(cls, row: ActorRow) -> "Organization":
        return cls(
            id=strawberry.ID(to_global_id("Organization", row.pk)),
            row=row,
            display_name=row.display_name,
            created_at=row.created_at,
            sector=Sector(row.sector),
            description=row.description,
        )


@strawberry.type(description="A page of organizations.")
class OrganizationConnection(Connection[Organization]):
    pass


def actor_from_row(row: ActorRow) -> Person | Organization:
    if row.kind == ActorKind.PERSON:
        return Person.from_row(row)
    return Organization.from_row(row)


async def load_actor(info: Info, actor_id: int) -> Person | Organization:
    row = await info.context.loaders.actor_by_id.load(actor_id)
    assert row is not None  # actor foreign keys are RESTRICT: the row exists
    return actor_from_row(row)
