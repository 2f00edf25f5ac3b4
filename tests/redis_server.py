"""Stop and restart the test Redis in the middle of a test, on the same port and flags.

``scripts/services.sh`` starts ``$REDIS_SERVER_BIN`` daemonized with its pid in
``.run/redis-PORT.pid``; this stops that process by its pid and starts it again the same
way, so the suite's clean-up (which reads the same pidfile) still stops it at the end.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

RUN_DIR = Path(__file__).resolve().parent.parent / ".run"
WAIT_SECONDS = 10


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass(frozen=True)
class RedisServer:
    port: int
    binary: str
    pidfile: Path

    @classmethod
    def from_environment(cls) -> "RedisServer | None":
        """The Redis that scripts/services.sh started, or None (then tests skip)."""
        url = os.environ.get("TEST_REDIS_URL")
        binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")
        if not url or not binary:
            return None
        port = urlparse(url).port or 6379
        pidfile = RUN_DIR / f"redis-{port}.pid"
        return cls(port, binary, pidfile) if pidfile.exists() else None

    def stop(self) -> None:
        pid = int(self.pidfile.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + WAIT_SECONDS
        while _alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)

    def start(self) -> None:
        flags = ["--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        flags += ["--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.pidfile)]
        flags += ["--logfile", str(RUN_DIR / f"redis-{self.port}.log"), "--dir", str(RUN_DIR)]
        subprocess.run([self.binary, *flags], check=True, timeout=WAIT_SECONDS)
        deadline = time.monotonic() + WAIT_SECONDS
        while not _answers_ping(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis did not come back on port {self.port}")
            time.sleep(0.02)

    @asynccontextmanager
    async def stopped(self) -> AsyncIterator[None]:
        """Redis is down inside the block, and always back up after it."""
        await asyncio.to_thread(self.stop)
        try:
            yield
        finally:
            await asyncio.to_thread(self.start)
