"""The work log: sessions, breaks, calls, a crash-left-open session, month sums, the incentive, CSV."""

from __future__ import annotations

import csv
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from agentdesk.agent.worklog import WorkLog
from agentdesk.availability.calendar_jp import JST


def at(day: int, hh: int, mm: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hh, mm, tzinfo=JST)


@pytest.fixture
def wl(tmp_path: Path) -> WorkLog:
    log = WorkLog(tmp_path / "wl.sqlite3")
    yield log
    log.close()


def test_default_location_is_the_data_dir(isolated_user_dirs: Path) -> None:
    with WorkLog() as log:
        assert log.path == isolated_user_dirs / "data" / "worklog.sqlite3"
        assert log.path.exists()


def test_session_with_breaks_and_calls(wl: WorkLog) -> None:
    wl.start_work(at(2, 10))
    wl.record_call(at(2, 10, 5), at(2, 10, 6), at(2, 10, 16))  # 10 min talk
    wl.record_call(at(2, 10, 20), None, at(2, 10, 21))  # missed
    wl.start_break(at(2, 12), reason="lunch")
    wl.end_break(at(2, 13))
    wl.record_call(at(2, 14), at(2, 14), at(2, 14, 30), direction="outbound", escalated=True)
    wl.end_work(at(2, 17))
    d = wl.day(date(2026, 12, 2))
    assert d.worked_seconds == 6 * 3600 and d.break_seconds == 3600
    assert d.calls == 2 and d.talk_seconds == 40 * 60 and d.missed_calls == 1
    assert d.escalated_calls == 1 and d.outbound_calls == 1
    assert wl.day(date(2026, 12, 3)).worked_seconds == 0
    assert not wl.is_working()


def test_naive_and_foreign_times_are_japanese_time(wl: WorkLog, tmp_path: Path) -> None:
    wl.start_work(datetime(2026, 12, 2, 10, 0))  # naive: Japanese local time
    wl.end_work(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))  # 12:00 in Japan
    assert wl.day(date(2026, 12, 2)).worked_seconds == 2 * 3600
    rows = sqlite3.connect(wl.path).execute("SELECT start, end FROM sessions").fetchall()
    assert rows == [("2026-12-02T10:00:00+09:00", "2026-12-02T12:00:00+09:00")]


def test_no_customer_data_columns(wl: WorkLog) -> None:
    db = sqlite3.connect(wl.path)
    cols = {r[1] for r in db.execute("PRAGMA table_info(calls)")}
    assert cols == {"id", "started", "answered", "ended", "direction", "escalated"}


def test_out_of_order_clicks_are_ignored(wl: WorkLog) -> None:
    wl.end_work(at(2, 9))
    wl.end_break(at(2, 9))
    wl.start_break(at(2, 9))
    wl.start_work(at(2, 10))
    wl.start_break(at(2, 11))
    wl.start_break(at(2, 11, 30))  # second break while on break: ignored
    wl.end_break(at(2, 12))
    wl.end_break(at(2, 12, 30))
    wl.end_work(at(2, 13))
    wl.end_work(at(2, 14))  # already ended: ignored
    d = wl.day(date(2026, 12, 2))
    assert (d.worked_seconds, d.break_seconds) == (2 * 3600, 3600)
    with pytest.raises(ValueError):
        wl.record_call(at(2, 10), None, at(2, 10, 1), direction="sideways")


def test_a_session_left_open_by_a_crash_is_closed_at_the_last_evidence(tmp_path: Path) -> None:
    path = tmp_path / "wl.sqlite3"
    first = WorkLog(path)
    first.start_work(at(2, 10))
    first.record_call(at(2, 11), at(2, 11), at(2, 11, 20))
    first.heartbeat(at(2, 12, 30))
    first.start_break(at(2, 12, 0))  # a break begun and never ended
    del first  # the app dies: no end_work, no close
    second = WorkLog(path)
    assert second.is_working()  # still open until the agent starts again
    second.start_work(at(3, 10))
    assert second.last_recovery is not None
    assert second.last_recovery.closed_at == at(2, 12, 30)
    assert "12:30" in second.last_recovery.message.ja and "12:30" in second.last_recovery.message.en
    d = second.day(date(2026, 12, 2))
    assert d.worked_seconds == 2 * 3600 and d.break_seconds == 30 * 60
    second.end_work(at(3, 11))
    assert second.day(date(2026, 12, 3)).worked_seconds == 3600
    row = sqlite3.connect(path).execute("SELECT closed_by FROM sessions ORDER BY start").fetchall()
    assert row == [("recovered",), ("agent",)]
    second.close()


def test_open_session_without_evidence_closes_at_its_start(tmp_path: Path) -> None:
    with WorkLog(tmp_path / "wl.sqlite3") as before_crash:
        before_crash.start_work(at(2, 10))
    with WorkLog(tmp_path / "wl.sqlite3") as wl:
        wl.start_work(at(2, 15))
        assert wl.last_recovery is not None and wl.last_recovery.closed_at == at(2, 10)
        wl.end_work(at(2, 16))
        assert wl.day(date(2026, 12, 2)).worked_seconds == 3600


