"""The durable outbox: allow-listed kinds only, no personal data, in order, never twice, across a real kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agentdesk.center.http import HttpCenterClient
from agentdesk.center.outbox import Outbox, OutboxRefused, screen_text
from tests.center.outbox_child import wrap_up
from tests.fakes.center_double import CenterDouble

ROOT = Path(__file__).resolve().parents[2]


def child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.center.outbox_child", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def kill9(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_lives_in_the_user_data_directory(isolated_user_dirs: Path) -> None:
    box = Outbox()
    assert box.path.parent == isolated_user_dirs / "data"
    box.close()


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("customer", {"name": "山田太郎"}),
        ("wrap_up", {"call_id": "c1", "code": "resolved", "customer_name": "山田太郎"}),
        ("wrap_up", {"call_id": "c1", "code": "resolved", "note": "折り返し先 090-1234-5678"}),
        ("wrap_up", {"call_id": "c1", "code": "resolved", "note": "連絡先 ０３－１２３４－５６７８"}),
        ("wrap_up", {"call_id": "c1", "code": "resolved", "note": "taro@example.jp に送付"}),
        ("wrap_up", {"call_id": "c1", "code": "resolved", "note": "〒980-0021 仙台市"}),
        ("wrap_up", {"call_id": "山田様の電話", "code": "resolved"}),
        ("wrap_up", {"code": "resolved"}),
        ("state_change", {"state": "sleeping", "at": "2026-11-22T10:00:00+09:00"}),
        ("self_check", {"report_id": "r", "overall": "pass", "checks": [{"name": "x", "status": "pass", "who": "me"}]}),
    ],
)
def test_refuses_anything_outside_the_allow_list(kind: str, payload: dict[str, object]) -> None:
    box = Outbox()
    with pytest.raises(OutboxRefused) as info:
        box.enqueue(kind, payload)
    assert info.value.message.ja and info.value.message.en
    assert box.counts() == {"pending": 0, "delivered": 0, "rejected": 0}
    raw = box.path.read_bytes() + (box.path.with_name(box.path.name + "-wal").read_bytes()
                                    if box.path.with_name(box.path.name + "-wal").exists() else b"")
    assert "山田".encode() not in raw and b"1234" not in raw
    box.close()


def test_the_database_itself_rejects_unknown_kinds() -> None:
    box = Outbox()
    db = sqlite3.connect(box.path)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO outbox (idempotency_key, kind, payload, created_at) VALUES ('k', 'customer', '{}', 0)")
    db.close()
    box.close()


def test_sip_call_ids_are_accepted_as_call_ids() -> None:
    box = Outbox()
    box.enqueue("wrap_up", {"call_id": "a84b4c76e66710@pc33.example.com", "code": "", "script_path": []})
    with pytest.raises(OutboxRefused):
        box.enqueue("wrap_up", {"call_id": "09012345678", "code": "", "script_path": []})
    box.close()


def test_screen_allows_ordinary_notes() -> None:
    assert not screen_text("ONU のランプ消灯。再起動で復旧。10:15 完了、所要 12 分。")
    assert not screen_text("プラン 1G、2026-11-22 に訪問予定")


def test_delivers_in_order_and_sets_refused_entries_aside(double: CenterDouble, client: HttpCenterClient) -> None:
    box = Outbox()
    keys = [box.enqueue("wrap_up", wrap_up(0))]
    keys.append(box.enqueue("work_log", {"date": "2026-11-22", "calls": 4, "talk_seconds": 1800.5}))
    keys += [box.enqueue("wrap_up", wrap_up(i)) for i in (1, 2)]
    double.faults.status_500 = 1  # the center stumbles once on the first entry
    double.faults.only_path = "/v1/wrap-ups"
    client.max_attempts = 1
    first = box.deliver(client)
    assert first.delivered == 0 and first.stopped_by is not None and first.stopped_by.retryable
    second = box.deliver(client)
    assert second.delivered == 4 and second.stopped_by is None
    assert [r.key for r in double.records] == keys
    assert box.counts()["pending"] == 0


def test_a_permanent_refusal_does_not_block_the_queue(double: CenterDouble, client: HttpCenterClient) -> None:
    box = Outbox()
    box.enqueue("wrap_up", wrap_up(1), idempotency_key="used-key")
    box.enqueue("wrap_up", wrap_up(2))
    double.idempotency["used-key"] = ("something else", 201, {})  # the center refuses (422) for good
    result = box.deliver(client)
    assert result.rejected == 1 and result.delivered == 1
    [refused] = box.rejected()
    assert refused.key == "used-key" and "別の内容" in (refused.last_error or "")


def test_an_entry_made_while_the_center_is_down_is_delivered_when_it_is_back(
    double: CenterDouble, client: HttpCenterClient
) -> None:
    box = Outbox()
    double.stop()
    key = box.enqueue("availability", {"week_start": "2026-12-07", "slots": [{"date": "2026-12-07", "start": "10:00", "end": "17:00"}]})
    box.start(client, backoff_base=0.05, backoff_cap=0.3)
    try:
        time.sleep(0.5)
        assert box.counts()["pending"] == 1 and (box.entry(key).attempts or 0) >= 1  # type: ignore[union-attr]
        double.start()
        deadline = time.monotonic() + 10
        while box.counts()["pending"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert box.counts() == {"pending": 0, "delivered": 1, "rejected": 0}
        assert [r.key for r in double.records] == [key]
    finally:
        box.close()


@pytest.mark.slow
def test_entries_survive_kill_9_while_the_center_is_down(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    proc = child("enqueue", str(db), "200")
    stored: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len(stored) < 25 and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            stored.append(line.split()[2])
        assert len(stored) >= 25, proc.stderr.read() if proc.stderr else ""
    finally:
        kill9(proc)
    box = Outbox(db)
    assert box._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    pending = box.pending()
    keys = [e.key for e in pending]
    assert keys[: len(stored)] == stored  # everything the app confirmed is there, in order
    with CenterDouble() as double:
        client = HttpCenterClient(double.url, backoff_base=0.01)
        client.sign_in("agent-001", "double-secret")
        result = box.deliver(client)
        assert result.stopped_by is None
        assert [r.key for r in double.records] == keys
        assert [r.payload["call_id"] for r in double.records] == [f"call-{i:04d}" for i in range(len(keys))]
    box.close()


@pytest.mark.slow
def test_kill_9_during_delivery_never_records_an_entry_twice(tmp_path: Path) -> None:
    db = tmp_path / "outbox.sqlite3"
    box = Outbox(db)
    keys = [box.enqueue("wrap_up", wrap_up(i)) for i in range(40)]
    box.close()
    with CenterDouble() as double:
        double.faults.delay = 0.03  # each write takes a moment, so the kill lands mid-request
        proc = child("deliver", str(db), double.url)
        try:
            deadline = time.monotonic() + 60
            while len(double.records) < 10 and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(double.records) >= 10, proc.stderr.read() if proc.stderr else ""
        finally:
            kill9(proc)
        time.sleep(0.1)  # a request in flight at the kill may still be recorded by the center
        double.faults.delay = 0
        box = Outbox(db)
        client = HttpCenterClient(double.url, backoff_base=0.01)
        client.sign_in("agent-001", "double-secret")
        assert box.deliver(client).stopped_by is None
        recorded = [r.key for r in double.records]
        assert recorded == keys  # all, in order, each exactly once
        assert len(set(recorded)) == len(recorded)
        box.close()


def test_a_self_check_report_as_the_checks_area_makes_it_is_accepted() -> None:
    """agentdesk.checks: the report's to_json (with report.py's additions) fits the contract's SelfCheck."""
    from agentdesk.checks.base import CheckResult
    from agentdesk.checks.report import to_json
    from agentdesk.checks.runner import Report
    from agentdesk.i18n import Text

    line = CheckResult(name="line", status="pass",
                       summary=Text(ja="03-1234-5678 は固定電話の番号です。", en="03-1234-5678 is a fixed line."),
                       details={"line_type": "fixed_line", "normalized": "+81312345678", "national": "03-1234-5678"})
    report = Report(results=[line], started=datetime.now(UTC), duration_s=1.5)
    box = Outbox()
    payload = to_json(report)
    key = box.enqueue("self_check", payload)
    assert box.entry(key).payload["checks"][0]["details"]["national"] == "03-1234-5678"  # type: ignore[union-attr]
    box.close()


