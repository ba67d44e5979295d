"""The agent's own numbers for the shift screen: calls and talk time today and this month, hours worked against the
65-hour monthly minimum, calls against the new-agent incentive threshold (domain.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

MONTHLY_MINIMUM_HOURS = 65.0
INCENTIVE_FIRST_MONTH_CALLS = 1
INCENTIVE_NEXT_MONTHS_CALLS = 50


@dataclass
class OwnNumbers:
    calls_today: int = 0
    talk_seconds_today: float = 0.0
    calls_month: int = 0
    talk_seconds_month: float = 0.0
    hours_month: float = 0.0
    hours_target: float = MONTHLY_MINIMUM_HOURS
    incentive_calls_target: int | None = INCENTIVE_NEXT_MONTHS_CALLS
    average_calls_per_day: float | None = None  # over the days worked this month before today
    average_talk_seconds_per_day: float | None = None
    worked_seconds_month: float = 0.0
    calls_by_day: list[int] = field(default_factory=list)  # day 1 .. today of this month


def from_worklog(worklog: Any, today: date, first_month: date | None = None) -> OwnNumbers | None:
    """Read the numbers from :class:`agentdesk.agent.worklog.WorkLog`; None when it cannot be read."""
    try:
        day = worklog.day(today)
        month = worklog.month(today.year, today.month)
    except Exception:
        log.exception("work log could not be read")
        return None
    numbers = OwnNumbers(calls_today=day.calls, talk_seconds_today=float(day.talk_seconds),
                         calls_month=month.calls, talk_seconds_month=float(month.talk_seconds),
                         hours_month=month.worked_hours,
                         hours_target=float(getattr(month, "minimum_hours", MONTHLY_MINIMUM_HOURS)),
                         worked_seconds_month=float(month.worked_seconds))
    numbers.calls_by_day = [d.calls for d in month.days if d.date <= today]
    earlier = [d for d in month.days if d.date < today and d.worked_seconds > 0]
    if earlier:
        numbers.average_calls_per_day = sum(d.calls for d in earlier) / len(earlier)
        numbers.average_talk_seconds_per_day = sum(d.talk_seconds for d in earlier) / len(earlier)
    target = incentive_target(worklog, today.year, today.month, today, first_month)
    numbers.incentive_calls_target = target[0] if target is not None else None
    return numbers


def first_incentive_month(worklog: Any, today: date, first_month: date | None = None) -> date:
    """The agent's first month: given, or the first day the work log knows, or this month (nothing recorded yet:
    this is the first month)."""
    if first_month is not None:
        return first_month
    try:
        first = worklog.first_day()
    except Exception:
        log.exception("work log could not be read")
        first = None
    return first or today.replace(day=1)


def incentive_target(worklog: Any, year: int, month: int, today: date,
                     first_month: date | None = None) -> tuple[int, int] | None:
    """(calls required, which month of the incentive 1..4) for ``year-month``, or None outside the incentive.
    The rule (domain.md): at least 1 call in the first month, then 50 a month for the three months after. The
    shift screen and the work log both read it here, so they always say the same."""
    try:
        status = worklog.incentive(first_incentive_month(worklog, today, first_month), today=today)
    except Exception:
        log.exception("incentive could not be read")
        return None
    for i, m in enumerate(status.months):
        if (m.year, m.month) == (year, month):
            return m.required, i + 1
    return None


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
