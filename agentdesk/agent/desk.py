"""The desk core: everything the shift screen does, without Qt (docs/desk.md, "The desk core").

:class:`DeskCore` joins the agent's session (agentdesk/agent/session.py), the phone engine (typed protocol
commands out, events in), the center (:class:`~agentdesk.agent.center_link.CenterLink`), the escalation flow, the
fixed-line mode and the practice center. The Qt shift screen feeds it clicks and keys and renders
:meth:`DeskCore.screen`; it never decides anything itself. Time comes from the injected ``clock``; slow work goes
through the injected :class:`~agentdesk.agent.jobs.Jobs`; what only the screen can do (render, a tray
notification, a sound, the sign-in dialog, a timer) goes through the narrow :class:`Effects`.

Engine events are mapped onto the session in one table (:attr:`DeskCore.engine_handlers`, event class ->
handler): a new event needs one entry there and, when the agent should see it, one banner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from agentdesk.agent import numbers as own_numbers
from agentdesk.agent import phone
from agentdesk.agent.center_link import CenterLink, SignedIn
from agentdesk.agent.escalation import NO_TARGET, EscalationFlow, Progress, SipCarrier
from agentdesk.agent.headset import desk_action
from agentdesk.agent.jobs import Jobs
from agentdesk.agent.landline import CALLING_YOU, LINE_DROPPED, Landline, LandlineCarrier
from agentdesk.agent.practice import PracticeCoach, ScenarioChoice, StepNames, choices
from agentdesk.agent.session import AgentSession, AgentState, Call, Drafts, SessionError, WorkLogLike
from agentdesk.availability import calendar_jp
from agentdesk.center.api import CenterEvent, ContractInfo, EscalationTarget, FixedLineControl, Provisioning
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P

log = logging.getLogger(__name__)
Level = Literal["info", "warning", "alert"]
QualityLevel = Literal["measuring", "good", "fair", "poor", "held"]
IDLE = (AgentState.NOT_READY, AgentState.READY, AgentState.BREAK)
RESTORED_SHOWN_S = 10.0  # "the headset is back" stays this long


class Effects(Protocol):
    """What only the screen can do; every method is called on the owner's (GUI) thread."""

    def changed(self) -> None: ...
    def notify(self, title: Text, message: Text, urgent: bool) -> None: ...
    def play(self, kind: str) -> None: ...  # the desk's own sound, when the engine cannot ring
    def ask_sign_in(self, agent_id: str, problem: Text | None) -> None: ...
    def later(self, seconds: float, fn: Callable[[], None]) -> None: ...


class ScriptHooks(Protocol):
    """The support-script panel, as the desk uses it (agentdesk/ui/scripts.ScriptPanel has these)."""

    def start_for_call(self, contract: Any | None, queue: str | None) -> None: ...
    def escalation_context(self) -> dict[str, Any]: ...
    def wrap_up(self) -> dict[str, Any] | None: ...
    def reset(self) -> None: ...


class EngineLink(Protocol):
    def send(self, cmd: P.Command) -> str: ...


class WorkLogReader(WorkLogLike, Protocol):
    def heartbeat(self, at: Any) -> Any: ...
    def day(self, d: Any) -> Any: ...
    def month(self, year: int, month: int) -> Any: ...


@dataclass(frozen=True)
class Banner:
    key: str
    text: Text
    level: Level = "info"


@dataclass(frozen=True)
class CallView:
    contract_lines: list[Text]
    held: bool
    muted: bool
    talk_seconds: float | None  # None while ringing
    ring_seconds: float | None  # while ringing
    hold_seconds: float | None  # while on hold
    quality: Text
    quality_level: QualityLevel
    escalation: Progress
    can_escalate: bool
    captions: list[str]
    practice: bool
    fixed_line: bool


@dataclass(frozen=True)
class WrapUpView:
    note: str
    code: str  # the code to preselect
    escalation: Text | None  # the hand-over's confirmation with the ticket id, kept into the wrap-up
    acw_seconds: float
    acw_left: float | None
    overrun: bool


@dataclass(frozen=True)
class Screen:
    state: AgentState
    working: bool
    reason: Text | None
    state_seconds: float
    break_limit: float | None
    break_overrun: bool
    phone: Text
    mode: Literal["softphone", "fixed_line"]
    banners: list[Banner]
    notice: Text | None
    call: CallView | None
    wrap_up: WrapUpView | None
    numbers: own_numbers.OwnNumbers
    practice_choices: list[ScenarioChoice]
    practice_offer: Text | None
    practice_result: Any  # agentdesk.agent.practice.PracticeResult | None
    can_reconnect_line: bool
    escalation_targets: list[EscalationTarget]
    preselected_target: str


def _contract_lines(call: Call, contract: ContractInfo | None) -> list[Text]:
    out: list[Text] = []
    if call.contract_id:
        out.append(Text(ja=f"契約番号 {call.contract_id}", en=f"Contract {call.contract_id}"))
    if call.line:
        out.append(Text(ja=f"回線 {call.line}", en=f"Line {call.line}"))
    if contract is not None:
        if contract.plan:
            out.append(Text(ja=f"プラン: {contract.plan}", en=f"Plan: {contract.plan}"))
        if contract.line_type:
            out.append(Text(ja=f"回線種別: {contract.line_type}", en=f"Line type: {contract.line_type}"))
        if contract.equipment:
            out.append(Text(ja="機器: " + "、".join(contract.equipment), en="Equipment: " + ", ".join(contract.equipment)))
    if not out:
        out.append(Text(ja="この通話の契約情報はありません", en="No contract data for this call"))
    return out


