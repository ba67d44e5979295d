"""The processes the tests start (Kamailio, PulseAudio, baresip, SIPp...): stopping their process group, and their
CPU time for the tests' and benchmarks' "% of one core" figures."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import psutil


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 5.0) -> None:
    """Send ``sig`` to the process group of ``proc`` (started with ``start_new_session=True``), wait ``grace``
    seconds, then SIGKILL it; nothing to do if it has already exited."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


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
