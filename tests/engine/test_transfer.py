"""Blind transfer (escalation) with context headers; attended transfer is in test_attended.py."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.infra import net
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.sipp import Sipp

pytestmark = pytest.mark.sip

ESCALATION_HEADERS = {"X-Escalation-Ticket": "T-42", "X-Contract-Id": "C-1234"}


def connected_pair(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]
                   ) -> tuple[EngineProcess, EngineProcess, int, int]:
    """A customer (a second engine) calls the agent, who answers. Returns (agent, customer, agent's call id,
    customer's call id)."""
    agent = engine_factory("agent")
    customer = engine_factory("customer")
    agent.register("agent1", kamailio)
    customer.register("cust1", kamailio, sip={"transfer_requests": "accept"})  # the center lets it follow REFER
    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    assert "cust1@" in incoming["remote"]
    agent.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"})
    return agent, customer, incoming["call"], ccall


def test_blind_transfer_carries_escalation_headers_and_referred_by(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
        sipp_factory: Callable[..., Sipp]) -> None:
    target = sipp_factory("escalation_target.xml", args=["-m", "1", "-mp", str(net.free_port())]).start()
    agent, customer, acall, ccall = connected_pair(kamailio, engine_factory)
    assert agent.command({"cmd": "stats", "call": acall})["codec"] == "G722/16000"  # wideband by default
    mark = agent.mark()
    rep = agent.command({"cmd": "transfer", "call": acall, "target": f"sip:escalation@127.0.0.1:{target.port}",
                         "headers": ESCALATION_HEADERS})
    assert "X-Escalation-Ticket=T-42" in rep["target"]
    final = agent.wait_event({"event": "transfer", "call": acall, "final": True}, 10, after=mark)
    assert final["code"] == 200
    agent.wait_event({"event": "call", "call": acall, "state": "ended"}, 10, after=mark)
    assert agent.command({"cmd": "calls"})["calls"] == []  # the agent is free
    # the customer now talks to the escalation target
    new = customer.wait_event(lambda e: e.get("event") == "call" and e.get("transferred_from") == ccall, 10)
    customer.wait_event({"event": "call", "call": new["call"], "state": "connected"}, 10)
    time.sleep(0.3)
    customer.command({"cmd": "hangup", "call": new["call"]})
    assert target.wait(15) == 0  # the target's scenario checked the headers and Referred-By


def test_transfer_to_busy_target_keeps_the_customer(kamailio: Kamailio,
                                                    engine_factory: Callable[..., EngineProcess],
                                                    sipp_factory: Callable[..., Sipp]) -> None:
    busy = sipp_factory("busy_target.xml", args=["-m", "1"]).start()
    agent, customer, acall, ccall = connected_pair(kamailio, engine_factory)
    mark = agent.mark()
    agent.command({"cmd": "transfer", "call": acall, "target": f"sip:busy@127.0.0.1:{busy.port}"})
    final = agent.wait_event({"event": "transfer", "call": acall, "final": True}, 15, after=mark)
    assert final["code"] == 486
    calls = agent.command({"cmd": "calls"})["calls"]
    assert [c["call"] for c in calls] == [acall]  # the customer is still with the agent
    agent.command({"cmd": "hangup", "call": acall})
    customer.wait_event({"event": "call", "call": ccall, "state": "ended"}, 10)
    assert busy.wait(10) == 0
