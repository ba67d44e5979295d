"""Fuzzing the engine's JSON Lines input (issue 16): whatever line arrives on stdin, the engine answers it (exactly
one reply per line, or a "bad" reply), keeps running, and keeps taking calls. Hypothesis, derandomized with a
bounded number of examples so CI time stays fixed (~1 min); one real engine registered at a real Kamailio."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.sip import protocol as P
from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import Kamailio

pytestmark = [pytest.mark.sip, pytest.mark.slow]

EXAMPLES = 400
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\ud800", "\udfff", "\x00", "\n"]),
               max_size=40) | st.sampled_from(["", "sip:" + "9" * 900 + "@x", "<>", "sip:a@b;transport=tls",
                                                "agent1", "0312345678", "sip:%00@x", "*#ABCD" * 20])
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | \
    st.floats(allow_nan=False, allow_infinity=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=12)
# Commands the engine knows, with fields of any type: the typed protocol and the handlers must refuse, not crash.
# configure, unregister and quit are left out: they would end the registration the last test relies on, or the run.
NAMES = sorted(set(P.COMMAND_TYPES) - {"configure", "quit", "unregister"})
fields = st.dictionaries(st.sampled_from(["call", "uri", "target", "headers", "digits", "code", "method", "mode",
                                          "text", "consult", "duration", "agent", "customer", "previous",
                                          "address", "role", "action", "tone", "name", "rescan"]) | text,
                         values, max_size=5)
commands = st.builds(lambda name, body: {**body, "cmd": name}, st.sampled_from(NAMES) | text, fields)


def _line(cmd: dict[str, Any]) -> bytes:
    return json.dumps(cmd, ensure_ascii=True).encode() + b"\n"  # \ud800 travels as an escape, as JSON allows


# a line that is only whitespace (str.isspace counts \x1c-\x1f too) is skipped without a reply, as documented
garbage = st.binary(max_size=200).filter(lambda b: b"\n" not in b and b.decode("utf-8", "replace").strip()) | \
    st.sampled_from([
    b"[" * 5000 + b"]" * 5000, b'{"cmd":', b"\xff\xfe\xfd", b"null", b"1e999999", b'{"cmd": "calls", "id": 1e400}',
    b'{"cmd": "call", "uri": "' + b"a" * 300_000 + b'"}', b'"\\ud800"'])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, kamailio_module: Kamailio) -> Iterator[EngineProcess]:
    eng = EngineProcess(tmp_path_factory.mktemp("fuzz-engine"), name="fuzzed").start()
    eng.command(account_config("agent1", kamailio_module, sip={"stats_interval": 0}))
    mark = eng.mark()
    eng.command({"cmd": "register"})
    eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
    yield eng
    eng.stop()


@pytest.fixture(scope="module")
def kamailio_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    k = Kamailio(workdir=tmp_path_factory.mktemp("fuzz-kamailio")).start()
    yield k
    k.stop()


def _replies_to(eng: EngineProcess, raw: bytes, ids: list[Any]) -> None:
    assert eng.proc is not None and eng.proc.stdin is not None
    mark = eng.mark()
    eng.proc.stdin.write(raw)
    eng.proc.stdin.flush()
    done = eng.send({"cmd": "calls"})  # a sentinel: once it is answered, every earlier line has been
    eng.reply(done, 10)
    got = eng.find(lambda e: e.get("event") == "reply", after=mark)
    assert eng.alive()
    assert not eng.find({"event": "garbage"}, after=mark)
    lines = raw.count(b"\n")  # every line gets exactly one reply, and so does the sentinel
    assert len(got) == lines + 1, (raw[:300], got)
    for rid in ids:
        assert any(e.get("id") == rid for e in got), (rid, got)
    internal = [e for e in got if str(e.get("error", "")).startswith("internal error")]
    assert internal == [], (raw[:300], internal)  # refused with a reason, not by an exception nobody foresaw


def _hangup_all(eng: EngineProcess) -> None:
    for call in eng.command({"cmd": "calls"})["calls"]:
        eng.send({"cmd": "hangup", "call": call["call"]})


@FUZZ
@given(cmd=commands)
def test_any_command_gets_exactly_one_reply(engine: EngineProcess, cmd: dict[str, Any]) -> None:
    cmd = dict(cmd, id=f"f-{abs(hash(json.dumps(cmd, sort_keys=True, default=str)))}")
    _replies_to(engine, _line(cmd), [cmd["id"]])
    _hangup_all(engine)


@FUZZ
@given(raw=garbage)
def test_any_line_that_is_not_a_command_gets_a_reply_and_the_engine_reads_on(engine: EngineProcess,
                                                                             raw: bytes) -> None:
    _replies_to(engine, raw + b"\n", [])


def test_after_the_fuzzing_the_engine_still_takes_a_call(engine: EngineProcess, kamailio_module: Kamailio,
                                                         tmp_path: Path) -> None:
    customer = EngineProcess(tmp_path, name="customer").start()
    try:
        customer.register("cust1", kamailio_module)
        mark = engine.mark()
        customer.command({"cmd": "call", "uri": "agent1"})
        incoming = engine.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
        engine.command({"cmd": "answer", "call": incoming["call"]})
        engine.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10, after=mark)
    finally:
        customer.stop()

