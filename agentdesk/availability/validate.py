"""Checking a plan against the rules, and the monthly figures (docs/availability.md has every decision).

Errors (the plan must not be submitted as is): ``outside_service_hours``, ``end_not_after_start``, ``overlap``,
``in_the_past``, ``late_entry``. Warnings (the plan may be submitted; the agent is told): ``month_short_entry``,
``month_short_weekend_holiday`` for a month the plan covers completely, ``month_partial`` for a month at the edge of
the plan that it covers only in part. With ``strict_minimums`` a complete month short of a minimum is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from agentdesk.availability import messages as M
from agentdesk.availability.calendar_jp import is_weekend_or_holiday, month_days, week_monday
from agentdesk.availability.plan import Plan, Slot
from agentdesk.availability.rules import DEFAULT_RULES, Rules
from agentdesk.i18n import Text

ERROR_CODES = ("outside_service_hours", "end_not_after_start", "overlap", "in_the_past", "late_entry")
WARNING_CODES = ("month_short_entry", "month_short_weekend_holiday", "month_partial")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: Text
    slot: Slot | None = None
    week: date | None = None  # the Monday of the week concerned (late_entry)
    month: str | None = None  # "YYYY-MM" for the monthly warnings

    def as_json(self, language: str = "ja") -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message.pick(language),
                               "slot": None if self.slot is None else {"index": self.slot.index,
                                                                       **self.slot.as_dict()}}
        if self.week is not None:
            out["week"] = self.week.isoformat()
        if self.month is not None:
            out["month"] = self.month
        out["messages"] = self.message.as_dict()
        return out


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: str  # "YYYY-MM"
    entry_hours: float
    weekend_holiday_hours: float
    meets_minimum: bool
    complete: bool  # the plan's weeks cover every day of the month
    entry_minimum: float
    weekend_holiday_minimum: float

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month, "entry_hours": self.entry_hours,
                "weekend_holiday_hours": self.weekend_holiday_hours, "meets_minimum": self.meets_minimum,
                "complete": self.complete, "entry_minimum": self.entry_minimum,
                "weekend_holiday_minimum": self.weekend_holiday_minimum}


@dataclass(slots=True)
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_json(self, language: str = "ja") -> dict[str, Any]:
        return {"valid": self.valid, "errors": [p.as_json(language) for p in self.errors],
                "warnings": [p.as_json(language) for p in self.warnings],
                "months": [m.as_json() for m in self.months]}

    def problems_for(self, slot_date: date) -> list[Problem]:
        return [p for p in (*self.errors, *self.warnings) if p.slot is not None and p.slot.date == slot_date]


def deadline_for(monday: date, rules: Rules = DEFAULT_RULES) -> date:
    """The last day on which the week starting ``monday`` may be entered."""
    return week_monday(monday) - timedelta(days=rules.entry_lead_days)


def first_open_week(today: date, rules: Rules = DEFAULT_RULES) -> date:
    """The Monday of the earliest week that can still be entered on ``today``."""
    monday = week_monday(today + timedelta(days=rules.entry_lead_days))
    return monday if deadline_for(monday, rules) >= today else monday + timedelta(days=7)


def _hours(minutes: int) -> float:
    return round(minutes / 60.0, 2)


def _fmt(t_minutes: int) -> str:
    return f"{t_minutes // 60:02d}:{t_minutes % 60:02d}"


def _union_minutes(slots: list[Slot]) -> int:
    """Minutes covered on one day, counting overlaps once."""
    total, cur_start, cur_end = 0, -1, -1
    for s in sorted(slots, key=lambda s: (s.start_minutes, s.end_minutes)):
        if s.end_minutes <= s.start_minutes:
            continue
        if s.start_minutes > cur_end:
            total += max(0, cur_end - cur_start)
            cur_start, cur_end = s.start_minutes, s.end_minutes
        else:
            cur_end = max(cur_end, s.end_minutes)
    return total + max(0, cur_end - cur_start)


def month_figures(plan: Plan, rules: Rules = DEFAULT_RULES) -> list[MonthFigures]:
    """Hours entered per month (overlaps counted once), for every month from the plan's first to its last slot."""
    if not plan.slots:
        return []
    by_day: dict[date, list[Slot]] = {}
    for s in plan.slots:
        by_day.setdefault(s.date, []).append(s)
    first, last = min(by_day), max(by_day)
    covered_from, covered_to = plan.covered() or (first, last)
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        days = month_days(y, m)
        total = weekend = 0
        for d in days:
            minutes = _union_minutes(by_day.get(d, []))
            total += minutes
            if is_weekend_or_holiday(d):
                weekend += minutes
        entry, wh = _hours(total), _hours(weekend)
        out.append(MonthFigures(
            month=f"{y:04d}-{m:02d}", entry_hours=entry, weekend_holiday_hours=wh,
            meets_minimum=entry >= rules.min_entry_hours and wh >= rules.min_weekend_holiday_hours,
            complete=covered_from <= days[0] and days[-1] <= covered_to,
            entry_minimum=rules.min_entry_hours, weekend_holiday_minimum=rules.min_weekend_holiday_hours))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _num(value: float) -> str:
    return f"{value:g}"


