"""DTMF by SIP INFO through Kamailio, engine to engine: twelve digits in one command arrive complete and in order
(one INFO transaction at a time; pjsua's own sendDtmf sent them all at once and Kamailio's two UDP workers could
reorder them, about 1 run in 15 under load). RFC 4733 stays the default method."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio

pytestmark = pytest.mark.sip

DIGITS = "0123456789*#"


def test_info_digits_arrive_in_order_and_rfc4733_is_the_default(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    customer = engine_factory("customer")
    customer.register("cust1", kamailio)
    agent = engine_factory("agent")
    agent.register("agent1", kamailio)
    call = agent.command({"cmd": "call", "uri": "cust1"})["call"]
    incoming = customer.wait_event({"event": "call", "state": "incoming"}, 10)
    customer.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": call, "state": "connected"}, 10)
    mark = customer.mark()
    reply = agent.command({"cmd": "dtmf", "call": call, "digits": DIGITS, "method": "info"})
    assert reply["queued"] == len(DIGITS)
    customer.wait_event(lambda e: e.get("event") == "dtmf" and e.get("digit") == "#", 15, after=mark)
    got = customer.find({"event": "dtmf"}, after=mark)
    assert "".join(e["digit"] for e in got) == DIGITS
    assert {e["method"] for e in got} == {"info"}
    mark = customer.mark()
    agent.command({"cmd": "dtmf", "call": call, "digits": "5"})  # no method: RFC 4733
    five = customer.wait_event({"event": "dtmf", "digit": "5"}, 5, after=mark)
    assert five["method"] == "rfc4733"
    agent.command({"cmd": "hangup", "call": call})
    agent.wait_event({"event": "call", "call": call, "state": "ended"}, 10)
