"""CPU time and memory of processes, read from /proc (Linux), for the benchmark report."""

import os
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


def children(pid: int) -> list[int]:
    """Child processes (multiprocessing's resource tracker left out: it is no worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid and b"resource_tracker" not in _cmdline(entry):
            found.append(int(entry.name))
    return sorted(found)


@dataclass
class CpuWindow:
    """CPU used by a set of processes between ``start()`` and ``stop()``."""

    pids: dict[str, int]
    started: dict[str, float] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)
    machine_started: float = 0.0
    machine_used: float = 0.0  # every process on the machine, ours and other people's

    def start(self) -> None:
        self.started = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.machine_started = machine_busy_seconds()

    def stop(self) -> None:
        self.used = {
            name: cpu_seconds(pid) - self.started.get(name, 0.0) for name, pid in self.pids.items()
        }
        self.peak_mib = {name: peak_rss_mib(pid) for name, pid in self.pids.items()}
        self.machine_used = machine_busy_seconds() - self.machine_started


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy (not idle/iowait) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS
