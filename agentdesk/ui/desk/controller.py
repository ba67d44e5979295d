"""The shift screen's logic: the agent session, the phone engine and the center, shown on :class:`ShiftView`.

Threads: engine events (reader thread) and center events (event-stream thread) and slow center calls (worker
threads) all come back through the one :class:`QtBridge`. Everything else runs on the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QListWidgetItem, QWidget

from agentdesk import credentials
from agentdesk.agent import numbers as own_numbers
from agentdesk.agent.escalation import context_headers
from agentdesk.agent.headset import desk_action
from agentdesk.agent.session import AgentSession, AgentState, Call, SessionError, Snapshot
from agentdesk.center.api import CenterClient, CenterError, CenterEvent, ContractInfo, Provisioning
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P
from agentdesk.ui.desk import shortcuts as desk_shortcuts
from agentdesk.ui.desk.engine_link import EngineLike
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge

log = logging.getLogger(__name__)
Notifier = Callable[[str, str, bool], None]  # (title, message, urgent)


def credential_ref(agent_id: str) -> str:
    return f"center:{agent_id}"


class DeskController(QObject):
    """Owns the session; turns clicks into session actions and engine commands, and events into the view."""

    ringVisible = Signal(float)  # perf_counter() when the ringing page became visible (benchmarks, tests)
    stateChanged = Signal(str)

    def __init__(
        self,
        view: ShiftView,
        center: CenterClient,
        engine_factory: Callable[[Callable[[P.Event], None]], EngineLike],
        submit: Callable[[str, dict[str, Any]], None],
        bridge: QtBridge,
        settings: Settings,
        language: Callable[[], str] = lambda: "ja",
        notifier: Notifier | None = None,
        sound: SoundPlayer | None = None,
        worklog: Any = None,
        script_panel: QWidget | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.center = center
        self.engine_factory = engine_factory
        self.submit = submit
        self.bridge = bridge
        self.settings = settings
        self.language = language
        self.notifier = notifier
        self.sound = sound or SoundPlayer(settings.audio.ring_device)
        self.worklog = worklog
        self.engine: EngineLike | None = None
        # Other areas' views of engine events, called on the Qt thread after the desk's own handling
        # (agentdesk/ui/training/indicator.py: the trainee's "trainer on the line" indicator).
        self.engine_listeners: list[Callable[[P.Event], None]] = []
        self.center_listeners: list[Callable[[CenterEvent], None]] = []  # e.g. the trainer screen's call list
        self.confirm_end_work: Callable[[], bool] = lambda: True  # the shell's question (ui/shell/tools.py)
        self.provisioning = Provisioning(center_name="", sip=None)
        self.session = AgentSession(self.provisioning, self._submit, worklog=worklog)
        self.session.subscribe(lambda snap: self.render(snap))
        self.signed_in = False
        self.registration: dict[str, Any] = {"state": "unregistered"}
        # why the phone cannot connect, in the agent's words (a refused TLS certificate, SRTP over plain
        # signalling): {"ja", "en"}, kept until the phone registers
        self.phone_problem: dict[str, str] | None = None
        self.engine_state = "stopped"
        self.quality: dict[str, Any] = {}
        self.contract: ContractInfo | None = None
        self.call_headers: dict[str, str] = {}
        self._engine_ids: dict[str, Any] = {}
        self._escalation_deadline: float | None = None
        self._notice: Text | None = None
        self._stop_events: Callable[[], None] | None = None
        self.ring_event_at: float | None = None
        self.last_escalation: dict[str, Any] = {}
        self._ticks = 0
        self._suggested_code = ""  # from the support script's outcome
        self._consult: str | None = None  # the warm escalation's consultation call (engine id as str)
        self._consult_raw: Any = None
        self.script_panel = script_panel
        if script_panel is not None:
            view.script_placeholder.hide()
            view.script_host_layout.addWidget(script_panel)
            signal = getattr(script_panel, "escalationRequested", None)
            if signal is not None:
                signal.connect(lambda _ctx=None: self.escalate())

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self.on_tick)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(300)
        self._note_timer.timeout.connect(self._store_call_note)

        v = view
        v.work_button.clicked.connect(self.toggle_work)
        v.ready_button.clicked.connect(self.go_ready)
        v.not_ready_button.clicked.connect(self.go_not_ready)
        v.break_button.clicked.connect(self.go_break)
        v.answer_button.clicked.connect(self.answer)
        v.reject_button.clicked.connect(self.reject)
        v.hangup_button.clicked.connect(self.hangup)
        v.hold_button.clicked.connect(self.toggle_hold)
        v.mute_button.clicked.connect(self.toggle_mute)
        v.dtmf_button.toggled.connect(v.dtmf_pad.setVisible)
        for key, button in v.dtmf_keys.items():
            button.clicked.connect(lambda _=False, k=key: self.send_dtmf(k))
        v.escalate_button.clicked.connect(self.escalate)
        v.practice_button.clicked.connect(self.start_practice_call)
        v.raise_hand_button.clicked.connect(self.raise_hand)
        v.call_notes.textChanged.connect(self._note_timer.start)
        v.wrap_up_codes.itemSelectionChanged.connect(self._code_chosen)
        v.wrap_up_notes.textChanged.connect(self._wrap_note_changed)
        v.submit_ready_button.clicked.connect(lambda: self.finish_wrap_up(AgentState.READY))
        v.submit_not_ready_button.clicked.connect(lambda: self.finish_wrap_up(AgentState.NOT_READY))
        v.languageChanged.connect(self.refresh)
        self.shortcuts: dict[str, QShortcut] = {}
        self.apply_shortcuts(settings.shortcuts)
        self.sign_in_prompt: Callable[[str], tuple[str, str, bool] | None] | None = None
        self.auto_sign_in: tuple[str, str] | None = None  # the practice center's fixed credentials
        self.render(self.session.snapshot())

    # -- lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the phone engine and the center's event stream (broadcasts reach a signed-out agent too)."""
        self.engine = self.engine_factory(self.bridge.wrap(self.on_engine_event))
        try:
            self.engine.start()
            self.engine_state = "running"
        except OSError as exc:
            log.error("could not start the phone engine: %s", exc)
            self.engine_state = "failed"
        self.ticker.start()
        self._silent_sign_in()
        if self.session.wrap_up is not None:  # a draft recovered after a crash
            self.show_notice(Text(ja="前回の後処理の下書きを復元しました。内容を確認して完了してください。",
                                  en="Your unfinished wrap-up was restored. Check it and finish it."))
        self.refresh()

    def _start_events(self) -> None:
        """The center's event stream, from sign-in on: broadcasts reach the agent before and after work."""
        if self._stop_events is not None:
            return
        try:
            self._stop_events = self.center.events(self.bridge.wrap(self.on_center_event))
        except CenterError as exc:
            log.warning("center event stream unavailable: %s", exc)

    def _silent_sign_in(self) -> None:
        """At start: sign in with the saved password (or the practice center's) on a worker thread, so that
        the center's broadcasts ("please log in") reach an agent who has not started work yet."""
        agent_id = self.auto_sign_in[0] if self.auto_sign_in else self.settings.center.agent_id
        if not agent_id:
            return
        secret = self.auto_sign_in[1] if self.auto_sign_in else credentials.get_secret(credential_ref(agent_id))
        if not secret:
            return

        def work() -> None:
            try:
                prov: Provisioning | Text = self.center.sign_in(agent_id, secret)
            except CenterError as exc:
                prov = exc.message
            except Exception as exc:
                log.warning("silent sign-in failed: %s", exc)
                return
            self.bridge.post(self._signed_in_silently, (agent_id, prov))

        threading.Thread(target=work, name="sign-in", daemon=True).start()

    def _signed_in_silently(self, payload: tuple[str, Provisioning | Text]) -> None:
        agent_id, prov = payload
        if self.signed_in:
            return
        if isinstance(prov, Text):
            self.show_notice(prov)
            return
        self.settings.center.agent_id = agent_id
        self.apply_provisioning(prov)
        self.signed_in = True
        self._start_events()
        self.refresh()

    def can_quit(self) -> str | None:
        """A question to ask before quitting, or None."""
        if self.session.state in (AgentState.RINGING, AgentState.ON_CALL):
            return self.tr("You are on a call. Quitting ends the call. Quit anyway?")
        return None

    def stop(self) -> None:
        if self.session.working and self.session.state in (AgentState.NOT_READY, AgentState.READY,
                                                           AgentState.BREAK):
            self._act(self.session.end_work)  # 業務終了 is recorded when the app is closed
        self.ticker.stop()
        if self._stop_events:
            self._stop_events()
        if self.engine is not None:
            try:
                self.engine.stop()
            except Exception:
                log.exception("engine stop failed")
        self.engine_state = "stopped"

    def apply_shortcuts(self, overrides: dict[str, str]) -> None:
        actions: dict[str, Callable[[], Any]] = {
            "work": self.toggle_work, "ready": self.go_ready, "not_ready": self.go_not_ready, "break": self.go_break,
            "answer": self.answer, "hangup": self.hangup, "hold": self.toggle_hold, "mute": self.toggle_mute,
            "escalate": self.escalate, "raise_hand": self.raise_hand,
            "dtmf_pad": lambda: self.view.dtmf_button.toggle() if self.session.call else None,
            "notes": self._focus_notes, "submit_wrap_up": lambda: self.finish_wrap_up(AgentState.READY),
        }
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

    # -- center ---------------------------------------------------------------------------------------------
    def _submit(self, kind: str, payload: dict[str, Any]) -> None:
        """To the durable outbox; a refusal propagates (the session keeps the wrap-up draft and says why)."""
        self.submit(kind, payload)

    def sign_in(self, agent_id: str, secret: str, remember: bool = True) -> bool:
        try:
            prov = self.center.sign_in(agent_id, secret)
        except CenterError as exc:
            self.show_notice(exc.message)
            return False
        self.settings.center.agent_id = agent_id
        if remember:
            try:
                credentials.set_secret(credential_ref(agent_id), secret)
            except credentials.KeyringUnavailable as exc:
                self.show_notice(exc.message)
        self.apply_provisioning(prov)
        self.signed_in = True
        self._start_events()
        return True

    def apply_provisioning(self, prov: Provisioning) -> None:
        self.provisioning = prov
        self.session.provisioning = prov
        lang = self.language()
        v = self.view
        for combo, kind in ((v.not_ready_reason, "not_ready"), (v.break_reason, "break")):
            combo.setSizeAdjustPolicy(combo.SizeAdjustPolicy.AdjustToContents)
            combo.clear()
            for r in self.session.reasons(kind):
                combo.addItem(r.label.pick(lang), r.code)
        v.escalation_target.clear()
        for t in prov.escalation_targets:
            v.escalation_target.addItem(t.label.pick(lang), t.name)
        self._fill_codes()
        self._fill_practice()
        self.configure_phone()

    def _fill_practice(self) -> None:
        v = self.view
        scenarios = getattr(self.center, "scenarios", None)
        if not (self.provisioning.practice and callable(scenarios) and hasattr(self.center, "start_call")):
            v.practice_box.hide()
            return
        v.practice_scenario.clear()
        for sc in scenarios():
            v.practice_scenario.addItem(sc.title.pick(self.language()), sc.id)
        v.practice_box.setVisible(v.practice_scenario.count() > 0)

    def start_practice_call(self) -> None:
        scenario = self.view.practice_scenario.currentData()
        if not scenario or self.session.state != AgentState.READY:
            self.show_notice(Text(ja="受付可にしてから練習通話を始めてください。",
                                  en="Go ready before starting a practice call."))
            return
        self.view.practice_button.setEnabled(False)

        def work() -> None:
            try:
                self.center.start_call(str(scenario))  # type: ignore[attr-defined]
                problem = None
            except CenterError as exc:
                problem = exc.message
            except Exception as exc:
                log.warning("practice call failed: %s", exc)
                problem = Text(ja="練習通話を開始できませんでした。", en="The practice call could not start.")
            self.bridge.post(self._practice_started, problem)

        threading.Thread(target=work, name="practice-call", daemon=True).start()

    def _practice_started(self, problem: Text | None) -> None:
        self.view.practice_button.setEnabled(True)
        if problem is not None:
            self.show_notice(problem)

    def configure_phone(self) -> None:
        sip = self.provisioning.sip
        if self.engine is None or sip is None:
            return
        account = self.settings.account
        ref = account.credential_ref or sip.credential_ref
        cfg = {"cmd": "configure",
               "account": {"user": account.user or sip.user, "domain": account.domain or sip.domain,
                           "auth_user": account.auth_user or sip.auth_user,
                           "registrars": account.registrars or sip.registrars,
                           "transport": sip.transport, "srtp": sip.srtp,
                           # settings say "G722/16000"; the engine matches codec names ("G722") or full ids
                           "codecs": [c.split("/")[0] for c in account.codecs]},
               "sip": {"bind": "127.0.0.1" if all("127.0.0.1" in r for r in sip.registrars) else "0.0.0.0",
                       "port": 0, "stats_interval": 2.0,
                       # the path from home (docs/engine-protocol.md): the center's RTP range, STUN, keep-alives
                       **({"rtp_ports": sip.rtp_ports} if sip.rtp_ports else {}),
                       **({"stun": list(sip.stun_servers)} if sip.stun_servers else {}),
                       **({"keepalive_interval": sip.keepalive_interval} if sip.keepalive_interval else {})},
               # the USB headset (docs/audio.md): the devices and voice processing the agent chose in settings
               "audio": self.audio_config(),
               # call training: who may monitor/whisper/barge into this agent's calls (docs/training.md)
               "training": {"trainers": list(self.provisioning.trainers)},
               # the headset's call buttons and lights (docs/headset.md); the agent can turn them off
               "headset": {"enabled": self.settings.audio.headset_buttons}}
        if ref:
            cfg["account"]["credential"] = ref  # a keyring reference: the engine reads the secret itself
        if sip.transport == "tls":
            cfg["sip"]["tls"] = self.tls_config()  # the center's CA, host name and key pins
        try:
            self.engine.send(P.decode_command(cfg))
            self.engine.send(P.Register())
            self.registration = {"state": "registering"}
        except RuntimeError as exc:
            self.registration = {"state": "failed", "reason": str(exc)}
        self.refresh()

    def tls_config(self) -> dict[str, Any]:
        """How the engine verifies the center's certificate: the provisioning's, the agent's settings where the
        provisioning says nothing (docs/security.md)."""
        out = self.settings.account.tls.engine_config()
        sip = self.provisioning.sip
        if sip is not None:
            if sip.tls.server_name:
                out["server_name"] = sip.tls.server_name
            if sip.tls.ca_pem:
                out["ca_pem"] = sip.tls.ca_pem
            if sip.tls.pins:
                out["pin"] = list(sip.tls.pins)
        return out

    def audio_config(self) -> dict[str, Any]:
        """The engine's headset backend with the agent's device choices and voice-processing switches.
        ``AGENTDESK_AUDIO_BACKEND`` picks another backend (``null`` for support staff on a PC without sound)."""
        audio = self.settings.audio
        backend = os.environ.get("AGENTDESK_AUDIO_BACKEND", "devices")
        if backend != "devices":
            return {"backend": backend}
        return {"backend": "devices", "call_device": audio.call_device, "ring_device": audio.ring_device,
                "ring_on_headset": audio.ring_on_headset, "echo_cancellation": audio.echo_cancellation,
                "noise_suppression": audio.noise_suppression, "auto_gain": audio.auto_gain}

    def on_center_event(self, event: CenterEvent) -> None:
        _notify(self.center_listeners, event)
        lang = self.language()
        if event.kind in ("broadcast", "please_log_in"):
            data = event.data.get("message") if isinstance(event.data.get("message"), dict) else event.data
            text = str(data.get(lang) or data.get("ja") or data.get("text") or "")
            self.show_notice(Text(ja="センターからのお知らせ: " + str(data.get("ja") or text),
                                  en="From the center: " + str(data.get("en") or text)))
            self._notify(self.tr("Message from the center"), text, urgent=True)
            if event.data.get("sound", True):
                self._play("broadcast")
        elif event.kind == "practice_result":
            feedback = [f.get(lang) or f.get("ja") or "" for f in event.data.get("feedback") or []
                        if isinstance(f, dict)]
            head = Text(ja="練習通話の結果: 合格", en="Practice call: passed") if event.data.get("passed") else \
                Text(ja="練習通話の結果: もう一度挑戦しましょう", en="Practice call: try again")
            self.show_notice(Text(ja=" ".join([head.ja, *feedback]), en=" ".join([head.en, *feedback])))
        elif event.kind == "config_changed":
            try:
                self.apply_provisioning(self.center.provisioning())
            except CenterError as exc:
                self.show_notice(exc.message)

    # -- state buttons -----------------------------------------------------------------------------------------
    def _act(self, action: Callable[[], Any]) -> bool:
        try:
            action()
            return True
        except SessionError as exc:
            self.show_notice(exc.message)
            return False

    def toggle_work(self) -> None:
        if self.session.working:
            if not self.confirm_end_work():  # the shell asks (agentdesk/ui/shell/confirm.py)
                return
            if self._act(self.session.end_work) and self.engine is not None:
                with contextlib.suppress(RuntimeError):
                    self.engine.send(P.Unregister())
            return
        if not self.signed_in and not self._sign_in_interactively():
            return
        self._act(self.session.start_work)

    def _sign_in_interactively(self) -> bool:
        agent_id = self.settings.center.agent_id
        saved = credentials.get_secret(credential_ref(agent_id)) if agent_id else None
        if agent_id and saved and self.sign_in(agent_id, saved, remember=False):
            return True
        if self.sign_in_prompt is None:
            self.show_notice(Text(ja="センターにサインインできません。設定でアカウントを確認してください。",
                                  en="Cannot sign in to the center. Check the account in Settings."))
            return False
        answer = self.sign_in_prompt(agent_id)
        if answer is None:
            return False
        return self.sign_in(*answer)

    def go_ready(self) -> None:
        self._act(self.session.set_ready)

    def go_not_ready(self) -> None:
        code = self.view.not_ready_reason.currentData()
        self._act(lambda: self.session.set_not_ready(self.session.find_reason(code) if code else None))

    def go_break(self) -> None:
        code = self.view.break_reason.currentData()
        self._act(lambda: self.session.start_break(self.session.find_reason(code) if code else None))

    # -- engine events --------------------------------------------------------------------------------------
    def _send(self, cmd: dict[str, Any]) -> bool:
        if self.engine is None:
            return False
        try:
            self.engine.send(P.decode_command(cmd))
            return True
        except RuntimeError as exc:
            self.show_notice(Text(ja="電話エンジンに送れませんでした: {e}", en="Could not reach the phone engine: {e}")
                             .format(e=exc))
            return False

    def _engine_call(self) -> Any:
        call = self.session.call
        return self._engine_ids.get(call.call_id, call.call_id) if call else None

    def on_engine_event(self, typed: P.Event) -> None:
        # Transitional (the desk core in agentdesk/agent replaces this controller's event handling next): the
        # handlers below still read the event's JSON form.
        event = typed.to_json()
        kind = event.get("event")
        if kind == "registration":
            self.registration = event
            if event.get("state") == "registered":
                self.phone_problem = None
            elif isinstance(event.get("message"), dict):
                self.phone_problem = event["message"]  # a refused certificate: kept while it retries
            self.refresh()
        elif kind == "reply" and event.get("cmd") == "configure" and not event.get("ok"):
            # the engine refused the provisioning (e.g. SRTP over plain UDP/TCP): say why, not "connecting..."
            self.registration = {"state": "failed", "reason": str(event.get("error", ""))}
            if isinstance(event.get("message"), dict):
                self.phone_problem = event["message"]
            self.refresh()
        elif kind == "call":
            self._on_call_event(event)
        elif kind == "transfer":
            self._on_transfer_event(event)
        elif kind == "stats":
            self.quality = event
            self._show_quality()
        elif kind == "engine":
            self._on_engine_state(event)
        elif kind == "headset":  # a press on the headset: the desk's own action (agentdesk/agent/headset.py)
            action = desk_action(event, self.session.state, self.session.call, self._engine_call(),
                                 self.settings.audio.headset_buttons)
            if action is not None:
                getattr(self, action)()
        _notify(self.engine_listeners, typed)

    def _on_engine_state(self, event: dict[str, Any]) -> None:
        state = str(event.get("state"))
        if state == "ready":
            self.engine_state = "running"
        elif state in ("died", "restarted", "failed"):
            self.engine_state = state
            lost = {str(c) for c in event.get("lost_calls") or []}
            call = self.session.call
            if call is not None and (call.call_id in lost or state == "failed"):
                call.note = self.view.call_notes.toPlainText()
                self.session.ended(call.call_id)
                self.show_notice(Text(ja="電話エンジンが停止し、通話が切れました。後処理を行ってください。",
                                      en="The phone engine stopped and the call was lost. Please wrap it up."))
            if state == "restarted":
                self.registration = {"state": "registering"}
        self.refresh()

    def _on_call_event(self, event: dict[str, Any]) -> None:
        raw_id = event.get("call")
        cid = str(raw_id)
        self._engine_ids[cid] = raw_id
        state = event.get("state")
        call = self.session.call
        if state == "incoming":
            self.ring_event_at = time.perf_counter()
            headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
            new = Call(call_id=cid, direction="incoming",
                       line=headers.get("x-queue") or headers.get("x-line") or "",
                       contract_id=headers.get("x-contract-id") or headers.get("x-agentdesk-contract") or "",
                       call_ref=headers.get("x-call-ref") or headers.get("x-agentdesk-practice")
                       or headers.get("call-id") or cid)
            if call is not None or not self.session.incoming(new):
                self._send({"cmd": "reject", "call": raw_id, "code": 486})
                if call is None:
                    self.show_notice(Text(ja="受付不可の状態で着信があったため、お断りしました。",
                                          en="A call arrived while you were not ready and was declined."))
                return
            self.call_headers = headers
            self.contract = None
            if new.contract_id:
                self._look_up_contract(new.contract_id)
            self._play("ring")
            self._notify(self.tr("Incoming call"), self._caller_text(), urgent=True)
            return
        if call is not None and event.get("consult_for") is not None and str(event["consult_for"]) == call.call_id:
            self._consult, self._consult_raw = cid, raw_id
        if call is not None and cid == self._consult and cid != call.call_id:
            self._on_consult_event(event)
            return
        if call is None or call.call_id != cid:
            return
        if state == "connected":
            if call.answered_at is None:
                self.session.answered(cid)
                self._start_script()
            else:
                self.session.update_call(held=False)
        elif state == "held":
            self.session.update_call(held=True)
        elif state == "ended":
            if call.escalated or event.get("reason") == "transferred":
                call.escalated = True
                call.escalation = "done"
            self._escalation_deadline = None
            call.note = self.view.call_notes.toPlainText()
            self._take_script_wrap_up(call)
            self.session.ended(cid)
            if self.script_panel is not None and hasattr(self.script_panel, "reset"):
                self.script_panel.reset()  # type: ignore[attr-defined]

    def _take_script_wrap_up(self, call: Call) -> None:
        """The support script's part of the wrap-up: the steps walked, and its outcome as a suggested code."""
        panel = self.script_panel
        if panel is None or not hasattr(panel, "wrap_up"):
            return
        try:
            part = panel.wrap_up()  # type: ignore[attr-defined]
        except Exception:
            log.exception("support script wrap-up unavailable")
            return
        if not part:
            return
        steps = [str(s) for s in part.get("steps") or []]
        if steps and not call.script_path:
            call.script_path = steps
        self._suggested_code = str(part.get("outcome") or "")

    def _look_up_contract(self, contract_id: str) -> None:
        def work() -> None:
            try:
                info: ContractInfo | Text = self.center.contract(contract_id)
            except CenterError as exc:
                info = exc.message
            except Exception as exc:
                log.warning("contract look-up failed: %s", exc)
                info = Text(ja="契約情報を取得できませんでした。", en="Could not load the contract.")
            self.bridge.post(self._contract_loaded, (contract_id, info))

        threading.Thread(target=work, name="contract", daemon=True).start()

    def _contract_loaded(self, payload: tuple[str, ContractInfo | Text]) -> None:
        contract_id, info = payload
        call = self.session.call
        if call is None or call.contract_id != contract_id:
            return
        if isinstance(info, ContractInfo):
            self.contract = info
        else:
            self.show_notice(info)
        self.refresh()

    def _start_script(self) -> None:
        panel = self.script_panel
        if panel is None or not hasattr(panel, "start_for_call"):
            return
        try:
            panel.start_for_call(self.contract, self.session.call.line if self.session.call else "")  # type: ignore[attr-defined]
        except Exception:
            log.exception("support script could not start")

    # -- call actions ----------------------------------------------------------------------------------------
    def answer(self) -> None:
        if self.session.state == AgentState.RINGING:
            self._send({"cmd": "answer", "call": self._engine_call()})

    def reject(self) -> None:
        if self.session.state == AgentState.RINGING:
            self._send({"cmd": "reject", "call": self._engine_call(), "code": 486})

    def hangup(self) -> None:
        if self.session.state == AgentState.ON_CALL:
            self._send({"cmd": "hangup", "call": self._engine_call()})

    def toggle_hold(self) -> None:
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL:
            return
        self._send({"cmd": "unhold" if call.held else "hold", "call": self._engine_call()})

    def toggle_mute(self) -> None:
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL:
            return
        if self._send({"cmd": "unmute" if call.muted else "mute", "call": self._engine_call()}):
            self.session.update_call(muted=not call.muted)

    def send_dtmf(self, digits: str) -> None:
        if self.session.state == AgentState.ON_CALL:
            self._send({"cmd": "dtmf", "call": self._engine_call(), "digits": digits, "method": "rfc4733"})

    def _focus_notes(self) -> None:
        if self.session.state == AgentState.ON_CALL:
            self.view.call_notes.setFocus()
        elif self.session.state == AgentState.AFTER_CALL_WORK:
            self.view.wrap_up_notes.setFocus()

    def _store_call_note(self) -> None:
        if self.session.call is not None:
            self.session.call.note = self.view.call_notes.toPlainText()
            self.session.update_call(note=self.session.call.note)

    # -- escalation ------------------------------------------------------------------------------------------
    def escalation_context(self) -> dict[str, Any]:
        call = self.session.call
        context: dict[str, Any] = {"contract_id": call.contract_id if call else "",
                                   "note": self.view.call_notes.toPlainText().strip(),
                                   "agent_id": self.settings.center.agent_id,
                                   "queue": call.line if call else ""}
        panel = self.script_panel
        if panel is not None and hasattr(panel, "escalation_context"):
            try:
                extra = panel.escalation_context()  # type: ignore[attr-defined]
                path = [str(p) for p in extra.get("path") or []]
                if path:
                    context["script_path"] = path  # the step ids walked (the center's script_path)
                if extra.get("flow_id"):
                    context["script_flow"] = str(extra["flow_id"])
                if extra.get("contract_id") and not context["contract_id"]:
                    context["contract_id"] = str(extra["contract_id"])
            except Exception:
                log.exception("support script context unavailable")
        return context

    def escalate(self) -> None:
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL or call.escalation == "in_progress":
            return
        targets = {t.name: t for t in self.provisioning.escalation_targets}
        target = targets.get(self.view.escalation_target.currentData())
        if target is None:
            self.show_notice(Text(ja="エスカレーション先が設定されていません。", en="No escalation target is set up."))
            return
        context = self.escalation_context()
        self.session.update_call(escalation="in_progress")
        self._escalation_status(Text(ja="チケットを作成しています…", en="Opening a ticket…"))
        call_id = call.call_id

        def work() -> None:
            try:
                ticket = self.center.open_escalation_ticket(context)
            except Exception as exc:  # no ticket: escalate anyway, the context still travels in the headers
                log.warning("escalation ticket failed: %s", exc)
                ticket = ""
            self.bridge.post(self._transfer, (call_id, target, context, ticket))

        threading.Thread(target=work, name="escalation-ticket", daemon=True).start()

    def _transfer(self, payload: tuple[str, Any, dict[str, Any], str]) -> None:
        call_id, target, context, ticket = payload
        call = self.session.call
        if call is None or call.call_id != call_id:
            return
        context = {**context, "ticket_id": ticket}
        self.last_escalation = context
        call.ticket_id = ticket
        path = context.get("script_path") or []
        call.script_path = [str(p) for p in path] if isinstance(path, list | tuple) else [str(path)]
        headers = context_headers(context)
        if target.mode == "warm":  # consult the center first, hand the customer over once it answers
            self._consult, self._consult_raw = None, None
            cmd = {"cmd": "consult", "call": self._engine_call(), "uri": target.uri, "headers": headers}
        else:
            cmd = {"cmd": "transfer", "call": self._engine_call(), "target": target.uri, "headers": headers}
        if self._send(cmd):
            self._escalation_deadline = time.monotonic() + target.no_answer_seconds
            self._escalation_status(Text(ja="{t} に転送しています…", en="Transferring to {t}…")
                                    .format(t=target.label.pick(self.language())))
        else:
            self.session.update_call(escalation="failed")

    def _on_consult_event(self, event: dict[str, Any]) -> None:
        call = self.session.call
        if call is None or call.escalation != "in_progress" or call.escalated:
            return
        state = event.get("state")
        if state == "ringing":
            self._escalation_status(Text(ja="センターを呼び出しています…", en="Calling the center…"))
        elif state == "connected":
            self._escalation_status(Text(ja="センターが応答しました。お客様を引き継いでいます…",
                                         en="The center answered. Handing the customer over…"))
            self._send({"cmd": "complete_transfer", "call": self._engine_call(), "consult": self._consult_raw})
        elif state == "ended":  # not answered: the consultation is over, the customer comes off hold
            self._consult, self._consult_raw = None, None
            self._escalation_failed(int(event.get("code") or 0))

    def _on_transfer_event(self, event: dict[str, Any]) -> None:
        call = self.session.call
        if call is None or str(event.get("call")) != call.call_id or call.escalation != "in_progress":
            return
        code = int(event.get("code") or 0)
        if not event.get("final"):
            self._escalation_status(Text(ja="センターを呼び出しています…（{c}）", en="Calling the center… ({c})")
                                    .format(c=code))
            return
        if 200 <= code < 300:
            call.escalated = True
            self._escalation_status(Text(ja="センターに転送しました。", en="Transferred to the center."))
        else:
            self._escalation_failed(code)

    def _escalation_failed(self, code: int) -> None:
        call = self.session.call
        if call is None:
            return
        self._escalation_deadline = None
        self.session.update_call(escalation="failed")
        if self._consult is not None:  # warm: stop ringing the center, the customer comes back
            self._consult, self._consult_raw = None, None
            self._send({"cmd": "cancel_transfer", "call": self._engine_call()})
        elif call.held:
            self._send({"cmd": "unhold", "call": self._engine_call()})
        message = Text(ja="センターが応答しませんでした（{c}）。お客様はあなたにつながったままです。",
                       en="The center did not answer ({c}). The customer is still with you.").format(
            c=code or "timeout")
        self._escalation_status(message)
        self.show_notice(message)
        self._notify(self.tr("Escalation failed"), message.pick(self.language()), urgent=True)

    def _escalation_status(self, text: Text) -> None:
        self.view.escalation_status.setText(text.pick(self.language()))

    def raise_hand(self) -> None:
        if not self.session.working:
            return
        call = self.session.call
        context = {"kind": "raise_hand", "agent_id": self.settings.center.agent_id,
                   "state": self.session.state.value, "call_ref": call.call_ref if call else "",
                   "contract_id": call.contract_id if call else "",
                   "note": self.view.call_notes.toPlainText().strip() if call else ""}

        def work() -> None:
            try:
                raise_hand = getattr(self.center, "raise_hand", None)
                if raise_hand is not None:
                    raise_hand(context)
                else:  # the center API has no hand-raise call yet: a supervisor ticket without a transfer
                    self.center.open_escalation_ticket(context)
            except Exception as exc:
                log.warning("raise hand failed: %s", exc)
                self.bridge.post(lambda _=None: self.show_notice(Text(
                    ja="手上げを送れませんでした。もう一度押してください。",
                    en="The raised hand did not reach the center. Press it again.")))

        threading.Thread(target=work, name="raise-hand", daemon=True).start()
        self.show_notice(Text(ja="スーパーバイザーに手上げを送りました。通話はそのまま続けてください。",
                              en="A supervisor has been alerted. Carry on with the call."))

    # -- wrap-up -------------------------------------------------------------------------------------------
    def _fill_codes(self) -> None:
        lw = self.view.wrap_up_codes
        lw.blockSignals(True)
        lw.clear()
        lang = self.language()
        for c in self.provisioning.wrap_up_codes:
            item = QListWidgetItem(c.label.pick(lang))
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            lw.addItem(item)
        lw.blockSignals(False)

    def _code_chosen(self) -> None:
        """The chosen code is the *selected* item: focus alone makes an item current, never chosen."""
        items = self.view.wrap_up_codes.selectedItems()
        self.session.edit_wrap_up(code=str(items[0].data(Qt.ItemDataRole.UserRole)) if items else "")
        if items:
            self.view.wrap_up_problem.clear()

    def _wrap_note_changed(self) -> None:
        self.session.edit_wrap_up(note=self.view.wrap_up_notes.toPlainText())

    def finish_wrap_up(self, then: AgentState) -> None:
        if self.session.state != AgentState.AFTER_CALL_WORK:
            return
        self.session.edit_wrap_up(note=self.view.wrap_up_notes.toPlainText())
        try:
            self.session.submit_wrap_up(then)
        except SessionError as exc:
            self.view.wrap_up_problem.setText(exc.message.pick(self.language()))
            self.view.wrap_up_codes.setFocus()

    def _load_wrap_up_into_view(self) -> None:
        draft = self.session.wrap_up
        if draft is None:
            return
        v = self.view
        v.wrap_up_notes.blockSignals(True)
        v.wrap_up_notes.setPlainText(draft.note)
        v.wrap_up_notes.blockSignals(False)
        code = draft.code or ("escalated" if draft.escalated else self._suggested_code)
        self._suggested_code = ""
        v.wrap_up_codes.clearSelection()
        for i in range(v.wrap_up_codes.count()):
            item = v.wrap_up_codes.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                v.wrap_up_codes.setCurrentRow(i)
                item.setSelected(True)
        v.wrap_up_problem.clear()

    # -- time ----------------------------------------------------------------------------------------------
    def on_tick(self) -> None:
        was_overrun = self.session.break_overrun
        try:
            self.session.tick()
        except SessionError as exc:  # the automatic wrap-up was refused: say why, keep the draft
            if self.view.wrap_up_problem.text() != exc.message.pick(self.language()):
                self.view.wrap_up_problem.setText(exc.message.pick(self.language()))
        self._ticks += 1
        if self.worklog is not None and self.session.working and self._ticks % 60 == 0:
            try:
                self.worklog.heartbeat(datetime.now().astimezone())  # bounds what a crash can lose
            except Exception:
                log.exception("work log heartbeat failed")
        if self.session.break_overrun and not was_overrun:
            self._notify(self.tr("Break overrun"), self.tr("Your break is longer than allowed."), urgent=True)
        if self._escalation_deadline is not None and time.monotonic() > self._escalation_deadline:
            self._escalation_failed(0)
        self._refresh_timers()

    # -- showing -------------------------------------------------------------------------------------------
    def _notify(self, title: str, message: str, urgent: bool) -> None:
        if self.notifier is not None:
            try:
                self.notifier(title, message, urgent)
            except Exception:
                log.exception("notification failed")

    def _play(self, kind: str) -> None:
        if not self.sound.play(kind):
            QApplication.beep()

    def show_notice(self, text: Text) -> None:
        self._notice = text
        self.view.notice_label.setText(text.pick(self.language()))

    def state_text(self, state: AgentState) -> str:
        return {
            AgentState.OFFLINE: self.tr("Offline"),
            AgentState.NOT_READY: self.tr("Not ready"),
            AgentState.READY: self.tr("Ready"),
            AgentState.RINGING: self.tr("Ringing"),
            AgentState.ON_CALL: self.tr("On a call"),
            AgentState.AFTER_CALL_WORK: self.tr("After-call work"),
            AgentState.BREAK: self.tr("On break"),
        }[state]

    def phone_text(self) -> str:
        center = self.provisioning.center_name or self.tr("the center")
        if self.engine_state == "died":
            return self.tr("Phone: the phone engine stopped; restarting it...")
        if self.engine_state == "failed":
            return self.tr("Phone: the phone engine could not be restarted. Restart AgentDesk.")
        reg = self.registration
        state = reg.get("state")
        if state != "registered" and self.phone_problem:
            why = self.phone_problem.get(self.language()) or self.phone_problem.get("ja", "")
            return self.tr("Phone: not connected to %1 (%2)").replace("%1", center).replace("%2", why)
        if state == "registered":
            return self.tr("Phone: connected to %1 (%2)").replace("%1", center).replace(
                "%2", str(reg.get("registrar", "")))
        if state in ("registering", "retrying"):
            return self.tr("Phone: connecting to %1...").replace("%1", center)
        if state == "failed":
            why = f"{reg.get('code', '')} {reg.get('reason', '')}".strip()
            return self.tr("Phone: not connected to %1 (%2)").replace("%1", center).replace("%2", why)
        if not self.signed_in:
            return self.tr("Phone: not connected (start work to sign in)")
        return self.tr("Phone: not connected")

    def _caller_text(self) -> str:
        call = self.session.call
        if call is None:
            return ""
        parts = []
        if call.contract_id:
            parts.append(self.tr("Contract %1").replace("%1", call.contract_id))
        if call.line:
            parts.append(self.tr("Line %1").replace("%1", call.line))
        c = self.contract
        if c is not None:
            if c.plan:
                parts.append(self.tr("Plan: %1").replace("%1", c.plan))
            if c.line_type:
                parts.append(self.tr("Line type: %1").replace("%1", c.line_type))
            if c.equipment:
                parts.append(self.tr("Equipment: %1").replace("%1", ", ".join(c.equipment)))
        if not parts:
            parts.append(self.tr("No contract data for this call"))
        return "\n".join(parts)

    def refresh(self) -> None:
        self.render(self.session.snapshot())

    def render(self, snap: Snapshot) -> None:
        v = self.view
        state = snap.state
        lang = self.language()
        v.state_label.setText(self.state_text(state))
        v.set_state_look(state.value, alert=snap.break_overrun)
        v.phone_label.setText(self.phone_text())
        working = snap.working
        idle = state in (AgentState.NOT_READY, AgentState.READY, AgentState.BREAK)
        v.work_button.setText((self.tr("End work") if working else self.tr("Start work")) + f"  [{self.key('work')}]")
        v.work_button.setEnabled(not working or idle or state == AgentState.OFFLINE)
        v.ready_button.setText(self.tr("Ready") + f"  [{self.key('ready')}]")
        v.not_ready_button.setText(self.tr("Not ready") + f"  [{self.key('not_ready')}]")
        v.break_button.setText(self.tr("Break") + f"  [{self.key('break')}]")
        v.ready_button.setEnabled(working and idle and state != AgentState.READY)
        v.not_ready_button.setEnabled(working and idle)
        v.break_button.setEnabled(working and idle and state != AgentState.BREAK)
        v.not_ready_reason.setEnabled(working and idle)
        v.break_reason.setEnabled(working and idle)
        v.answer_button.setText(self.tr("Answer") + f"  [{self.key('answer')}]")
        v.hangup_button.setText(self.tr("Hang up") + f"  [{self.key('hangup')}]")
        call = snap.call
        v.hold_button.setText((self.tr("Resume") if call and call.held else self.tr("Hold"))
                              + f"  [{self.key('hold')}]")
        v.hold_button.setChecked(bool(call and call.held))
        v.mute_button.setText((self.tr("Unmute") if call and call.muted else self.tr("Mute"))
                              + f"  [{self.key('mute')}]")
        v.mute_button.setChecked(bool(call and call.muted))
        v.dtmf_button.setText(self.tr("Dial pad") + f"  [{self.key('dtmf_pad')}]")
        v.escalate_button.setText(self.tr("Escalate to the center") + f"  [{self.key('escalate')}]")
        v.raise_hand_button.setText(self.tr("Raise hand") + f"  [{self.key('raise_hand')}]")
        v.submit_ready_button.setText(self.tr("Done, go ready") + f"  [{self.key('submit_wrap_up')}]")
        v.submit_not_ready_button.setText(self.tr("Done, go not ready"))
        v.escalate_button.setEnabled(bool(call and call.escalation != "in_progress"
                                          and self.provisioning.escalation_targets))
        required = self.provisioning.wrap_up_required
        v.code_label.setText(self.tr("&Disposition code (required)") if required
                             else self.tr("&Disposition code"))
        if state == AgentState.OFFLINE:
            v.idle_hint.setText(self.tr("Press Start work to sign in and begin your shift."))
        elif state == AgentState.READY:
            v.idle_hint.setText(self.tr("Waiting for a call."))
        else:
            v.idle_hint.setText("")
        self._set_page(state)
        if state == AgentState.RINGING:
            v.caller_label.setText(self._caller_text())
        if call is not None:
            v.call_info_label.setText(self._caller_text())
        if self._notice is not None:
            v.notice_label.setText(self._notice.pick(lang))
        self._refresh_numbers()
        self._refresh_timers()
        self.stateChanged.emit(state.value)

    def _set_page(self, state: AgentState) -> None:
        v = self.view
        page = {AgentState.RINGING: v.ringing_page, AgentState.ON_CALL: v.call_page,
                AgentState.AFTER_CALL_WORK: v.wrap_up_page}.get(state, v.idle_page)
        if v.pages.currentWidget() is page:
            return
        v.pages.setCurrentWidget(page)
        if page is v.ringing_page:
            v.answer_button.setFocus()
            self.ringVisible.emit(time.perf_counter())
        elif page is v.call_page:
            v.call_notes.blockSignals(True)
            v.call_notes.setPlainText(self.session.call.note if self.session.call else "")
            v.call_notes.blockSignals(False)
            v.escalation_status.clear()
            v.dtmf_button.setChecked(False)
            self.quality = {}
            self._show_quality()
            v.call_notes.setFocus()
        elif page is v.wrap_up_page:
            self._load_wrap_up_into_view()
            v.wrap_up_codes.setFocus()

    def _show_quality(self) -> None:
        q = self.quality
        if not q:
            self.view.quality_label.setText(self.tr("Quality: measuring..."))
            return
        mos = float(q.get("mos") or 0)
        word = (self.tr("excellent") if mos > 4.2 else self.tr("good") if mos >= 3.7
                else self.tr("fair") if mos >= 3.1 else self.tr("poor"))
        self.view.quality_label.setText(
            self.tr("Quality: %1 (MOS %2, RTT %3 ms, loss %4%)").replace("%1", word)
            .replace("%2", f"{mos:.1f}").replace("%3", f"{float(q.get('rtt_ms') or 0):.0f}")
            .replace("%4", f"{float(q.get('loss_percent') or 0):.1f}"))
        color = "#2e7d32" if mos >= 3.7 else "#ef6c00" if mos >= 3.1 else "#c62828"
        self.view.quality_label.setStyleSheet(f"color:{color};font-weight:bold")

    def _refresh_timers(self) -> None:
        s = self.session
        now = s.clock()
        v = self.view
        fmt = own_numbers.format_duration
        detail = ""
        if s.state in (AgentState.NOT_READY, AgentState.BREAK, AgentState.READY, AgentState.AFTER_CALL_WORK):
            elapsed = fmt(now - s.since)
            reason = s.reason.label.pick(self.language()) if s.reason else ""
            detail = f"{reason}  {elapsed}".strip()
            limit = s.break_limit_seconds()
            if limit is not None:
                if s.break_overrun:
                    detail = self.tr("%1: over by %2").replace("%1", reason).replace(
                        "%2", fmt(now - s.since - limit))
                else:
                    detail = self.tr("%1: %2 of %3").replace("%1", reason).replace("%2", elapsed).replace(
                        "%3", fmt(limit))
        if s.call is not None and s.state == AgentState.ON_CALL and s.call.answered_at:
            talk = fmt(now - s.call.answered_at)
            v.call_timer_label.setText(talk)
            detail = talk + ("  " + self.tr("(on hold)") if s.call.held else "")
        if s.state == AgentState.AFTER_CALL_WORK:
            left = s.after_call_work_left()
            text = self.tr("After-call work: %1").replace("%1", fmt(now - s.since))
            if left is not None:
                text += "  " + self.tr("(back to ready in %1)").replace("%1", fmt(left))
            v.acw_timer_label.setText(text)
        v.state_detail.setText(detail)

    def _refresh_numbers(self) -> None:
        numbers = None
        if self.worklog is not None:
            numbers = own_numbers.from_worklog(self.worklog, date.today())
        if numbers is None:
            numbers = own_numbers.OwnNumbers(calls_today=self.session.calls_today,
                                             talk_seconds_today=self.session.talk_seconds_today,
                                             calls_month=self.session.calls_today,
                                             talk_seconds_month=self.session.talk_seconds_today)
        v = self.view
        fmt = own_numbers.format_duration
        avg_calls = numbers.average_calls_per_day
        avg_talk = numbers.average_talk_seconds_per_day
        v.calls_today_bar.set_data(
            self.tr("Calls today (tick: your daily average)"), numbers.calls_today, avg_calls,
            str(numbers.calls_today) if avg_calls is None else
            self.tr("%1 (average %2)").replace("%1", str(numbers.calls_today)).replace("%2", f"{avg_calls:.1f}"))
        v.talk_today_bar.set_data(
            self.tr("Talk time today (tick: your daily average)"), numbers.talk_seconds_today / 60,
            avg_talk / 60 if avg_talk else None, fmt(numbers.talk_seconds_today))
        v.calls_month_bar.set_series(self.tr("Calls this month (by day)"),
                                     [float(c) for c in numbers.calls_by_day or [numbers.calls_month]],
                                     str(numbers.calls_month))
        worked = numbers.worked_seconds_month
        v.talk_month_bar.set_data(
            self.tr("Talk time this month (bar: share of hours worked)"), numbers.talk_seconds_month / 60, None,
            fmt(numbers.talk_seconds_month), scale=worked / 60 if worked else None)
        v.hours_bar.set_data(self.tr("Hours worked this month (minimum 65 h)"), numbers.hours_month,
                             numbers.hours_target,
                             self.tr("%1 of %2 h").replace("%1", f"{numbers.hours_month:.1f}")
                             .replace("%2", f"{numbers.hours_target:.0f}"))
        target = numbers.incentive_calls_target or 0
        v.incentive_bar.set_data(self.tr("Calls toward the incentive"), numbers.calls_month, target or None,
                                 self.tr("%1 of %2 calls").replace("%1", str(numbers.calls_month))
                                 .replace("%2", str(target)))


def _notify(listeners: list[Callable[[Any], None]], event: Any) -> None:
    """Hand an event to every listener (trainer screen, trainee indicator...); one that fails is logged and the
    others still get it."""
    for listener in list(listeners):
        try:
            listener(event)
        except Exception:
            log.exception("event listener %r failed", listener)
