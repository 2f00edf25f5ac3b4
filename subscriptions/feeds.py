"""The live feeds of the product: what each subscription watches and how it loads."""

from functools import partial

from resolvers.activity_feed import ActivityWindow, load_activity_window
from resolvers.api_key import revocation_count
from resolvers.event_live import (
    EventLiveSnapshot,
    ProjectSupportSnapshot,
    load_event_live,
    load_project_support,
)
from subscriptions.channels import (
    community_channel,
    credentials_channel,
    event_channel,
    project_channel,
)
from subscriptions.live_channel import Feed


def event_live_feed(event_id: int) -> Feed[EventLiveSnapshot]:
    return Feed(
        key=f"event-live:{event_id}",
        channel=event_channel(event_id),
        load=partial(load_event_live, event_id),
        version=lambda snapshot: snapshot.version,
    )


def project_support_feed(project_id: int) -> Feed[ProjectSupportSnapshot]:
    return Feed(
        key=f"project-support:{project_id}",
        channel=project_channel(project_id),
        load=partial(load_project_support, project_id),
        version=lambda snapshot: snapshot.version,
    )


def credentials_feed() -> Feed[int]:
    """Revocations of tokens and keys: a number that grows with each (see ``live/sessions``)."""
    return Feed(
        key="credentials",
        channel=credentials_channel(),
        load=revocation_count,
        version=lambda count: count,
    )


def community_activity_feed(community_id: int) -> Feed[ActivityWindow]:
    return Feed(
        key=f"community-activity:{community_id}",
        channel=community_channel(community_id),
        load=partial(load_activity_window, community_id),
        version=lambda window: window.newest_id,
    )