def test_timestamps_are_times_not_phone_numbers() -> None:
    """A timestamp whose microseconds start with 0 ("…21.025138+00:00") once matched the phone-number screen."""
    from agentdesk.center.outbox import validate

    validate("state_change", {"state": "ready", "at": "2026-11-22T12:40:21.025138+00:00"})
    validate("availability", {"week_start": "2026-12-07",
                              "slots": [{"date": "2026-12-07", "start": "10:00", "end": "17:00"}]})
    with pytest.raises(OutboxRefused):  # a time field holds a time, and nothing else
        validate("state_change", {"state": "ready", "at": "090-1234-5678"})
    with pytest.raises(OutboxRefused):  # free text is still screened
        validate("wrap_up", {"call_id": "c1", "code": "resolved", "note": "折り返し 090-1234-5678",
                             "script_path": []})


def test_generated_identifiers_with_digit_runs_are_not_phone_numbers() -> None:
    """A report id such as a UUID with a run like "-0123456" once read as a phone number (found by CI)."""
    from agentdesk.center.outbox import validate

    validate("self_check", {"report_id": "3f2a0c1e-0123456a-4b1d", "overall": "pass", "checks": []})
    validate("wrap_up", {"call_id": "c1", "contract_id": "C-0123-4567", "code": "resolved", "script_path": []})
    with pytest.raises(OutboxRefused):  # the whole value a phone number: still refused
        validate("self_check", {"report_id": "090-1234-5678", "overall": "pass", "checks": []})
