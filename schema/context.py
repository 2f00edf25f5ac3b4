"""What every resolver sees as ``info.context``: the viewer, dataloaders, notifier and hub."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

import strawberry

from models import Actor
from resolvers.loaders import Loaders
from subscriptions.hub import LiveHub
from subscriptions.notifier import Notifier


@dataclass
class Context:
    """Per-request context (for WebSockets: per connection, so loaders are rebuilt per event)."""

    viewer: Actor | None
    raw_token: str | None
    notifier: Notifier
    token_lifetime: timedelta
    request: Any = None
    response: Any = None
    hub: LiveHub | None = None  # the process's live hub, for subscriptions
    # strawberry puts the WebSocket connection_init payload here (see live/websocket.py).
    connection_params: Any = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.renew_loaders()

    def renew_loaders(self) -> None:
        """Fresh dataloaders: a subscription calls this before each event it sends."""
        self.loaders = Loaders(viewer_id=self.viewer.pk if self.viewer else None)


Info: TypeAlias = strawberry.Info[Context, None]
