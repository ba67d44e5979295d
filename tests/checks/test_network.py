"""The network check against a real Kamailio answering OPTIONS, and against silence."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from agentdesk.checks.base import CheckContext
from agentdesk.checks.network import NetworkCheck, grade, probe
from agentdesk.sip import quality
from tests.infra import net
from tests.infra.kamailio import Kamailio

pytestmark = pytest.mark.sip


def test_kamailio_answers_every_probe(kamailio: Kamailio) -> None:
    samples: list[tuple[int, float]] = []
    ctx = CheckContext(center_host=kamailio.host, center_port=kamailio.port, probe_count=20,
                       on_progress=lambda name, f, s: samples.append((s["seq"], s["rtt_ms"])) if s else None)
    r = NetworkCheck().execute(ctx)
    assert r.status == "pass", r.to_json()
    d = r.details
    assert d["probes"] == 20 and d["answered"] == 20 and d["loss_percent"] == 0
    assert d["response_codes"] == {"200": 20}
    assert 0 < d["rtt_ms"] < 50  # loopback, even on a loaded machine
    assert d["rtt_min_ms"] <= d["rtt_ms"] <= d["rtt_max_ms"]
    assert len(d["samples_ms"]) == 20 and all(s is not None for s in d["samples_ms"])
    assert sorted(i for i, _ in samples) == list(range(20))  # every sample reached the chart
    expected = quality.estimate(d["rtt_ms"], d["jitter_ms"], 0.0)
    assert d["mos"] == pytest.approx(expected.mos, abs=0.01) and d["mos"] > 4.2
    assert r.duration_s < 5


def test_nothing_listening_fails_quickly() -> None:
    port = net.free_port()
    t0 = time.monotonic()
    r = NetworkCheck().execute(CheckContext(center_host="127.0.0.1", center_port=port, probe_count=5))
    assert r.status == "fail" and r.details["answered"] == 0
    assert "応答がありません" in r.summary.ja
    assert time.monotonic() - t0 < 4


def test_unresolvable_center_fails_with_a_message() -> None:
    r = NetworkCheck().execute(CheckContext(center_host="no-such-host.invalid", probe_count=2))
    assert r.status == "fail" and r.remedy is not None


def test_no_center_configured_is_skipped_not_passed() -> None:
    assert NetworkCheck().execute(CheckContext()).status == "skipped"


@pytest.fixture
def lossy_responder() -> Iterator[tuple[int, list[int]]]:
    """A UDP SIP responder on loopback that drops every third request and delays the others by 80 ms +- 40."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.1)
    stop = threading.Event()
    seen: list[int] = []

    def serve() -> None:
        n = 0
        while not stop.is_set():
            try:
                data, addr = s.recvfrom(4096)
            except OSError:
                continue
            n += 1
            seen.append(n)
            if n % 3 == 0:
                continue
            text = data.decode()
            via = next(line for line in text.split("\r\n") if line.lower().startswith("via:"))
            delay = 0.04 if n % 2 else 0.12
            reply = f"SIP/2.0 200 OK\r\n{via}\r\nContent-Length: 0\r\n\r\n".encode()
            threading.Timer(delay, lambda r=reply, a=addr: s.sendto(r, a)).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield s.getsockname()[1], seen
    stop.set()
    t.join(2)
    s.close()


def test_loss_and_jitter_are_measured(lossy_responder: tuple[int, list[int]]) -> None:
    port, seen = lossy_responder
    run, _ = probe("127.0.0.1", port, count=12, interval_s=0.02, timeout_s=0.6)
    assert len(seen) == 12
    assert len(run.received) == 8 and run.round_trip_loss_percent == pytest.approx(100 * 4 / 12)
    assert run.loss_percent == pytest.approx(100 * (1 - (8 / 12) ** 0.5))  # one way, on a symmetric line
    assert run.rtt_jitter_ms is not None and run.rtt_jitter_ms > 40  # alternating 40 / 120 ms
    assert run.jitter_ms == pytest.approx(run.rtt_jitter_ms / 2 ** 0.5)
    r = NetworkCheck().execute(CheckContext(center_host="127.0.0.1", center_port=port, probe_count=12,
                                            probe_interval_s=0.02))
    assert r.status == "fail" and r.remedy is not None


def test_grade_thresholds() -> None:
    good = quality.estimate(20, 2, 0)
    assert grade(20, 2, 0, good) == "pass"
    assert grade(150, 2, 0, quality.estimate(150, 2, 0)) == "warn"
    assert grade(20, 35, 0, quality.estimate(20, 35, 0)) == "warn"
    assert grade(20, 2, 2, quality.estimate(20, 2, 2)) == "warn"
    assert grade(450, 2, 0, quality.estimate(450, 2, 0)) == "fail"
    assert grade(20, 2, 6, quality.estimate(20, 2, 6)) == "fail"
