"""The availability plan: dated time slots, read from and written to ``{"slots": [{"date", "start", "end"}]}``."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from agentdesk.availability import messages as M
from agentdesk.availability.calendar_jp import week_monday
from agentdesk.i18n import Text
from agentdesk.safefiles import loads_json

MAX_PLAN_BYTES = 1024 * 1024
MAX_SLOTS = 5000  # two years of half-hour slots, every day


class PlanFormatError(ValueError):
    """The plan file or data cannot be read; ``message`` says what and where, in Japanese and English."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """One declared time range on one day (local time). ``index`` is its position in the file."""

    date: date
    start: time
    end: time
    index: int = field(default=0, compare=False)

    @property
    def start_minutes(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minutes(self) -> int:
        return self.end.hour * 60 + self.end.minute

    @property
    def hours(self) -> float:
        return max(0, self.end_minutes - self.start_minutes) / 60.0

    @property
    def week(self) -> _dt.date:
        return week_monday(self.date)

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M")}


@dataclass(slots=True)
class Plan:
    slots: list[Slot] = field(default_factory=list)
    # Optional: the days the plan speaks for, inclusive. Without it, the plan covers the Monday-to-Sunday weeks
    # from its first slot's week to its last slot's week (an empty week at the edge cannot be told apart).
    period: tuple[date, date] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slots": [s.as_dict() for s in sorted(self.slots)]}
        if self.period is not None:
            out["period"] = {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()}
        return out

    def covered(self) -> tuple[date, date] | None:
        """The first and last day this plan speaks for (see ``period``)."""
        if self.period is not None:
            return self.period
        if not self.slots:
            return None
        days = [s.date for s in self.slots]
        return week_monday(min(days)), week_monday(max(days)) + timedelta(days=6)

    def weeks(self) -> list[date]:
        return sorted({s.week for s in self.slots})

    def in_week(self, monday: date) -> list[Slot]:
        end = monday + timedelta(days=7)
        return sorted(s for s in self.slots if monday <= s.date < end)


def _parse_time(value: Any, where: str) -> time:
    if not isinstance(value, str):
        raise PlanFormatError(M.BAD_TIME.format(where=where, value=json.dumps(value, ensure_ascii=False)))
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise PlanFormatError(M.BAD_TIME.format(where=where, value=json.dumps(value, ensure_ascii=False)))
    hh, mm = int(parts[0]), int(parts[1])
    if hh > 23 or mm > 59:
        raise PlanFormatError(M.BAD_TIME.format(where=where, value=json.dumps(value, ensure_ascii=False)))
    return time(hh, mm)


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # a plan's dates; year 1 or 9999 overflowed the rules


def _parse_date(value: Any, where: str) -> date:
    shown = json.dumps(value, ensure_ascii=False)[:40]
    if not isinstance(value, str) or len(value) != 10:
        raise PlanFormatError(M.BAD_DATE.format(where=where, value=shown))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PlanFormatError(M.BAD_DATE.format(where=where, value=shown)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PlanFormatError(M.DATE_OUT_OF_RANGE.format(where=where, value=shown, first=FIRST_DAY.year,
                                                         last=LAST_DAY.year))
    return day


def parse_plan(data: Any) -> Plan:
    """A :class:`Plan` from decoded JSON; :class:`PlanFormatError` names the first problem and where it is."""
    if not isinstance(data, dict):
        raise PlanFormatError(M.NOT_AN_OBJECT)
    raw = data.get("slots")
    if not isinstance(raw, list):
        raise PlanFormatError(M.NO_SLOTS)
    slots = []
    for i, item in enumerate(raw):
        where = f"slots[{i}]"
        if not isinstance(item, dict):
            raise PlanFormatError(M.SLOT_NOT_OBJECT.format(where=where))
        missing = [k for k in ("date", "start", "end") if k not in item]
        if missing:
            raise PlanFormatError(M.SLOT_MISSING.format(where=where, keys=", ".join(missing)))
        slots.append(Slot(date=_parse_date(item["date"], f"{where}.date"),
                          start=_parse_time(item["start"], f"{where}.start"),
                          end=_parse_time(item["end"], f"{where}.end"), index=i))
    period = None
    if data.get("period") is not None:
        raw_period = data["period"]
        if not isinstance(raw_period, dict) or "from" not in raw_period or "to" not in raw_period:
            raise PlanFormatError(M.BAD_PERIOD)
        period = (_parse_date(raw_period["from"], "period.from"), _parse_date(raw_period["to"], "period.to"))
        if period[1] < period[0]:
            raise PlanFormatError(M.BAD_PERIOD)
    return Plan(slots, period)


def load_plan(path: Path) -> Plan:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanFormatError(M.FILE_MISSING.format(path=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFormatError(M.FILE_UNREADABLE.format(path=str(path), reason=str(exc))) from None
    if len(text) > MAX_PLAN_BYTES:
        raise PlanFormatError(M.FILE_UNREADABLE.format(path=str(path), reason="larger than 1 MiB"))
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(M.NOT_JSON.format(path=str(path), line=exc.lineno, column=exc.colno,
                                                reason=exc.msg)) from None
    except ValueError as exc:  # nested too deeply
        raise PlanFormatError(M.FILE_UNREADABLE.format(path=str(path), reason=str(exc))) from None
    if isinstance(data, dict) and isinstance(data.get("slots"), list) and len(data["slots"]) > MAX_SLOTS:
        raise PlanFormatError(M.FILE_UNREADABLE.format(path=str(path), reason=f"more than {MAX_SLOTS} slots"))
    return parse_plan(data)
