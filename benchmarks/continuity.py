"""Business continuity at scale (the 2011 earthquake: every agent asked to log in at once, a backup center):
``AGENTS`` (default 100) real engines at home behind the rig's NAT, registered to the primary Kamailio; the primary
is killed; then it comes back.

Reported, for the failover and for the failback: the time until every engine is registered at the other center
(median, 95th percentile, last), and the peak REGISTER rate that center saw per second (Kamailio logs each
REGISTER's arrival, digest authentication on: a registration is two REGISTERs). The 1,000-agent figure is
extrapolated from the measured distribution of switch times (docs/engine.md, "Failover at scale").

Run: ``python -m benchmarks --only continuity`` (root: the network rig). ``AGENTDESK_CONTINUITY_AGENTS=N``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.netrig import Rig
from tests.infra.netrig.parties import agent_configure

AGENTS = int(os.environ.get("AGENTDESK_CONTINUITY_AGENTS", "100"))
START_BATCH = 10  # engines started together (each imports pjsua2: ~0.5 s of CPU)
SETTLE_S = 5.0
_REGLOG = re.compile(r"REGLOG (\d+\.\d+) ")


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ, AGENTDESK_DEBUG="")
    for name in ("CONFIG", "DATA", "LOG"):
        d = root / name.lower()
        d.mkdir(exist_ok=True)
        env[f"AGENTDESK_{name}_DIR"] = str(d)
    return env


def _arrivals(k: Kamailio, since_wall: float) -> list[float]:
    """Wall-clock arrival times of REGISTERs at this Kamailio after ``since_wall``."""
    return [float(m.group(1)) for m in _REGLOG.finditer(k.log_path.read_text(errors="replace"))
            if float(m.group(1)) >= since_wall]


def peak_rate(times: list[float], window: float = 1.0) -> int:
    """The most events in any ``window`` seconds (a sliding window over the sorted times)."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] < t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def _switch_times(engines: list[EngineProcess], marks: list[int], since: float, primary: bool,
                  timeout: float) -> list[float | None]:
    deadline = time.monotonic() + timeout
    out: list[float | None] = [None] * len(engines)
    while time.monotonic() < deadline and any(x is None for x in out):
        for i, (eng, mark) in enumerate(zip(engines, marks, strict=True)):
            if out[i] is None:
                found = eng.find(lambda e: e.get("event") == "registration" and e.get("state") == "registered"
                                 and e.get("primary") is primary, after=mark)
                if found:
                    out[i] = found[0]["_t"] - since
        time.sleep(0.2)
    return out


def _phase(name: str, where: str, times: list[float | None], arrivals: list[float], n: int) -> list[dict[str, Any]]:
    done = sorted(t for t in times if t is not None)
    missing = len(times) - len(done)
    q95 = done[min(len(done) - 1, int(0.95 * len(done)))] if done else None
    peak = peak_rate(arrivals)
    extrapolated = round(peak * 1000 / n) if n else None
    rows = [
        {"name": f"{name}: all {n} engines registered at the {where}", "value": round(done[-1], 2) if done else None,
         "unit": "s", "note": f"median {statistics.median(done):.2f} s, p95 {q95:.2f} s"
                              + (f"; {missing} never switched" if missing else "") if done else "none switched"},
        {"name": f"{name}: peak REGISTERs per second at that center", "value": peak, "unit": "1/s",
         "note": f"{len(arrivals)} REGISTERs (digest auth: 2 per registration), sliding 1-s window; "
                 f"at 1,000 agents ~{extrapolated}/s (same per-agent timing)"},
    ]
    return rows


def measure(n: int = AGENTS, spread: float | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``spread``: the engines' sip.failover_spread (None: the engine's default)."""
    root = Path(tempfile.mkdtemp(prefix="agentdesk-continuity-"))
    env = _env(root)
    rig = Rig(root / "rig", backup=True, auth=True, reglog=True)
    engines: list[EngineProcess] = []
    raw: dict[str, Any] = {"agents": n}
    try:
        rig.up()
        for start in range(0, n, START_BATCH):
            batch = [EngineProcess(root, env=env, name=f"agent{i:04d}", argv=rig.engine_argv("home"))
                     for i in range(start, min(n, start + START_BATCH))]
            for eng in batch:
                eng.start(timeout=60)
                engines.append(eng)
        for i, eng in enumerate(engines):
            sip = {} if spread is None else {"failover_spread": spread}
            eng.command(agent_configure(rig, f"agent{i:04d}", registrars=[0, 1], **sip), timeout=30)
            eng.send({"cmd": "register"})
        first = _switch_times(engines, [0] * n, time.monotonic(), primary=True, timeout=120)
        raw["registered_at_start"] = sum(t is not None for t in first)
        time.sleep(SETTLE_S)

        marks = [e.mark() for e in engines]
        t_kill, wall_kill = time.monotonic(), time.time()
        rig.primary.stop(kill=True)  # the primary center dies without a goodbye
        failover = _switch_times(engines, marks, t_kill, primary=False, timeout=90)
        failover_arrivals = _arrivals(rig.backup_kamailio, wall_kill)
        time.sleep(SETTLE_S)

        marks = [e.mark() for e in engines]
        t_back, wall_back = time.monotonic(), time.time()
        rig.primary.start()
        failback = _switch_times(engines, marks, t_back, primary=True, timeout=90)
        failback_arrivals = _arrivals(rig.primary, wall_back)
        raw.update(failover=failover, failback=failback, failover_arrivals=failover_arrivals,
                   failback_arrivals=failback_arrivals)
        rows = _phase("failover (primary killed)", "backup", failover, failover_arrivals, n)
        rows += _phase("failback (primary restarted)", "primary", failback, failback_arrivals, n)
        return rows, raw
    finally:
        for eng in engines:
            with contextlib.suppress(Exception):
                if eng.alive():
                    os.killpg(eng.pid, signal.SIGKILL)
                eng.stop(timeout=1)
        rig.down()


def run() -> list[dict[str, Any]]:
    rows, _ = measure()
    before, _ = measure(spread=0.0)
    for r in before:
        r["name"] = r["name"].replace(": ", " without the failover spread: ", 1)
    load = os.getloadavg()[0]
    for r in rows + before:
        r["note"] = f"{r['note']}; load average {load:.1f} on 2 cores"
    return rows + [r for r in before if "failover" in r["name"]]


if __name__ == "__main__":
    import json
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else AGENTS
    result, data = measure(count, float(sys.argv[2]) if len(sys.argv) > 2 else None)
    for r in result:
        print(r)
    print(json.dumps({k: v for k, v in data.items() if k in ("agents", "registered_at_start")}))
    Path("/tmp/agentdesk-continuity.json").write_text(json.dumps(data))
