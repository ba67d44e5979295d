"""The home router forgets an idle UDP mapping after 20 s. After five minutes idle the next customer call still
rings the agent: the engine's keep-alives are sized to the mapping. The same router, the same minutes, an agent
without keep-alives: its call never rings (the INVITE dies at the router). (tests/infra/netrig/idle.py; the idle
time runs alongside the other rig tests.)"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.infra.netrig import PEER_IPS, tones
from tests.infra.netrig.idle import IDLE_S, IdleHome
from tests.infra.netrig.parties import agent_uri, baresip_peer

pytestmark = pytest.mark.sip

RING_WITHIN_S = 3.0  # through a live mapping an INVITE arrives in milliseconds; 3 s allows a loaded machine


@pytest.mark.timeout(IDLE_S + 120)  # the idle time itself, plus the calls
def test_after_five_minutes_idle_the_next_call_still_rings(idle_home: IdleHome, tmp_path: Path) -> None:
    time.sleep(idle_home.idle_left())
    assert idle_home.kept is not None and idle_home.bare is not None
    idle_for = time.monotonic() - idle_home.started_at
    assert idle_for >= IDLE_S - 1, f"idle only {idle_for:.0f} s"
    assert idle_home.kept.find({"event": "network", "state": "public_address"}) == []  # the mapping never moved
    customer = baresip_peer(idle_home.rig, tmp_path, "customer1", PEER_IPS[0], tones.CUSTOMER_HZ)

    kept_mark = idle_home.kept.mark()
    dialed = time.monotonic()
    customer.dial(agent_uri("kept"))
    ringing = idle_home.kept.wait_event({"event": "call", "state": "incoming"}, 10, after=kept_mark)
    assert ringing["_t"] - dialed < RING_WITHIN_S, f"rang after {ringing['_t'] - dialed:.1f} s"
    idle_home.kept.command({"cmd": "reject", "call": ringing["call"], "code": 486})

    bare_mark = idle_home.bare.mark()
    customer.dial(agent_uri("bare"))
    time.sleep(6.0)
    assert idle_home.bare.find({"event": "call", "state": "incoming"}, after=bare_mark) == [], \
        "an agent without keep-alives rang through a forgotten mapping: the router did not time out"
