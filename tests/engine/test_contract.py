"""The contract the desk relies on, run against the real engine (Kamailio, real customer and target engines) and
against the tests' fake engine (tests/fakes/fake_engine.py): whatever passes here with the fake is also what the
real engine does. Every line either writes must decode with agentdesk/sip/protocol.py, strictly."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from agentdesk.sip import protocol as P
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio

FAKE_ARGV = [sys.executable, "-m", "tests.fakes.fake_engine"]
CONTEXT = {"X-Contract-Id": "C-1234", "X-Ticket-Id": "T-42"}


class Phone(Protocol):
    """The agent's engine plus whatever plays the far side."""

    agent: EngineProcess

    def ring(self, headers: dict[str, str]) -> dict[str, Any]:
        """A customer calls the agent; returns the agent's ``incoming`` event."""

    def customer_hangs_up(self, call: int) -> None: ...

    def target(self, answers: bool) -> str:
        """The URI of an escalation target that answers (or never does)."""

    def target_answers(self) -> dict[str, str]:
        """The answering target picks up the transferred (or consultation) call; returns the headers it saw."""


class RealPhone:
    def __init__(self, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
        self.kamailio = kamailio
        self.agent = engine_factory("agent")
        self.agent.register("agent1", kamailio)
        self.customer = engine_factory("customer")
        self.customer.register("cust1", kamailio, sip={"transfer_requests": "accept"})  # follows the escalation
        self.escalation = engine_factory("escalation")
        self.escalation.register("esc1", kamailio)
        self.customer_call: int | None = None

    def ring(self, headers: dict[str, str]) -> dict[str, Any]:
        mark = self.agent.mark()
        self.customer_call = self.customer.command({"cmd": "call", "uri": "agent1", "headers": headers})["call"]
        return self.agent.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)

    def customer_hangs_up(self, call: int) -> None:
        self.customer.command({"cmd": "hangup", "call": self.customer_call})

    def target(self, answers: bool) -> str:
        return "esc1" if answers else "nobody-registered"

    def target_answers(self) -> dict[str, str]:
        incoming = self.escalation.wait_event({"event": "call", "state": "incoming"}, 10)
        self.escalation.command({"cmd": "answer", "call": incoming["call"]})
        return dict(incoming.get("headers") or {})


class FakePhone:
    def __init__(self, engine_factory: Callable[..., EngineProcess]) -> None:
        self.agent = engine_factory("fake", argv=FAKE_ARGV)
        self.agent.command({"cmd": "configure", "account": {"user": "agent1", "domain": "agentdesk.test",
                                                              "registrars": ["sip:127.0.0.1:5060"]}})
        mark = self.agent.mark()
        self.agent.command({"cmd": "register"})
        self.agent.wait_event({"event": "registration", "state": "registered"}, 5, after=mark)

    def ring(self, headers: dict[str, str]) -> dict[str, Any]:
        mark = self.agent.mark()
        self.agent.command({"cmd": "fake_incoming", "remote": "<sip:cust1@agentdesk.test>", "headers": headers})
        return self.agent.wait_event({"event": "call", "state": "incoming"}, 5, after=mark)

    def customer_hangs_up(self, call: int) -> None:
        self.agent.command({"cmd": "fake_remote_hangup", "call": call})

    def target(self, answers: bool) -> str:
        return "sip:esc1@agentdesk.test" if answers else "sip:noanswer@agentdesk.test"

    def target_answers(self) -> dict[str, str]:
        sent = self.agent.command({"cmd": "fake_last_transfer"})["transfer"]
        return dict(sent.get("headers") or {})


@pytest.fixture(params=["engine", "fake"])
def phone(request: pytest.FixtureRequest, engine_factory: Callable[..., EngineProcess]) -> Phone:
    if request.param == "engine":
        request.applymarker(pytest.mark.sip)
        kamailio = request.getfixturevalue("kamailio")
        return RealPhone(kamailio, engine_factory)
    return FakePhone(engine_factory)


def typed(eng: EngineProcess) -> list[P.Event]:
    """Every line the engine wrote, decoded strictly: nothing it says is outside the protocol."""
    out = []
    for raw in eng.find(lambda e: e.get("event") not in ("eof",)):
        obj = {k: v for k, v in raw.items() if k != "_t"}
        assert obj.get("event") != "garbage", f"not JSON: {obj}"
        event = P.decode_event(obj)
        assert not isinstance(event, P.UnknownEvent), f"not in the protocol: {obj}"
        out.append(event)
    return out


def answered(phone: Phone) -> int:
    """A customer calls and the agent answers; the agent's call id."""
    call: int = phone.ring({})["call"]
    phone.agent.command({"cmd": "answer", "call": call})
    phone.agent.wait_event({"event": "call", "call": call, "state": "connected"}, 10)
    return call


