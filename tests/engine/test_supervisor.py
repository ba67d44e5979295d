"""The supervisor restarts a killed engine, re-applies its configuration and reports the calls lost."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentdesk.sip import protocol as P
from agentdesk.sip.supervisor import EngineSupervisor
from tests.infra import net
from tests.infra.engine import ROOT, account_config, matches
from tests.infra.kamailio import Kamailio
from tests.infra.sipp import Sipp

pytestmark = pytest.mark.sip


class Events:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.cond = threading.Condition()

    def __call__(self, event: P.Event) -> None:
        with self.cond:
            self.items.append(event.to_json())  # the supervisor delivers typed events
            self.cond.notify_all()

    def wait(self, want: Any, timeout: float = 10.0, after: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.items[after:]:
                    if matches(e, want):
                        return e
                if time.monotonic() > deadline:
                    raise AssertionError(f"no event {want} within {timeout}s: {self.items[after:][-12:]}")
                self.cond.wait(0.2)

    def mark(self) -> int:
        with self.cond:
            return len(self.items)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def supervisor(request: pytest.FixtureRequest) -> Any:
    made: list[EngineSupervisor] = []

    def make(events: Events, **kw: Any) -> EngineSupervisor:
        sup = EngineSupervisor(events, env=_env(), **kw)
        made.append(sup)
        from tests.conftest import attach_log

        attach_log(request, "supervised engine stderr", lambda: "\n".join(sup.stderr_tail))
        return sup

    yield make
    for sup in made:
        sup.stop()


def test_kill_9_restart_reregisters_and_reports_lost_calls(
        kamailio: Kamailio, supervisor: Callable[..., EngineSupervisor],
        sipp_factory: Callable[..., Sipp]) -> None:
    events = Events()
    sup = supervisor(events)
    sup.start()
    events.wait({"event": "engine", "state": "ready"}, 15)
    first = sup.request(P.decode_command(account_config("agent1", kamailio)))
    assert first.ok
    sup.send(P.Register())
    events.wait({"event": "registration", "state": "registered"})
    customer = sipp_factory("customer_call.xml", remote=f"127.0.0.1:{kamailio.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo", "-s", "agent1"]).start()
    incoming = events.wait({"event": "call", "state": "incoming"}, 15)
    assert sup.request(P.Answer(call=incoming["call"])).ok
    events.wait({"event": "call", "state": "connected"})
    old_pid = sup.pid
    assert old_pid is not None
    mark = events.mark()
    os.kill(old_pid, signal.SIGKILL)
    died = events.wait({"event": "engine", "state": "died"}, 10, after=mark)
    assert died["code"] == -signal.SIGKILL
    restarted = events.wait({"event": "engine", "state": "restarted"}, 20, after=mark)
    assert restarted["lost_calls"] == [incoming["call"]]
    events.wait({"event": "registration", "state": "registered"}, 15, after=mark)
    assert sup.pid != old_pid and sup.running()
    again = events.wait(lambda e: e.get("event") == "reply" and e.get("cmd") == "configure", after=mark)
    assert again["ok"] and again["port"] == first.result["port"]  # the registrar's old contact stays right
    assert sup.request(P.ListCalls()).result["calls"] == []
    customer.stop()


def test_gives_up_after_max_restarts(supervisor: Callable[..., EngineSupervisor], tmp_path: Path) -> None:
    events = Events()
    crash = tmp_path / "crash.py"
    crash.write_text("import sys\nprint('{\"event\": \"engine\", \"state\": \"ready\", \"protocol\": 1}')\n"
                     "sys.exit(3)\n")
    sup = supervisor(events, argv=[sys.executable, str(crash)], max_restarts=2)
    sup.start()
    failed = events.wait({"event": "engine", "state": "failed"}, 20)
    assert failed["restarts"] == 2
    assert len([e for e in events.items if e.get("state") == "died"]) == 3
    rep = sup.request(P.ListCalls(), timeout=2)
    assert rep.ok is False and "not running" in (rep.error or "")


def test_stop_is_quick(supervisor: Callable[..., EngineSupervisor]) -> None:
    events = Events()
    sup = supervisor(events)
    sup.start()
    events.wait({"event": "engine", "state": "ready"}, 15)
    t0 = time.monotonic()
    sup.stop()
    assert time.monotonic() - t0 < 2.5
    assert not sup.running()
    assert not [e for e in events.items if e.get("state") in ("died", "restarted")]
