"""The agent's own numbers for the shift screen: calls and talk time today and this month, hours worked against the
65-hour monthly minimum, calls against the new-agent incentive threshold (domain.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


def _pick(obj: Any, *names: str, default: float = 0.0) -> float:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is None:
            continue
        if hasattr(value, "total_seconds"):
            return float(value.total_seconds())
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return default


def from_worklog(worklog: Any, today: date, first_month: date | None = None) -> OwnNumbers | None:
    """Read the numbers from the work log (agentdesk.agent.worklog.WorkLog); None when it cannot be read."""
    try:
        day = worklog.day(today)
        month = worklog.month(today.year, today.month)
    except Exception:
        log.exception("work log could not be read")
        return None
    numbers = OwnNumbers(
        calls_today=int(_pick(day, "calls", "call_count")),
        talk_seconds_today=_pick(day, "talk_seconds", "talk_time", "talk"),
        calls_month=int(_pick(month, "calls", "call_count")),
        talk_seconds_month=_pick(month, "talk_seconds", "talk_time", "talk"),
        hours_month=_pick(month, "hours_worked", "worked_hours", "hours")
        or _pick(month, "worked_seconds", "work_seconds") / 3600.0,
    )
    try:
        incentive = worklog.incentive(first_month) if first_month else None
    except Exception:
        incentive = None
    if incentive is not None:
        target = _pick(incentive, "calls_needed", "threshold", "target", default=-1)
        numbers.incentive_calls_target = int(target) if target >= 0 else INCENTIVE_NEXT_MONTHS_CALLS
    return numbers


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
