"""Putting the shift screen into the main window: the center, the outbox, the work log, the engine, the tray."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog

from agentdesk import settings as settings_mod
from agentdesk.center.api import CenterClient
from agentdesk.center.connection import CenterConnection
from agentdesk.i18n import Text
from agentdesk.sip import protocol as P
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.engine_link import EngineLike, make_engine
from agentdesk.ui.desk.sign_in import ask_sign_in
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import STATE_COLORS, ShiftView
from agentdesk.ui.qt_bridge import QtBridge

log = logging.getLogger(__name__)
ENGINE_ENV = "AGENTDESK_ENGINE_ARGV"  # JSON list: run another engine program (support staff, screenshots)


@dataclass
class Services:
    """The center connection (client, event stream and durable outbox in one), the work log, what to close."""

    connection: CenterConnection
    worklog: Any = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    auto_sign_in: tuple[str, str] | None = None  # practice center: sign in without asking
    notices: list[Text] = field(default_factory=list)  # e.g. a damaged database set aside at start (safefiles.py)

    @property
    def center(self) -> CenterClient:
        return self.connection.client

    @property
    def submit(self) -> Callable[..., str]:
        """The outbox's enqueue(kind, payload, key=None): the Tools (self-check, availability) write through it."""
        return self.connection.outbox.enqueue


def default_services(store: settings_mod.Settings) -> Services:
    """The real center (HTTPS) when configured, else the practice center on this machine, behind one
    CenterConnection: its event stream wakes the durable outbox when the center is back (no 30 s backoff)."""
    from agentdesk.agent.worklog import WorkLog

    connection = CenterConnection(store.center)  # httpx only for a real center; the practice center needs none
    worklog = WorkLog()
    auto = ("practice", "practice") if connection.practice else None
    notices = [n for n in (connection.outbox.notice, worklog.notice) if n is not None]
    return Services(connection=connection, worklog=worklog, cleanup=[worklog.close], auto_sign_in=auto,
                    notices=notices)


def engine_factory(argv: list[str] | None = None) -> Callable[[Callable[[P.Event], None]], EngineLike]:
    if argv is None and os.environ.get(ENGINE_ENV):
        argv = json.loads(os.environ[ENGINE_ENV])
    return lambda on_event: make_engine(on_event, argv=argv)


def attach_desk(main: Any, services: Services, store: settings_mod.Settings,
                engine: Callable[[Callable[[P.Event], None]], EngineLike] | None = None,
                sound: SoundPlayer | None = None, script_panel: Any = None) -> DeskController:
    """``main`` is the shell's MainWindowController; returns the desk controller, already started."""
    from agentdesk.ui.shell.tray import Tray

    window = main.view
    view = ShiftView(window.pages)
    window.pages.addWidget(view)
    window.pages.setCurrentWidget(view)
    window.state_label.hide()  # the shift screen shows state and phone health itself
    window.phone_label.hide()
    bridge = QtBridge(view)
    tray = Tray(window, view)
    tray.show()

    def notify(title: str, message: str, urgent: bool) -> None:
        tray.notify(title, message, urgent)
        if controller.session.state.value == "ringing":
            tray.bring_to_front()  # the answer button is one click or key away

    if script_panel is None:
        script_panel = _script_panel(view)
    controller = DeskController(view, services.connection, engine or engine_factory(), bridge, store,
                                language=lambda: main.languages.language, notifier=notify,
                                sound=sound or SoundPlayer(store.audio.ring_device), worklog=services.worklog,
                                script_panel=script_panel, auto_sign_in=services.auto_sign_in)
    controller.tray = tray  # type: ignore[attr-defined]

    def on_state(state: str) -> None:
        tray.set_state(state, STATE_COLORS.get(state, STATE_COLORS["offline"])[0],
                       controller.state_text(controller.session.state))

    controller.stateChanged.connect(on_state)
    tray.ready_action.triggered.connect(controller.go_ready)
    tray.not_ready_action.triggered.connect(controller.go_not_ready)
    tray.quit_action.triggered.connect(main.quit)

    controller.sign_in_prompt = lambda agent_id: ask_sign_in(window, agent_id)

    def open_settings() -> None:
        from agentdesk.ui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(store, window, jobs=controller.jobs)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            controller.apply_shortcuts(store.shortcuts)
            controller.sound.device = store.audio.ring_device
            controller.core.configure_phone()  # devices, ring on the headset, headset buttons: the engine follows
            main.set_language(store.language)
            main.persist()
            controller.refresh()

    view.settings_button.clicked.connect(open_settings)
    from agentdesk.ui.shell.tools import wire_tools

    wire_tools(window, services, main, controller)  # the Tools menu, trainer mode for trainers, end-work question
    view.languageChanged.connect(tray.retranslate)
    main.can_close_to_tray = lambda: tray.available()
    main.can_quit = controller.can_quit
    main.before_quit.append(controller.stop)
    main.before_quit += services.cleanup
    from agentdesk.ui.training.indicator import attach_trainee_indicator
    from agentdesk.ui.training.practice import attach_practice_scoring

    attach_trainee_indicator(controller)  # call training: trainer on the line, mode, hints (docs/training.md)
    attach_practice_scoring(controller)  # practice calls only: a score sheet for the trainer (docs/training.md)
    controller.start()
    on_state(controller.session.state.value)
    QApplication.instance().setQuitOnLastWindowClosed(not tray.available())
    return controller


def _script_panel(parent: Any) -> Any:
    from agentdesk.ui.scripts import ScriptPanel

    try:
        return ScriptPanel(parent=parent)
    except Exception:
        log.exception("support-script panel could not start")
        return None
