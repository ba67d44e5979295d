"""Registrar failover: the primary dies mid-shift, the backup takes over within 5 s, and back."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.infra import net
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.sipp import Sipp

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def test_primary_killed_backup_within_5s_call_through_backup_then_back(
        kamailio_factory: Callable[..., Kamailio], engine_factory: Callable[..., EngineProcess],
        sipp_factory: Callable[..., Sipp]) -> None:
    primary = kamailio_factory()
    backup = kamailio_factory()
    eng = engine_factory()
    ev = eng.register("agent1", [primary, backup])
    assert ev["registrar"] == primary.uri_for("udp")
    time.sleep(1.5)  # a few probes: both registrars known alive
    mark = eng.mark()
    killed_at = time.monotonic()
    primary.stop(kill=True)  # the center dies without a goodbye
    ev = eng.wait_event({"event": "registration", "state": "registered", "registrar": backup.uri_for("udp")},
                        8, after=mark)
    failover_s = ev["_t"] - killed_at
    assert failover_s <= 5.0, f"failover took {failover_s:.2f} s"
    # a customer reaches the agent through the backup
    customer = sipp_factory("customer_call.xml", remote=f"127.0.0.1:{backup.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo", "-s", "agent1"]).start()
    incoming = eng.wait_event({"event": "call", "state": "incoming"}, 15, after=mark)
    eng.command({"cmd": "answer", "call": incoming["call"]})
    eng.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10)
    eng.wait_event({"event": "call", "call": incoming["call"], "state": "ended"}, 15)
    assert customer.wait(15) == 0
    # the primary recovers: the engine moves back
    mark = eng.mark()
    primary.start(primary.port)
    ev = eng.wait_event({"event": "registration", "state": "registered", "registrar": primary.uri_for("udp")},
                        15, after=mark)
    assert ev["primary"] is True
    # moving is seamless for the agent: no "unregistered" or "failed" on the way back
    assert not eng.find(lambda e: e.get("event") == "registration"
                        and e.get("state") in ("unregistered", "failed"), after=mark)
