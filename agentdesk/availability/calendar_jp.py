"""Japanese calendar facts: the local time zone and the public holidays (祝日).

Holidays come from the maintained ``holidays`` package (``holidays.JP``), which follows the Act on National
Holidays: fixed and Happy-Monday holidays, equinoxes, substitute holidays (振替休日: a holiday on a Sunday moves
to the next working day, e.g. 2026-05-06) and bridge holidays (国民の休日: a day between two holidays, e.g.
2026-09-22). Nothing is hard-coded here, so a law change arrives with a package update.

Japan has no daylight saving time, so local time is the fixed offset +09:00; this avoids depending on the IANA
database, which Windows does not ship (``zoneinfo`` would need the ``tzdata`` package there).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    return datetime.now(JST)


def today() -> date:
    """Today in Japan, whatever the PC's own time zone."""
    return now().date()


def to_local(at: datetime) -> datetime:
    """An aware datetime in Japanese time; a naive one is taken as already Japanese local time."""
    if at.tzinfo is None:
        return at.replace(tzinfo=JST)
    return at.astimezone(JST)


@lru_cache(maxsize=64)
def _year(year: int) -> dict[date, str]:
    import holidays  # ~9 MB: only once a holiday is asked about, not when the shift screen starts

    return dict(holidays.country_holidays("JP", years=year, language="ja").items())


@lru_cache(maxsize=64)
def _year_en(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("JP", years=year, language="en_US").items())


def holiday_name(d: date, language: str = "ja") -> str | None:
    """The holiday's name (Japanese by default), or None on an ordinary day."""
    table = _year_en(d.year) if language == "en" else _year(d.year)
    return table.get(d)


def is_holiday(d: date) -> bool:
    return d in _year(d.year)


def is_weekend_or_holiday(d: date) -> bool:
    """土日祝: Saturday, Sunday or a public holiday (these hours count toward the weekend-and-holiday minimum)."""
    return d.weekday() >= 5 or is_holiday(d)


def week_monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]
