"""Reading several queries as of one moment.

A live snapshot is built from a few queries (pledge rows for the version, grouped sums for the
totals, organiser state). Under PostgreSQL's default READ COMMITTED each statement sees the
commits made before *it* started, so a pledge committed between two of them would tear the
snapshot: a version that counts the pledge beside totals that do not (or the reverse), and a
client that trusts the version would keep the wrong totals. REPEATABLE READ gives every
statement of the transaction the same snapshot. SQLite's read transactions already do.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from models import Pledge
from resolvers.spatial_sql import on_postgres


@asynccontextmanager
async def one_moment() -> AsyncIterator[BaseDBAsyncClient]:
    """A read-only transaction whose queries all see the database as of the same moment.

    Inside a transaction already (closing an event freezes its snapshot while it holds the
    event's lock), the reads join it: its isolation is the caller's choice.
    """
    current = Pledge._meta.db
    if isinstance(current, TransactionalDBClient):
        yield current
        return
    async with in_transaction() as connection:
        if on_postgres():
            # Must be the transaction's first statement; READ ONLY lets PostgreSQL skip the
            # serialization bookkeeping a writer would need.
            await connection.execute_script(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
            )
        yield connection
