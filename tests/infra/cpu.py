"""CPU time of another process (an engine, baresip), for the tests' and benchmarks' "% of one core" figures."""

from __future__ import annotations

import time

import psutil


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


class CpuMeter:
    """``m = CpuMeter(pid)`` ... ``m.percent()``: % of one core since the meter was made (or last read)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._cpu = cpu_seconds(pid)
        self._t = time.monotonic()

    def percent(self) -> float:
        cpu, t = cpu_seconds(self.pid), time.monotonic()
        value = 100.0 * (cpu - self._cpu) / max(t - self._t, 1e-9)
        self._cpu, self._t = cpu, t
        return value
