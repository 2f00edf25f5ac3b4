"""A committed pledge publishes a small notice on its project's and community's channels."""

import asyncio
import json
import os

import httpx
import pytest
from broadcaster import Broadcast

from subscriptions.channels import community_channel, project_channel
from tests.factories import (
    gid,
    graphql,
    make_community,
    make_issue,
    make_person,
    make_project,
    token_for,
)
from web.app import close_connections, create_app
from web.settings import Settings

BROADCAST_URLS = ["memory://"]
if os.environ.get("TEST_REDIS_URL"):
    BROADCAST_URLS.append(os.environ["TEST_REDIS_URL"])


@pytest.mark.parametrize("broadcast_url", BROADCAST_URLS)
async def test_pledge_publishes_notices_after_commit(database, broadcast_url):
    # given an app publishing through the broadcast backend, and a listener on both channels
    app = create_app(Settings(database_url=database, broadcast_url=broadcast_url))
    broadcast: Broadcast = app.state.broadcast
    await broadcast.connect()
    community = await make_community()
    lead = await make_person()
    project = await make_project(community, lead, [await make_issue(community, lead)])
    token = await token_for(await make_person())
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            broadcast.subscribe(project_channel(project.pk)) as project_notices,
            broadcast.subscribe(community_channel(community.pk)) as community_notices,
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http,
        ):
            # when a vote is pledged
            body = await graphql(
                http,
                "mutation($p: ID!) { pledge(input: {projectId: $p, kind: VOTE}) { __typename } }",
                {"p": gid(project)},
                token=token,
            )
            # then both channels carry a notice naming the project
            assert body == {"data": {"pledge": {"__typename": "PledgeSuccess"}}}
            for notices in (project_notices, community_notices):
                event = await asyncio.wait_for(notices.get(), timeout=5)
                assert json.loads(event.message) == {"kind": "pledge", "id": project.pk}
    finally:
        await broadcast.disconnect()
        await close_connections(app)  # the app's Redis publisher and rate limits, if any
