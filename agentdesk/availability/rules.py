"""The contract's rules for availability entry and work, with the defaults from the contract (docs/availability.md).

Every figure can be overridden by the center's provisioning: :meth:`Rules.from_provisioning` takes the service
hours of :class:`agentdesk.center.api.Provisioning` and, when the center sends them, the other figures from an
``availability_rules`` mapping (keys are the field names below), so a center with other terms needs no new client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import time
from typing import Any

MAX_FIGURE = 10_000.0  # hours, days or calls a contract can name; 1e400 or 10**30 are not terms


@dataclass(frozen=True, slots=True)
class Rules:
    service_start: time = time(10, 0)  # service hours, every day including weekends and holidays
    service_end: time = time(17, 0)
    entry_lead_days: int = 14  # a Monday-to-Sunday week is entered at the latest this many days before its Monday
    min_entry_hours: float = 80.0  # hours entered per month
    min_weekend_holiday_hours: float = 20.0  # of which on Saturdays, Sundays and public holidays
    min_worked_hours: float = 65.0  # hours actually worked per month
    incentive_first_month_calls: int = 1  # new-agent incentive: calls in the first month
    incentive_later_month_calls: int = 50  # and in each of the following months
    incentive_later_months: int = 3
    slot_minutes: int = 30  # the entry screen's grid step (the validator accepts any minute)

    @property
    def service_minutes(self) -> tuple[int, int]:
        return (self.service_start.hour * 60 + self.service_start.minute,
                self.service_end.hour * 60 + self.service_end.minute)

    def with_overrides(self, overrides: dict[str, Any]) -> Rules:
        """A copy with the known keys of ``overrides`` applied (unknown keys are ignored, values are coerced)."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        if not isinstance(overrides, dict):
            raise ValueError("the rules must be an object")
        for key, value in overrides.items():
            if key not in known or value is None:
                continue
            current = getattr(self, key)
            if isinstance(current, time):
                changes[key] = value if isinstance(value, time) else time.fromisoformat(str(value)[:8])
            elif isinstance(current, bool):
                changes[key] = bool(value)
            else:
                number = float(value)
                if not math.isfinite(number) or not 0 <= number <= MAX_FIGURE:
                    raise ValueError(f"{key} must be a number from 0 to {MAX_FIGURE:g}")
                changes[key] = int(number) if isinstance(current, int) else number
        return replace(self, **changes)

    @classmethod
    def from_provisioning(cls, provisioning: Any) -> Rules:
        """Rules from the center's provisioning (service hours, optional ``availability_rules`` mapping)."""
        rules = cls()
        hours = getattr(provisioning, "service_hours", None)
        if hours:
            rules = replace(rules, service_start=hours[0], service_end=hours[1])
        extra = getattr(provisioning, "availability_rules", None)
        if isinstance(extra, dict):
            rules = rules.with_overrides(extra)
        return rules


DEFAULT_RULES = Rules()
