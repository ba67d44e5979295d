"""An agent at home behind a NAT router: registration, a customer's call and the escalation, with audio checked
at both ends (tones), over UDP and TCP, with a media relay at the center (rtpengine) and without one (a center
that sends RTP where the SDP says: the customer and the Tier-2 desk are baresip, which never latches), and over
TLS without a relay (the engine's TLS relay learns the public address; pjsua never sees the registrar's Via)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.infra import net
from tests.infra.engine import EngineProcess
from tests.infra.netrig import PEER_IPS, PUBLIC_IPS, Rig, tones
from tests.infra.netrig.parties import agent_uri, baresip_peer, hears, newest, start_agent

pytestmark = pytest.mark.sip


@pytest.mark.parametrize(("transport", "relay"), [("udp", False), ("tcp", False), ("udp", True), ("tcp", True),
                                                 ("tls", False)],
                         ids=["udp-direct", "tcp-direct", "udp-relay", "tcp-relay", "tls-direct"])
def test_call_and_escalation_behind_nat_audio_both_ways(
        transport: str, relay: bool, rig_factory: Callable[..., Rig],
        engine_factory: Callable[..., EngineProcess], tmp_path: Path) -> None:
    rig = rig_factory(relay=relay, tls=transport == "tls")
    # over TLS, SRTP is mandatory by default; the customers and Tier-2 (baresip on UDP) offer plain RTP
    agent, heard = start_agent(rig, engine_factory, tmp_path, transport=transport,
                               srtp="optional" if transport == "tls" else None)
    customer = baresip_peer(rig, tmp_path, "customer1", PEER_IPS[0], tones.CUSTOMER_HZ)
    tier2 = baresip_peer(rig, tmp_path, "tier2", PEER_IPS[1], tones.TIER2_HZ)

    customer.dial(agent_uri())
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10)
    stats = agent.command({"cmd": "stats", "call": incoming["call"]})
    assert stats["local_rtp"].startswith(PUBLIC_IPS[0] + ":"), stats  # the SDP carries the public address
    ok, level = hears(lambda: heard, tones.CUSTOMER_HZ)
    assert ok, f"the agent does not hear the customer ({level} dBFS): one-way audio"
    ok, level = hears(newest(customer), tones.AGENT_HZ)
    assert ok, f"the customer does not hear the agent ({level} dBFS)"

    # consult Tier-2 (an outgoing call through the NAT): both hear each other, the customer waits on hold
    mark = agent.mark()
    consult = agent.command({"cmd": "consult", "call": incoming["call"],
                             "uri": f"sip:tier2@{PEER_IPS[1]}:5060"})["call"]
    agent.wait_event({"event": "call", "call": consult, "state": "connected"}, 10, after=mark)
    ok, level = hears(lambda: heard, tones.TIER2_HZ)
    assert ok, f"the agent does not hear Tier-2 ({level} dBFS)"
    ok, level = hears(newest(tier2), tones.AGENT_HZ)
    assert ok, f"Tier-2 does not hear the agent ({level} dBFS)"
    agent.command({"cmd": "cancel_transfer", "call": incoming["call"], "consult": consult})
    agent.wait_event({"event": "call", "call": consult, "state": "ended"}, 10, after=mark)
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected", "resumed": True}, 10,
                     after=mark)

    # the escalation button: the customer goes to Tier-2 with the call's context. (baresip's sndfile names a
    # call's recording by the second it started: the customer's call must not start in the consultation's second.)
    consult_recording = newest(tier2)()
    time.sleep(1.1)
    agent.command({"cmd": "transfer", "call": incoming["call"], "target": f"sip:tier2@{PEER_IPS[1]}:5060",
                   "headers": {"X-Escalation-Ticket": "T-17"}})
    done = agent.wait_event(lambda e: e.get("event") == "transfer" and e.get("final"), 15, after=mark)
    assert 200 <= done["code"] < 300, done
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"}, 10, after=mark)
    assert net.wait_until(lambda: newest(tier2)() != consult_recording, 5), "Tier-2 got no call from the customer"
    ok, level = hears(newest(tier2), tones.CUSTOMER_HZ)
    assert ok, f"Tier-2 does not hear the transferred customer ({level} dBFS)"
    ok, level = hears(newest(customer), tones.TIER2_HZ)
    assert ok, f"the transferred customer does not hear Tier-2 ({level} dBFS)"
    # The context reaches Tier-2 in the customer's INVITE: as a header from UAs that turn Refer-To's URI headers
    # into headers (pjsua does), in the Request-URI from baresip 1.0, which keeps them there.
    invite = re.search(r"INVITE sip:tier2@\S*X-Escalation-Ticket=T-17 SIP/2.0|\nX-Escalation-Ticket: T-17",
                       tier2.log())
    assert invite, "the customer's INVITE at Tier-2 lacks the escalation ticket"


def test_private_sdp_without_relay_is_one_way(rig_factory: Callable[..., Rig],
                                              engine_factory: Callable[..., EngineProcess], tmp_path: Path) -> None:
    """The field problem, reproduced: with the SDP's private address (sdp_address local) and no relay the
    customer's audio never reaches the agent. Proves the rig catches what the first test guards against."""
    rig = rig_factory(relay=False)
    agent, heard = start_agent(rig, engine_factory, tmp_path, sdp_address="local")
    customer = baresip_peer(rig, tmp_path, "customer1", PEER_IPS[0], tones.CUSTOMER_HZ)
    customer.dial(agent_uri())
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10)
    assert hears(newest(customer), tones.AGENT_HZ)[0], "the customer should hear the agent"
    ok, level = hears(lambda: heard, tones.CUSTOMER_HZ, timeout=4.0)
    assert not ok, f"the agent heard the customer ({level} dBFS) through a private SDP address"
    assert agent.command({"cmd": "stats", "call": incoming["call"]})["rx_packets"] == 0
