"""The agent's own numbers on the idle page (today / this month in Japan time: agentdesk.agent.numbers)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from agentdesk.agent.numbers import OwnNumbers
from agentdesk.agent.numbers import format_duration as fmt
from agentdesk.ui.desk.view import ShiftView


def render_numbers(v: ShiftView, n: OwnNumbers) -> None:
    """The strings keep the desk controller's translation context (resources/i18n/desk_ja.ts)."""
    avg_calls, avg_talk = n.average_calls_per_day, n.average_talk_seconds_per_day
    v.calls_today_bar.set_data(
        QCoreApplication.translate("ShiftRenderer", "Calls today (tick: your daily average)"), n.calls_today, avg_calls,
        str(n.calls_today) if avg_calls is None else
        QCoreApplication.translate("ShiftRenderer", "%1 (average %2)").replace("%1", str(n.calls_today)).replace("%2", f"{avg_calls:.1f}"))
    v.talk_today_bar.set_data(QCoreApplication.translate("ShiftRenderer", "Talk time today (tick: your daily average)"), n.talk_seconds_today / 60,
                              avg_talk / 60 if avg_talk else None, fmt(n.talk_seconds_today))
    v.calls_month_bar.set_series(QCoreApplication.translate("ShiftRenderer", "Calls this month (by day)"),
                                 [float(c) for c in n.calls_by_day or [n.calls_month]], str(n.calls_month))
    worked = n.worked_seconds_month
    v.talk_month_bar.set_data(QCoreApplication.translate("ShiftRenderer", "Talk time this month (bar: share of hours worked)"), n.talk_seconds_month / 60,
                              None, fmt(n.talk_seconds_month), scale=worked / 60 if worked else None)
    v.hours_bar.set_data(QCoreApplication.translate("ShiftRenderer", "Hours worked this month (minimum 65 h)"), n.hours_month, n.hours_target,
                         QCoreApplication.translate("ShiftRenderer", "%1 of %2 h").replace("%1", f"{n.hours_month:.1f}").replace("%2", f"{n.hours_target:.0f}"))
    target = n.incentive_calls_target or 0
    v.incentive_bar.set_data(QCoreApplication.translate("ShiftRenderer", "Calls toward the incentive"), n.calls_month, target or None,
                             QCoreApplication.translate("ShiftRenderer", "%1 of %2 calls").replace("%1", str(n.calls_month)).replace("%2", str(target)))
