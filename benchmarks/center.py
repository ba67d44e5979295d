"""Center connection figures: what happens to an entry made while the center is down, measured against the
center test double on loopback (real HTTP, real SQLite outbox).

    python -m benchmarks.center        (or through the lead's benchmarks/__main__.py)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from agentdesk.center.http import HttpCenterClient
from agentdesk.center.outbox import Outbox
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble

RUNS = 5
DOWN_SECONDS = 2.0
LONG_DOWN_SECONDS = 15.0
ENTRIES = 5


def _wait(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def _one_outage(workdir: Path, with_stream_wake: bool, down: float = DOWN_SECONDS) -> tuple[float, int, int]:
    """Center down; the agent saves ENTRIES entries; center back after DOWN_SECONDS. Returns (seconds from the
    center's return to the last entry delivered, entries the center recorded more than once, entries lost)."""
    double = CenterDouble(heartbeat=1.0).start()
    client = HttpCenterClient(double.url)  # the app's defaults: backoff 0.25 s doubling, cap 8 s, full jitter
    client.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    box = Outbox(workdir / f"outbox-{time.monotonic_ns()}.sqlite3")
    box.start(client)  # the app's defaults: backoff 0.5 s doubling, cap 30 s, full jitter
    stop_stream = client.events(box.on_center_event) if with_stream_wake else None
    try:
        double.stop()
        keys = [
            box.enqueue("wrap_up", {"call_id": f"bench-{i}", "code": "resolved", "script_path": ["start"]})
            for i in range(ENTRIES)
        ]
        time.sleep(down)
        double.start()
        back = time.monotonic()
        _wait(lambda: box.counts()["pending"] == 0, 60)
        delivered = time.monotonic() - back
        recorded = Counter(r.key for r in double.records)
        duplicates = sum(1 for n in recorded.values() if n > 1)
        lost = sum(1 for k in keys if k not in recorded)
        return delivered, duplicates, lost
    finally:
        if stop_stream:
            stop_stream()
        box.close()
        client.close()
        double.stop()


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="agentdesk-bench-center-") as tmp:
        for wake, label in ((False, "outbox backoff only"), (True, "outbox woken by the event stream")):
            results = [_one_outage(Path(tmp), wake) for _ in range(RUNS)]
            times = [r[0] for r in results]
            rows.append({
                "name": f"center back -> {ENTRIES} entries made while down delivered ({label}), median",
                "value": round(statistics.median(times), 3),
                "unit": "s",
                "peer": None,
                "peer_value": None,
                "note": f"{RUNS} outages of {DOWN_SECONDS:g} s on loopback; max {max(times):.3f} s",
            })
            rows.append({
                "name": f"entries recorded twice / lost across the outage ({label})",
                "value": sum(r[1] for r in results) + sum(r[2] for r in results),
                "unit": "entries",
                "peer": None,
                "peer_value": None,
                "note": f"duplicates {sum(r[1] for r in results)}, lost {sum(r[2] for r in results)} of {RUNS * ENTRIES}",
            })
        for wake, label in ((False, "outbox backoff only"), (True, "outbox woken by the event stream")):
            seconds, duplicates, lost = _one_outage(Path(tmp), wake, LONG_DOWN_SECONDS)
            rows.append({
                "name": f"center back after a {LONG_DOWN_SECONDS:g} s outage -> entries delivered ({label})",
                "value": round(seconds, 3),
                "unit": "s",
                "peer": None,
                "peer_value": None,
                "note": f"one run; bounded by the backoff cap with jitter (outbox 30 s, event stream 8 s); "
                f"duplicates {duplicates}, lost {lost}",
            })
        # a plain read, for scale
        with CenterDouble() as double:
            client = HttpCenterClient(double.url)
            client.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
            samples = []
            for _ in range(50):
                t = time.perf_counter()
                client.provisioning()
                samples.append((time.perf_counter() - t) * 1000)
            client.close()
        rows.append({
            "name": "GET /v1/provisioning round trip (loopback, keep-alive), median",
            "value": round(statistics.median(samples), 2),
            "unit": "ms",
            "peer": None,
            "peer_value": None,
            "note": "httpx client against the test double",
        })
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']} {row['unit']}  ({row['note']})")
