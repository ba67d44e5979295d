"""A full practice call, end to end, with real engines: the practice center's customer (a second engine playing
the scenario's Japanese speech) calls the agent's engine through the practice SIP proxy; the agent answers, hears
the customer, looks up the contract, escalates with the ticket in a header, the practice target answers, and the
wrap-up is graded."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from agentdesk.center.api import CenterEvent
from agentdesk.center.practice.center import PracticeCenter
from tests.infra.engine import EngineProcess

pytestmark = pytest.mark.slow


class Events:
    def __init__(self) -> None:
        self.items: list[CenterEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: CenterEvent) -> None:
        with self.cond:
            self.items.append(event)
            self.cond.notify_all()

    def wait(self, kind: str, timeout: float = 15.0) -> CenterEvent:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [e for e in self.items if e.kind == kind]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                assert left > 0, f"no {kind} event; got {[e.kind for e in self.items]}"
                self.cond.wait(left)


@pytest.fixture
def practice() -> Iterator[PracticeCenter]:
    center = PracticeCenter()
    yield center
    center.close()


def speech_seconds(path: Path, frame_ms: int = 20) -> float:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    n = rate * frame_ms // 1000
    frames = pcm[: len(pcm) // n * n].reshape(-1, n)
    rms = np.sqrt((frames**2).mean(axis=1))
    return float((rms > 300).sum() * frame_ms / 1000)


def test_practice_call_end_to_end(
    practice: PracticeCenter, engine_factory: Callable[..., EngineProcess], tmp_path: Path
) -> None:
    events = Events()
    stop = practice.events(events)
    try:
        provisioning = practice.sign_in("trainee", "")
        assert provisioning.practice and provisioning.sip is not None
        sip = provisioning.sip
        # the agent's engine, configured from provisioning exactly as the app does, hearing into a file
        heard = tmp_path / "agent-heard.wav"
        agent = engine_factory("agent")
        agent.command({
            "cmd": "configure",
            "account": {"user": sip.user, "domain": sip.domain, "registrars": sip.registrars, "srtp": sip.srtp},
            "sip": {"bind": "127.0.0.1", "port": 0},
            "audio": {"backend": "files", "record": str(heard)},
        })
        mark = agent.mark()
        agent.command({"cmd": "register"})
        agent.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)

        call_id = practice.start_call("line_fault_escalate")
        assert events.wait("practice_call").data["contract_id"] == "C-1004"
        incoming = agent.wait_event({"event": "call", "state": "incoming"}, 15)
        assert incoming["headers"]["X-AgentDesk-Contract"] == "C-1004"
        assert incoming["headers"]["X-AgentDesk-Practice"] == call_id
        contract = practice.contract(incoming["headers"]["X-AgentDesk-Contract"])
        assert contract.line_type == "FTTH"

        agent.command({"cmd": "answer", "call": incoming["call"]})
        agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10)
        events.wait("practice_call_connected")
        first_line = events.wait("practice_line", timeout=10)
        assert "使えなく" in first_line.data["text"]
        time.sleep(3.5)  # the customer's first line (2 s lead-in, about 3 s of speech)

        ticket = practice.open_escalation_ticket({"contract_id": contract.contract_id, "call_id": call_id})
        target = provisioning.escalation_targets[0]
        mark = agent.mark()
        agent.command({"cmd": "transfer", "call": incoming["call"], "target": target.uri,
                       "headers": {"X-AgentDesk-Ticket": ticket, "X-AgentDesk-Contract": contract.contract_id}})
        answered = events.wait("practice_escalation_answered", timeout=15)
        assert answered.data["headers"]["X-AgentDesk-Ticket"] == ticket
        assert "Referred-By" in answered.data["headers"]
        agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"}, 10, after=mark)

        practice.submit("wrap_up", {
            "call_id": call_id, "contract_id": contract.contract_id, "code": "escalated", "escalated": True,
            "ticket_id": ticket, "practice": True,
            "script_path": practice.calls[call_id].expected_script_path,
        }, "wrap-1")
        result = events.wait("practice_result")
        assert result.data["passed"] is True and result.data["path_score"] == 1.0

        # a second practice call right after: a fresh customer, from its first line; the agent hangs up
        second = practice.start_call("no_internet_onu")
        incoming2 = agent.wait_event(lambda e: e.get("event") == "call" and e.get("state") == "incoming"
                                     and e["headers"].get("X-AgentDesk-Practice") == second, 15)
        assert incoming2["headers"]["X-AgentDesk-Contract"] == "C-1001"
        agent.command({"cmd": "answer", "call": incoming2["call"]})
        agent.wait_event({"event": "call", "call": incoming2["call"], "state": "connected"}, 10)
        deadline = time.monotonic() + 10
        while not any(e.kind == "practice_line" and e.data["call_id"] == second for e in events.items):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        agent.command({"cmd": "hangup", "call": incoming2["call"]})
        deadline = time.monotonic() + 10
        while not any(e.kind == "practice_call_ended" and e.data["call_id"] == second for e in events.items):
            assert time.monotonic() < deadline, [e.kind for e in events.items]
            time.sleep(0.05)

        agent.stop()  # a clean quit finishes the recording's WAV header
        assert speech_seconds(heard) > 1.0  # the agent really heard the customer's speech
    finally:
        stop()
