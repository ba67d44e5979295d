"""The agent's own work log (稼働記録): work sessions, breaks and calls, in SQLite, summed per day and month.

No customer data is stored: no phone numbers, no names, no contract ids. Only times, counts, the call's direction
and whether it was escalated.

Times are Japanese local time. A naive ``datetime`` is taken as Japanese local time; an aware one is converted.
Every time is stored as ISO 8601 with its offset (``2026-12-02T10:00:00+09:00``).

A work session left open by an earlier run (the app or the PC stopped without ``end_work``) is closed on the
next ``start_work`` at the last moment the log knows the agent was working: the latest of the session's start,
its breaks' starts and ends, its calls' ends and the last :meth:`WorkLog.heartbeat` (the desktop calls it every
minute), never later than the new start. A break left open in it ends at the same moment. Such a session is marked ``closed_by='recovered'``
and :attr:`WorkLog.last_recovery` tells the UI what was done. Hours are therefore never invented: at most the
time since the last heartbeat is lost.

``start_work`` while this run's session is open, and ``end_work``, ``start_break`` and ``end_break`` out of order
(no open session, a second break...) are ignored with a log line: a click twice must not break the log.
"""

from __future__ import annotations

import csv
import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from agentdesk.availability.calendar_jp import JST, now, to_local
from agentdesk.availability.rules import DEFAULT_RULES, Rules
from agentdesk.i18n import Text
from agentdesk.safefiles import open_sqlite

log = logging.getLogger(__name__)

DIRECTIONS = ("inbound", "outbound")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY, start TEXT NOT NULL, end TEXT, last_seen TEXT NOT NULL, closed_by TEXT);
CREATE TABLE IF NOT EXISTS breaks (
    id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id), start TEXT NOT NULL, end TEXT,
    reason TEXT);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY, started TEXT NOT NULL, answered TEXT, ended TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')), escalated INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS calls_started ON calls(started);
CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start);
"""
SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class DaySummary:
    date: date
    worked_seconds: int = 0  # within work sessions, breaks excluded
    break_seconds: int = 0
    calls: int = 0  # calls handled (answered)
    talk_seconds: int = 0  # answered to ended
    missed_calls: int = 0  # offered but never answered
    escalated_calls: int = 0
    outbound_calls: int = 0

    @property
    def worked_hours(self) -> float:
        return self.worked_seconds / 3600.0


@dataclass(frozen=True, slots=True)
class MonthSummary:
    year: int
    month: int
    worked_seconds: int
    break_seconds: int
    calls: int
    talk_seconds: int
    missed_calls: int
    escalated_calls: int
    outbound_calls: int
    days: list[DaySummary]
    minimum_hours: float
    meets_minimum: bool  # worked at least the monthly minimum (65 h by default)

    @property
    def worked_hours(self) -> float:
        return self.worked_seconds / 3600.0


@dataclass(frozen=True, slots=True)
class IncentiveMonth:
    year: int
    month: int
    required: int
    actual: int
    met: bool
    finished: bool  # the month is over (otherwise ``met`` may still become true)


@dataclass(frozen=True, slots=True)
class IncentiveStatus:
    first_month: date  # the first day of the agent's first month
    months: list[IncentiveMonth] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(m.met for m in self.months)

    @property
    def lost(self) -> bool:
        """A finished month missed its count: the incentive can no longer be earned in full."""
        return any(m.finished and not m.met for m in self.months)


@dataclass(frozen=True, slots=True)
class Recovery:
    session_start: datetime
    closed_at: datetime

    @property
    def message(self) -> Text:
        from agentdesk.availability import messages as M

        return M.WORKLOG_RECOVERED.format(start=self.session_start.strftime("%Y-%m-%d %H:%M"),
                                          end=self.closed_at.strftime("%Y-%m-%d %H:%M"))


def _iso(at: datetime) -> str:
    return to_local(at).isoformat(timespec="seconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(JST)


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> int:
    return max(0, int((min(a1, b1) - max(a0, b0)).total_seconds()))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


class WorkLog:
    """The work log in ``data_dir()/worklog.sqlite3`` (or ``path``). Safe to use from several threads."""

    def __init__(self, path: Path | None = None, rules: Rules = DEFAULT_RULES) -> None:
        if path is None:
            from agentdesk import paths

            path = paths.data_dir() / "worklog.sqlite3"
        self.path = Path(path)
        self.rules = rules
        self.last_recovery: Recovery | None = None
        self._started_here: set[int] = set()  # sessions this run opened (a second start is a double click)
        self._lock = threading.Lock()
        self.notice: Text | None = None  # a damaged database was set aside at start (safefiles.open_sqlite)

        def prepare(db: sqlite3.Connection) -> None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

        def damaged(message: Text) -> None:
            self.notice = message

        # StorageError (with the agent's message) when the data folder cannot be written
        self._db = open_sqlite(self.path, prepare, Text(ja="稼働記録", en="work log"), damaged,
                               check_same_thread=False, isolation_level=None)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> WorkLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- recording -------------------------------------------------------------------------------------------
    def _open_session(self) -> tuple[int, str, str] | None:
        row = self._db.execute("SELECT id, start, last_seen FROM sessions WHERE end IS NULL "
                               "ORDER BY start DESC LIMIT 1").fetchone()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def _open_break(self, session_id: int) -> tuple[int, str] | None:
        row = self._db.execute("SELECT id, start FROM breaks WHERE session_id = ? AND end IS NULL",
                               (session_id,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def _touch(self, at: datetime) -> None:
        s = self._open_session()
        if s is not None and _dt(s[2]) < to_local(at):
            self._db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (_iso(at), s[0]))

    def start_work(self, at: datetime) -> None:
        at = to_local(at)
        with self._lock, self._db:
            open_rows = self._db.execute("SELECT id, start, last_seen FROM sessions WHERE end IS NULL").fetchall()
            if any(int(r[0]) in self._started_here for r in open_rows):
                log.info("start_work while this run's work session is open: ignored")
                return
            self.last_recovery = None
            for sid, start, last_seen in open_rows:  # left open by an earlier run that stopped
                self.last_recovery = self._recover(int(sid), _dt(start), _dt(last_seen), at)
            cur = self._db.execute("INSERT INTO sessions (start, last_seen) VALUES (?, ?)", (_iso(at), _iso(at)))
            self._started_here.add(int(cur.lastrowid or 0))

    def _recover(self, sid: int, start: datetime, last_seen: datetime, limit: datetime) -> Recovery:
        evidence = [start, last_seen]
        for b_start, b_end in self._db.execute("SELECT start, end FROM breaks WHERE session_id = ?", (sid,)):
            evidence.append(_dt(b_start))
            if b_end:
                evidence.append(_dt(b_end))
        for (ended,) in self._db.execute("SELECT ended FROM calls WHERE started >= ? AND ended <= ?",
                                         (_iso(start), _iso(limit))):
            evidence.append(_dt(ended))
        closed = min(max(evidence), max(start, limit))
        self._db.execute("UPDATE breaks SET end = ? WHERE session_id = ? AND end IS NULL", (_iso(closed), sid))
        self._db.execute("UPDATE sessions SET end = ?, closed_by = 'recovered' WHERE id = ?", (_iso(closed), sid))
        log.warning("work session started %s was left open; closed at %s", start, closed)
        return Recovery(start, closed)

    def heartbeat(self, at: datetime) -> None:
        """The agent is still working at ``at`` (bounds what a crash can lose)."""
        with self._lock, self._db:
            self._touch(at)

    def end_work(self, at: datetime) -> None:
        at = to_local(at)
        with self._lock, self._db:
            s = self._open_session()
            if s is None:
                log.info("end_work without an open work session: ignored")
                return
            end = max(at, _dt(s[1]))
            self._db.execute("UPDATE breaks SET end = ? WHERE session_id = ? AND end IS NULL", (_iso(end), s[0]))
            self._db.execute("UPDATE sessions SET end = ?, last_seen = ?, closed_by = 'agent' WHERE id = ?",
                             (_iso(end), _iso(end), s[0]))

    def start_break(self, at: datetime, reason: str | None = None) -> None:
        at = to_local(at)
        with self._lock, self._db:
            s = self._open_session()
            if s is None or self._open_break(s[0]) is not None:
                log.info("start_break with no open session or during a break: ignored")
                return
            self._db.execute("INSERT INTO breaks (session_id, start, reason) VALUES (?, ?, ?)",
                             (s[0], _iso(max(at, _dt(s[1]))), reason))
            self._touch(at)

    def end_break(self, at: datetime) -> None:
        at = to_local(at)
        with self._lock, self._db:
            s = self._open_session()
            b = None if s is None else self._open_break(s[0])
            if s is None or b is None:
                log.info("end_break without an open break: ignored")
                return
            self._db.execute("UPDATE breaks SET end = ? WHERE id = ?", (_iso(max(at, _dt(b[1]))), b[0]))
            self._touch(at)

    def record_call(self, started: datetime, answered: datetime | None, ended: datetime,
                    direction: str = "inbound", escalated: bool = False) -> None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        started, ended = to_local(started), to_local(ended)
        answered = None if answered is None else min(max(to_local(answered), started), ended)
        ended = max(ended, started)
        with self._lock, self._db:
            self._db.execute("INSERT INTO calls (started, answered, ended, direction, escalated) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (_iso(started), None if answered is None else _iso(answered), _iso(ended), direction,
                              int(bool(escalated))))
            self._touch(ended)

    # ---- reading ---------------------------------------------------------------------------------------------
    def is_working(self) -> bool:
        with self._lock:
            return self._open_session() is not None

    def day(self, d: date, *, now_at: datetime | None = None) -> DaySummary:
        return self._days(d, d, now_at)[0]

    def _days(self, first: date, last: date, now_at: datetime | None) -> list[DaySummary]:
        lo = datetime.combine(first, time(0), JST)
        hi = datetime.combine(last + timedelta(days=1), time(0), JST)
        current = to_local(now_at) if now_at is not None else now()
        with self._lock:
            sessions = self._db.execute("SELECT id, start, end FROM sessions WHERE start < ? AND "
                                        "(end IS NULL OR end > ?)", (_iso(hi), _iso(lo))).fetchall()
            breaks = self._db.execute("SELECT b.start, b.end FROM breaks b JOIN sessions s ON s.id = b.session_id "
                                      "WHERE b.start < ? AND (b.end IS NULL OR b.end > ?)",
                                      (_iso(hi), _iso(lo))).fetchall()
            calls = self._db.execute("SELECT started, answered, ended, direction, escalated FROM calls "
                                     "WHERE started >= ? AND started < ?", (_iso(lo), _iso(hi))).fetchall()

        def spans(rows: list[tuple[str, str | None]]) -> list[tuple[datetime, datetime]]:
            out = []
            for start, end in rows:
                s = _dt(start)
                out.append((s, _dt(end) if end else max(s, current)))
            return out

        work = spans([(r[1], r[2]) for r in sessions])
        rest = spans([(r[0], r[1]) for r in breaks])
        calls_by_day: dict[date, list[tuple[datetime, datetime | None, datetime, str, int]]] = {}
        for c_started, c_answered, c_ended, c_direction, c_escalated in calls:
            started = _dt(c_started)
            calls_by_day.setdefault(started.date(), []).append(
                (started, _dt(c_answered) if c_answered else None, _dt(c_ended), c_direction, c_escalated))
        result = []
        d = first
        while d <= last:
            d0 = datetime.combine(d, time(0), JST)
            d1 = d0 + timedelta(days=1)
            inside = sum(_overlap(a, b, d0, d1) for a, b in work)
            brk = sum(_overlap(a, b, d0, d1) for a, b in rest)
            day_calls = calls_by_day.get(d, [])
            handled = [c for c in day_calls if c[1] is not None]
            result.append(DaySummary(
                date=d, worked_seconds=max(0, inside - brk), break_seconds=brk, calls=len(handled),
                talk_seconds=sum(int((c[2] - c[1]).total_seconds()) for c in handled if c[1] is not None),
                missed_calls=len(day_calls) - len(handled), escalated_calls=sum(1 for c in handled if c[4]),
                outbound_calls=sum(1 for c in handled if c[3] == "outbound")))
            d += timedelta(days=1)
        return result

    def month(self, year: int, month: int, *, now_at: datetime | None = None) -> MonthSummary:
        first = date(year, month, 1)
        ny, nm = _next_month(year, month)
        days = self._days(first, date(ny, nm, 1) - timedelta(days=1), now_at)
        worked = sum(d.worked_seconds for d in days)
        return MonthSummary(
            year=year, month=month, worked_seconds=worked, break_seconds=sum(d.break_seconds for d in days),
            calls=sum(d.calls for d in days), talk_seconds=sum(d.talk_seconds for d in days),
            missed_calls=sum(d.missed_calls for d in days), escalated_calls=sum(d.escalated_calls for d in days),
            outbound_calls=sum(d.outbound_calls for d in days), days=days,
            minimum_hours=self.rules.min_worked_hours,
            meets_minimum=worked >= self.rules.min_worked_hours * 3600)

    def _calls_in_month(self, year: int, month: int) -> int:
        lo = datetime(year, month, 1, tzinfo=JST)
        hi = datetime(*_next_month(year, month), 1, tzinfo=JST)
        with self._lock:
            (n,) = self._db.execute("SELECT COUNT(*) FROM calls WHERE answered IS NOT NULL AND started >= ? "
                                    "AND started < ?", (_iso(lo), _iso(hi))).fetchone()
        return int(n)

    def incentive(self, first_month: date, *, today: date | None = None) -> IncentiveStatus:
        """The new-agent incentive: calls handled in the first month and the next ones against the contract."""
        today = today or now().date()
        y, m = first_month.year, first_month.month
        months = []
        for i in range(1 + self.rules.incentive_later_months):
            required = self.rules.incentive_first_month_calls if i == 0 else self.rules.incentive_later_month_calls
            actual = self._calls_in_month(y, m)
            ny, nm = _next_month(y, m)
            months.append(IncentiveMonth(year=y, month=m, required=required, actual=actual, met=actual >= required,
                                         finished=today >= date(ny, nm, 1)))
            y, m = ny, nm
        return IncentiveStatus(first_month=date(first_month.year, first_month.month, 1), months=months)

    def center_payload(self, d: date) -> dict[str, object]:
        """The day as the center's ``work_log`` write (docs/center-api.yaml, schema WorkLog): counts and times only.

        ``started_at``/``ended_at`` are the first start and the last end of work that day (None when none)."""
        summary = self.day(d)
        lo = datetime.combine(d, time(0), JST)
        hi = lo + timedelta(days=1)
        with self._lock:
            first, last = self._db.execute("SELECT MIN(start), MAX(end) FROM sessions WHERE start < ? AND "
                                           "(end IS NULL OR end > ?)", (_iso(hi), _iso(lo))).fetchone()
        return {"date": d.isoformat(), "started_at": first, "ended_at": last, "calls": summary.calls,
                "talk_seconds": summary.talk_seconds, "break_seconds": summary.break_seconds}

    def first_day(self) -> date | None:
        """The first day with a work session or a call (the start of the agent's first month), or None."""
        with self._lock:
            row = self._db.execute("SELECT MIN(t) FROM (SELECT MIN(start) AS t FROM sessions "
                                   "UNION ALL SELECT MIN(started) FROM calls)").fetchone()
        return None if row is None or row[0] is None else _dt(row[0]).date()

    def export_csv(self, path: Path, start: date, end: date, *, language: str = "ja") -> None:
        """One row per day from ``start`` to ``end`` (inclusive) and a total row; UTF-8 with BOM (Excel)."""
        days = self._days(start, end, None) if end >= start else []
        header = (["日付", "稼働時間(時間)", "稼働(秒)", "休憩(秒)", "応対件数", "通話時間(秒)", "不在着信",
                   "エスカレーション", "発信"] if language == "ja" else
                  ["date", "worked_hours", "worked_seconds", "break_seconds", "calls", "talk_seconds", "missed_calls",
                   "escalated_calls", "outbound_calls"])

        def row(label: str, items: list[DaySummary]) -> list[str]:
            worked = sum(x.worked_seconds for x in items)
            return [label, f"{worked / 3600:.2f}", str(worked), str(sum(x.break_seconds for x in items)),
                    str(sum(x.calls for x in items)), str(sum(x.talk_seconds for x in items)),
                    str(sum(x.missed_calls for x in items)), str(sum(x.escalated_calls for x in items)),
                    str(sum(x.outbound_calls for x in items))]

        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for d in days:
                writer.writerow(row(d.date.isoformat(), [d]))
            writer.writerow(row("合計" if language == "ja" else "total", days))
        tmp.replace(path)

