"""The main window's Tools menu and the shell's questions, wired to the shift screen.

- Self-check (its report to the outbox; the center's SIP server and echo service from the provisioning, so the
  practice center's serve a recruit who has no center yet), availability entry (to the outbox), work log, and
  trainer mode (through this app's own phone engine; trainee calls from the center's events). Each opens its own
  window; a second trigger brings the open one forward.
- Trainer mode is offered only to users the center provisions as trainers (``Provisioning.trainer``).
- Ending work during a shift asks first (:mod:`agentdesk.ui.shell.confirm`).
- A language switch relabels the lists the center sent (:mod:`agentdesk.ui.shell.relabel`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

log = logging.getLogger(__name__)


class _OutboxReports:
    """The self-check report goes to the center through the same durable outbox as every other write."""

    def __init__(self, submit: Callable[..., Any]) -> None:
        self._submit = submit

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None:
        self._submit(kind, payload, idempotency_key)


def self_check_context(provisioning: Any, store: Any) -> dict[str, Any]:
    """What the provisioning adds to the settings for the self-check: the center's SIP server (a practice center's
    or a center's that the agent never typed into settings), its echo service, and the remembered landline."""
    from agentdesk.checks.config import parse_sip_target

    context: dict[str, Any] = {}
    sip = getattr(provisioning, "sip", None)
    if sip is not None and sip.registrars and not store.account.registrars:
        target = parse_sip_target(sip.registrars[0])
        if target:
            context["center_host"], context["center_port"], context["center_transport"] = target
    echo = getattr(provisioning, "echo_target", "") or ""
    if echo:
        context["echo_target"] = echo
    return context


def worked_today(worklog: Any) -> tuple[str, int | None]:
    """("4:12", 23): hours worked and calls handled today, for the end-work question; ("", None) unknown."""
    if worklog is None:
        return "", None
    try:
        from agentdesk.availability.calendar_jp import today

        day = worklog.day(today())
    except Exception:
        log.exception("work log could not be read")
        return "", None
    minutes = day.worked_seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}", int(day.calls)


def wire_tools(window: Any, services: Any, main: Any, desk: Any) -> None:
    opened: dict[str, Any] = {}

    def show(name: str, make: Callable[[], Any], keep: bool = False) -> None:
        """Bring the open window forward; a closed one is made anew unless ``keep`` (the trainer screen keeps
        its list and its joined call, and listens to events for the app's lifetime)."""
        widget = opened.get(name)
        if widget is None or not (keep or widget.isVisible()):
            widget = make()
            opened[name] = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()

    def self_check() -> Any:
        from agentdesk.checks import report
        from agentdesk.ui.checks import open_self_check

        widget = open_self_check(window, language=main.languages.language,
                                 context=self_check_context(desk.provisioning, desk.settings) or None)
        reports = _OutboxReports(services.submit)

        def hand_over(data: dict[str, Any]) -> None:
            try:
                report.submit(data, reports)
            except Exception:  # the wizard still shows the results; the agent can save the report
                log.exception("the self-check report could not be queued for the center")

        widget.controller.finished.connect(hand_over)
        return widget

    def availability() -> Any:
        from agentdesk.ui.availability import open_availability

        # the outbox's enqueue(kind, payload, key): each week keeps one idempotency key across retries
        widget = open_availability(window, submit=services.submit)
        widget.setWindowFlag(Qt.WindowType.Window, True)
        return widget

    def work_log() -> Any:
        from agentdesk.ui.availability import open_work_log

        widget = open_work_log(window, services.worklog)
        widget.setWindowFlag(Qt.WindowType.Window, True)
        return widget

    def trainer() -> Any:
        from agentdesk.ui.training.trainer import TrainerController, TrainerView

        widget = TrainerView(window)
        widget.setWindowFlag(Qt.WindowType.Window, True)
        trainer_controller = TrainerController(widget, desk.engine)
        widget.controller = trainer_controller
        desk.engine_listeners.append(trainer_controller.on_engine_event)
        desk.center_listeners.append(trainer_controller.on_center_event)
        return widget

    def trainer_allowed() -> bool:
        return bool(getattr(desk.provisioning, "trainer", False))

    def open_trainer() -> None:
        if trainer_allowed():  # the shortcut too: an action hidden a moment ago may still fire once
            show("trainer", trainer, keep=True)

    def offer_trainer(_state: str = "") -> None:
        allowed = trainer_allowed()
        window.trainer_action.setVisible(allowed)
        window.trainer_action.setEnabled(allowed)

    window.trainer_action.triggered.connect(open_trainer)
    window.self_check_action.triggered.connect(lambda: show("self_check", self_check))
    window.availability_action.triggered.connect(lambda: show("availability", availability))
    window.work_log_action.triggered.connect(lambda: show("work_log", work_log))
    for action in (window.self_check_action, window.availability_action, window.work_log_action):
        action.setEnabled(True)
    offer_trainer()
    desk.stateChanged.connect(offer_trainer)  # signing in brings the provisioning that says who trains

    def confirm_end_work() -> bool:
        from agentdesk.ui.shell.confirm import confirm_end_work as ask

        worked, calls = worked_today(services.worklog)
        return ask(window, worked, calls)

    desk.confirm_end_work = confirm_end_work

    from agentdesk.ui.shell.relabel import relabel_center_lists

    desk.view.languageChanged.connect(lambda: relabel_center_lists(desk))  # the center's lists follow the language

