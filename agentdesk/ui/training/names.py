"""Names instead of ids on the trainer's screen: practice scenarios by their titles, script steps by theirs, times
in the trainer's local time."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


class TrainingNames:
    """Scenario and step titles in the UI language; an id nobody knows is shown as it is (never a blank)."""

    def __init__(self, scenarios: dict[str, Any] | None = None, library: Any = None) -> None:
        self._scenarios = scenarios
        self._library = library

    def _load(self) -> None:
        if self._scenarios is None:
            try:
                from agentdesk.center.practice.data import load_scenarios

                self._scenarios = {s.id: s for s in load_scenarios()}
            except Exception:
                log.exception("practice scenarios could not be read")
                self._scenarios = {}
        if self._library is None:
            try:
                from agentdesk.ui.scripts import default_library

                self._library = default_library()
            except Exception:
                log.exception("support scripts could not be read")
                self._library = False

    def scenario(self, scenario_id: str, language: str) -> str:
        self._load()
        found = (self._scenarios or {}).get(scenario_id)
        return found.title.pick(language) if found is not None else scenario_id or "-"

    def step(self, scenario_id: str, step_id: str, language: str) -> str:
        """The title of ``step_id`` in the flow the scenario follows (any bundled flow if the scenario is unknown)."""
        self._load()
        from agentdesk.support_scripts.model import pick

        scenario = (self._scenarios or {}).get(scenario_id)
        flows = getattr(self._library, "flows", {}) or {}
        candidates = [flows[scenario.script]] if scenario is not None and scenario.script in flows else list(
            flows.values())
        for flow in candidates:
            step = flow.steps.get(step_id)
            if step is not None:
                return pick(step.title, language)
        return step_id


def local_time(text: str, locale: Any = None) -> str:
    """An ISO 8601 time (UTC or with an offset) in this PC's local time, in the UI locale's short format."""
    if not text:
        return "-"
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    if when.tzinfo is not None:
        when = when.astimezone()
    from PySide6.QtCore import QDateTime, QLocale

    locale = locale or QLocale()
    return locale.toString(QDateTime(when.date(), when.time().replace(microsecond=0)),
                           QLocale.FormatType.ShortFormat)
