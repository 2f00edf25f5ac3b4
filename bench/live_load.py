"""Load benchmark of live pitching events: V viewers of ``eventLive``, R supports/s, D seconds.

    .venv/bin/python -m bench.live_load --workers 2 --viewers 1000 --rate 50 --duration 30

Starts (or takes from DATABASE_URL / BROADCAST_URL) PostgreSQL and Redis, migrates, starts
``si-hub serve --workers N``, builds a LIVE event with pitched projects and attendees, opens
V graphql-transport-ws viewers from load-client processes (``bench/viewers.py``), drives R
``supportPitch``/s from distinct attendees for D seconds, then runs the bare Starlette
endpoint (``bench/bare_server.py``) with the same viewers and prints one report.
Latency of a pledge for a viewer: from the pledge's HTTP response to the first snapshot
that viewer receives which includes the pledge. A snapshot's ``version`` counts the pledge
rows it saw, and a read sees a prefix of the commit order, so it includes pledge P exactly
when its version reaches P's position in commit order (read after the run from PostgreSQL's
commit timestamps, ``track_commit_timestamp``, which ``scripts/services.sh`` turns on).
Without commit timestamps (a server given in DATABASE_URL), the driver polls the row count
and takes the first count read after the response: an upper bound.
"""

import argparse
import asyncio
import bisect
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.http_client import LeanHttpPool
from bench.procstats import CpuWindow, children
from bench.services import REPO, database_and_broadcast
from bench.stage import SUPPORT, Stage, build_stage, current_live
from resolvers.ids import decode_id
from web.database import open_database

BIN = Path(sys.executable).parent
SETTLE_SECONDS = 3.0
MAX_EXTRA_SECONDS = 60.0  # pledging stops at most this long after D
VERSION_POLL_SECONDS = 0.005


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=REPO)


def stop_process(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"server exited:\n{tail(log)}")
            try:
                await client.get(url, timeout=1)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"server did not start:\n{tail(log)}")


def server_pids(process: subprocess.Popen[bytes], workers: int) -> dict[str, int]:
    if workers == 1:
        return {"app": process.pid}
    for _ in range(100):
        found = children(process.pid)
        if len(found) >= workers:
            return {f"app{n + 1}": pid for n, pid in enumerate(found[:workers])}
        time.sleep(0.1)
    raise RuntimeError("workers did not start")


