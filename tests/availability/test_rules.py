"""The availability rules: service hours, order, overlaps, past, deadlines, months, weekends and holidays."""

from __future__ import annotations

from datetime import date, time

import pytest

from agentdesk.availability import Plan, Rules, Slot, deadline_for, first_open_week, parse_plan, validate
from agentdesk.availability.calendar_jp import holiday_name, is_holiday, is_weekend_or_holiday
from agentdesk.center.api import Provisioning


def plan(*slots: tuple[str, str, str], period: tuple[str, str] | None = None) -> Plan:
    data: dict = {"slots": [{"date": d, "start": s, "end": e} for d, s, e in slots]}
    if period:
        data["period"] = {"from": period[0], "to": period[1]}
    return parse_plan(data)


def codes(report, kind: str = "errors") -> list[str]:
    return [p.code for p in getattr(report, kind)]


TODAY = date(2026, 11, 1)


def test_holidays_include_substitute_and_bridge_days() -> None:
    assert is_holiday(date(2026, 5, 6)) and holiday_name(date(2026, 5, 6)) == "振替休日"  # 5/3 was a Sunday
    assert holiday_name(date(2026, 5, 6), "en") == "Substitute Holiday"
    assert holiday_name(date(2026, 9, 22)) == "国民の休日"  # between 敬老の日 and 秋分の日
    assert is_holiday(date(2027, 3, 22))  # 春分の日 2027-03-21 is a Sunday
    assert not is_holiday(date(2026, 5, 7)) and not is_holiday(date(2026, 12, 23))
    assert is_weekend_or_holiday(date(2026, 12, 5)) and is_weekend_or_holiday(date(2026, 12, 6))
    assert not is_weekend_or_holiday(date(2026, 12, 7))


def test_a_good_plan_is_valid() -> None:
    report = validate(plan(("2026-12-01", "10:00", "12:00"), ("2026-12-01", "12:00", "17:00")), TODAY)
    assert report.valid, report.errors
    assert report.months[0].entry_hours == 7.0


@pytest.mark.parametrize(("start", "end", "ok"), [
    ("09:30", "11:00", False), ("10:00", "17:00", True), ("16:00", "17:30", False), ("10:00", "17:01", False),
    ("09:59", "10:30", False)])
def test_service_hours(start: str, end: str, ok: bool) -> None:
    report = validate(plan(("2026-12-02", start, end)), TODAY)
    assert ("outside_service_hours" not in codes(report)) is ok


def test_service_hours_come_from_the_center() -> None:
    prov = Provisioning(center_name="x", sip=None, service_hours=(time(9, 0), time(18, 0)))
    rules = Rules.from_provisioning(prov)
    assert validate(plan(("2026-12-02", "09:00", "18:00")), TODAY, rules).valid
    assert not validate(plan(("2026-12-02", "09:00", "18:00")), TODAY).valid


def test_overrides_from_a_mapping() -> None:
    rules = Rules().with_overrides({"entry_lead_days": 7, "min_entry_hours": "60", "service_end": "18:00",
                                    "unknown": 1})
    assert (rules.entry_lead_days, rules.min_entry_hours, rules.service_end) == (7, 60.0, time(18, 0))


@pytest.mark.parametrize(("start", "end"), [("12:00", "12:00"), ("13:00", "12:00")])
def test_end_not_after_start(start: str, end: str) -> None:
    report = validate(plan(("2026-12-02", start, end)), TODAY)
    assert codes(report) == ["end_not_after_start"]
    assert report.errors[0].slot is not None and report.errors[0].slot.index == 0


def test_overlaps_are_found_and_touching_slots_are_not() -> None:
    report = validate(plan(("2026-12-02", "10:00", "12:00"), ("2026-12-02", "12:00", "14:00"),
                           ("2026-12-03", "10:00", "15:00"), ("2026-12-03", "11:00", "12:00"),
                           ("2026-12-03", "14:30", "16:00"), ("2026-12-04", "10:00", "11:00"),
                           ("2026-12-04", "10:00", "11:00")), TODAY)
    overlaps = [p for p in report.errors if p.code == "overlap"]
    assert sorted((p.slot.date.day, p.slot.index) for p in overlaps) == [(3, 3), (3, 4), (4, 6)]
    dec = report.months[0]
    assert dec.entry_hours == 4 + 6 + 1  # overlaps counted once


def test_past_slots_relative_to_today() -> None:
    report = validate(plan(("2026-10-31", "10:00", "11:00"), ("2026-11-01", "10:00", "11:00")), TODAY)
    past = [p for p in report.errors if p.code == "in_the_past"]
    assert [p.slot.date for p in past] == [date(2026, 10, 31)]
    assert "2026-11-01" in past[0].message.ja or "2026-11-01" in past[0].message.en


def test_deadline_is_14_days_before_the_weeks_monday() -> None:
    monday = date(2026, 11, 30)
    assert deadline_for(monday) == date(2026, 11, 16)
    assert deadline_for(date(2026, 12, 6)) == date(2026, 11, 16)  # any day of the week gives its week's deadline
    week = plan(("2026-12-06", "10:00", "12:00"))  # Sunday of that week
    assert validate(week, date(2026, 11, 16)).valid
    late = validate(week, date(2026, 11, 17))
    assert codes(late) == ["late_entry"]
    assert late.errors[0].week == monday and "2026-11-16" in late.errors[0].message.ja


