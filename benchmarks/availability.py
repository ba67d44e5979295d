"""Availability and work-log figures: validating a 3-month plan, summing a busy month of the work log."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path


def _best_ms(fn, repeat: int = 7) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000.0


def run() -> list[dict]:
    from agentdesk.agent.worklog import WorkLog
    from agentdesk.availability import parse_plan, validate
    from agentdesk.availability.calendar_jp import JST

    # A 3-month plan: every day, two slots (morning and afternoon), 2027-01 to 2027-03: 180 slots.
    start = date(2027, 1, 1)
    slots = []
    for i in range(90):
        d = (start + timedelta(days=i)).isoformat()
        slots += [{"date": d, "start": "10:00", "end": "12:00"}, {"date": d, "start": "13:00", "end": "16:30"}]
    data = {"slots": slots}
    today = date(2026, 12, 1)
    parse_ms = _best_ms(lambda: parse_plan(data))
    plan = parse_plan(data)
    validate(plan, today)  # warm the holiday tables
    validate_ms = _best_ms(lambda: validate(plan, today))

    results = [
        {"name": "availability: parse a 3-month plan (180 slots)", "value": round(parse_ms, 2), "unit": "ms",
         "peer": None, "peer_value": None, "note": "best of 7"},
        {"name": "availability: validate a 3-month plan (180 slots)", "value": round(validate_ms, 2), "unit": "ms",
         "peer": None, "peer_value": None, "note": "every rule, holidays and monthly figures; best of 7"},
    ]

    with tempfile.TemporaryDirectory() as tmp:
        wl = WorkLog(Path(tmp) / "bench.sqlite3")
        t0 = time.perf_counter()
        calls = 0
        for day in range(1, 23):  # 22 working days, 7 h each, 30 calls a day
            base = datetime(2026, 12, day, 10, tzinfo=JST)
            wl.start_work(base)
            for c in range(30):
                s = base + timedelta(minutes=c * 13)
                wl.record_call(s, s + timedelta(seconds=8), s + timedelta(minutes=9))
                calls += 1
            wl.start_break(base + timedelta(hours=3))
            wl.end_break(base + timedelta(hours=3, minutes=45))
            wl.end_work(base + timedelta(hours=7))
        record_ms = (time.perf_counter() - t0) * 1000.0 / (calls + 22 * 4)
        month_ms = _best_ms(lambda: wl.month(2026, 12))
        csv_ms = _best_ms(lambda: wl.export_csv(Path(tmp) / "m.csv", date(2026, 12, 1), date(2026, 12, 31)), 3)
        wl.close()
    results += [
        {"name": "work log: one write (call, start/end, break)", "value": round(record_ms, 3), "unit": "ms",
         "peer": None, "peer_value": None, "note": "SQLite WAL, synchronous=NORMAL; mean over 748 writes"},
        {"name": "work log: month summary (660 calls, 22 sessions)", "value": round(month_ms, 2), "unit": "ms",
         "peer": None, "peer_value": None, "note": "best of 7"},
        {"name": "work log: CSV export of a month", "value": round(csv_ms, 2), "unit": "ms",
         "peer": None, "peer_value": None, "note": "best of 3"},
    ]
    return results


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<55} {row['value']:>9} {row['unit']}  {row['note']}")
