"""One load-client process: many WebSocket viewers, driven by ``live_load`` over stdin/stdout.

Modes: ``graphql`` subscribes to ``eventLive`` over graphql-transport-ws and keeps, per
viewer, the (receive time, version) of every snapshot and the last counts; ``bare`` only
counts frames from ``bare_server``. Protocol with the parent, one JSON object per line:
the client writes ``{"ready": ...}`` once every viewer is subscribed, reads
``{"start", "end", "pledges_file", "final"}``, writes ``{"result": ...}`` and exits.

Viewers use the lean client of ``bench/ws_client.py`` and read a snapshot's version
without decoding its JSON (the last snapshot is decoded once, at the end), so a client
process handles tens of thousands of frames per second; ``live_load`` reports the client
processes' CPU beside the servers' to show they were not the bottleneck.
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

from bench.ws_client import LeanWebSocket, connect

LIVE = """
subscription($id: ID!) { eventLive(eventId: $id) {
  version projects { projectId support { votes backers } } } }"""
MAX_LATENCY_PAIRS = 4_000_000  # per process: beyond this, latencies of a sample of viewers


@dataclass
class Viewer:
    versions: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    last_raw: bytes = b""  # the newest snapshot message, decoded only at the end
    backwards: int = 0

    def last_projects(self) -> list[Any] | None:
        if not self.last_raw:
            return None
        projects: list[Any] = json.loads(self.last_raw)["payload"]["data"]["eventLive"]["projects"]
        return projects


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


VERSION = b'"version":'
NEXT_HEAD = b'"type":"next"'


def version_of(payload: bytes) -> int | None:
    """The snapshot version of a ``next`` message, read without decoding the JSON."""
    at = payload.find(VERSION)
    if at < 0:
        return None
    at += len(VERSION)
    while payload[at] == 0x20:  # a space (the per-viewer path's json.dumps writes one)
        at += 1
    end = at
    while 0x30 <= payload[end] <= 0x39:
        end += 1
    return int(payload[at:end])


async def watch_live(
    url: str, event_id: str, viewer: Viewer, totals: Totals, ready: asyncio.Event
) -> None:
    connection: LeanWebSocket | None = None

    def on_message(payload: bytes, arrived: float) -> None:
        if NEXT_HEAD in payload[:40] or b'"type": "next"' in payload[:40]:
            version = version_of(payload)
            if version is None:  # a next without a snapshot: an error result
                totals.protocol_errors += 1
                return
            if viewer.versions and version < viewer.versions[-1]:
                viewer.backwards += 1
                return
            viewer.versions.append(version)
            viewer.times.append(arrived)
            viewer.last_raw = payload
            if not totals.sample:
                totals.sample = payload.decode()
            ready.set()
            return
        kind = json.loads(payload).get("type")
        if kind == "ping" and connection is not None:
            connection.send_text('{"type":"pong"}')
        elif kind in ("error", "complete"):
            totals.protocol_errors += 1
            ready.set()

    connection = await connect(url, "graphql-transport-ws", on_message)
    connection.send_text(json.dumps({"type": "connection_init", "payload": {}}))
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": LIVE, "variables": {"id": event_id}},
    }
    connection.send_text(json.dumps(subscribe))
    totals.connected += 1
    await connection.closed
    if not totals.stopping:
        totals.dropped += 1


async def watch_bare(url: str, totals: Totals, ready: asyncio.Event) -> None:
    times = totals.bare_times

    def on_message(_: bytes, arrived: float) -> None:
        times.append(arrived)
        ready.set()

    connection = await connect(url, None, on_message)
    totals.connected += 1
    await connection.closed
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


async def read_in_batches(period: float) -> None:
    """Wake at most once per ``period`` and read every socket that has data then.

    Left to itself, the event loop wakes for each arriving frame: at 10,000 viewers, each
    client process woke ~2,000 times a second, and each wake-up preempted an app process
    mid-sweep on these 2 cores (~3,000 involuntary switches/s per app process). Sleeping
    between loop turns lets frames gather in the socket buffers. Arrival times are taken
    when a frame is read, so the batching delay (at most ``period``) counts in the
    measured latency.
    """
    while True:
        time.sleep(period)  # noqa: ASYNC251 (blocking on purpose: no wake-up until then)
        await asyncio.sleep(0)  # one turn: every ready socket is read


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
    if args.read_every_ms > 0:
        tasks.append(asyncio.create_task(read_in_batches(args.read_every_ms / 1000)))
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
        result["final_match"] = sum(1 for viewer in viewers if viewer.last_projects() == final)
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
    parser.add_argument(
        "--read-every-ms",
        type=float,
        default=0,
        help="once connected, read sockets in batches at most this often (0: on arrival)",
    )
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