def _words(message: object) -> Text | None:
    """The engine's {"ja", "en"} message as Text."""
    if not isinstance(message, dict):
        return None
    ja, en = str(message.get("ja") or message.get("en") or ""), str(message.get("en") or message.get("ja") or "")
    return Text(ja=ja, en=en) if ja or en else None


def quality_words(stats: P.Stats | None, held: bool) -> tuple[Text, QualityLevel]:
    """The call's quality in words. On hold it is not judged: the RTT of a held call is not the line's."""
    if held:
        return Text(ja="保留中（品質は保留を解除してから測ります）",
                    en="On hold (quality is measured again after resuming)"), "held"
    if stats is None:
        return Text(ja="通話品質: 測定中…", en="Quality: measuring..."), "measuring"
    level: QualityLevel
    if stats.mos > 4.2:
        word, level = Text(ja="非常に良い", en="excellent"), "good"
    elif stats.mos >= 3.7:
        word, level = Text(ja="良い", en="good"), "good"
    elif stats.mos >= 3.1:
        word, level = Text(ja="普通", en="fair"), "fair"
    else:
        word, level = Text(ja="悪い", en="poor"), "poor"
    return Text(ja="通話品質: {w}（MOS {m:.1f}、RTT {r:.0f} ms、損失 {lp:.1f}%）",
                en="Quality: {w} (MOS {m:.1f}, RTT {r:.0f} ms, loss {lp:.1f}%)").format(
        w=word, m=stats.mos, r=stats.rtt_ms, lp=stats.loss_percent), level


