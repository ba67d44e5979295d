"""Availability entry (事前エントリー): the plan model, the contract's rules, Japanese holidays. Qt-free."""

from agentdesk.availability.plan import Plan, PlanFormatError, Slot, load_plan, parse_plan
from agentdesk.availability.rules import DEFAULT_RULES, Rules
from agentdesk.availability.validate import (
    MonthFigures,
    Problem,
    Report,
    deadline_for,
    first_open_week,
    month_figures,
    validate,
)

__all__ = ["DEFAULT_RULES", "MonthFigures", "Plan", "PlanFormatError", "Problem", "Report", "Rules", "Slot",
           "deadline_for", "first_open_week", "load_plan", "month_figures", "parse_plan", "validate"]
