"""The engine's process contract: JSON Lines in and out, a reply for every command, a clean exit."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.infra.engine import EngineProcess


def test_ready_line_replies_and_quit_within_2s(engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    assert eng.events[0]["event"] == "engine" and eng.events[0]["state"] == "ready"
    assert eng.events[0]["protocol"] == 1
    bad = eng.command({"cmd": "no_such_thing"}, ok=False)
    assert bad["error"] == "unknown command" and bad["cmd"] == "no_such_thing"
    assert "not configured" in eng.command({"cmd": "register"}, ok=False)["error"]
    assert "no such call" in eng.command({"cmd": "hangup", "call": 99}, ok=False)["error"]
    assert eng.command({"cmd": "calls"})["calls"] == []
    # bad input: a clear reply, never a traceback, and the engine keeps going
    assert eng.proc is not None and eng.proc.stdin is not None
    eng.proc.stdin.write(b"this is not json\n{\"no\": \"cmd\", \"id\": 7}\n")
    eng.proc.stdin.flush()
    assert "not JSON" in eng.wait_event({"event": "reply", "id": None})["error"]
    assert "cmd" in eng.reply(7)["error"]
    t0 = time.monotonic()
    eng.send({"cmd": "quit"})
    assert eng.proc.wait(5) == 0
    assert time.monotonic() - t0 < 2.0
    assert not eng.find({"event": "garbage"}), "something other than JSON reached the protocol stream"


def test_exits_on_stdin_eof(engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    eng.command({"cmd": "configure", "account": {"user": "a", "domain": "agentdesk.test",
                                                 "registrars": ["sip:127.0.0.1:9"]},
                 "sip": {"bind": "127.0.0.1", "port": 0, "probe": False}})
    assert eng.proc is not None and eng.proc.stdin is not None
    t0 = time.monotonic()
    eng.proc.stdin.close()  # the parent died
    assert eng.proc.wait(5) == 0
    assert time.monotonic() - t0 < 2.0


def test_configure_rejects_bad_input_clearly(engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    assert "user" in eng.command({"cmd": "configure", "account": {"domain": "x"}}, ok=False)["error"]
    err = eng.command({"cmd": "configure", "account": {"user": "a", "domain": "d", "registrars": ["sip:h"],
                                                       "transport": "carrier-pigeon"}}, ok=False)["error"]
    assert "transport" in err
    err = eng.command({"cmd": "configure", "account": {"user": "a", "domain": "d", "registrars": ["sip:h"]},
                       "audio": {"backend": "files", "play": "/no/such.wav"}}, ok=False)["error"]
    assert "not found" in err
    err = eng.command({"cmd": "configure", "account": {"user": "a", "domain": "d", "registrars": ["sip:h"]},
                       "audio": {"backend": "telepathy"}}, ok=False)["error"]
    assert "backend" in err
