"""A closed-loop HTTP load client light enough to share a small machine with the server.

N keep-alive HTTP/1.1 connections each send one pre-built POST, wait for the whole
answer, and send it again, until the requests of the step are used up; the latency of
every answer is kept. No HTTP library: the request bytes are built once, and an answer
costs one ``readuntil`` for the head and one ``readexactly`` for the body (uvicorn sends
a Content-Length), so the client's CPU per request stays small next to a GraphQL
server's. The CPU of the server, of this process and of the whole machine is measured
over the step (``bench/procstats.py``).
"""

import asyncio
import math
import os
import statistics
import time
from dataclasses import dataclass

from bench.procstats import CpuWindow


class KeepAlive:
    """One HTTP/1.1 keep-alive connection that sends one pre-built request over and over."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes):
        self.reader, self.writer, self.request = reader, writer, request

    @classmethod
    async def open(cls, port: int, body: bytes, path: str = "/graphql") -> "KeepAlive":
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return cls(reader, writer, head.encode() + body)

    async def exchange(self) -> bytes:
        """Send the request; the body of a 200 answer, else RuntimeError."""
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if head[9:12] != b"200" or length is None:
            raise RuntimeError(f"unexpected answer: {head[:200]!r}")
        return await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Load:
    """One step: its clients, every latency, how long it took, the CPU it cost."""

    clients: int
    latencies_ms: list[float]
    seconds: float
    cpu: CpuWindow

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[math.ceil(0.99 * len(ordered)) - 1]

    def cpu_percent(self, name: str) -> float:
        """CPU of "server" or "client", % of one core."""
        return 100 * self.cpu.used[name] / self.seconds

    def machine_percent(self) -> float:
        """How busy all the machine's cores were, every process on it, %."""
        return 100 * self.cpu.machine_used / self.seconds / (os.cpu_count() or 1)


async def closed_loop(
    port: int, server_pid: int, body: bytes, clients: int, requests: int, answer_size: int
) -> Load:
    """``requests`` requests from ``clients`` connections; every answer must be
    ``answer_size`` bytes long (the same request gets the same answer)."""
    connections = [await KeepAlive.open(port, body) for _ in range(clients)]
    for connection in connections:
        await connection.exchange()  # the first answer on a connection is not counted
    remaining, latencies = requests, []

    async def client(connection: KeepAlive) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            sent = time.perf_counter()
            size = len(await connection.exchange())
            latencies.append((time.perf_counter() - sent) * 1000)
            if size != answer_size:
                raise RuntimeError(f"an answer of {size} bytes, not {answer_size}")

    cpu = CpuWindow({"server": server_pid, "client": os.getpid()})
    cpu.start()
    started = time.perf_counter()
    await asyncio.gather(*(client(connection) for connection in connections))
    seconds = time.perf_counter() - started
    cpu.stop()
    for connection in connections:
        connection.close()
    return Load(clients, latencies, seconds, cpu)


def merged(loads: list[Load]) -> Load:
    """Rounds of one step on one server taken as one load (their requests, time and CPU)."""
    cpu = CpuWindow(dict(loads[0].cpu.pids))
    for load in loads:
        for name, used in load.cpu.used.items():
            cpu.used[name] = cpu.used.get(name, 0.0) + used
        for name, peak in load.cpu.peak_mib.items():
            cpu.peak_mib[name] = max(cpu.peak_mib.get(name, 0.0), peak)
        cpu.machine_used += load.cpu.machine_used
    return Load(
        loads[0].clients,
        [latency for load in loads for latency in load.latencies_ms],
        sum(load.seconds for load in loads),
        cpu,
    )
