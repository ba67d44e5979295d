"""The shift screen's wiring and rendering: clicks and keys into the Qt-free desk core, its screen onto the view.

Every decision lives in :class:`agentdesk.agent.desk.DeskCore`; this controller connects the view's widgets to
the core's actions and renders :meth:`DeskCore.screen` (texts in the chosen language, colours, pages, focus).
Threads: engine events (the supervisor's reader thread) and center events arrive through the one
:class:`QtBridge`; slow work (the center, the keyring, the work log) runs on :class:`UiJobs` workers, so the GUI
thread never waits on the network or the disk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

from agentdesk.agent.center_link import CenterLink
from agentdesk.agent.desk import DeskCore
from agentdesk.agent.draft import BackgroundDraftStore
from agentdesk.agent.practice import bundled_step_names
from agentdesk.agent.session import AgentState
from agentdesk.center.api import CenterEvent
from agentdesk.center.connection import CenterConnection
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P
from agentdesk.ui.desk import shortcuts as desk_shortcuts
from agentdesk.ui.desk.engine_link import EngineLike
from agentdesk.ui.desk.render import ShiftRenderer
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.jobs import UiJobs
from agentdesk.ui.qt_bridge import QtBridge

log = logging.getLogger(__name__)
Notifier = Callable[[str, str, bool], None]  # (title, message, urgent)


class DeskController(QObject):
    ringVisible = Signal(float)  # perf_counter() when the ringing page became visible (benchmarks, tests)
    stateChanged = Signal(str)

    def __init__(self, view: ShiftView, connection: CenterConnection,
                 engine_factory: Callable[[Callable[[P.Event], None]], EngineLike], bridge: QtBridge,
                 settings: Settings, language: Callable[[], str] = lambda: "ja", notifier: Notifier | None = None,
                 sound: SoundPlayer | None = None, worklog: Any = None, script_panel: QWidget | None = None,
                 auto_sign_in: tuple[str, str] | None = None, audio_backend: str | None = None) -> None:
        super().__init__(view)
        self.view, self.bridge, self.settings, self.language = view, bridge, settings, language
        self.engine_factory, self.notifier, self.auto_sign_in = engine_factory, notifier, auto_sign_in
        self.sound = sound or SoundPlayer(settings.audio.ring_device)
        self.jobs = UiJobs(bridge)
        self.drafts = BackgroundDraftStore()
        self.script_panel = script_panel
        self.core = DeskCore(settings, CenterLink(connection, self.jobs), self.jobs, self, clock=time.time,
                             worklog=worklog, drafts=self.drafts, script=script_panel,  # type: ignore[arg-type]
                             step_names=bundled_step_names, audio_backend=audio_backend)
        self.engine: EngineLike | None = None
        self.confirm_end_work: Callable[[], bool] = lambda: True  # the shell's question (ui/shell/tools.py)
        self.sign_in_prompt: Callable[[str], tuple[str, str, bool] | None] | None = None
        self._rendering = False
        self._stopped = False
        if script_panel is not None:
            view.script_placeholder.hide()
            view.script_host_layout.addWidget(script_panel)
            signal = getattr(script_panel, "escalationRequested", None)
            if signal is not None:  # the script's escalation point: the same flow as F9, its target preselected
                signal.connect(self.escalate_from_script)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.on_tick)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(300)
        self._note_timer.timeout.connect(lambda: self.core.set_note(self.view.call_notes.toPlainText()))
        v, c = view, self.core
        v.work_button.clicked.connect(self.toggle_work)
        v.ready_button.clicked.connect(c.go_ready)
        v.not_ready_button.clicked.connect(self.go_not_ready)
        v.break_button.clicked.connect(self.go_break)
        v.answer_button.clicked.connect(c.answer)
        v.reject_button.clicked.connect(c.reject)
        v.hangup_button.clicked.connect(c.hangup)
        v.hold_button.clicked.connect(c.toggle_hold)
        v.mute_button.clicked.connect(c.toggle_mute)
        v.dtmf_button.toggled.connect(v.dtmf_pad.setVisible)
        for key, button in v.dtmf_keys.items():
            button.clicked.connect(lambda _=False, k=key: c.send_dtmf(k))
        v.escalate_button.clicked.connect(self.escalate)
        v.practice_button.clicked.connect(self.start_practice_call)
        v.dismiss_result_button.clicked.connect(c.dismiss_practice_result)
        v.reconnect_button.clicked.connect(c.reconnect_line)
        v.raise_hand_button.clicked.connect(self.raise_hand)
        v.call_notes.textChanged.connect(self._note_timer.start)
        v.wrap_up_codes.itemSelectionChanged.connect(self._code_chosen)
        v.wrap_up_notes.textChanged.connect(lambda: c.edit_wrap_up(note=v.wrap_up_notes.toPlainText()))
        v.submit_ready_button.clicked.connect(lambda: self.finish_wrap_up(AgentState.READY))
        v.submit_not_ready_button.clicked.connect(lambda: self.finish_wrap_up(AgentState.NOT_READY))
        v.languageChanged.connect(self.refresh)
        self.shortcuts: dict[str, QShortcut] = {}
        self.renderer = ShiftRenderer(view, self.core, language, self.key, self.ringVisible.emit)
        self.apply_shortcuts(settings.shortcuts)
        self.refresh()

    # ---- what other areas use ---------------------------------------------------------------------------------
    session = property(lambda self: self.core.session)
    provisioning = property(lambda self: self.core.provisioning)
    registration = property(lambda self: self.core.registration)
    contract = property(lambda self: self.core.contract)
    engine_listeners = property(lambda self: self.core.listeners)
    center_listeners = property(lambda self: self.core.center_listeners)
    record_listeners = property(lambda self: self.core.record_listeners)
    signed_in = property(lambda self: self.core.link.signed_in)
    center = property(lambda self: self.core.link.connection.client)

    def show_notice(self, text: Text) -> None:
        self.core.say(text)

    def _flush_note(self) -> None:
        """The note typed a moment ago goes with the call (the escalation, the raised hand, the wrap-up)."""
        if self._note_timer.isActive():
            self._note_timer.stop()
            self.core.set_note(self.view.call_notes.toPlainText())

    def on_engine_event(self, event: P.Event) -> None:
        if self._stopped:  # a last event while the app quits: the work log and outbox are closing
            return
        self._flush_note()
        self.core.on_engine_event(event)

    def on_center_event(self, event: CenterEvent) -> None:
        self.core.on_center_event(event)

    def raise_hand(self) -> None:
        self._flush_note()
        self.core.raise_hand()

    # ---- life cycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the phone engine, then sign in silently (a saved password or the practice center's)."""
        engine = self.engine_factory(self.bridge.wrap(self.on_engine_event))
        try:
            engine.start()
            self.engine = engine
        except OSError as exc:
            log.error("could not start the phone engine: %s", exc)
        self.core.attach_engine(self.engine)
        self._watch_outbox()
        self.ticker.start()
        self.core.start(self.auto_sign_in)
        self.refresh()

    def _watch_outbox(self) -> None:
        """Why entries wait for the center (a forgotten session, a certificate a portal does not pass, a proxy's
        page): a banner while it lasts, gone once an entry goes through (agentdesk/center/outbox.py problem())."""
        outbox = self.core.link.connection.outbox
        problem = getattr(outbox, "problem", None)
        if problem is None:  # an outbox without the durable one's problems (tests' immediate outbox)
            return
        show = self.bridge.wrap(lambda p: self.core.banner("outbox", None if p is None else p.message, "warning"))
        outbox.on_change = lambda: show(problem())  # on the thread that changed it; the banner on the GUI thread
        show(problem())

    def can_quit(self) -> str | None:
        if self.core.session.state in (AgentState.RINGING, AgentState.ON_CALL):
            return self.tr("You are on a call. Quitting ends the call. Quit anyway?")
        return None

    def stop(self) -> None:
        self._stopped = True
        self.core.stop()
        self.ticker.stop()
        self.jobs.close()
        self.drafts.flush()
        if self.engine is not None:
            try:
                self.engine.stop()
            except Exception:
                log.exception("engine stop failed")
        self.core.link.close()

    def apply_shortcuts(self, overrides: dict[str, str]) -> None:
        c = self.core
        actions: dict[str, Callable[[], Any]] = {
            "work": self.toggle_work, "ready": c.go_ready, "not_ready": self.go_not_ready, "break": self.go_break,
            "answer": c.answer, "hangup": c.hangup, "hold": c.toggle_hold, "mute": c.toggle_mute,
            "escalate": self.escalate, "raise_hand": self.raise_hand, "practice": self.start_practice_call,
            "dtmf_pad": lambda: self.view.dtmf_button.toggle() if c.session.call else None,
            "notes": self._focus_notes, "submit_wrap_up": lambda: self.finish_wrap_up(AgentState.READY)}
        for sc in self.shortcuts.values():
            sc.setEnabled(False)
            sc.deleteLater()
        self.shortcuts = {}
        for name, keys in desk_shortcuts.effective(overrides).items():
            sc = QShortcut(QKeySequence(keys), self.view)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(actions[name])
            self.shortcuts[name] = sc

    def key(self, name: str) -> str:
        sc = self.shortcuts.get(name)
        return sc.key().toString(QKeySequence.SequenceFormat.NativeText) if sc else ""

    # ---- Effects (agentdesk.agent.desk.Effects) -----------------------------------------------------------------
    def changed(self) -> None:
        self.refresh()

    def notify(self, title: Text, message: Text, urgent: bool) -> None:
        if self.notifier is not None:
            try:
                lang = self.language()
                self.notifier(title.pick(lang), message.pick(lang), urgent)
            except Exception:
                log.exception("notification failed")

    def play(self, kind: str) -> None:
        if not self.sound.play(kind):
            QApplication.beep()

    def ask_sign_in(self, agent_id: str, problem: Text | None) -> None:
        if problem is not None:
            self.core.say(problem)
        if self.sign_in_prompt is None:
            self.core.say(Text(ja="センターにサインインできません。設定でアカウントを確認してください。",
                               en="Cannot sign in to the center. Check the account in Settings."))
            return
        answer = self.sign_in_prompt(agent_id)
        if answer is not None:
            self.core.sign_in(*answer, start_work=True)

    def later(self, seconds: float, fn: Callable[[], None]) -> None:
        QTimer.singleShot(max(0, int(seconds * 1000)), self, fn)

    # ---- actions that read the view ---------------------------------------------------------------------------
    def sign_in(self, agent_id: str, secret: str, remember: bool = True) -> None:
        self.core.sign_in(agent_id, secret, remember)

    def toggle_work(self) -> None:
        if self.core.session.working and not self.confirm_end_work():  # the shell asks (ui/shell/confirm.py)
            return
        self.core.toggle_work()

    def go_ready(self) -> None:
        self.core.go_ready()

    def go_not_ready(self) -> None:
        self.core.go_not_ready(self.view.not_ready_reason.currentData())

    def go_break(self) -> None:
        self.core.go_break(self.view.break_reason.currentData())

    def answer(self) -> None:
        self.core.answer()

    def hangup(self) -> None:
        self.core.hangup()

    def escalate(self) -> None:
        self._flush_note()
        self.core.escalate(self.view.escalation_target.currentData())

    def escalate_from_script(self, context: dict[str, Any] | None = None) -> None:
        self._flush_note()
        self.core.escalate(script_context=context or None)

    def start_practice_call(self) -> None:
        self.core.start_practice(self.view.practice_scenario.currentData())

    def _code_chosen(self) -> None:
        """The chosen code is the *selected* item: focus alone makes an item current, never chosen."""
        if self._rendering:
            return
        items = self.view.wrap_up_codes.selectedItems()
        self.core.edit_wrap_up(code=str(items[0].data(Qt.ItemDataRole.UserRole)) if items else "")
        if items:
            self.view.wrap_up_problem.clear()

    def finish_wrap_up(self, then: AgentState) -> None:
        self.core.edit_wrap_up(note=self.view.wrap_up_notes.toPlainText())
        problem = self.core.finish_wrap_up(then)
        if problem is not None:
            self.view.wrap_up_problem.setText(problem.pick(self.language()))
            self.view.wrap_up_codes.setFocus()

    def _focus_notes(self) -> None:
        state = self.core.session.state
        if state == AgentState.ON_CALL:
            self.view.call_notes.setFocus()
        elif state == AgentState.AFTER_CALL_WORK:
            self.view.wrap_up_notes.setFocus()

    def on_tick(self) -> None:
        problem = self.core.tick()
        if problem is not None:
            self.view.wrap_up_problem.setText(problem.pick(self.language()))

    # ---- rendering (agentdesk/ui/desk/render.py) -------------------------------------------------------------
    def state_text(self, state: AgentState) -> str:
        return self.renderer.state_text(state)

    def refresh(self) -> None:
        if self._rendering:
            return
        self._rendering = True
        try:
            screen = self.core.screen(self.key("practice"))
            self.renderer.render(screen)
            self.stateChanged.emit(screen.state.value)
        finally:
            self._rendering = False
