"""The work log's CSV export (agentdesk/agent/worklog.py): its columns are a contract with the spreadsheets agents
keep, in both languages. Written against the survivors of mutation testing (docs/testing.md)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from agentdesk.agent.worklog import WorkLog
from agentdesk.availability.calendar_jp import JST

JA = ["日付", "稼働時間(時間)", "稼働(秒)", "休憩(秒)", "応対件数", "通話時間(秒)", "不在着信", "エスカレーション", "発信"]
EN = ["date", "worked_hours", "worked_seconds", "break_seconds", "calls", "talk_seconds", "missed_calls",
      "escalated_calls", "outbound_calls"]


def _log(tmp_path: Path) -> WorkLog:
    wl = WorkLog(tmp_path / "wl.sqlite3")
    for day in (1, 2, 3):  # 7 hours a day with a 30-minute break, one outbound escalated call on the 2nd
        wl.start_work(datetime(2026, 12, day, 9, tzinfo=JST))
        wl.start_break(datetime(2026, 12, day, 12, tzinfo=JST))
        wl.end_break(datetime(2026, 12, day, 12, 30, tzinfo=JST))
        wl.end_work(datetime(2026, 12, day, 16, 30, tzinfo=JST))
    wl.record_call(datetime(2026, 12, 2, 10, tzinfo=JST), datetime(2026, 12, 2, 10, tzinfo=JST),
                   datetime(2026, 12, 2, 10, 5, tzinfo=JST), direction="outbound", escalated=True)
    wl.record_call(datetime(2026, 12, 2, 11, tzinfo=JST), None, datetime(2026, 12, 2, 11, 1, tzinfo=JST))
    return wl


def test_columns_rows_and_total_in_both_languages(tmp_path: Path) -> None:
    with _log(tmp_path) as wl:
        out = tmp_path / "log.csv"
        wl.export_csv(out, date(2026, 12, 1), date(2026, 12, 3))
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.count(b"\r\n") == 5 and b"\r\r\n" not in raw and b"\n\n" not in raw  # one CRLF per row
        rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
        assert rows[0] == JA
        assert rows[2] == ["2026-12-02", "7.00", "25200", "1800", "1", "300", "1", "1", "1"]
        # 3 x 7 h = 21.00 h (75600 s): a wrong divisor shows in the second decimal here
        assert rows[4] == ["合計", "21.00", "75600", "5400", "1", "300", "1", "1", "1"]
        assert not list(tmp_path.glob("*.part"))  # written beside, then moved into place
        wl.export_csv(out, date(2026, 12, 1), date(2026, 12, 3), language="en")
        rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
        assert rows[0] == EN and rows[-1][0] == "total"


def test_one_day_and_an_empty_range(tmp_path: Path) -> None:
    with _log(tmp_path) as wl:
        out = tmp_path / "day.csv"
        wl.export_csv(out, date(2026, 12, 2), date(2026, 12, 2))
        rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
        assert [r[0] for r in rows] == ["日付", "2026-12-02", "合計"] and rows[1][1:] == rows[2][1:]
        wl.export_csv(out, date(2026, 12, 3), date(2026, 12, 1))  # end before start: no days, a zero total
        rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
        assert rows == [JA, ["合計", "0.00", "0", "0", "0", "0", "0", "0", "0"]]
