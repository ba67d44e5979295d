"""The supervisor's restart budget against a crash loop (issue 16): an engine that aborts a moment after each
restart, as the engine of 3a9e0b5 did for every INVITE without SDP a scanner sent (six in ten seconds exhausted
the budget). The supervisor restarts with growing pauses, re-applies configure each time, gives up with a clear
``failed`` event after ``max_restarts`` deaths within a minute, and then spawns nothing more."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Any

from agentdesk.sip import protocol as P
from tests.engine.test_supervisor import Events, supervisor  # noqa: F401 (the fixture)

CRASHER = r'''
import json, os, sys, time
print(json.dumps({"event": "engine", "state": "ready", "protocol": 1, "pid": os.getpid(), "max_calls": 4}),
      flush=True)
deadline = time.monotonic() + 5
for line in sys.stdin:
    cmd = json.loads(line)
    print(json.dumps({"event": "reply", "id": cmd.get("id"), "cmd": cmd.get("cmd"), "ok": True, "port": 5062}),
          flush=True)
    if cmd.get("cmd") == "register":
        time.sleep(0.2)
        os.abort()  # like pjsua's assertion: SIGABRT
    if time.monotonic() > deadline:
        break
os.abort()
'''


def test_a_crash_loop_exhausts_the_budget_then_stops_cleanly(supervisor: Any, tmp_path: Path) -> None:  # noqa: F811
    crash = tmp_path / "crasher.py"
    crash.write_text(CRASHER)
    events = Events()
    sup = supervisor(events, argv=[sys.executable, str(crash)], max_restarts=5)
    start = time.monotonic()
    sup.start()
    sup.send(P.Configure(account={"user": "agent1", "domain": "x", "registrars": ["sip:127.0.0.1:5060"]}))
    sup.send(P.Register())
    failed = events.wait({"event": "engine", "state": "failed"}, 30)
    took = time.monotonic() - start
    died = [e for e in events.items if e.get("state") == "died"]
    restarted = [e for e in events.items if e.get("state") == "restarted"]
    assert failed["restarts"] == 5 and len(died) == 6
    assert all(e["code"] == -signal.SIGABRT for e in died)
    assert len(restarted) == 5  # each restart re-applied configure and register (which is what crashed it)
    assert took < 20, took  # backoff 0.2 s doubling: ~6 s of pauses, not a minute of flapping
    generation = sup.generation
    time.sleep(1.0)
    assert sup.generation == generation and not sup.running()  # nothing more is spawned after "failed"
    rep = sup.request(P.ListCalls(), timeout=2)
    assert rep.ok is False and "not running" in (rep.error or "")
