"""The line misbehaves during a call: the home router restarts with a new public address, the link is cut for 10 s
and for 2 s, or longer than the call can wait. The agent is told, the registration comes back within 5 s of the
link, and the call gets its audio back (checked at both ends) or ends with a clear cause: never a call that looks
connected and is silent. The customer is baresip without a media relay: it keeps sending where the SDP said."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.infra.baresip import Baresip
from tests.infra.engine import EngineProcess
from tests.infra.netrig import PEER_IPS, PUBLIC_IPS, Rig, tones
from tests.infra.netrig.parties import agent_uri, baresip_peer, hears, newest, start_agent

pytestmark = pytest.mark.sip

REREGISTER_WITHIN_S = 5.0  # the bound from the link returning to registered
TOLD_WITHIN_S = 3.0  # media_gap 1.5 s + the watch's 0.25 s look + margin for a loaded machine


def _call_in_progress(rig: Rig, engine_factory: Callable[..., EngineProcess], workdir: Path,
                      transport: str = "udp", **sip: Any) -> tuple[EngineProcess, Path, Baresip, int]:
    agent, heard = start_agent(rig, engine_factory, workdir, transport=transport, **sip)
    customer = baresip_peer(rig, workdir, "customer1", PEER_IPS[0], tones.CUSTOMER_HZ)
    customer.dial(agent_uri())
    call = agent.wait_event({"event": "call", "state": "incoming"}, 10)["call"]
    agent.command({"cmd": "answer", "call": call})
    agent.wait_event({"event": "call", "call": call, "state": "connected"}, 10)
    assert hears(lambda: heard, tones.CUSTOMER_HZ)[0] and hears(newest(customer), tones.AGENT_HZ)[0]
    return agent, heard, customer, call


def _registered_after(agent: EngineProcess, mark: int, since: float) -> float:
    """Seconds from ``since`` to the first ``registered`` event after ``mark`` that came after ``since``."""
    ev = agent.wait_event(lambda e: e.get("event") == "registration" and e.get("state") == "registered"
                          and e["_t"] >= since, REREGISTER_WITHIN_S + 5, after=mark)
    return ev["_t"] - since


def _audio_back(agent: EngineProcess, heard: Path, customer: Baresip, call: int) -> None:
    ok, level = hears(lambda: heard, tones.CUSTOMER_HZ, timeout=8)
    assert ok, f"the agent does not hear the customer again ({level} dBFS)"
    ok, level = hears(newest(customer), tones.AGENT_HZ, timeout=8)
    assert ok, f"the customer does not hear the agent again ({level} dBFS)"
    assert agent.command({"cmd": "calls"})["calls"][0]["state"] == "connected"
    assert agent.find({"event": "call", "call": call, "state": "ended"}) == []


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_router_restart_with_new_public_address_during_a_call(
        transport: str, rig_factory: Callable[..., Rig], engine_factory: Callable[..., EngineProcess],
        tmp_path: Path) -> None:
    rig = rig_factory()
    agent, heard, customer, call = _call_in_progress(rig, engine_factory, tmp_path, transport)
    mark = agent.mark()
    cut_at = time.monotonic()
    new_ip = rig.restart_router(down_s=3.0)  # returns when the router is up again
    back_at = time.monotonic()
    assert new_ip == PUBLIC_IPS[1]
    told = agent.wait_event({"event": "media", "call": call, "state": "interrupted"}, 5, after=mark)
    assert told["_t"] - cut_at < TOLD_WITHIN_S
    took = _registered_after(agent, mark, back_at)
    assert took < REREGISTER_WITHIN_S, f"re-registered {took:.1f} s after the router came back"
    moved = agent.wait_event({"event": "network", "state": "public_address"}, 5, after=mark)
    assert moved["address"].startswith(new_ip + ":")
    agent.wait_event({"event": "media", "call": call, "state": "restored"}, 10, after=mark)
    _audio_back(agent, heard, customer, call)
    stats = agent.command({"cmd": "stats", "call": call})
    assert stats["local_rtp"].startswith(new_ip + ":"), stats  # re-INVITEd: the SDP names the new address


@pytest.mark.parametrize("cut_s", [10.0, 2.0])
def test_link_cut_during_a_call_agent_told_call_resumes(
        cut_s: float, rig_factory: Callable[..., Rig], engine_factory: Callable[..., EngineProcess],
        tmp_path: Path) -> None:
    rig = rig_factory()
    agent, heard, customer, call = _call_in_progress(rig, engine_factory, tmp_path)
    mark = agent.mark()
    cut_at = time.monotonic()
    rig.cut()
    time.sleep(cut_s)
    rig.restore()
    back_at = time.monotonic()
    told = agent.wait_event({"event": "media", "call": call, "state": "interrupted"}, 5, after=mark)
    assert told["_t"] - cut_at < TOLD_WITHIN_S
    restored = agent.wait_event({"event": "media", "call": call, "state": "restored"}, 10, after=mark)
    assert cut_s - 1.0 <= restored["gap_s"] <= cut_s + 3.0, restored  # the gap the agent heard
    _audio_back(agent, heard, customer, call)
    if agent.find({"event": "registration", "state": "failed"}, after=mark):  # the probes noticed the cut
        took = _registered_after(agent, mark, back_at)
        assert took < REREGISTER_WITHIN_S, f"re-registered {took:.1f} s after the link came back"


def test_link_down_longer_than_the_call_can_wait_ends_it_with_a_cause(
        rig_factory: Callable[..., Rig], engine_factory: Callable[..., EngineProcess], tmp_path: Path) -> None:
    rig = rig_factory()
    agent, _heard, _customer, call = _call_in_progress(rig, engine_factory, tmp_path, media_timeout=4)
    mark = agent.mark()
    rig.cut()
    try:
        lost = agent.wait_event({"event": "media", "call": call, "state": "lost"}, 10, after=mark)
        ended = agent.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    finally:
        rig.restore()
    assert lost["silent_s"] >= 4.0
    assert ended["cause"] == "media_timeout"
    assert agent.command({"cmd": "calls"})["calls"] == []