class Clients:
    """The load-client processes (bench/viewers.py)."""

    def __init__(
        self,
        url: str,
        viewers: int,
        per_process: int,
        mode: str,
        event_id: str,
        read_every_ms: float,
    ) -> None:
        count = max(1, math.ceil(viewers / per_process)) if viewers else 0
        sizes = [viewers // count + (1 if n < viewers % count else 0) for n in range(count)]
        self.processes = [
            subprocess.Popen(
                [
                    str(BIN / "python"),
                    "-m",
                    "bench.viewers",
                    "--url",
                    url,
                    "--count",
                    str(size),
                    "--mode",
                    mode,
                    "--event-id",
                    event_id,
                    "--read-every-ms",
                    str(read_every_ms),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=REPO,
            )
            for size in sizes
        ]

    @property
    def pids(self) -> dict[str, int]:
        return {f"client{n + 1}": p.pid for n, p in enumerate(self.processes)}

    async def ready(self) -> list[dict[str, Any]]:
        return [await asyncio.to_thread(self._line, p) for p in self.processes]

    async def finish(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(json.dumps(order) + "\n")
            process.stdin.flush()
        results = [(await asyncio.to_thread(self._line, p))["result"] for p in self.processes]
        for process in self.processes:
            process.wait(timeout=60)
        return results

    @staticmethod
    def _line(process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("a load client died")
        message: dict[str, Any] = json.loads(line)
        return message

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()


def percentiles(histogram: Counter[int], points: tuple[float, ...] = (0.5, 0.99)) -> list[float]:
    total = sum(histogram.values())
    if not total:
        return [math.nan] * (len(points) + 1)
    values, seen, index = [], 0, 0
    ordered = sorted(histogram.items())
    for point in points:
        target = point * total
        while seen + ordered[index][1] < target:
            seen += ordered[index][1]
            index += 1
        values.append(float(ordered[index][0]))
    return [*values, float(ordered[-1][0])]


@dataclass
class Driven:
    """What the driver saw: successes (response time, pledge pk), latencies and outcomes."""

    successes: list[tuple[float, int]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    readings: list[tuple[float, int]] = field(default_factory=list)  # (read start, rows)

    def pledge_versions(self, offset: int, ranks: dict[int, int] | None) -> list[list[float]]:
        """Each success's (response time, version of the first snapshot including it)."""
        if ranks is not None:
            return [[responded, offset + ranks[pk]] for responded, pk in self.successes]
        started = [when for when, _ in self.readings]
        return [
            [responded, offset + self.readings[bisect.bisect_left(started, responded)][1]]
            for responded, _ in self.successes
        ]


async def drive(
    pool: LeanHttpPool,
    stage: Stage,
    rate: float,
    duration: float,
    poll_rows: bool,
    first_attendee: int = 0,
) -> Driven:
    """Open loop: pledge n starts at n/rate s; unanswered after D + 60 s, it is cancelled.

    With ``poll_rows`` (no commit timestamps), one reader counts the pledge rows all along.
    """
    projects = len(stage.project_ids)
    total = int(rate * duration)
    driven = Driven()
    start = time.perf_counter()

    async def one(number: int) -> None:
        variables = {
            "input": {
                "eventId": stage.event_id,
                "projectId": stage.project_ids[number % projects],
                "attendeeToken": stage.attendee_tokens[first_attendee + number // projects],
            }
        }
        body = json.dumps({"query": SUPPORT, "variables": variables}).encode()
        sent = time.perf_counter()
        try:
            result = json.loads(await pool.post("/graphql", body))["data"]["supportPitch"]
            kind = str(result["__typename"] if "code" not in result else result["code"])
        except Exception as error:  # counted and shown, the run goes on
            kind, result = type(error).__name__, {}
        driven.latencies.append(time.perf_counter() - sent)
        driven.outcomes[kind] += 1
        if kind == "SupportPitchSuccess":
            pk = decode_id(result["pledge"]["id"], "Pledge", field="id")
            driven.successes.append((time.time(), pk))

    async def count_rows() -> None:
        while True:
            started = time.time()
            driven.readings.append((started, await stage.pledge_rows()))
            await asyncio.sleep(VERSION_POLL_SECONDS)

    async def produce() -> None:
        # One task per pledge, made at its time: making all 6,000 up front blocked the
        # loop for ~0.1 s, and the first pledges then left in a burst (p99 of 200/s was
        # that burst).
        for number in range(total):
            await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(number)))

    counter = asyncio.create_task(count_rows()) if poll_rows else None
    tasks: list[asyncio.Task[None]] = []
    await produce()
    # An overloaded hub must not make the run endless: what is not answered by then is
    # cancelled and counted as "unanswered" (outcome unknown: it may have committed).
    _, late = await asyncio.wait(tasks, timeout=MAX_EXTRA_SECONDS) if tasks else (set(), set())
    for task in late:
        task.cancel()
    if late:
        driven.outcomes["unanswered"] += len(late)
    if counter is not None:
        counter.cancel()
        driven.readings.append((time.time(), await stage.pledge_rows()))
    return driven


async def hub_phase(
    args: argparse.Namespace, database: str, broadcast: str, logs: Path
) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "BROADCAST_URL": broadcast,
        "GRAPHIQL": "0",
        "LIVE_REFRESH_INTERVAL": str(args.refresh_interval),
    }
    await asyncio.to_thread(
        subprocess.run,
        [str(BIN / "si-hub"), "migrate"],
        env=env,
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        *(str(BIN / "si-hub"), "serve", "--port", str(port), "--workers", str(args.workers)),
        "--no-access-log",  # a line per request costs ~4 % of the app's CPU at 200/s
    ]
    log = logs / "hub.log"
    hub = start_server(command, env, log)
    clients: Clients | None = None
    try:
        await wait_healthy(f"{url}/healthz", hub, log)
        pids = server_pids(hub, args.workers)
        limits = httpx.Limits(max_connections=args.http_connections)
        async with (
            open_database(database),
            httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as api,
        ):
            warm_attendees = math.ceil(args.rate * args.warmup / args.projects)
            attendees = math.ceil(args.rate * args.duration / args.projects) + 1 + warm_attendees
            stage = await build_stage(api, projects=args.projects, attendees=attendees)
            clients = Clients(
                url.replace("http", "ws") + "/graphql",
                args.viewers,
                args.viewers_per_client,
                "graphql",
                stage.event_id,
                args.client_read_every_ms,
            )
            ready = await clients.ready()
            say(f"hub: {sum(r['ready'] for r in ready)} viewers subscribed")
            pool = LeanHttpPool("127.0.0.1", port, args.http_connections)
            try:
                if args.warmup:  # pools, prepared statements and caches warm, not measured
                    warm = await drive(pool, stage, args.rate, args.warmup, poll_rows=False)
                    say(f"warm-up: {dict(warm.outcomes)} in {args.warmup:.0f} s")
                initial = await current_live(api, stage.event_id)
                offset = int(str(initial["version"])) - await stage.pledge_rows()
                exact = await stage.commit_ranks() is not None
                window = CpuWindow({**pids, **clients.pids, "driver": os.getpid()})
                window.start()
                started = time.time()
                driven = await drive(
                    pool, stage, args.rate, args.duration, not exact, warm_attendees
                )
            finally:
                await pool.close()
            ended = time.time()
            window.stop()
            await asyncio.sleep(SETTLE_SECONDS)
            pledges = driven.pledge_versions(offset, await stage.commit_ranks())
            final = await current_live(api, stage.event_id)
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=logs) as f:
                json.dump(pledges, f)
            results = await clients.finish(
                {"start": started, "end": ended, "pledges_file": f.name, "final": final["projects"]}
            )
            final_rows = await stage.pledge_rows()
            duplicates = await stage.duplicate_votes()
            per_project = await stage.votes_by_project()
        in_database = [
            {"projectId": p, "support": {"votes": per_project[p], "backers": per_project[p]}}
            for p in stage.project_ids
        ]
        return {
            "ready": ready,
            "results": results,
            "window": window,
            "seconds": ended - started,
            "latencies": driven.latencies,
            "outcomes": driven.outcomes,
            "pledges": len(pledges),
            "rows_added": final_rows - (int(str(initial["version"])) - offset),
            "counts_exact": final["projects"] == in_database,
            "duplicates": duplicates,
            "sample": ready[0]["sample"] if ready else "",
        }
    finally:
        if clients is not None:
            clients.kill()
        stop_process(hub)


async def bare_phase(args: argparse.Namespace, frame: str, logs: Path) -> dict[str, Any]:
    frame_file = logs / "frame.json"
    frame_file.write_text(frame or '{"type":"next","id":"1","payload":{}}')
    port = free_port()
    env = {**os.environ, "BARE_FRAME_FILE": str(frame_file), "BARE_RATE": str(args.bare_rate)}
    command = [
        str(BIN / "uvicorn"),
        "bench.bare_server:app",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--ws",
        args.bare_ws,
        "--ws-per-message-deflate",
        "false",
        "--ws-ping-interval",
        "20",
        "--ws-ping-timeout",
        "20",
        "--log-level",
        "warning",
    ]
    log = logs / "bare.log"
    server = start_server(command, env, log)
    clients: Clients | None = None
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/", server, log)
        pids = server_pids(server, args.workers)
        clients = Clients(
            f"ws://127.0.0.1:{port}/ws",
            args.viewers,
            args.viewers_per_client,
            "bare",
            "",
            args.client_read_every_ms,
        )
        ready = await clients.ready()
        window = CpuWindow({**pids, **clients.pids})
        await asyncio.sleep(1.0)
        window.start()
        started = time.time()
        await asyncio.sleep(args.bare_duration)
        ended = time.time()
        window.stop()
        results = await clients.finish({"start": started, "end": ended})
        return {"ready": ready, "results": results, "window": window, "seconds": ended - started}
    finally:
        if clients is not None:
            clients.kill()
        stop_process(server)


def cpu_line(window: CpuWindow, seconds: float) -> str:
    parts = [
        f"{name} {100 * used / seconds:.0f}% / {window.peak_mib[name]:.0f} MiB"
        for name, used in window.used.items()
    ]
    ours = sum(window.used.values())
    others = max(0.0, window.machine_used - ours)
    parts.append(
        f"[machine busy {100 * window.machine_used / seconds:.0f}% of "
        f"{os.cpu_count()} cores, of which not ours ~{100 * others / seconds:.0f}%]"
    )
    return "; ".join(parts)


def report(args: argparse.Namespace, hub: dict[str, Any]) -> float:
    """Print the hub phase's figures (before the bare phase, so a stuck one loses nothing)."""
    results = hub["results"]
    histogram: Counter[int] = Counter()
    for result in results:
        histogram.update({int(k): v for k, v in result.get("histogram_ms", {}).items()})
    p50, p99, worst = percentiles(histogram)
    mutation = Counter(int(latency * 1000) for latency in hub["latencies"])
    m50, m99, mmax = percentiles(mutation)
    viewers = sum(r["viewers"] for r in results)
    deliveries = sum(r["deliveries"] for r in results) / hub["seconds"]
    successes = hub["outcomes"].get("SupportPitchSuccess", 0)
    errors = {k: v for k, v in hub["outcomes"].items() if k != "SupportPitchSuccess"}
    say(
        f"connected viewers      {sum(r['connected'] for r in results)} / {args.viewers}"
        f" (connect failures {sum(r['connect_failures'] for r in results)})"
    )
    say(
        f"pledge rate            {successes / hub['seconds']:.1f}/s achieved ({args.rate}/s asked,"
        f" {successes} ok, errors {errors or 0})"
    )
    say(f"mutation latency       p50 {m50:.0f} ms, p99 {m99:.0f} ms, max {mmax:.0f} ms")
    say(
        f"lost/double pledges    successes {successes} <= rows added {hub['rows_added']} <= "
        f"successes + unknown outcomes {successes + sum(errors.values())}: "
        f"{successes <= hub['rows_added'] <= successes + sum(errors.values())}; duplicate votes "
        f"{hub['duplicates']}; snapshot == database rows: {hub['counts_exact']}"
    )
    say(f"deliveries/s           {deliveries:.0f}")
    say(
        f"pledge-to-screen       p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {worst:.0f} ms"
        f" (missed {sum(r.get('missed', 0) for r in results)}, viewers sampled "
        f"{sum(r.get('viewers_sampled', 0) for r in results)})"
    )
    say(f"final == database      {sum(r['final_match'] for r in results)} / {viewers}")
    say(
        f"dropped / proto errors {sum(r['dropped'] for r in results)} / "
        f"{sum(r['protocol_errors'] for r in results)}; versions backwards "
        f"{sum(r['backwards'] for r in results)}"
    )
    say(f"CPU (% of one core) / peak RSS: {cpu_line(hub['window'], hub['seconds'])}")
    say(f"frame size             {len(hub['sample'])} bytes")
    return float(deliveries)


def report_bare(args: argparse.Namespace, deliveries: float, bare: dict[str, Any]) -> None:
    bare_rate = sum(r["deliveries"] for r in bare["results"]) / bare["seconds"]
    say(
        f"bare Starlette         {bare_rate:.0f} frames/s to "
        f"{sum(r['connected'] for r in bare['results'])} clients at {args.bare_rate}/s asked;"
        f" (uvicorn --ws {args.bare_ws}); ours = {100 * deliveries / bare_rate:.1f}% of it"
    )
    say(f"bare CPU / peak RSS:   {cpu_line(bare['window'], bare['seconds'])}")


def sample_frame(projects: int = 5) -> str:
    """A next message shaped like an eventLive snapshot, for a bare-only run."""
    items = [
        {"projectId": f"UHJvamVjdDo{n}", "support": {"votes": 300, "backers": 300}}
        for n in range(projects)
    ]
    live = {"version": 1502, "projects": items}
    return json.dumps({"id": "1", "type": "next", "payload": {"data": {"eventLive": live}}})


async def bare_only(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="live-load-") as folder:
        bare = await bare_phase(args, sample_frame(args.projects), Path(folder))
    rate = sum(r["deliveries"] for r in bare["results"]) / bare["seconds"]
    connected = sum(r["connected"] for r in bare["results"])
    say(
        f"bare Starlette         {rate:.0f} frames/s to {connected} clients (uvicorn --ws "
        f"{args.bare_ws}, {args.bare_rate}/s asked)"
    )
    say(f"bare CPU / peak RSS:   {cpu_line(bare['window'], bare['seconds'])}")


async def main_async(args: argparse.Namespace) -> None:
    if args.bare_only:
        await bare_only(args)
        return
    with (
        database_and_broadcast() as (database, broadcast),
        tempfile.TemporaryDirectory(prefix="live-load-") as folder,
    ):
        logs = Path(args.log_dir or folder)
        os.makedirs(logs, exist_ok=True)
        hub = await hub_phase(args, database, broadcast, logs)
        deliveries = report(args, hub)
        if args.viewers and args.bare_duration:
            report_bare(args, deliveries, await bare_phase(args, hub["sample"], logs))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", "-N", type=int, default=2, help="app processes")
    parser.add_argument("--viewers", "-V", type=int, default=1000, help="eventLive subscribers")
    parser.add_argument("--rate", "-R", type=float, default=50, help="supportPitch per second")
    parser.add_argument("--duration", "-D", type=float, default=30, help="seconds of pledging")
    parser.add_argument("--projects", type=int, default=5, help="pitched projects")
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of pledging before measuring"
    )
    parser.add_argument(
        "--viewers-per-client", type=int, default=1000, help="viewers per load-client process"
    )
    parser.add_argument("--http-connections", type=int, default=100, help="driver's HTTP pool")
    parser.add_argument(
        "--client-read-every-ms",
        type=float,
        default=5,
        help="load clients read their sockets in batches this often (0: on each arrival)",
    )
    parser.add_argument(
        "--refresh-interval", type=float, default=0.15, help="LIVE_REFRESH_INTERVAL"
    )
    parser.add_argument(
        "--bare-rate", type=float, default=100, help="bare frames/s per client asked"
    )
    parser.add_argument("--bare-duration", type=float, default=10, help="seconds (0: skip bare)")
    parser.add_argument("--log-dir", default="", help="keep server logs here")
    parser.add_argument("--bare-only", action="store_true", help="only the bare endpoint")
    parser.add_argument(
        "--bare-ws",
        default="auto",
        choices=["auto", "websockets", "websockets-sansio", "wsproto"],
        help="uvicorn WebSocket implementation of the bare endpoint (si-hub: websockets-sansio"
        " plus direct frame writes)",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
