"""One load-client process: many WebSocket viewers, driven by ``live_load`` over stdin/stdout.

Modes: ``graphql`` subscribes to ``eventLive`` over graphql-transport-ws and keeps, per
viewer, the (receive time, version) of every snapshot and the last counts; ``bare`` only
counts frames from ``bare_server``. Protocol with the parent, one JSON object per line:
the client writes ``{"ready": ...}`` once every viewer is subscribed, reads
``{"start", "end", "pledges_file", "final"}``, writes ``{"result": ...}`` and exits.
"""

import argparse
import asyncio
import json
import sys
import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.typing import Subprotocol

LIVE = """
subscription($id: ID!) { eventLive(eventId: $id) {
  version projects { projectId support { votes backers } } } }"""
MAX_LATENCY_PAIRS = 4_000_000  # per process: beyond this, latencies of a sample of viewers


@dataclass
class Viewer:
    versions: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    last: list[Any] | None = None
    backwards: int = 0


@dataclass
class Totals:
    connected: int = 0
    connect_failures: int = 0
    dropped: int = 0
    protocol_errors: int = 0
    bare_times: list[float] = field(default_factory=list)
    sample: str = ""
    stopping: bool = False


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def watch_live(
    url: str, event_id: str, viewer: Viewer, totals: Totals, ready: asyncio.Event
) -> None:
    protocol = Subprotocol("graphql-transport-ws")
    async with websockets.connect(
        url, subprotocols=[protocol], compression=None, open_timeout=120, max_size=None
    ) as connection:
        await connection.send(json.dumps({"type": "connection_init", "payload": {}}))
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": LIVE, "variables": {"id": event_id}},
        }
        await connection.send(json.dumps(subscribe))
        totals.connected += 1
        try:
            async for raw in connection:
                received = time.time()
                message = json.loads(raw)
                kind = message["type"]
                if kind == "next":
                    live = message["payload"]["data"]["eventLive"]
                    version = live["version"]
                    if viewer.versions and version < viewer.versions[-1]:
                        viewer.backwards += 1
                        continue
                    viewer.versions.append(version)
                    viewer.times.append(received)
                    viewer.last = live["projects"]
                    if not totals.sample:
                        totals.sample = str(raw)
                    ready.set()
                elif kind == "ping":
                    await connection.send('{"type":"pong"}')
                elif kind in ("error", "complete"):
                    totals.protocol_errors += 1
                    ready.set()
                    return
        except websockets.ConnectionClosed:
            pass
        if not totals.stopping:
            totals.dropped += 1


async def watch_bare(url: str, totals: Totals, ready: asyncio.Event) -> None:
    async with websockets.connect(url, compression=None, open_timeout=120) as connection:
        totals.connected += 1
        times = totals.bare_times
        try:
            async for _ in connection:
                times.append(time.time())
                ready.set()
        except websockets.ConnectionClosed:
            pass
        if not totals.stopping:
            totals.dropped += 1


def read_pledges(path: str) -> list[list[float]]:
    if not path:
        return []
    with open(path) as source:
        pledges: list[list[float]] = json.load(source)
    return pledges


def latency_histogram(viewers: list[Viewer], pledges: list[list[float]]) -> dict[str, Any]:
    """Per viewer and pledge: first snapshot with version >= the pledge's version."""
    step = max(1, (len(viewers) * len(pledges)) // MAX_LATENCY_PAIRS + 1)
    sampled = viewers[::step]
    histogram: Counter[int] = Counter()
    missed = 0
    for viewer in sampled:
        versions, times, count = viewer.versions, viewer.times, len(viewer.versions)
        for responded, version in pledges:
            index = bisect_left(versions, version)
            if index == count:
                missed += 1
                continue
            histogram[max(0, int((times[index] - responded) * 1000))] += 1
    return {"histogram_ms": dict(histogram), "missed": missed, "viewers_sampled": len(sampled)}


async def run(args: argparse.Namespace) -> None:
    totals = Totals()
    viewers = [Viewer() for _ in range(args.count)]
    readiness = [asyncio.Event() for _ in viewers]
    gate = asyncio.Semaphore(args.connect_concurrency)

    async def one(index: int) -> None:
        async with gate:
            try:
                if args.mode == "graphql":
                    task = asyncio.create_task(
                        watch_live(
                            args.url, args.event_id, viewers[index], totals, readiness[index]
                        )
                    )
                else:
                    task = asyncio.create_task(watch_bare(args.url, totals, readiness[index]))
                done, _ = await asyncio.wait(
                    [task, asyncio.create_task(readiness[index].wait())],
                    return_when=asyncio.FIRST_COMPLETED,
                    timeout=120,
                )
                if task in done and task.exception() is not None:
                    totals.connect_failures += 1
                    readiness[index].set()
                tasks.append(task)
            except Exception:
                totals.connect_failures += 1
                readiness[index].set()

    tasks: list[asyncio.Task[None]] = []
    await asyncio.gather(*(one(index) for index in range(args.count)))
    emit({"ready": totals.connected, "failures": totals.connect_failures, "sample": totals.sample})
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    order = json.loads(line)
    totals.stopping = True
    start, end = order["start"], order["end"]
    result: dict[str, Any] = {
        "connected": totals.connected,
        "connect_failures": totals.connect_failures,
        "dropped": totals.dropped,
        "protocol_errors": totals.protocol_errors,
    }
    if args.mode == "bare":
        result["deliveries"] = sum(1 for t in totals.bare_times if start <= t < end)
    else:
        result["deliveries"] = sum(
            1 for viewer in viewers for t in viewer.times if start <= t < end
        )
        result["backwards"] = sum(viewer.backwards for viewer in viewers)
        final = order.get("final")
        result["final_match"] = sum(1 for viewer in viewers if viewer.last == final)
        result["viewers"] = len(viewers)
        pledges = read_pledges(order.get("pledges_file") or "")
        result.update(latency_histogram(viewers, pledges))
    emit({"result": result})
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--mode", choices=["graphql", "bare"], default="graphql")
    parser.add_argument("--event-id", default="")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
