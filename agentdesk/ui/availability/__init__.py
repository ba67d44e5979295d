"""Availability entry (事前エントリー) and the agent's work log (稼働記録): screens for the main window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from agentdesk.agent.worklog import WorkLog
from agentdesk.availability.rules import Rules
from agentdesk.availability.store import EntryStore


def open_availability(parent: QWidget | None = None, submit: Callable[[dict[str, Any]], None] | None = None,
                      *, rules: Rules | None = None, store: EntryStore | None = None,
                      today: Callable[[], date] | None = None) -> QWidget:
    """The entry screen. ``submit`` enqueues ``{"kind": "availability", ...}`` in the center outbox; without it
    (or when it fails) entered weeks wait in ``data_dir()/availability.json`` and are handed over later."""
    from agentdesk.ui.availability.entry_controller import AvailabilityController
    from agentdesk.ui.availability.entry_view import AvailabilityView

    view = AvailabilityView(parent)
    kwargs: dict[str, Any] = {} if today is None else {"today": today}
    view.controller = AvailabilityController(view, store or EntryStore(), submit, rules, **kwargs)  # type: ignore[attr-defined]
    return view


def open_work_log(parent: QWidget | None = None, worklog: WorkLog | None = None, *,
                  first_month: date | None = None, today: Callable[[], date] | None = None) -> QWidget:
    """The work-log view: hours, calls and talk time per day and month, against the minimum and the incentive."""
    from agentdesk.ui.availability.worklog_controller import WorkLogController
    from agentdesk.ui.availability.worklog_view import WorkLogView

    view = WorkLogView(parent)
    kwargs: dict[str, Any] = {} if today is None else {"today": today}
    view.controller = WorkLogController(view, worklog or WorkLog(), first_month, **kwargs)  # type: ignore[attr-defined]
    return view
