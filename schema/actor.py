"""The Actor interface: whoever defines issues, leads projects and pledges.

Persons (``schema/person.py``) and organizations (``schema/organization.py``) share one
``actor`` table, so every "who" field (an issue's author, a project's lead, a pledge's
backer) resolves one row and answers with the type of its kind.
"""

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from models import Actor as ActorRow
from models import ActorKind
from schema.context import Info
from schema.node import Node

if TYPE_CHECKING:
    from schema.organization import Organization
    from schema.person import Person


@strawberry.interface(description="Someone who can define issues, lead projects and pledge.")
class Actor(Node):
    display_name: str = strawberry.field(description="Name shown to everyone.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")


def actor_from_row(row: ActorRow) -> "Person | Organization":
    """The Person or Organization of an actor row."""
    # Imported here: both types implement Actor, so they import this module.
    from schema.organization import Organization
    from schema.person import Person

    if row.kind == ActorKind.PERSON:
        return Person.from_row(row)
    return Organization.from_row(row)


async def load_actor(info: Info, actor_id: int) -> "Person | Organization":
    row = await info.context.loaders.actor_by_id.load(actor_id)
    assert row is not None  # actor foreign keys are RESTRICT: the row exists
    return actor_from_row(row)