def test_first_line_and_bad_lines(phone: Phone) -> None:
    eng = phone.agent
    ready = eng.ready_event
    assert ready is not None and ready["state"] == "ready" and ready["protocol"] == P.PROTOCOL_VERSION
    assert isinstance(ready["max_calls"], int)
    assert eng.reply(eng.send({"cmd": "teleport", "id": "t1"}))["error"] == "unknown command"
    wrong = eng.command({"cmd": "answer", "id": "t2", "call": "seven"}, ok=False)
    assert wrong["cmd"] == "answer" and '"call" must be an integer' in wrong["error"]
    assert eng.proc is not None and eng.proc.stdin is not None
    eng.proc.stdin.write(b'{"cmd": \n')
    eng.proc.stdin.flush()
    bad = eng.wait_event(lambda e: e.get("event") == "reply" and e.get("id") is None and not e.get("ok"), 5)
    assert "not JSON" in bad["error"] and "cmd" not in bad
    assert eng.command({"cmd": "hangup", "call": 999}, ok=False)["error"]
    assert all(isinstance(e, P.EngineState | P.Reply | P.Registration) for e in typed(eng))


def test_a_call_from_ringing_to_the_customer_hanging_up(phone: Phone) -> None:
    eng = phone.agent
    incoming = phone.ring(CONTEXT)
    call = incoming["call"]
    assert isinstance(call, int) and not isinstance(call, bool)
    assert incoming["direction"] == "incoming" and incoming["others"] == []
    assert incoming["headers"]["X-Contract-Id"] == "C-1234"
    mark = eng.mark()
    assert eng.command({"cmd": "answer", "call": call})["call"] == call
    eng.wait_event({"event": "call", "call": call, "state": "connected"}, 10, after=mark)
    eng.command({"cmd": "hold", "call": call})
    eng.wait_event({"event": "call", "call": call, "state": "held", "by": "local"}, 10, after=mark)
    eng.command({"cmd": "unhold", "call": call})
    eng.wait_event({"event": "call", "call": call, "state": "connected", "resumed": True}, 10, after=mark)
    assert eng.command({"cmd": "mute"})["muted"] is True
    eng.wait_event({"event": "mute", "muted": True}, 5, after=mark)
    eng.command({"cmd": "unmute"})
    stats = P.decode_event(eng.command({"cmd": "stats", "call": call}) | {"event": "reply"})
    assert isinstance(stats, P.Reply) and stats.result_as(P.Stats).call == call
    listed = eng.command({"cmd": "calls"})
    assert [(c["call"], c["state"]) for c in listed["calls"]] == [(call, "connected")]
    phone.customer_hangs_up(call)
    ended = eng.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    assert ended["code"] == 200 and isinstance(ended["duration"], float)
    assert eng.command({"cmd": "hangup", "call": call}, ok=False)["error"] == f"no such call: {call}"
    assert eng.command({"cmd": "calls"})["calls"] == []
    typed(eng)


def test_a_ringing_call_refused(phone: Phone) -> None:
    eng = phone.agent
    call = phone.ring({})["call"]
    mark = eng.mark()
    eng.command({"cmd": "reject", "call": call, "code": 486})
    ended = eng.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    assert ended["code"] == 486
    assert eng.command({"cmd": "reject", "call": call, "code": 486}, ok=False)["error"]
    typed(eng)


def test_blind_escalation_carries_the_context_and_frees_the_agent(phone: Phone) -> None:
    eng = phone.agent
    call = answered(phone)
    mark = eng.mark()
    reply = eng.command({"cmd": "transfer", "call": call, "target": phone.target(answers=True), "headers": CONTEXT})
    assert reply["call"] == call
    seen = phone.target_answers()
    assert seen["X-Contract-Id"] == "C-1234" and seen["X-Ticket-Id"] == "T-42"
    eng.wait_event({"event": "transfer", "call": call, "final": True, "code": 200}, 15, after=mark)
    eng.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    typed(eng)


def test_an_escalation_nobody_answers_leaves_the_customer_with_the_agent(phone: Phone) -> None:
    eng = phone.agent
    call = answered(phone)
    mark = eng.mark()
    eng.command({"cmd": "transfer", "call": call, "target": phone.target(answers=False), "headers": CONTEXT})
    final = eng.wait_event({"event": "transfer", "call": call, "final": True}, 15, after=mark)
    assert final["code"] >= 300
    assert [c["call"] for c in eng.command({"cmd": "calls"})["calls"]] == [call]
    assert not eng.find({"event": "call", "call": call, "state": "ended"}, after=mark)
    eng.command({"cmd": "hangup", "call": call})
    eng.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    typed(eng)


def test_warm_escalation_consults_then_hands_the_customer_over(phone: Phone) -> None:
    eng = phone.agent
    call = answered(phone)
    mark = eng.mark()
    reply = eng.command({"cmd": "consult", "call": call, "uri": phone.target(answers=True), "headers": CONTEXT})
    consult = reply["call"]
    assert isinstance(consult, int) and consult != call and reply["consult_for"] == call
    eng.wait_event({"event": "call", "call": consult, "state": "calling", "consult_for": call}, 10, after=mark)
    eng.wait_event({"event": "call", "call": call, "state": "held", "by": "local"}, 10, after=mark)
    assert phone.target_answers()["X-Contract-Id"] == "C-1234"
    eng.wait_event({"event": "call", "call": consult, "state": "connected"}, 10, after=mark)
    eng.command({"cmd": "complete_transfer", "call": call, "consult": consult})
    eng.wait_event({"event": "transfer", "call": call, "final": True, "code": 200}, 15, after=mark)
    eng.wait_event({"event": "call", "call": call, "state": "ended"}, 10, after=mark)
    eng.wait_event({"event": "call", "call": consult, "state": "ended"}, 10, after=mark)
    assert eng.command({"cmd": "calls"})["calls"] == []
    typed(eng)
