"""Accounts, organizations and communities: registration, sign-in, membership."""

from typing import Annotated

import strawberry

from models import MembershipRole, Sector
from resolvers import auth
from resolvers import community as community_resolvers
from resolvers import organization as org_resolvers
from resolvers.permissions import require_person
from schema.actor import Membership, Organization, Person
from schema.community import Community, GeoPointInput
from schema.context import Info
from schema.errors import AnyError
from schema.mutation_support import as_result


@strawberry.input(description="Create a citizen account.")
class RegisterInput:
    display_name: str = strawberry.field(description="Name shown to everyone.")
    email: str = strawberry.field(description="Email used to sign in.")
    password: str = strawberry.field(description="At least 10 characters.")


@strawberry.input(description="Sign in with email and password.")
class LoginInput:
    email: str = strawberry.field(description="Account email.")
    password: str = strawberry.field(description="Account password.")


@strawberry.input(description="Sign out.")
class LogoutInput:
    all_sessions: bool = strawberry.field(
        default=False, description="Revoke every token of the account, not only this one."
    )


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


@strawberry.input(description="Open a community's interaction space (local authorities only).")
class CreateCommunityInput:
    name: str = strawberry.field(description="Community (hromada) name.")
    region_name: str = strawberry.field(description="Region (oblast); created if new.")
    population: int | None = strawberry.field(default=None, description="Residents, if known.")
    centre: GeoPointInput = strawberry.field(description="Map centre.")
    acting_for: strawberry.ID = strawberry.field(
        description="The PUBLIC organization (local authority) you act for."
    )


@strawberry.type(description="Signed in: use the token as `Authorization: Bearer <token>`.")
class AuthSuccess:
    token: str = strawberry.field(description="Bearer token; shown only once.")
    person: Person = strawberry.field(description="The signed-in person.")


@strawberry.type(description="Signed out.")
class LogoutSuccess:
    revoked_tokens: int = strawberry.field(description="How many tokens were revoked.")


@strawberry.type(description="The organization was created.")
class CreateOrganizationSuccess:
    organization: Organization = strawberry.field(description="The new organization.")


@strawberry.type(description="The person was added.")
class AddMemberSuccess:
    membership: Membership = strawberry.field(description="The new membership.")


@strawberry.type(description="The community space was opened.")
class CreateCommunitySuccess:
    community: Community = strawberry.field(description="The new community.")


RegisterResult = Annotated[
    AuthSuccess | AnyError,
    strawberry.union("RegisterResult", description="A token for the new account, or why not."),
]
LoginResult = Annotated[
    AuthSuccess | AnyError,
    strawberry.union("LoginResult", description="A token, or why not."),
]
LogoutResult = Annotated[
    LogoutSuccess | AnyError,
    strawberry.union("LogoutResult", description="Revoked tokens, or why not."),
]
CreateOrganizationResult = Annotated[
    CreateOrganizationSuccess | AnyError,
    strawberry.union("CreateOrganizationResult", description="The organization, or why not."),
]
AddMemberResult = Annotated[
    AddMemberSuccess | AnyError,
    strawberry.union("AddMemberResult", description="The membership, or why not."),
]
CreateCommunityResult = Annotated[
    CreateCommunitySuccess | AnyError,
    strawberry.union("CreateCommunityResult", description="The community, or why not."),
]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Create a citizen account and sign in.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterResult:
        async def run() -> AuthSuccess:
            person = await auth.register(input.display_name, input.email, input.password)
            info.context.viewer = person  # signed in from here on: they may see their email
            token = await auth.issue_token(person, lifetime=info.context.token_lifetime)
            return AuthSuccess(token=token, person=Person.from_row(person))

        return await as_result(run())

    @strawberry.mutation(description="Sign in and get a bearer token.")
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        async def run() -> AuthSuccess:
            person = await auth.authenticate(input.email, input.password)
            info.context.viewer = person  # signed in from here on: they may see their email
            token = await auth.issue_token(person, lifetime=info.context.token_lifetime)
            return AuthSuccess(token=token, person=Person.from_row(person))

        return await as_result(run())

    @strawberry.mutation(description="Revoke the current bearer token (or all of them).")
    async def logout(self, info: Info, input: LogoutInput) -> LogoutResult:
        async def run() -> LogoutSuccess:
            person = require_person(info.context.viewer)
            revoked = await auth.revoke_tokens(
                person, info.context.raw_token, all_sessions=input.all_sessions
            )
            return LogoutSuccess(revoked_tokens=revoked)

        return await as_result(run())

    @strawberry.mutation(description="Create an organization of any sector.")
    async def create_organization(
        self, info: Info, input: CreateOrganizationInput
    ) -> CreateOrganizationResult:
        async def run() -> CreateOrganizationSuccess:
            row = await org_resolvers.create_organization(
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
            row = await org_resolvers.add_member(
                info.context.viewer,
                organization_id=input.organization_id,
                person_id=input.person_id,
                role=input.role,
            )
            return AddMemberSuccess(membership=Membership.from_row(row))

        return await as_result(run())

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