def test_a_second_start_in_the_same_run_is_a_double_click(wl: WorkLog) -> None:
    wl.start_work(at(2, 10))
    wl.start_work(at(2, 10, 30))
    assert wl.last_recovery is None
    wl.end_work(at(2, 12))
    assert wl.day(date(2026, 12, 2)).worked_seconds == 2 * 3600


def test_an_open_session_counts_up_to_now(wl: WorkLog) -> None:
    wl.start_work(at(2, 10))
    assert wl.day(date(2026, 12, 2), now_at=at(2, 10, 45)).worked_seconds == 45 * 60


def test_a_session_over_midnight_is_split_between_days(wl: WorkLog) -> None:
    wl.start_work(at(31, 23))
    wl.end_work(at(1, 1, month=1, year=2027))
    assert wl.day(date(2026, 12, 31)).worked_seconds == 3600
    assert wl.day(date(2027, 1, 1)).worked_seconds == 3600
    assert wl.month(2026, 12).worked_seconds == 3600 and wl.month(2027, 1).worked_seconds == 3600


def test_month_sums_and_the_65_hour_minimum(wl: WorkLog) -> None:
    for day in range(1, 14):  # 13 days x 5 h = 65 h
        wl.start_work(at(day, 10))
        wl.start_break(at(day, 12))
        wl.end_break(at(day, 12, 30))
        wl.record_call(at(day, 13), at(day, 13, 1), at(day, 13, 11))
        wl.end_work(at(day, 15, 30))
    m = wl.month(2026, 12)
    assert m.worked_seconds == 65 * 3600 and m.meets_minimum and m.minimum_hours == 65
    assert m.calls == 13 and m.talk_seconds == 13 * 600 and len(m.days) == 31
    assert m.days[0].worked_seconds == 5 * 3600 and m.days[20].worked_seconds == 0
    wl.start_work(at(14, 10))
    wl.end_work(at(14, 10, 1))
    short = WorkLog(wl.path)
    assert short.month(2026, 11).meets_minimum is False
    short.close()


def test_incentive(wl: WorkLog) -> None:
    first = date(2026, 9, 15)
    wl.record_call(at(20, 10, month=9), at(20, 10, month=9), at(20, 10, 5, month=9))
    for i in range(50):
        t = at(1, 10, month=10) + timedelta(hours=i * 7)
        wl.record_call(t, t, t + timedelta(minutes=3))
    for i in range(49):
        t = at(1, 10, month=11) + timedelta(hours=i * 7)
        wl.record_call(t, t, t + timedelta(minutes=3))
    wl.record_call(at(5, 10, month=11), None, at(5, 10, 1, month=11))  # missed: does not count
    status = wl.incentive(first, today=date(2026, 12, 2))
    got = [(m.month, m.required, m.actual, m.met, m.finished) for m in status.months]
    assert got == [(9, 1, 1, True, True), (10, 50, 50, True, True), (11, 50, 49, False, True),
                   (12, 50, 0, False, False)]
    assert not status.met and status.lost and status.first_month == date(2026, 9, 1)


def test_csv_export(wl: WorkLog, tmp_path: Path) -> None:
    wl.start_work(at(2, 10))
    wl.record_call(at(2, 10, 5), at(2, 10, 6), at(2, 10, 16), escalated=True)
    wl.end_work(at(2, 12, 30))
    out = tmp_path / "log.csv"
    wl.export_csv(out, date(2026, 12, 1), date(2026, 12, 3))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel on Japanese Windows reads UTF-8
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][0] == "日付" and len(rows) == 5
    assert rows[2] == ["2026-12-02", "2.50", "9000", "0", "1", "600", "0", "1", "0"]
    assert rows[-1][0] == "合計" and rows[-1][2] == "9000"
    wl.export_csv(out, date(2026, 12, 2), date(2026, 12, 2), language="en")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["date", "worked_hours"] and rows[-1][0] == "total"


def test_threads_can_record_at_once(wl: WorkLog) -> None:
    wl.start_work(at(2, 10))

    def worker(n: int) -> None:
        for i in range(20):
            t = at(2, 11) + timedelta(minutes=n * 20 + i)
            wl.record_call(t, t, t + timedelta(seconds=30))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert wl.day(date(2026, 12, 2), now_at=at(2, 13)).calls == 80


def test_center_payload_for_the_outbox(wl: WorkLog) -> None:
    wl.start_work(at(2, 10))
    wl.record_call(at(2, 10, 5), at(2, 10, 6), at(2, 10, 16))
    wl.start_break(at(2, 11))
    wl.end_break(at(2, 11, 15))
    wl.end_work(at(2, 12))
    payload = wl.center_payload(date(2026, 12, 2))
    assert payload == {"date": "2026-12-02", "started_at": "2026-12-02T10:00:00+09:00",
                       "ended_at": "2026-12-02T12:00:00+09:00", "calls": 1, "talk_seconds": 600,
                       "break_seconds": 900}
    assert wl.center_payload(date(2026, 12, 3))["started_at"] is None
    assert wl.first_day() == date(2026, 12, 2)
