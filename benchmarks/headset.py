"""Headset call controls: report descriptor parse time (peer: hid-tools on the same descriptor), and the time from
a button press on the headset to the engine's ``headset`` event (the real engine process, the hidapi stand-in).

    python -m benchmarks --only headset

Recorded descriptors are used when they are on this machine (tests/headset/README.md), the synthetic one always.
The press latency includes the stand-in's file polling (5 ms steps) and the engine loop's quiet wait (50 ms).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from agentdesk.sip.headset.descriptor import parse
from agentdesk.sip.headset.telephony import controls_from_bytes
from tests.headset import synthetic
from tests.headset.recordings import RECORDINGS, folder
from tests.headset.reports import input_report
from tests.headset.standin import StandinFolder
from tests.infra.engine import EngineProcess


def _descriptors() -> list[tuple[str, bytes]]:
    out = [("synthetic", synthetic.headset())]
    d = folder()
    if d is not None:
        out += [(r.file, (d / r.file).read_bytes()) for r in RECORDINGS if (d / r.file).is_file()]
    return out


def _per_call_us(fn, data: bytes, rounds: int = 200) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    for _ in range(rounds):
        fn(data)
    return (time.perf_counter() - t0) / rounds * 1e6


def _press_latency(presses: int = 16) -> list[float]:
    import os

    descriptor = synthetic.headset()
    c = controls_from_bytes(descriptor)
    with tempfile.TemporaryDirectory() as tmp:
        hid = StandinFolder(Path(tmp) / "hid")
        hid.plug("headset", descriptor, 0x1234, 1, "Benchmark Headset")
        eng = EngineProcess(Path(tmp), env={**os.environ, **hid.env()}, name="bench-headset").start()
        try:
            eng.command({"cmd": "configure", "account": {"user": "bench", "domain": "agentdesk.test",
                                                         "registrars": ["sip:127.0.0.1:5999"]},
                         "sip": {"bind": "127.0.0.1", "port": 0, "probe": False}, "headset": {"enabled": True}})
            eng.wait_event({"event": "headset", "state": "found"}, 10)
            out = []
            for i in range(presses):
                time.sleep(0.2 if i % 2 else 2.5)  # half after a quiet spell (the engine loop's slow pace)
                mark = eng.mark()
                t0 = time.monotonic()
                hid.send("headset", input_report(c, phone_mute=1))
                ev = eng.wait_event({"event": "headset", "state": "button", "pressed": True}, 5, after=mark)
                out.append((ev["_t"] - t0) * 1000)
                hid.send("headset", input_report(c, phone_mute=0))
                eng.wait_event({"event": "headset", "state": "button", "pressed": False}, 5, after=mark)
            return out
        finally:
            eng.stop()


def run() -> list[dict]:
    from hidtools.hid import ReportDescriptor

    rows = []
    ours, theirs = [], []
    for _name, data in _descriptors():
        ours.append(_per_call_us(parse, data))
        theirs.append(_per_call_us(ReportDescriptor.from_bytes, data, rounds=50))
    rows.append({"name": f"parse a report descriptor (mean of {len(ours)})", "value": round(statistics.mean(ours), 1),
                 "unit": "us", "peer": "hid-tools", "peer_value": round(statistics.mean(theirs), 1),
                 "note": "recorded headsets + synthetic" if len(ours) > 1 else "synthetic only (no recordings here)"})
    lat = sorted(_press_latency())
    rows.append({"name": "headset press to engine event, p50", "value": round(statistics.median(lat), 1),
                 "unit": "ms", "peer": None, "peer_value": None, "note": f"{len(lat)} presses, stand-in device"})
    rows.append({"name": "headset press to engine event, max", "value": round(lat[-1], 1), "unit": "ms",
                 "peer": None, "peer_value": None, "note": "includes the engine loop's 50 ms quiet wait"})
    return rows
