"""PostgreSQL + Redis for the benchmark: from the environment, or throwaway servers.

With ``DATABASE_URL`` (postgres://) and ``BROADCAST_URL`` (redis://) set, those are used.
Otherwise a bash child sources ``scripts/services.sh``, starts a throwaway PostgreSQL and
Redis, prints their URLs and waits on its stdin; closing stdin stops and deletes them.
"""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = """
source scripts/services.sh
trap stop_services EXIT
start_postgres >&2 && start_redis >&2 || exit 1
echo "$TEST_POSTGRES_URL $TEST_REDIS_URL"
read -r _
"""


@contextmanager
def database_and_broadcast() -> Iterator[tuple[str, str]]:
    database, broadcast = os.environ.get("DATABASE_URL"), os.environ.get("BROADCAST_URL")
    if database and broadcast:
        yield database, broadcast
        return
    shell = subprocess.Popen(
        ["bash", "-c", SCRIPT], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert shell.stdin is not None
    assert shell.stdout is not None
    try:
        line = shell.stdout.readline().split()
        if len(line) != 2:
            raise RuntimeError("could not start PostgreSQL and Redis (scripts/services.sh)")
        yield line[0], line[1]
    finally:
        shell.stdin.close()
        shell.wait(timeout=60)
