"""GraphQL of partner API keys: an organization's keys, making and revoking them."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import ApiKey as ApiKeyRow
from resolvers import api_key as api_key_resolvers
from resolvers.api_key import ApiKeyScope
from resolvers.ids import to_global_id
from schema.context import Info
from schema.errors import AnyError, as_result
from schema.node import Node

if TYPE_CHECKING:
    from schema.organization import Organization

ApiKeyScopeEnum = strawberry.enum(
    ApiKeyScope, description="What a key may do: READ (queries, subscriptions), WRITE (mutations)."
)
OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organization")]


@strawberry.type(
    description="A partner's key, acting for its organization (the secret is never shown again)."
)
class ApiKey(Node):
    row: strawberry.Private[ApiKeyRow]
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    scopes: list[ApiKeyScope] = strawberry.field(description="What it may do.")
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    expires_at: datetime = strawberry.field(description="When it stops working (UTC).")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    last_used_at: datetime | None = strawberry.field(
        description="When it was last used (to the minute), if ever."
    )

    @strawberry.field(description="The organization it acts for.")
    async def organization(self, info: Info) -> OrganizationRef:
        from schema.organization import load_organizations  # it lists keys too

        (organization,) = await load_organizations(info, [self.row.organization_id])
        return organization

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> "ApiKey":
        return cls(
            id=strawberry.ID(to_global_id("ApiKey", row.pk)),
            row=row,
            name=row.name,
            prefix=row.prefix,
            scopes=api_key_resolvers.scopes_of(row),
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.input(description="Make a partner API key for an organization you administer.")
class CreateApiKeyInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization it acts for.")
    name: str = strawberry.field(description="What it is for, 2-100 characters.")
    scopes: list[ApiKeyScope] = strawberry.field(
        default_factory=lambda: [ApiKeyScope.READ],
        description="READ, or READ and WRITE (mutations).",
    )
    lifetime_days: int | None = strawberry.field(
        default=None, description="Days until it expires (1-730; null means 365)."
    )


@strawberry.input(description="Revoke a key: it stops at once, its open WebSockets close.")
class RevokeApiKeyInput:
    key_id: strawberry.ID = strawberry.field(description="The key.")


@strawberry.type(description="The key was made. Keep its secret now: it is shown only this once.")
class CreateApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The key.")
    secret: str = strawberry.field(
        description="Send it as `Authorization: Bearer <secret>`; only its digest is stored."
    )


@strawberry.type(description="The key is revoked.")
class RevokeApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The key, with its revokedAt.")


CreateApiKeyResult = Annotated[
    CreateApiKeySuccess | AnyError,
    strawberry.union("CreateApiKeyResult", description="The new key, or why not."),
]
RevokeApiKeyResult = Annotated[
    RevokeApiKeySuccess | AnyError,
    strawberry.union("RevokeApiKeyResult", description="The revoked key, or why not."),
]


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(description="Make a partner API key (admins of the organization).")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyResult:
        async def run() -> CreateApiKeySuccess:
            made = await api_key_resolvers.create_api_key(
                info.context.viewer,
                organization_id=input.organization_id,
                name=input.name,
                scopes=list(input.scopes),
                lifetime_days=input.lifetime_days,
            )
            return CreateApiKeySuccess(api_key=ApiKey.from_row(made.key), secret=made.secret)

        return await as_result(run())

    @strawberry.mutation(description="Revoke a partner API key (admins of its organization).")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyResult:
        async def run() -> RevokeApiKeySuccess:
            key = await api_key_resolvers.revoke_api_key(info.context.viewer, key_id=input.key_id)
            await info.context.notifier.credentials_revoked()
            return RevokeApiKeySuccess(api_key=ApiKey.from_row(key))

        return await as_result(run())
