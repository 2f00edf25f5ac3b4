"""GraphQL of persons: the citizen account, the signed-in viewer, registration and sign-in."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Actor as ActorRow
from models import ActorKind
from resolvers import person as person_resolvers
from resolvers.ids import to_global_id
from resolvers.permissions import require_person
from schema.actor import Actor
from schema.context import Info
from schema.errors import AnyError, as_result

if TYPE_CHECKING:
    from schema.organization import Membership

MembershipRef = Annotated["Membership", strawberry.lazy("schema.organization")]


@strawberry.type(description="A citizen account.")
class Person(Actor):
    row: strawberry.Private[ActorRow]

    @strawberry.field(description="Email address; visible only to the person themself.")
    def email(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return self.row.email if viewer is not None and viewer.pk == self.row.pk else None

    @strawberry.field(description="Organizations this person belongs to.")
    async def memberships(self, info: Info) -> list[MembershipRef]:
        from schema.organization import Membership  # it refers back to Person

        rows = await info.context.loaders.memberships_by_person.load(self.row.pk)
        return [Membership.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: ActorRow) -> "Person":
        return cls(
            id=strawberry.ID(to_global_id("Person", row.pk)),
            row=row,
            display_name=row.display_name,
            created_at=row.created_at,
        )


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


@strawberry.type(description="Signed in: use the token as `Authorization: Bearer <token>`.")
class AuthSuccess:
    token: str = strawberry.field(description="Bearer token; shown only once.")
    person: Person = strawberry.field(description="The signed-in person.")


@strawberry.type(
    description="Registered, unless the email had an account already: either way, sign in "
    "next with login (whether an email has an account is not told to anyone)."
)
class RegisterSuccess:
    email: str = strawberry.field(description="The email to sign in with.")
    message: str = strawberry.field(description="What to do next, for people.")


@strawberry.type(description="Signed out.")
class LogoutSuccess:
    revoked_tokens: int = strawberry.field(description="How many tokens were revoked.")


RegisterResult = Annotated[
    RegisterSuccess | AnyError,
    strawberry.union("RegisterResult", description="Registered, or why not."),
]
LoginResult = Annotated[
    AuthSuccess | AnyError,
    strawberry.union("LoginResult", description="A token, or why not."),
]
LogoutResult = Annotated[
    LogoutSuccess | AnyError,
    strawberry.union("LogoutResult", description="Revoked tokens, or why not."),
]


@strawberry.type
class PersonQuery:
    @strawberry.field(description="The signed-in person, or null for anonymous requests.")
    def viewer(self, info: Info) -> Person | None:
        viewer = info.context.viewer  # a partner API key's is its organization: no person
        return Person.from_row(viewer) if viewer and viewer.kind == ActorKind.PERSON else None


async def _signed_in(info: Info, person: ActorRow) -> AuthSuccess:
    info.context.viewer = person  # signed in from here on: they may see their email
    token = await person_resolvers.issue_token(person, lifetime=info.context.token_lifetime)
    return AuthSuccess(token=token, person=Person.from_row(person))


@strawberry.type
class PersonMutation:
    @strawberry.mutation(
        description="Create a citizen account (then sign in with login). An email that has "
        "an account already gets the same answer, and its account stays as it was."
    )
    async def register(self, info: Info, input: RegisterInput) -> RegisterResult:
        async def run() -> RegisterSuccess:
            await person_resolvers.register(
                input.display_name, input.email, input.password, guard=info.context.guard()
            )
            return RegisterSuccess(
                email=input.email.strip().lower(),
                message="If this email had no account, it has one now: sign in with the "
                "password you chose.",
            )

        return await as_result(run())

    @strawberry.mutation(description="Sign in and get a bearer token.")
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        async def run() -> AuthSuccess:
            person = await person_resolvers.authenticate(
                input.email, input.password, guard=info.context.guard()
            )
            return await _signed_in(info, person)

        return await as_result(run())

    @strawberry.mutation(description="Revoke the current bearer token (or all of them).")
    async def logout(self, info: Info, input: LogoutInput) -> LogoutResult:
        async def run() -> LogoutSuccess:
            person = require_person(info.context.viewer)
            revoked = await person_resolvers.revoke_tokens(
                person, info.context.raw_token, all_sessions=input.all_sessions
            )
            await info.context.notifier.credentials_revoked()  # their WebSockets close
            return LogoutSuccess(revoked_tokens=revoked)

        return await as_result(run())
