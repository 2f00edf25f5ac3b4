"""200 WebSocket viewers of one live event while 50 attendees make 500 supports.

Every viewer must end on exactly the database's counts, and no viewer may ever see the
version go backwards. Viewers are raw graphql-transport-ws connections to a real hub process.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.live_event_stage import LiveEventStage, start_live_event
from tests.live_server import HubProcess, running_hub

pytestmark = pytest.mark.load

VIEWERS = 200
ATTENDEES = 50
PROJECTS = 10  # each attendee supports every project: 500 supports
WAIT = 30.0
LIVE = """
subscription($id: ID!) { eventLive(eventId: $id) {
  version projects { projectId support { votes backers } } } }"""
CURRENT = """
query($id: ID!) { pitchingEvent(id: $id) { live {
  version projects { projectId support { votes backers } } } } }"""


@dataclass
class Viewer:
    progress: asyncio.Event  # shared by all viewers: set on every snapshot any of them gets
    snapshots: int = 0
    last: dict[str, Any] | None = None
    went_backwards: list[tuple[int, int]] = field(default_factory=list)


@pytest.fixture(scope="module")
def hub(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    logs = tmp_path_factory.mktemp("hub")
    with running_hub(database, "memory://", logs, WS_KEEPALIVE_INTERVAL="1") as process:
        yield process


@pytest.fixture
async def api(hub: HubProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=hub.url, timeout=WAIT) as client:
        yield client


async def _watch(hub: HubProcess, event_id: str, viewer: Viewer, ready: asyncio.Event) -> None:
    protocol = Subprotocol("graphql-transport-ws")
    async with websockets.connect(hub.ws_url, subprotocols=[protocol]) as connection:
        await connection.send(json.dumps({"type": "connection_init", "payload": {}}))
        await connection.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": LIVE, "variables": {"id": event_id}},
                }
            )
        )
        async for raw in connection:
            message = json.loads(raw)
            if message["type"] == "ping":
                await connection.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next":
                snapshot = message["payload"]["data"]["eventLive"]
                if viewer.last is not None and snapshot["version"] < viewer.last["version"]:
                    viewer.went_backwards.append((viewer.last["version"], snapshot["version"]))
                viewer.last = snapshot
                viewer.snapshots += 1
                viewer.progress.set()
                ready.set()
            elif message["type"] in ("error", "complete"):
                raise AssertionError(f"subscription ended: {message}")


async def _support_everything(stage: LiveEventStage) -> list[dict[str, Any]]:
    tokens = [await stage.join() for _ in range(ATTENDEES)]
    limit = asyncio.Semaphore(20)

    async def support(index: int, token: str) -> dict[str, Any]:
        async with limit:
            return await stage.support(index, token)

    return await asyncio.gather(
        *(support(index, token) for token in tokens for index in range(PROJECTS))
    )


async def test_every_viewer_ends_on_the_database_counts(hub, api):
    # given a live event with 10 pitches, and 200 viewers subscribed to it
    titles = tuple(f"Project {number}" for number in range(PROJECTS))
    stage = await start_live_event(api, project_titles=titles, supports_per_attendee=PROJECTS)
    progress = asyncio.Event()
    viewers = [Viewer(progress) for _ in range(VIEWERS)]
    readiness = [asyncio.Event() for _ in viewers]
    watchers = [
        asyncio.create_task(_watch(hub, stage.event_id, viewer, ready))
        for viewer, ready in zip(viewers, readiness, strict=True)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readiness)), WAIT)
        # when 50 attendees support all 10 projects: 500 supports
        results = await _support_everything(stage)
        # then every support was recorded...
        assert {result["__typename"] for result in results} == {"SupportPitchSuccess"}
        body = await api.post(
            "/graphql", json={"query": CURRENT, "variables": {"id": stage.event_id}}
        )
        final = body.json()["data"]["pitchingEvent"]["live"]
        assert [p["support"] for p in final["projects"]] == [{"votes": 50, "backers": 50}] * 10
        # ...and every viewer converges on exactly that snapshot, never going backwards
        async with asyncio.timeout(WAIT):
            while any(viewer.last != final for viewer in viewers):
                progress.clear()
                await progress.wait()
        assert [viewer.went_backwards for viewer in viewers] == [[]] * VIEWERS
        assert all(viewer.snapshots >= 1 for viewer in viewers)
    finally:
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