def test_first_open_week() -> None:
    assert first_open_week(date(2026, 11, 16)) == date(2026, 11, 30)
    assert first_open_week(date(2026, 11, 17)) == date(2026, 12, 7)
    assert first_open_week(date(2026, 11, 22)) == date(2026, 12, 7)  # a Sunday


def test_late_week_reported_once_and_past_days_not_twice() -> None:
    report = validate(plan(("2026-11-02", "10:00", "11:00"), ("2026-11-03", "10:00", "11:00"),
                           ("2026-11-04", "10:00", "11:00")), date(2026, 11, 3))
    assert sorted(codes(report)) == ["in_the_past", "late_entry"]
    late = next(p for p in report.errors if p.code == "late_entry")
    assert late.slot is not None and late.slot.date == date(2026, 11, 3)


def _month(year: int, month: int, weekday_hours: tuple[str, str], weekend_hours: tuple[str, str] | None) -> Plan:
    from agentdesk.availability.calendar_jp import month_days

    slots = []
    for d in month_days(year, month):
        if is_weekend_or_holiday(d):
            if weekend_hours:
                slots.append((d.isoformat(), *weekend_hours))
        else:
            slots.append((d.isoformat(), *weekday_hours))
    return plan(*slots)


def test_month_figures_count_holidays_with_weekends() -> None:
    # May 2026: 3 (Sun), 4, 5, 6 (substitute) are holidays; 2, 9, 10, 16, 17, 23, 24, 30, 31 weekends: 13 days.
    report = validate(_month(2026, 5, ("10:00", "12:00"), ("10:00", "11:00")), date(2026, 4, 1))
    may = report.months[0]
    assert may.month == "2026-05" and may.complete
    assert may.weekend_holiday_hours == 13.0
    assert may.entry_hours == 13.0 + 18 * 2.0
    assert not may.meets_minimum
    assert codes(report, "warnings") == ["month_short_entry", "month_short_weekend_holiday"]
    assert report.valid  # short months warn; see strict below
    strict = validate(_month(2026, 5, ("10:00", "12:00"), ("10:00", "11:00")), date(2026, 4, 1),
                      strict_minimums=True)
    assert sorted(codes(strict)) == ["month_short_entry", "month_short_weekend_holiday"]


def test_substitute_holiday_counts_toward_the_weekend_minimum() -> None:
    report = validate(plan(("2026-05-06", "10:00", "17:00"), ("2026-05-07", "10:00", "17:00")), date(2026, 4, 1))
    assert report.months[0].weekend_holiday_hours == 7.0
    assert report.months[0].entry_hours == 14.0


def test_a_month_meeting_both_minimums() -> None:
    report = validate(_month(2026, 12, ("10:00", "13:00"), ("10:00", "13:00")), TODAY)
    dec = report.months[0]
    assert dec.complete and dec.meets_minimum and dec.entry_hours == 93.0 and dec.weekend_holiday_hours == 24.0
    assert report.valid and report.warnings == []


def test_month_ends_split_hours_and_edge_months_are_partial() -> None:
    # The week of Mon 2026-11-30 spans two months; only that week is planned.
    report = validate(plan(("2026-11-30", "10:00", "17:00"), ("2026-12-01", "10:00", "17:00"),
                           ("2026-12-05", "10:00", "12:00")), date(2026, 11, 10))
    months = {m.month: m for m in report.months}
    assert months["2026-11"].entry_hours == 7.0 and months["2026-12"].entry_hours == 9.0
    assert months["2026-12"].weekend_holiday_hours == 2.0
    assert not months["2026-11"].complete and not months["2026-12"].complete
    assert codes(report, "warnings") == ["month_partial", "month_partial"]
    assert report.valid


def test_declared_period_makes_a_month_complete() -> None:
    p = plan(("2026-12-10", "10:00", "17:00"), period=("2026-12-01", "2026-12-31"))
    report = validate(p, TODAY)
    assert report.months[0].complete
    assert codes(report, "warnings") == ["month_short_entry", "month_short_weekend_holiday"]


def test_year_end_month_rollover() -> None:
    report = validate(plan(("2026-12-31", "10:00", "11:00"), ("2027-01-01", "10:00", "11:00")), TODAY)
    assert [m.month for m in report.months] == ["2026-12", "2027-01"]
    assert report.months[1].weekend_holiday_hours == 1.0  # 元日


def test_json_shape() -> None:
    report = validate(plan(("2026-12-02", "09:00", "11:00")), TODAY)
    out = report.as_json("en")
    assert set(out) == {"valid", "errors", "warnings", "months"}
    assert out["valid"] is False
    err = out["errors"][0]
    assert {"code", "message", "slot"} <= set(err)
    assert err["slot"] == {"index": 0, "date": "2026-12-02", "start": "09:00", "end": "11:00"}
    assert "service hours" in err["message"] and "受付時間" in err["messages"]["ja"]
    month = out["months"][0]
    assert {"month", "entry_hours", "weekend_holiday_hours", "meets_minimum"} <= set(month)


def test_slot_ordering_helpers() -> None:
    s = Slot(date(2026, 12, 2), time(10), time(11, 30))
    assert s.hours == 1.5 and s.week == date(2026, 11, 30)
