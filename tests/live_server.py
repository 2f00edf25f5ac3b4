"""Real hub processes for the subscription tests: ``si-hub serve`` in a subprocess.

Each process listens on a free port of 127.0.0.1, shares the test database (PostgreSQL, or
the SQLite file, which works across processes) and, when given, Redis. Output goes to a log
file that a failing start prints.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 30
SI_HUB = Path(sys.executable).parent / "si-hub"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class HubProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_until_healthy(hub: HubProcess) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            pytest.fail(f"the hub exited with {hub.process.returncode}:\n{hub.log_text()}")
        try:
            if httpx.get(f"{hub.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the hub did not answer within {STARTUP_SECONDS} s:\n{hub.log_text()}")


@contextmanager
def running_hub(
    database_url: str, broadcast_url: str, log_dir: Path, **settings: str
) -> Iterator[HubProcess]:
    """A hub process for the duration of the block; ``settings`` are extra env variables."""
    port = free_port()
    log = log_dir / f"hub-{port}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADCAST_URL": broadcast_url,
        "GRAPHIQL": "0",
        # Each test's hubs keep their own buckets: the suite's Redis outlives a test, and one
        # test's joins from 127.0.0.1 must not throttle the next one's.
        "RATE_LIMIT_URL": "memory://",
        **settings,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SI_HUB), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    hub = HubProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_healthy(hub)
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
