"""The agent session state machine, without Qt or an engine: a fake clock and a list as the outbox."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agentdesk.agent.draft import DraftStore
from agentdesk.agent.escalation import context_headers, decode_value, encode_value
from agentdesk.agent.session import AgentSession, AgentState, Call, SessionError
from agentdesk.center import outbox
from tests.fakes.fake_center import provisioning


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


class Log:
    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str):
        return lambda *args: self.entries.append((name, *args))


def make(tmp_path: Path, **prov: Any) -> tuple[AgentSession, list[tuple[str, dict[str, Any]]], Clock, Log]:
    out: list[tuple[str, dict[str, Any]]] = []
    clock = Clock()
    worklog = Log()
    s = AgentSession(provisioning(**prov), lambda k, p: out.append((k, p)), worklog=worklog,
                     drafts=DraftStore(tmp_path / "draft.json"), clock=clock)
    return s, out, clock, worklog


def test_start_ready_call_wrap_up_end(tmp_path: Path) -> None:
    s, out, clock, worklog = make(tmp_path)
    assert s.state == AgentState.OFFLINE
    with pytest.raises(SessionError):
        s.set_ready()  # not working yet
    s.start_work()
    s.set_ready()
    assert s.incoming(Call("7", contract_id="C-1", call_ref="abc"))
    assert s.state == AgentState.RINGING
    clock.now += 5
    s.answered("7")
    assert s.state == AgentState.ON_CALL
    with pytest.raises(SessionError):
        s.end_work()  # not during a call
    s.update_call(note="メモ")
    assert s.drafts.load().note == "メモ"  # saved while still on the call
    clock.now += 120
    s.ended("7")
    assert s.state == AgentState.AFTER_CALL_WORK
    assert s.talk_seconds_today == 120
    with pytest.raises(SessionError) as err:
        s.submit_wrap_up()
    assert "コード" in err.value.message.ja
    s.edit_wrap_up(code="resolved")
    s.submit_wrap_up()
    assert s.state == AgentState.READY
    assert not s.drafts.path.exists()
    s.end_work()
    assert s.state == AgentState.OFFLINE
    kinds = [k for k, _ in out]
    assert kinds.count("wrap_up") == 1
    wrap = next(p for k, p in out if k == "wrap_up")
    assert wrap["call_id"] == "abc" and wrap["code"] == "resolved" and "contract_id" not in wrap
    assert wrap["talk_seconds"] == 120
    for kind, payload in out:
        outbox.validate(kind, payload)  # everything the session writes fits the durable outbox
    names = [e[0] for e in worklog.entries]
    assert names == ["start_work", "record_call", "end_work"]
    call = worklog.entries[1]
    assert isinstance(call[1], datetime) and call[4] == "inbound" and call[5] is False


def test_draft_survives_a_kill_and_is_restored(tmp_path: Path) -> None:
    s, _, clock, _ = make(tmp_path)
    s.start_work()
    s.set_ready()
    s.incoming(Call("1"))
    s.answered("1")
    clock.now += 30
    s.ended("1")
    s.edit_wrap_up(code="callback", note="再起動後に確認")
    del s  # the app is killed here
    again, out, _, _ = make(tmp_path)
    assert again.state == AgentState.AFTER_CALL_WORK
    assert again.wrap_up.code == "callback" and again.wrap_up.note == "再起動後に確認"
    again.submit_wrap_up()
    assert [p["note"] for k, p in out if k == "wrap_up"] == ["再起動後に確認"]


def test_a_broken_draft_does_not_stop_the_app(tmp_path: Path) -> None:
    (tmp_path / "draft.json").write_text("{not json", encoding="utf-8")
    s, _, _, _ = make(tmp_path)
    assert s.state == AgentState.OFFLINE
    assert (tmp_path / "draft.broken").exists()


def test_break_overrun_is_noticed_once(tmp_path: Path) -> None:
    s, _, clock, worklog = make(tmp_path)
    seen: list[bool] = []
    s.subscribe(lambda snap: seen.append(snap.break_overrun))
    s.start_work()
    s.start_break(s.find_reason("short"))  # 10 minutes allowed
    clock.now += 9 * 60
    s.tick()
    assert not s.break_overrun
    clock.now += 2 * 60
    s.tick()
    s.tick()
    assert s.break_overrun
    assert seen.count(True) == 1  # noticed once, not every second
    s.set_ready()
    assert not s.break_overrun
    assert [e[0] for e in worklog.entries] == ["start_work", "start_break", "end_break"]


def test_after_call_work_returns_to_ready_automatically(tmp_path: Path) -> None:
    s, _, clock, _ = make(tmp_path, wrap_up_required=False, after_call_work_seconds=30)
    s.start_work()
    s.set_ready()
    s.incoming(Call("1"))
    s.answered("1")
    s.ended("1")
    clock.now += 29
    s.tick()
    assert s.state == AgentState.AFTER_CALL_WORK
    assert s.after_call_work_left() == pytest.approx(1)
    clock.now += 2
    s.tick()
    assert s.state == AgentState.READY


def test_auto_ready_waits_for_a_required_code(tmp_path: Path) -> None:
    s, _, clock, _ = make(tmp_path, wrap_up_required=True, after_call_work_seconds=10)
    s.start_work()
    s.set_ready()
    s.incoming(Call("1"))
    s.answered("1")
    s.ended("1")
    clock.now += 60
    s.tick()
    assert s.state == AgentState.AFTER_CALL_WORK  # nothing is submitted without the required code


def test_only_a_ready_agent_rings_and_a_missed_call_goes_back(tmp_path: Path) -> None:
    s, _, _, worklog = make(tmp_path)
    assert not s.incoming(Call("1"))  # offline
    s.start_work()
    assert not s.incoming(Call("1"))  # not ready
    s.set_ready()
    assert s.incoming(Call("2"))
    s.ended("2")
    assert s.state == AgentState.READY and s.calls_today == 0
    assert worklog.entries[-1][0] == "record_call" and worklog.entries[-1][2] is None


def test_header_values_are_ascii_and_round_trip() -> None:
    assert encode_value("C-2024-00042") == "C-2024-00042"
    note = "ONUのランプが赤; 再起動済み"
    enc = encode_value(note)
    assert enc.isascii() and enc.startswith("pct:") and decode_value(enc) == note
    headers = context_headers({"contract_id": "C-1", "script_path": ["接続", "ONU"], "note": "", "ticket_id": "T-1"})
    assert set(headers) == {"X-Contract-Id", "X-Script-Path", "X-Ticket-Id"}
    assert decode_value(headers["X-Script-Path"]) == "接続/ONU"
    long = encode_value("あ" * 1000)
    assert len(long) <= 600 and decode_value(long) == "あ" * ((len(long) - 4) // 9)


def test_a_refused_wrap_up_keeps_the_draft(tmp_path: Path) -> None:
    def submit(kind: str, payload: dict[str, Any]) -> None:
        outbox.validate(kind, payload)  # the real outbox's screening

    s = AgentSession(provisioning(), submit, drafts=DraftStore(tmp_path / "d.json"), clock=Clock())
    s.start_work()
    s.set_ready()
    s.incoming(Call("1"))
    s.answered("1")
    s.ended("1")
    s.edit_wrap_up(code="resolved", note="お客様の番号 03-1234-5678")
    with pytest.raises(SessionError) as err:
        s.submit_wrap_up()
    assert err.value.message.ja
    assert s.state == AgentState.AFTER_CALL_WORK and DraftStore(tmp_path / "d.json").load().note
    s.edit_wrap_up(note="折り返し不要")
    s.submit_wrap_up()
    assert s.state == AgentState.READY