def validate(plan: Plan, today: date, rules: Rules = DEFAULT_RULES, *, strict_minimums: bool = False) -> Report:
    report = Report()
    open_min, close_min = rules.service_minutes
    well_formed: list[Slot] = []
    past: set[int] = set()
    for s in sorted(plan.slots, key=lambda s: (s.date, s.start_minutes, s.index)):
        values = {"date": s.date.isoformat(), "start": _fmt(s.start_minutes), "end": _fmt(s.end_minutes)}
        if s.end_minutes <= s.start_minutes:
            report.errors.append(Problem("end_not_after_start", M.END_NOT_AFTER_START.format(**values), s))
            continue
        well_formed.append(s)
        if s.start_minutes < open_min or s.end_minutes > close_min:
            report.errors.append(Problem("outside_service_hours", M.OUTSIDE_SERVICE_HOURS.format(
                **values, open=_fmt(open_min), close=_fmt(close_min)), s))
        if s.date < today:
            past.add(s.index)
            report.errors.append(Problem("in_the_past", M.IN_THE_PAST.format(**values, today=today.isoformat()), s))

    # Overlaps: each slot that starts before the furthest end seen so far on its day overlaps that slot.
    by_day: dict[date, list[Slot]] = {}
    for s in well_formed:
        by_day.setdefault(s.date, []).append(s)
    for d, slots in by_day.items():
        slots.sort(key=lambda s: (s.start_minutes, s.end_minutes, s.index))
        reach: Slot | None = None
        for s in slots:
            if reach is not None and s.start_minutes < reach.end_minutes:
                report.errors.append(Problem("overlap", M.OVERLAP.format(
                    date=d.isoformat(), start=_fmt(s.start_minutes), end=_fmt(s.end_minutes),
                    other_start=_fmt(reach.start_minutes), other_end=_fmt(reach.end_minutes)), s))
            if reach is None or s.end_minutes > reach.end_minutes:
                reach = s

    # Deadlines: one error per late week (slots already in the past are reported as such, not twice).
    for monday in plan.weeks():
        deadline = deadline_for(monday, rules)
        if today <= deadline:
            continue
        late = [s for s in plan.in_week(monday) if s.index not in past]
        if late:
            report.errors.append(Problem("late_entry", M.LATE_ENTRY.format(
                monday=monday.isoformat(), sunday=(monday + timedelta(days=6)).isoformat(),
                deadline=deadline.isoformat(), lead=rules.entry_lead_days), late[0], week=monday))

    report.months = month_figures(plan, rules)
    days_planned = sorted({s.date for s in plan.slots})
    for fig in report.months:
        if fig.meets_minimum:
            continue
        if not fig.complete:
            in_month = [d for d in days_planned if d.strftime("%Y-%m") == fig.month]
            report.warnings.append(Problem("month_partial", M.MONTH_PARTIAL.format(
                month=fig.month, first=in_month[0].isoformat(), last=in_month[-1].isoformat(),
                hours=_num(fig.entry_hours), weekend=_num(fig.weekend_holiday_hours),
                minimum=_num(rules.min_entry_hours), weekend_minimum=_num(rules.min_weekend_holiday_hours)),
                month=fig.month))
            continue
        target = report.errors if strict_minimums else report.warnings
        if fig.entry_hours < rules.min_entry_hours:
            target.append(Problem("month_short_entry", M.MONTH_SHORT_ENTRY.format(
                month=fig.month, hours=_num(fig.entry_hours), minimum=_num(rules.min_entry_hours),
                missing=_num(round(rules.min_entry_hours - fig.entry_hours, 2))), month=fig.month))
        if fig.weekend_holiday_hours < rules.min_weekend_holiday_hours:
            target.append(Problem("month_short_weekend_holiday", M.MONTH_SHORT_WEEKEND.format(
                month=fig.month, hours=_num(fig.weekend_holiday_hours),
                minimum=_num(rules.min_weekend_holiday_hours),
                missing=_num(round(rules.min_weekend_holiday_hours - fig.weekend_holiday_hours, 2))),
                month=fig.month))
    return report
