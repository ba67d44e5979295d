"""An INVITE that bypasses the registrar never rings; srtp: mandatory (over TLS) refuses plain RTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.infra import net
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.sipp import Sipp

pytestmark = pytest.mark.sip


def test_invite_straight_to_engine_port_never_rings(kamailio: Kamailio,
                                                    engine_factory: Callable[..., EngineProcess],
                                                    sipp_factory: Callable[..., Sipp]) -> None:
    eng = engine_factory()
    eng.register("agent1", kamailio)
    assert eng.port
    scanner = sipp_factory("direct_invite.xml", remote=f"127.0.0.1:{eng.port}",
                           args=["-m", "1", "-s", "agent1"])
    assert scanner.run(15) == 0  # refused statelessly (500) before any dialog or media, and no ringing
    refused = eng.wait_event({"event": "security"}, 5)
    assert refused["what"] == "invite_refused" and refused["source"].startswith("127.0.0.1:")
    time.sleep(0.3)
    assert not eng.find({"event": "call"})
    # the same agent still takes calls that come through the registrar
    customer = sipp_factory("customer_call.xml", remote=f"127.0.0.1:{kamailio.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo", "-s", "agent1"]).start()
    incoming = eng.wait_event({"event": "call", "state": "incoming"}, 15)
    eng.command({"cmd": "answer", "call": incoming["call"]})
    assert customer.wait(15) == 0


def test_srtp_mandatory_refuses_plain_rtp(kamailio_tls: Kamailio, engine_factory: Callable[..., EngineProcess],
                                          sipp_factory: Callable[..., Sipp]) -> None:
    """SRTP keys travel only over TLS (docs/security.md): the agent is on TLS, the SIPp customer on UDP."""
    kamailio = kamailio_tls
    eng = engine_factory()
    eng.register("agent1", kamailio, transport="tls", account={"srtp": "mandatory"})
    customer = sipp_factory("customer_call.xml", remote=f"127.0.0.1:{kamailio.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-s", "agent1"])
    assert customer.run(15) != 0
    assert "SIP/2.0 488" in customer.messages()
    assert eng.wait_event({"event": "call_refused"}, 5)["code"] == 488
    assert not eng.find({"event": "call", "state": "incoming"})


def test_srtp_between_two_engines(kamailio_tls: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    agent = engine_factory("agent")
    customer = engine_factory("customer")
    agent.register("agent1", kamailio_tls, transport="tls", account={"srtp": "mandatory"})
    customer.register("cust1", kamailio_tls, transport="tls", account={"srtp": "mandatory"})
    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"})
    time.sleep(0.5)
    stats = agent.command({"cmd": "stats", "call": incoming["call"]})
    assert stats["srtp"] is True and stats["rx_packets"] > 0
    customer.command({"cmd": "hangup", "call": ccall})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"})


def test_direct_invite_over_tcp_never_rings(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
                                            sipp_factory: Callable[..., Sipp]) -> None:
    """Same host as the registrar (loopback), but not the registrar: refused over TCP as well."""
    eng = engine_factory()
    eng.register("agent1", kamailio, transport="tcp")
    scanner = sipp_factory("direct_invite.xml", remote=f"127.0.0.1:{eng.port}",
                           args=["-m", "1", "-s", "agent1", "-t", "t1"])
    assert scanner.run(15) == 0
    eng.wait_event({"event": "security"}, 5)
    assert not eng.find({"event": "call"})