class DeskCore:
    def __init__(self, settings: Settings, link: CenterLink, jobs: Jobs, effects: Effects,
                 clock: Callable[[], float] = time.time, worklog: WorkLogReader | None = None,
                 drafts: Drafts | None = None, script: ScriptHooks | None = None,
                 step_names: StepNames | None = None, audio_backend: str | None = None) -> None:
        self.settings = settings
        self.link = link
        self.jobs = jobs
        self.effects = effects
        self.clock = clock
        self.worklog = worklog
        self.script = script
        self.audio_backend = audio_backend
        self.engine: EngineLink | None = None
        self.provisioning = Provisioning(center_name="", sip=None)
        self.session = AgentSession(self.provisioning, self._record, worklog=worklog, drafts=drafts, clock=clock)
        self.session.subscribe(lambda _snap: self._changed())
        self.registration: P.Registration | None = None
        self.registering = False
        self.engine_state: str = "stopped"
        self.engine_call: int | None = None
        self.contract: ContractInfo | None = None
        self.stats: P.Stats | None = None
        self.notice: Text | None = None
        self._banners: dict[str, tuple[Banner, float | None]] = {}  # key -> (banner, shown until)
        self.escalation = EscalationFlow(link, jobs, clock, self._escalation_changed)
        self.carrier: SipCarrier | LandlineCarrier | None = None
        self.landline: Landline | None = None
        self.practice = PracticeCoach(step_names)
        self.numbers = own_numbers.OwnNumbers()
        self.suggested_code = ""
        self.preselected_target = ""
        self._ring_request: str | None = None
        self._ticks = 0
        self.listeners: list[Callable[[P.Event], None]] = []  # other areas' views of engine events
        self.center_listeners: list[Callable[[CenterEvent], None]] = []
        self.record_listeners: list[Callable[[str, dict[str, Any]], None]] = []  # after a write is queued
        self.engine_handlers: dict[type[P.Event], Callable[[Any], None]] = {
            P.Registration: self._on_registration, P.CallEvent: self._on_call, P.Stats: self._on_stats,
            P.MuteChanged: self._on_mute, P.EngineState: self._on_engine_state, P.AudioDevice: self._on_audio_device,
            P.RoomNoise: self._on_room_noise, P.Limit: self._on_limit, P.CallRefused: self._on_call_refused,
            P.Security: self._on_security, P.HeadsetButton: self._on_headset, P.Reply: self._on_reply,
            P.AudioError: self._on_audio_error, P.MediaEvent: self._on_media, P.TlsRefused: self._on_tls_refused,
            P.TlsVerified: self._on_tls_verified, P.PathRecovering: self._on_path_recovering,
        }
        self.phone_problem: Text | None = None  # why the phone cannot connect (a refused certificate, ...)
        self._landline_gone = ""  # a landline call that ended while its hand-over's answer was on its way
        link.listen(self.on_center_event)
        if self.session.wrap_up is not None:  # a draft recovered after a crash
            self.notice = Text(ja="前回の後処理の下書きを復元しました。内容を確認して完了してください。",
                               en="Your unfinished wrap-up was restored. Check it and finish it.")

    # ---- plumbing -------------------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.effects.changed()

    def _escalation_changed(self, progress: Progress) -> None:
        call = self.session.call
        if progress.stage == "failed" and progress.text is not None:
            if call is not None:
                call.escalation = "failed"
            self.notice = progress.text
            self.effects.notify(Text(ja="エスカレーションできませんでした", en="Escalation failed"), progress.text, True)
        self._changed()

    def _record(self, kind: str, payload: dict[str, Any]) -> None:
        self.link.record(kind, payload)  # a refusal propagates: the session keeps the draft and says why
        for listener in list(self.record_listeners):  # e.g. practice scoring (agentdesk/ui/training/practice.py)
            try:
                listener(kind, dict(payload))
            except Exception:
                log.exception("record listener %r failed", listener)
        if kind == "state_change" or kind == "work_log":
            self.refresh_numbers()

    def _send(self, cmd: P.Command) -> bool:
        if self.engine is None:
            return False
        try:
            self.engine.send(cmd)
            return True
        except RuntimeError as exc:
            self.say(Text(ja="電話エンジンに届きませんでした: {e}", en="Could not reach the phone engine: {e}").format(e=exc))
            return False

    def say(self, text: Text) -> None:
        self.notice = text
        self._changed()

    def banner(self, key: str, text: Text | None, level: Level = "info", seconds: float | None = None) -> None:
        """Show (or with ``text`` None, take down) one banner; ``seconds``: it goes by itself after that long."""
        if text is None:
            self._banners.pop(key, None)
        else:
            self._banners[key] = (Banner(key, text, level), None if seconds is None else self.clock() + seconds)
        self._changed()

    def _act(self, action: Callable[[], Any]) -> bool:
        try:
            action()
            return True
        except SessionError as exc:
            self.say(exc.message)
            return False

    @property
    def fixed_line(self) -> bool:
        return self.provisioning.mode == "fixed_line" or self.landline is not None

    # ---- life cycle -----------------------------------------------------------------------------------------
    def attach_engine(self, engine: EngineLink | None) -> None:
        self.engine = engine
        self.engine_state = "running" if engine is not None else "failed"

    def start(self, auto_sign_in: tuple[str, str] | None = None) -> None:
        """At start: sign in silently (the practice center's fixed credentials, or a saved password), so the
        center's broadcasts reach an agent who has not started work yet."""
        self.refresh_numbers()
        agent = auto_sign_in[0] if auto_sign_in else self.link.settings.agent_id
        if not agent:
            return
        if auto_sign_in:
            self.link.sign_in(agent, auto_sign_in[1], False, self._signed_in, lambda _t: self._changed())
            return
        def saved(found: bool) -> None:
            if found and not self.link.signed_in:
                self.link.sign_in(agent, None, False, self._signed_in, lambda _t: self._changed())

        self.link.has_saved_secret(agent, saved)

    def stop(self) -> None:
        if self.session.working and self.session.state in IDLE:
            self._act(self.session.end_work)  # 業務終了 is recorded when the app is closed

    # ---- sign-in --------------------------------------------------------------------------------------------
    def sign_in(self, agent_id: str, secret: str, remember: bool = True, start_work: bool = False) -> None:
        def done(result: SignedIn) -> None:
            self._signed_in(result)
            if start_work:
                self._act(self.session.start_work)

        self.link.sign_in(agent_id, secret, remember, done,
                          lambda problem: self.effects.ask_sign_in(agent_id, problem) if start_work else self.say(problem))

    def _signed_in(self, result: SignedIn) -> None:
        if result.warning is not None:
            self.say(result.warning)
        self.apply_provisioning(result.provisioning)

    def apply_provisioning(self, prov: Provisioning) -> None:
        self.provisioning = prov
        self.session.provisioning = prov
        if prov.mode == "fixed_line" or self.link.settings.mode == "fixed_line":
            client: Any = self.link.connection.client
            if self.landline is None and hasattr(client, "call_control"):
                fixed: FixedLineControl = client
                self.landline = Landline(fixed, self.link.settings.fixed_line_number, self.jobs)
        else:
            self.configure_phone()
        self._changed()

    def configure_phone(self) -> None:
        cfg = phone.configure_command(self.settings, self.provisioning, self.audio_backend)
        if cfg is None or self.engine is None:
            return
        if self._send(cfg) and self._send(P.Register()):
            self.registering = True

    # ---- work and availability ------------------------------------------------------------------------------
    def toggle_work(self, confirmed_end: bool = True) -> None:
        if self.session.working:
            if confirmed_end and self._act(self.session.end_work) and not self.fixed_line:
                self._send(P.Unregister())
            return
        if self.link.signed_in:
            self._act(self.session.start_work)
            return
        agent = self.link.settings.agent_id

        def signed_in(result: SignedIn) -> None:
            self._signed_in(result)
            self._act(self.session.start_work)

        def saved(found: bool) -> None:
            if found:
                self.link.sign_in(agent, None, False, signed_in, lambda problem: self.effects.ask_sign_in(agent, problem))
            else:
                self.effects.ask_sign_in(agent, None)

        self.link.has_saved_secret(agent, saved)

    def go_ready(self) -> None:
        self._act(self.session.set_ready)

    def go_not_ready(self, code: str | None) -> None:
        self._act(lambda: self.session.set_not_ready(self.session.find_reason(code) if code else None))

    def go_break(self, code: str | None) -> None:
        self._act(lambda: self.session.start_break(self.session.find_reason(code) if code else None))

    # ---- engine events --------------------------------------------------------------------------------------
    def on_engine_event(self, event: P.Event) -> None:
        handler = self.engine_handlers.get(type(event))
        if handler is not None:
            handler(event)
        if isinstance(self.carrier, SipCarrier) and self.carrier.on_event(self.escalation, event):
            self._changed()
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:
                log.exception("engine event listener %r failed", listener)

    def _on_reply(self, reply: P.Reply) -> None:
        if reply.id is not None and str(reply.id) == self._ring_request and not reply.ok:
            self.effects.play("ring")  # no headset backend (support staff's null audio): the desk's own ring
        elif reply.cmd == "configure" and not reply.ok:
            # the engine refused the provisioning (e.g. SRTP over plain UDP/TCP): say why, not "connecting..."
            self.registering = False
            message = reply.result.get("message")
            self.phone_problem = _words(message) or Text(ja=reply.error or "", en=reply.error or "")
            self._changed()

    def _on_registration(self, ev: P.Registration) -> None:
        self.registration = ev
        self.registering = ev.state == "retrying"
        if ev.state == "registered":
            self.phone_problem = None
        elif ev.message:
            self.phone_problem = _words(ev.message)  # a refused certificate: kept while it retries
        self._changed()

    def _on_tls_refused(self, ev: P.TlsRefused) -> None:
        self.phone_problem = _words(ev.message)
        self._changed()

    def _on_tls_verified(self, ev: P.TlsVerified) -> None:
        self.phone_problem = None
        self._changed()

    def _on_path_recovering(self, ev: P.PathRecovering) -> None:
        self.banner("network", Text(ja="センターへの経路が戻りました。電話をつなぎ直しています…",
                                    en="The way to the center is back. Reconnecting the phone..."), "info", seconds=15)

    def _on_media(self, ev: P.MediaEvent) -> None:
        if ev.call != self.engine_call:
            return
        if ev.state == "interrupted":
            self.banner("media", Text(ja="お客さまの音声が届いていません（回線が途切れています）。",
                                      en="No sound from the customer: the line is interrupted."), "warning")
        elif ev.state == "restored":
            self.banner("media", Text(ja="お客さまの音声が戻りました。", en="The customer's sound is back."), "info",
                        seconds=RESTORED_SHOWN_S)
        else:
            self.banner("media", Text(ja="音声が途絶えたため、通話が切れました。後処理を行ってください。",
                                      en="The sound stopped and the call was ended. Please wrap it up."), "warning",
                        seconds=60)

    def _on_engine_state(self, ev: P.EngineState) -> None:
        if ev.state == "ready":
            self.engine_state = "running"
        elif ev.state in ("died", "restarted", "failed"):
            self.engine_state = ev.state
            call = self.session.call
            if call is not None and not self.fixed_line and (ev.state == "failed" or (
                    self.engine_call is not None and self.engine_call in (ev.lost_calls or []))):
                self._end_call(call)
                self.say(Text(ja="電話エンジンが停止し、通話が切れました。後処理を行ってください。",
                              en="The phone engine stopped and the call was lost. Please wrap it up."))
            if ev.state == "restarted":
                self.registration, self.registering = None, True
        self._changed()

    def _on_call(self, ev: P.CallEvent) -> None:
        call = self.session.call
        if ev.state == "incoming":
            self._incoming(ev)
            return
        if call is None or self.engine_call != ev.call or self.fixed_line:
            return
        if ev.state == "connected":
            if call.answered_at is None:
                self._send(phone.stop_ring())
                self.session.answered(call.call_id)
                self._start_script()
            else:
                self.session.update_call(held=False)
        elif ev.state == "held" and ev.by == "local":
            self.stats = None
            self.session.update_call(held=True)
        elif ev.state == "ended":
            self._send(phone.stop_ring())
            self._end_call(call)

    def _incoming(self, ev: P.CallEvent) -> None:
        mark = phone.marks(ev.headers, self.provisioning, str(ev.call))
        new = Call(call_id=str(ev.call), direction="incoming", line=mark.line, contract_id=mark.contract_id,
                   call_ref=mark.call_ref, practice=bool(mark.practice_id))
        if self.session.call is not None or not self.session.incoming(new):
            self._send(P.Reject(call=ev.call, code=486))
            if self.session.call is None:
                self.say(Text(ja="受付不可の状態で着信があったため、お断りしました。",
                              en="A call arrived while you were not ready and was declined."))
            return
        self.engine_call, self.contract, self.stats = ev.call, None, None
        self.escalation.reset()
        if new.contract_id:
            self._look_up(new.contract_id)
        if mark.answer_after is not None:  # the center asked for it: a short tone, then the call opens
            engine_call = ev.call
            self.effects.later(mark.answer_after, lambda: self._auto_answer(engine_call))
        elif self.engine is not None:
            self._ring_request = self.engine.send(phone.ring_command(self.settings))
        self.effects.notify(Text(ja="着信", en="Incoming call"),
                            Text(ja="\n".join(t.ja for t in _contract_lines(new, None)),
                                 en="\n".join(t.en for t in _contract_lines(new, None))), True)

    def _auto_answer(self, engine_call: int) -> None:
        if self.session.state == AgentState.RINGING and self.engine_call == engine_call:
            self._send(P.Tone(name=phone.AUTO_ANSWER_TONE))
            self._send(P.Answer(call=engine_call))

    def _look_up(self, contract_id: str) -> None:
        def found(info: ContractInfo) -> None:
            call = self.session.call
            if call is not None and call.contract_id == contract_id:
                self.contract = info
                self._changed()

        self.link.contract(contract_id, found, self.say)

    def _start_script(self) -> None:
        if self.script is not None:
            try:
                self.script.start_for_call(self.contract, self.session.call.line if self.session.call else "")
            except Exception:
                log.exception("support script could not start")

    def _end_call(self, call: Call) -> None:
        escalated = self.escalation.call_ended() or call.escalated
        call.escalated = escalated
        call.escalation = "done" if escalated else call.escalation
        if escalated and self.escalation.progress.ticket_id:
            call.ticket_id = self.escalation.progress.ticket_id
        self._take_script_wrap_up(call)
        self.engine_call, self.stats = None, None
        self._banners.pop("room_noise", None)
        self._banners.pop("mute", None)
        self.session.ended(call.call_id)
        if self.script is not None:
            self.script.reset()
        self.refresh_numbers()

    def _take_script_wrap_up(self, call: Call) -> None:
        if self.script is None:
            return
        try:
            part = self.script.wrap_up()
        except Exception:
            log.exception("support script wrap-up unavailable")
            return
        if not part:
            return
        steps = [str(s) for s in part.get("steps") or []]
        if steps and not call.script_path:
            call.script_path = steps
        self.suggested_code = str(part.get("outcome") or "")

    def _on_stats(self, ev: P.Stats) -> None:
        call = self.session.call
        if ev.call == self.engine_call and call is not None and not call.held:
            self.stats = ev
            self._changed()

    def _on_mute(self, ev: P.MuteChanged) -> None:
        if self.session.call is not None:
            self.session.update_call(muted=ev.muted)
        self.banner("mute", Text(ja="ミュート中: お客さまにはあなたの声が聞こえていません",
                                 en="MUTED: the customer cannot hear you") if ev.muted else None, "alert")

    def _on_audio_device(self, ev: P.AudioDevice) -> None:
        if ev.state == "fallback":
            self.banner("audio_device", Text(
                ja="ヘッドセットが見つかりません。いまは別の機器（{to}）で通話しています。ヘッドセットをつなぎ直してください。",
                en="The headset is gone. Calls now use another device ({to}). Please plug the headset back in.")
                .format(to=ev.to or "既定の機器"), "warning")
        elif ev.state == "restored":
            self.banner("audio_device", Text(ja="ヘッドセットに戻りました（{n}）。", en="Back on the headset ({n}).")
                        .format(n=ev.name or ev.id), "info", seconds=RESTORED_SHOWN_S)

    def _on_room_noise(self, ev: P.RoomNoise) -> None:
        if ev.state == "quiet" or self.session.call is None:
            self.banner("room_noise", None)
        elif ev.state == "voice":
            self.banner("room_noise", Text(ja="周りの話し声がお客さまに聞こえているかもしれません。",
                                           en="Voices in your room may reach the customer."), "warning")
        else:
            self.banner("room_noise", Text(ja="周りの物音がお客さまに聞こえているかもしれません。",
                                           en="Noise in your room may reach the customer."), "warning")

    def _on_limit(self, ev: P.Limit) -> None:
        self.banner("limit", Text(ja="同時に扱える通話は {n} 件までです。ほかの通話を終えてからもう一度どうぞ。",
                                  en="At most {n} calls at a time. End another call and try again.").format(n=ev.max),
                    "warning", seconds=30)

    def _on_call_refused(self, ev: P.CallRefused) -> None:
        self.banner("call_refused", Text(
            ja="着信を受けられませんでした（安全な通話の条件を満たしていません）。続く場合はセンターに連絡してください。",
            en="A call could not be taken (it did not meet the secure-call rules). Tell the center if it repeats."),
            "warning", seconds=30)

    def _on_security(self, ev: P.Security) -> None:
        text = _words(ev.message) if ev.message else None
        if text is not None:
            pass
        elif ev.what == "invite_refused":
            text = Text(ja="センターを通らない着信を拒否しました（送信元 {s}）。この電話は安全です。",
                        en="A call that did not come through the center was refused (from {s}). Your phone is safe.")
        else:
            text = Text(ja="センター以外からの通信を拒否しました（送信元 {s}）。この電話は安全です。",
                        en="Traffic that did not come from the center was refused (from {s}). Your phone is safe.")
        self.banner("security", text.format(s=ev.source or "複数"), "warning", seconds=60)

    def _on_audio_error(self, ev: P.AudioError) -> None:
        self.banner("audio_error", Text(ja="音声機器を開けませんでした。設定で機器を確認してください。",
                                        en="A sound device would not open. Check the devices in Settings."),
                    "warning", seconds=30)

    def _on_headset(self, ev: P.HeadsetButton) -> None:
        action = desk_action(ev, self.session.state, self.session.call, self.engine_call,
                             self.settings.audio.headset_buttons)
        if action is not None:
            {"answer": self.answer, "hangup": self.hangup, "toggle_mute": self.toggle_mute,
             "toggle_hold": self.toggle_hold}[action]()

    # ---- center events --------------------------------------------------------------------------------------
    def on_center_event(self, event: CenterEvent) -> None:
        for listener in list(self.center_listeners):
            try:
                listener(event)
            except Exception:
                log.exception("center event listener %r failed", listener)
        if self.landline is not None and self.landline.on_event(event):
            self._on_landline(event)
        elif self.landline is not None and event.kind == "connection" and event.data.get("state") == "connected":
            self.landline.refresh(lambda: self._on_landline(CenterEvent(kind="fixed_line_leg", data={}), True))
        elif event.kind in ("broadcast", "please_log_in"):
            message = event.data.get("message")
            data: dict[str, Any] = message if isinstance(message, dict) else event.data
            ja, en = str(data.get("ja") or data.get("text") or ""), str(data.get("en") or data.get("ja") or "")
            self.say(Text(ja="センターからのお知らせ: " + ja, en="From the center: " + en))
            self.effects.notify(Text(ja="センターからのお知らせ", en="Message from the center"), Text(ja=ja, en=en), True)
            if event.data.get("sound", True):
                self.effects.play("broadcast")
        elif event.kind == "config_changed":
            self.link.provisioning(self.apply_provisioning, self.say)
        elif event.kind == "practice_call":
            self.practice.on_center_event(event)
            names, script = self.practice.step_names, str(event.data.get("script") or "")
            if names is not None and script:  # load the scripts off the GUI thread: the result names steps
                self.jobs.run("script-names", lambda: names(script, ""), lambda _n: None)
        elif self.practice.on_center_event(event):
            self._changed()

    def _on_landline(self, event: CenterEvent, from_status: bool = False) -> None:
        line = self.landline
        assert line is not None
        call = self.session.call
        if event.kind == "fixed_line_offer":
            offer = line.fixed.offer
            contract = str(event.data.get("contract_id") or "") or (offer.contract_id if offer is not None else "")
            if call is not None and call.call_id == line.call_id and contract and not call.contract_id:
                # the leg's state read back made the call before the offer's event came: it brings the contract
                call.contract_id = contract
                self._look_up(contract)
                return
            new = Call(call_id=line.call_id, direction="incoming", contract_id=contract, call_ref=line.call_id)
            if call is None and self.session.incoming(new):
                self.contract = None
                self.escalation.reset()
                self.banner("landline", CALLING_YOU, "alert")
                self.effects.notify(Text(ja="着信", en="Incoming call"), CALLING_YOU, True)
                if new.contract_id:
                    self._look_up(new.contract_id)
            return
        leg = line.leg
        if leg == "dropped":
            self.banner("landline", LINE_DROPPED, "alert")
        elif not (leg == "ringing" and call is not None and self.session.state == AgentState.RINGING):
            # a leg still ringing (a repeated event, or its state read back after the offer) keeps "pick up"
            self.banner("landline", None, "alert")
        if from_status and call is None and leg in ("ringing", "connected") and line.call_id and self.session.can_ring():
            # an offer the event stream did not bring (it connected later): the leg's state says it all
            self._on_landline(CenterEvent(kind="fixed_line_offer", data={}))
            call = self.session.call
        if call is None:
            return
        if leg == "connected" and line.call_id == call.call_id:
            if call.answered_at is None:
                self.session.answered(call.call_id)
                self._start_script()
            else:
                self.session.update_call(held=False)
        elif leg == "held" and call.answered_at is not None:
            self.session.update_call(held=True)
        elif leg == "idle" and not line.call_id:
            if isinstance(self.carrier, LandlineCarrier) and self.carrier.pending:
                self._landline_gone = call.call_id  # the center moved the customer: its answer says how it went
                return
            self._end_call(call)

    def _landline_handed_over(self) -> None:
        call = self.session.call
        if call is not None and self._landline_gone == call.call_id:
            self._landline_gone = ""
            self._end_call(call)

    # ---- call controls --------------------------------------------------------------------------------------
    def answer(self) -> None:
        if self.session.state == AgentState.RINGING and not self.fixed_line:
            self._send(phone.stop_ring())
            self._send(P.Answer(call=self.engine_call))

    def reject(self) -> None:
        if self.session.state == AgentState.RINGING and not self.fixed_line:
            self._send(phone.stop_ring())
            self._send(P.Reject(call=self.engine_call, code=486))

    def _landline_act(self, action: Literal["hold", "resume", "hangup"]) -> None:
        if self.landline is not None:
            self.landline.act(action, lambda words, ok: None if ok else self.say(words))

    def hangup(self) -> None:
        if self.session.state != AgentState.ON_CALL:
            return
        if self.fixed_line:
            self._landline_act("hangup")
        else:
            self._send(P.Hangup(call=self.engine_call))

    def toggle_hold(self) -> None:
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL or self.escalation.busy:
            return
        if self.fixed_line:
            self._landline_act("resume" if call.held else "hold")
        else:
            self._send(P.Unhold(call=self.engine_call) if call.held else P.Hold(call=self.engine_call))

    def toggle_mute(self) -> None:
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL or self.fixed_line:
            return
        self._send(P.Unmute() if call.muted else P.Mute())  # the mute event updates the call and the banner

    def send_dtmf(self, digits: str) -> None:
        if self.session.state == AgentState.ON_CALL and not self.fixed_line:
            self._send(P.Dtmf(call=self.engine_call, digits=digits, method="rfc4733"))

    def set_note(self, note: str) -> None:
        if self.session.call is not None and self.session.call.note != note:
            self.session.update_call(note=note)

    def reconnect_line(self) -> None:
        if self.landline is not None:
            self.landline.reconnect(self.say)

    # ---- escalation -----------------------------------------------------------------------------------------
    def targets(self) -> list[EscalationTarget]:
        return list(self.provisioning.escalation_targets)

    def escalation_context(self, script_context: dict[str, Any] | None = None) -> dict[str, Any]:
        call = self.session.call
        context: dict[str, Any] = {"contract_id": call.contract_id if call else "",
                                   "note": (call.note if call else "").strip(),
                                   "agent_id": self.link.settings.agent_id, "queue": call.line if call else ""}
        extra = script_context
        if extra is None and self.script is not None:
            try:
                extra = self.script.escalation_context()
            except Exception:
                log.exception("support script context unavailable")
        if extra:
            path = [str(p) for p in extra.get("path") or []]
            if path:
                context["script_path"] = path  # the step ids walked (the center's script_path)
            if extra.get("flow_id"):
                context["script_flow"] = str(extra["flow_id"])
            if extra.get("contract_id") and not context["contract_id"]:
                context["contract_id"] = str(extra["contract_id"])
        return context

    def escalate(self, target_name: str | None = None, script_context: dict[str, Any] | None = None) -> None:
        """F9, the button and the script's escalation point: one flow. The script's context names its target."""
        call = self.session.call
        if call is None or self.session.state != AgentState.ON_CALL or self.escalation.busy:
            return
        if script_context and script_context.get("escalation_target"):
            target_name = str(script_context["escalation_target"])
            self.preselected_target = target_name
        targets = {t.name: t for t in self.targets()}
        target = targets.get(target_name or "") or next(iter(targets.values()), None)
        if target is None:
            self.say(NO_TARGET)
            return
        context = self.escalation_context(script_context)
        path = context.get("script_path") or []
        call.script_path = [str(p) for p in path]
        self.carrier = LandlineCarrier(self.landline, self._landline_handed_over) if self.landline is not None \
            else SipCarrier(self._send, self.engine_call)
        self.session.update_call(escalation="in_progress")
        self.escalation.start(call.call_id, target, context, self.carrier)

    def raise_hand(self) -> None:
        if not self.session.working:
            return
        call = self.session.call
        context = {"kind": "raise_hand", "agent_id": self.link.settings.agent_id,
                   "state": self.session.state.value, "call_ref": call.call_ref if call else "",
                   "contract_id": call.contract_id if call else "", "note": call.note.strip() if call else ""}
        self.link.raise_hand(context, lambda _t: self.say(Text(
            ja="手上げを送れませんでした。もう一度押してください。",
            en="The raised hand did not reach the center. Press it again.")))
        self.say(Text(ja="スーパーバイザーに手上げを送りました。通話はそのまま続けてください。",
                      en="A supervisor has been alerted. Carry on with the call."))

    # ---- wrap-up --------------------------------------------------------------------------------------------
    def edit_wrap_up(self, code: str | None = None, note: str | None = None) -> None:
        self.session.edit_wrap_up(code=code, note=note)

    def finish_wrap_up(self, then: AgentState) -> Text | None:
        """Hand the wrap-up to the outbox; the problem in words when it cannot be (nothing is lost)."""
        if self.session.state != AgentState.AFTER_CALL_WORK:
            return None
        try:
            self.session.submit_wrap_up(then)
        except SessionError as exc:
            return exc.message
        self.escalation.reset()
        self.suggested_code = ""
        return None

    # ---- practice -------------------------------------------------------------------------------------------
    def practice_choices(self) -> list[ScenarioChoice]:
        practice = self.link.practice
        if practice is None or not self.provisioning.practice:
            return []
        try:
            return choices(practice.scenarios())
        except Exception:
            log.exception("practice scenarios could not be read")
            return []

    def start_practice(self, scenario_id: str | None) -> None:
        if not scenario_id:
            return
        if self.session.state != AgentState.READY:
            self.say(Text(ja="受付可にしてから練習通話を始めてください。", en="Go ready before starting a practice call."))
            return
        self.link.start_practice_call(scenario_id, self.say)

    def dismiss_practice_result(self) -> None:
        self.practice.dismiss()
        self._changed()

    # ---- time -----------------------------------------------------------------------------------------------
    def tick(self) -> Text | None:
        """About once a second: break overrun, the automatic return after ACW, the escalation's no-answer limit,
        the banners that go by themselves. Returns a wrap-up problem when the automatic submit was refused."""
        problem = None
        was_overrun = self.session.break_overrun
        try:
            self.session.tick()
        except SessionError as exc:
            problem = exc.message
        if self.session.break_overrun and not was_overrun:
            self.effects.notify(Text(ja="休憩時間の超過", en="Break overrun"),
                                Text(ja="休憩が予定の時間を過ぎています。", en="Your break is longer than allowed."), True)
        self.escalation.tick()
        now = self.clock()
        expired = [k for k, (_b, until) in self._banners.items() if until is not None and until <= now]
        for key in expired:
            self._banners.pop(key, None)
        self._ticks += 1
        if self.worklog is not None and self.session.working and self._ticks % 60 == 0:
            worklog = self.worklog
            at = calendar_jp.now()
            self.jobs.run("worklog-heartbeat", lambda: worklog.heartbeat(at), lambda _r: None)
        self._changed()
        return problem

    def refresh_numbers(self) -> None:
        """The agent's own numbers, read off the GUI thread; "today" and "this month" are Japan's."""
        worklog = self.worklog
        if worklog is None:
            self.numbers = own_numbers.OwnNumbers(calls_today=self.session.calls_today,
                                                  talk_seconds_today=self.session.talk_seconds_today,
                                                  calls_month=self.session.calls_today,
                                                  talk_seconds_month=self.session.talk_seconds_today)
            return
        today = calendar_jp.today()

        def read() -> own_numbers.OwnNumbers | None:
            return own_numbers.from_worklog(worklog, today)

        def got(numbers: own_numbers.OwnNumbers | None) -> None:
            if numbers is not None:
                self.numbers = numbers
                self._changed()

        self.jobs.run("own-numbers", read, got)

    # ---- what the screen shows ------------------------------------------------------------------------------
    def phone_text(self) -> Text:
        center = self.provisioning.center_name or "センター"
        if self.fixed_line:
            if self.landline is None:
                return Text(ja="固定電話モード: サインインすると、センターがあなたの固定電話を呼び出します",
                            en="Fixed-line mode: after sign-in the center calls your landline")
            return self.landline.leg_text
        if self.engine_state == "died":
            return Text(ja="電話: 電話エンジンが停止しました。再起動しています…",
                        en="Phone: the phone engine stopped; restarting it...")
        if self.engine_state == "failed":
            return Text(ja="電話: 電話エンジンを再起動できませんでした。AgentDesk を再起動してください。",
                        en="Phone: the phone engine could not be restarted. Restart AgentDesk.")
        reg = self.registration
        if self.phone_problem is not None and (reg is None or reg.state != "registered"):
            return Text(ja=f"電話: {center} に接続できません（{self.phone_problem.ja}）",
                        en=f"Phone: not connected to {center} ({self.phone_problem.en})")
        if reg is not None and reg.state == "registered":
            return Text(ja=f"電話: {center} に接続済み（{reg.registrar}）", en=f"Phone: connected to {center} ({reg.registrar})")
        if self.registering or (reg is not None and reg.state == "retrying"):
            return Text(ja=f"電話: {center} に接続しています…", en=f"Phone: connecting to {center}...")
        if reg is not None and reg.state == "failed":
            why = Text(ja="パスワードが受け付けられませんでした", en="the password was refused") \
                if reg.code in (401, 403, 407) else Text(ja="応答がありません", en="no answer")
            return Text(ja=f"電話: {center} に接続できません（{why.ja}）", en=f"Phone: not connected to {center} ({why.en})")
        if not self.link.signed_in:
            return Text(ja="電話: 未接続（業務開始でサインインします）", en="Phone: not connected (start work to sign in)")
        return Text(ja="電話: 未接続", en="Phone: not connected")

    def banners(self) -> list[Banner]:
        shown = [b for b, _until in self._banners.values()]
        s = self.session
        if s.state == AgentState.AFTER_CALL_WORK and self._acw_overrun():
            shown.append(Banner("acw_overrun", Text(
                ja="後処理の時間を過ぎています。対応結果を選んで完了してください。",
                en="After-call work is over time. Choose the disposition and finish."), "warning"))
        order = {"alert": 0, "warning": 1, "info": 2}
        return sorted(shown, key=lambda b: order[b.level])

    def _acw_overrun(self) -> bool:
        limit = self.provisioning.after_call_work_seconds
        return limit is not None and self.clock() - self.session.since > limit

    def ready_for(self) -> float | None:
        s = self.session
        return self.clock() - s.since if s.state == AgentState.READY and s.call is None else None

    def screen(self, practice_key: str = "") -> Screen:
        s = self.session
        now = self.clock()
        call = s.call
        call_view = None
        if call is not None:
            quality, level = quality_words(self.stats, call.held)
            ringing = s.state == AgentState.RINGING
            call_view = CallView(
                contract_lines=_contract_lines(call, self.contract), held=call.held, muted=call.muted,
                talk_seconds=now - call.answered_at if call.answered_at else None,
                ring_seconds=now - call.started_at if ringing else None,
                hold_seconds=now - call.held_at if call.held and call.held_at else None,
                quality=quality, quality_level=level, escalation=self.escalation.progress,
                can_escalate=bool(self.targets()) and not self.escalation.busy and s.state == AgentState.ON_CALL,
                captions=list(self.practice.captions.get(call.call_ref, [])), practice=call.practice,
                fixed_line=self.fixed_line)
        wrap = None
        if s.wrap_up is not None and s.state == AgentState.AFTER_CALL_WORK:
            d = s.wrap_up
            confirmation = None
            if d.escalated:
                progress = self.escalation.progress
                confirmation = progress.text if progress.stage == "done" and progress.text else Text(
                    ja=f"センターに引き継ぎました。チケット番号: {d.ticket_id or 'なし'}",
                    en=f"Handed over to the center. Ticket: {d.ticket_id or 'none'}")
            wrap = WrapUpView(note=d.note, code=d.code or ("escalated" if d.escalated else self.suggested_code),
                              escalation=confirmation, acw_seconds=now - s.since, acw_left=s.after_call_work_left(),
                              overrun=self._acw_overrun())
        choices_ = self.practice_choices()
        return Screen(
            state=s.state, working=s.working, reason=s.reason.label if s.reason else None,
            state_seconds=now - s.since, break_limit=s.break_limit_seconds(), break_overrun=s.break_overrun,
            phone=self.phone_text(), mode="fixed_line" if self.fixed_line else "softphone",
            banners=self.banners(), notice=self.notice, call=call_view, wrap_up=wrap, numbers=self.numbers,
            practice_choices=choices_,
            practice_offer=self.practice.offer(self.ready_for(), bool(choices_), practice_key),
            practice_result=self.practice.result,
            can_reconnect_line=self.landline is not None and self.landline.can_reconnect and s.working,
            escalation_targets=self.targets(), preselected_target=self.preselected_target)


__all__ = ["Banner", "CallView", "DeskCore", "Effects", "EngineLink", "Screen", "ScriptHooks", "WrapUpView",
           "field", "replace"]
