"""GraphQL of organizations: their type and members, listing, creating, adding members."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Actor as ActorRow
from models import Membership as MembershipRow
from models import MembershipRole, Sector
from resolvers import api_key as api_key_resolvers
from resolvers import organization as organization_resolvers
from resolvers.errors import PermissionDenied
from resolvers.ids import to_global_id
from resolvers.pagination import PageArgs
from schema.actor import Actor
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.node import Connection, Node, build_connection
from schema.person import Person

if TYPE_CHECKING:
    from schema.api_key import ApiKey

ApiKeyRef = Annotated["ApiKey", strawberry.lazy("schema.api_key")]
SectorEnum = strawberry.enum(
    Sector, description="The sector of an organization: local authority, nonprofit or business."
)
MembershipRoleEnum = strawberry.enum(
    MembershipRole, description="What a person may do for an organization."
)


@strawberry.type(description="A person who belongs to an organization, and in which role.")
class Membership(Node):
    row: strawberry.Private[MembershipRow]
    role: MembershipRole = strawberry.field(description="MEMBER or ADMIN.")
    created_at: datetime = strawberry.field(description="When the person joined (UTC).")

    @strawberry.field(description="The organization.")
    async def organization(
        self, info: Info
    ) -> Annotated["Organization", strawberry.lazy("schema.organization")]:
        row = await info.context.loaders.actor_by_id.load(self.row.organization_id)
        assert row is not None  # guaranteed by the foreign key
        return Organization.from_row(row)

    @strawberry.field(description="The person.")
    async def person(self, info: Info) -> Person:
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


@strawberry.type(description="A local authority, nonprofit or business.")
class Organization(Actor):
    row: strawberry.Private[ActorRow]
    sector: Sector = strawberry.field(description="PUBLIC, NONPROFIT or BUSINESS.")
    description: str = strawberry.field(description="What the organization does.")

    @strawberry.field(description="People who belong to the organization.")
    async def members(self, info: Info) -> list[Membership]:
        rows = await info.context.loaders.memberships_by_organization.load(self.row.pk)
        return [Membership.from_row(row) for row in rows]

    @strawberry.field(
        description="Its partner API keys, newest first: for its admins only (null for others)."
    )
    async def api_keys(self, info: Info) -> list[ApiKeyRef] | None:
        from schema.api_key import ApiKey  # it refers back to Organization

        try:
            rows = await api_key_resolvers.keys_of(info.context.viewer, self.id)
        except PermissionDenied:
            return None
        return [ApiKey.from_row(row) for row in rows]

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


async def load_organizations(info: Info, organization_ids: list[int]) -> list[Organization]:
    rows = await info.context.loaders.actor_by_id.load_many(organization_ids)
    return [Organization.from_row(row) for row in rows if row is not None]


@strawberry.input(description="Create an organization; you become its admin.")
class CreateOrganizationInput:
    display_name: str = strawberry.field(description="Name of the organization.")
    sector: Sector = strawberry.field(description="PUBLIC, NONPROFIT or BUSINESS.")
    description: str = strawberry.field(default="", description="What it does.")


@strawberry.input(description="Add a person to an organization you administer.")
class AddMemberInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization.")
    person_id: strawberry.ID = strawberry.field(description="The person to add.")
    role: MembershipRole = strawberry.field(default=MembershipRole.MEMBER, description="Role.")


@strawberry.type(description="The organization was created.")
class CreateOrganizationSuccess:
    organization: Organization = strawberry.field(description="The new organization.")


@strawberry.type(description="The person was added.")
class AddMemberSuccess:
    membership: Membership = strawberry.field(description="The new membership.")


CreateOrganizationResult = Annotated[
    CreateOrganizationSuccess | AnyError,
    strawberry.union("CreateOrganizationResult", description="The organization, or why not."),
]
AddMemberResult = Annotated[
    AddMemberSuccess | AnyError,
    strawberry.union("AddMemberResult", description="The membership, or why not."),
]


@strawberry.type
class OrganizationQuery:
    @strawberry.field(description="Organizations, by name.")
    async def organizations(
        self,
        info: Info,
        sector: Sector | None = None,
        name_contains: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrganizationConnection:
        page = await organization_resolvers.organizations_page(
            PageArgs(first, after, last, before), sector=sector, name_contains=name_contains
        )
        info.context.loaders.prime(page.rows)
        return build_connection(
            OrganizationConnection, page, [Organization.from_row(row) for row in page.rows]
        )


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation(description="Create an organization of any sector.")
    async def create_organization(
        self, info: Info, input: CreateOrganizationInput
    ) -> CreateOrganizationResult:
        async def run() -> CreateOrganizationSuccess:
            row = await organization_resolvers.create_organization(
                info.context.viewer,
                display_name=input.display_name,
                sector=input.sector,
                description=input.description,
            )
            return CreateOrganizationSuccess(organization=Organization.from_row(row))

        return await as_result(run())

    @strawberry.mutation(description="Add a person to an organization you administer.")
    async def add_member(self, info: Info, input: AddMemberInput) -> AddMemberResult:
        async def run() -> AddMemberSuccess:
            row = await organization_resolvers.add_member(
                info.context.viewer,
                organization_id=input.organization_id,
                person_id=input.person_id,
                role=input.role,
            )
            return AddMemberSuccess(membership=Membership.from_row(row))

        return await as_result(run())
