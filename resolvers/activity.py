"""The append-only activity log: written inside the same transaction as each change."""

from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import ActivityEntry, Actor, ActorKind
from resolvers.pagination import Page, PageArgs, page_of_query


def subject_type_name(subject: Model) -> str:
    """The GraphQL type name of a subject (actors are persons or organizations)."""
    if isinstance(subject, Actor):
        return "Person" if subject.kind == ActorKind.PERSON else "Organization"
    return type(subject).__name__


def _actor_id(actor: Actor | int | None) -> int | None:
    return actor.pk if isinstance(actor, Actor) else actor


async def record_activity(
    *,
    verb: str,
    subject: Model,
    actor: Actor | int | None,
    performed_by: Actor | int | None,
    community_id: int | None = None,
    is_public: bool = True,
    details: dict[str, Any] | None = None,
) -> ActivityEntry:
    """Append one entry (actors as rows or IDs). Call it inside the change's
    ``in_transaction()`` block."""
    return await ActivityEntry.create(
        verb=verb,
        subject_type=subject_type_name(subject),
        subject_id=subject.pk,
        actor_id=_actor_id(actor),
        performed_by_id=_actor_id(performed_by),
        community_id=community_id,
        is_public=is_public,
        details=details or {},
    )


def public_activity(community_id: int) -> QuerySet[ActivityEntry]:
    """A community's public activity, newest first."""
    return ActivityEntry.filter(community_id=community_id, is_public=True).order_by(
        "-created_at", "-id"
    )


async def public_activity_page(community_id: int, page: PageArgs) -> Page[ActivityEntry]:
    return await page_of_query(public_activity(community_id), page)
