"""The agent session state machine: offline, not ready (with a reason), ready, ringing, on call, after-call work,
break. Qt-free and clock-injected, so it is tested without Qt, pjsua2 or waiting.

The session owns the rules; the UI only asks it to act and shows what it reports. Every state change goes to the
center through ``submit("state_change", ...)`` (the durable outbox), every wrap-up through
``submit("wrap_up", ...)``; start and end of work (業務開始・終了), breaks and calls go to the work log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from agentdesk.agent.draft import DraftStore, WrapUpDraft
from agentdesk.availability.calendar_jp import JST
from agentdesk.center.api import Provisioning, ReasonCode
from agentdesk.i18n import Text

log = logging.getLogger(__name__)


class AgentState(StrEnum):
    OFFLINE = "offline"
    NOT_READY = "not_ready"
    READY = "ready"
    RINGING = "ringing"
    ON_CALL = "on_call"
    AFTER_CALL_WORK = "after_call_work"
    BREAK = "break"


IDLE_STATES = (AgentState.NOT_READY, AgentState.READY, AgentState.BREAK)


class Drafts(Protocol):
    def save(self, draft: WrapUpDraft) -> None: ...
    def load(self) -> WrapUpDraft | None: ...
    def clear(self) -> None: ...


class WorkLogLike(Protocol):
    def start_work(self, at: datetime) -> Any: ...
    def end_work(self, at: datetime) -> Any: ...
    def start_break(self, at: datetime, reason: str) -> Any: ...
    def end_break(self, at: datetime) -> Any: ...
    def record_call(self, started: datetime, answered: datetime | None, ended: datetime, direction: str,
                    escalated: bool) -> Any: ...


class SessionError(Exception):
    """An action that is not possible now, with a message the agent can read."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


@dataclass
class Call:
    call_id: str
    direction: str = "incoming"
    line: str = ""  # the center's line / queue the call came in on (never the caller's number)
    contract_id: str = ""
    call_ref: str = ""
    started_at: float = 0.0
    answered_at: float | None = None
    ended_at: float | None = None
    held: bool = False
    muted: bool = False
    escalated: bool = False
    escalation: str = ""  # "", "in_progress", "failed", "done"
    note: str = ""
    ticket_id: str = ""
    script_path: list[str] = field(default_factory=list)
    practice: bool = False  # a practice call: never counted in the agent's numbers, the work log or the incentive
    held_at: float | None = None  # when the current hold began


@dataclass
class Snapshot:
    state: AgentState
    reason: ReasonCode | None
    since: float
    call: Call | None
    break_overrun: bool
    working: bool
    wrap_up: WrapUpDraft | None
    extra: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Snapshot], None]


class AgentSession:
    def __init__(
        self,
        provisioning: Provisioning,
        submit: Callable[[str, dict[str, Any]], None],
        worklog: WorkLogLike | None = None,
        drafts: Drafts | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.provisioning = provisioning
        self._submit = submit
        self.worklog = worklog
        self.drafts: Drafts = drafts or DraftStore()
        self.clock = clock
        self.state = AgentState.OFFLINE
        self.reason: ReasonCode | None = None
        self.since = clock()
        self.working = False
        self.call: Call | None = None
        self.wrap_up: WrapUpDraft | None = None
        self.break_overrun = False
        self._before_ringing = AgentState.READY
        self._listeners: list[Listener] = []
        self.calls_today = 0
        self.talk_seconds_today = 0.0
        self.work_started_at: float | None = None
        self.break_seconds = 0.0
        recovered = self.drafts.load()
        if recovered is not None:  # the app was killed during a call or its wrap-up: nothing typed is lost
            self.wrap_up = recovered
            self.working = True
            self._set(AgentState.AFTER_CALL_WORK, None, notify=False)
            log.info("recovered a wrap-up draft for call %s", recovered.call_ref)

    # -- observers -------------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.state, self.reason, self.since, self.call, self.break_overrun, self.working,
                        self.wrap_up)

    def _notify(self) -> None:
        snap = self.snapshot()
        for listener in list(self._listeners):
            try:
                listener(snap)
            except Exception:
                log.exception("session listener failed")

    def _set(self, state: AgentState, reason: ReasonCode | None, notify: bool = True) -> None:
        previous = self.state
        self.state = state
        self.reason = reason
        self.since = self.clock()
        self.break_overrun = False
        if previous != state or reason is not None:
            self._send("state_change", {"state": state.value, "reason": reason.code if reason else None,
                                        "at": self._iso(self.since)})
        if notify:
            self._notify()

    def _send(self, kind: str, payload: dict[str, Any]) -> None:
        """A write that must not stop the agent (state changes, work log): a failure is logged."""
        try:
            self._submit(kind, payload)
        except Exception:
            log.exception("could not queue %s", kind)

    @staticmethod
    def _iso(at: float | None) -> str | None:
        return None if at is None else datetime.fromtimestamp(at, JST).isoformat(timespec="seconds")

    def _now(self) -> datetime:
        """Now in Japan time: "today" is Japan's day whatever the PC's own time zone (the work log agrees)."""
        return datetime.fromtimestamp(self.clock(), JST)

    def _log(self, method: str, *args: Any) -> None:
        if self.worklog is None:
            return
        try:
            getattr(self.worklog, method)(*args)
        except Exception:  # the work log must never stop a call
            log.exception("work log %s failed", method)

    # -- reason codes -----------------------------------------------------------------------------------------
    def reasons(self, kind: str) -> list[ReasonCode]:
        return [r for r in self.provisioning.reason_codes if r.kind == kind]

    def find_reason(self, code: str) -> ReasonCode | None:
        return next((r for r in self.provisioning.reason_codes if r.code == code), None)

    # -- work and availability ----------------------------------------------------------------------------------
    def start_work(self) -> None:
        if self.working:
            return
        self.working = True
        self._log("start_work", self._now())
        self.work_started_at = self.clock()
        self.break_seconds = 0.0
        self._send("work_log", {"date": self._now().date().isoformat(), "started_at": self._iso(self.clock())})
        self._set(AgentState.NOT_READY, None)

    def end_work(self) -> None:
        if self.state in (AgentState.RINGING, AgentState.ON_CALL):
            raise SessionError(Text(ja="通話中は業務を終了できません。", en="You cannot end work during a call."))
        if self.state == AgentState.AFTER_CALL_WORK:
            raise SessionError(Text(ja="後処理を完了してから業務を終了してください。",
                                    en="Finish the wrap-up before ending work."))
        self._leave_break()
        self.working = False
        self._log("end_work", self._now())
        self._send("work_log", {"date": self._now().date().isoformat(),
                                "started_at": self._iso(self.work_started_at), "ended_at": self._iso(self.clock()),
                                "calls": self.calls_today, "talk_seconds": round(self.talk_seconds_today, 1),
                                "break_seconds": round(self.break_seconds, 1)})
        self._set(AgentState.OFFLINE, None)

    def _require_idle(self) -> None:
        if not self.working:
            raise SessionError(Text(ja="先に業務を開始してください。", en="Start work first."))
        if self.state not in IDLE_STATES:
            raise SessionError(Text(ja="通話中・後処理中は状態を変えられません。",
                                    en="You cannot change state during a call or its wrap-up."))

    def _leave_break(self) -> None:
        if self.state == AgentState.BREAK:
            self.break_seconds += self.clock() - self.since
            self._log("end_break", self._now())

    def set_ready(self) -> None:
        self._require_idle()
        self._leave_break()
        self._set(AgentState.READY, None)

    def set_not_ready(self, reason: ReasonCode | None = None) -> None:
        self._require_idle()
        self._leave_break()
        self._set(AgentState.NOT_READY, reason)

    def start_break(self, reason: ReasonCode | None = None) -> None:
        self._require_idle()
        if self.state == AgentState.BREAK:
            return
        self._log("start_break", self._now(), reason.code if reason else "")
        self._set(AgentState.BREAK, reason)

    def break_limit_seconds(self) -> float | None:
        if self.state == AgentState.BREAK and self.reason and self.reason.max_minutes:
            return self.reason.max_minutes * 60.0
        return None

    # -- calls -----------------------------------------------------------------------------------------------
    def can_ring(self) -> bool:
        return self.working and self.state == AgentState.READY

    def incoming(self, call: Call) -> bool:
        """An incoming call offered by the engine. False: the agent is not available (the caller gets busy)."""
        if not self.can_ring():
            return False
        call.started_at = call.started_at or self.clock()
        self.call = call
        self._before_ringing = self.state
        self._set(AgentState.RINGING, None)
        return True

    def outgoing(self, call: Call) -> None:
        self._require_idle()
        call.direction = "outgoing"
        call.started_at = call.started_at or self.clock()
        self.call = call
        self._set(AgentState.ON_CALL, None)

    def answered(self, call_id: str) -> None:
        if self.call is None or self.call.call_id != call_id:
            return
        self.call.answered_at = self.call.answered_at or self.clock()
        if self.state != AgentState.ON_CALL:
            self._set(AgentState.ON_CALL, None)
        else:
            self._notify()
        self._save_draft()

    def update_call(self, **changes: Any) -> None:
        if self.call is None:
            return
        if "held" in changes and bool(changes["held"]) != self.call.held:
            self.call.held_at = self.clock() if changes["held"] else None  # the hold timer
        for key, value in changes.items():
            setattr(self.call, key, value)
        if "note" in changes:
            self._save_draft()
        self._notify()

    def ended(self, call_id: str) -> None:
        """The engine reports the call ended (either side, or escalated away)."""
        call = self.call
        if call is None or call.call_id != call_id:
            return
        call.ended_at = self.clock()
        started = datetime.fromtimestamp(call.started_at, JST)
        answered = datetime.fromtimestamp(call.answered_at, JST) if call.answered_at else None
        if not call.practice:  # practice calls count toward nothing: not the numbers, not the incentive
            self._log("record_call", started, answered, datetime.fromtimestamp(call.ended_at, JST),
                      "outbound" if call.direction == "outgoing" else "inbound", call.escalated)
        if call.answered_at is None:  # missed: the caller gave up while ringing
            self.call = None
            self._set(self._before_ringing if self._before_ringing in IDLE_STATES else AgentState.READY, None)
            return
        if not call.practice:
            self.calls_today += 1
            self.talk_seconds_today += call.ended_at - call.answered_at
        self.wrap_up = WrapUpDraft(call_ref=call.call_ref or call.call_id, note=call.note,
                                   started_at=call.started_at, answered_at=call.answered_at,
                                   ended_at=call.ended_at, escalated=call.escalated, direction=call.direction,
                                   ticket_id=call.ticket_id, script_path=list(call.script_path))
        self.drafts.save(self.wrap_up)
        self.call = None
        self._set(AgentState.AFTER_CALL_WORK, None)

    def _save_draft(self) -> None:
        call = self.call
        if call is None or call.answered_at is None:
            return
        try:
            self.drafts.save(WrapUpDraft(call_ref=call.call_ref or call.call_id, note=call.note,
                                         started_at=call.started_at, answered_at=call.answered_at,
                                         escalated=call.escalated, direction=call.direction,
                                         ticket_id=call.ticket_id, script_path=list(call.script_path)))
        except OSError as exc:
            log.warning("could not save the wrap-up draft: %s", exc)

    # -- wrap-up ----------------------------------------------------------------------------------------------
    def edit_wrap_up(self, code: str | None = None, note: str | None = None) -> None:
        if self.wrap_up is None:
            return
        if code is not None:
            self.wrap_up.code = code
        if note is not None:
            self.wrap_up.note = note
        try:
            self.drafts.save(self.wrap_up)
        except OSError as exc:
            log.warning("could not save the wrap-up draft: %s", exc)

    def wrap_up_problem(self) -> Text | None:
        if self.wrap_up is None:
            return None
        codes = {c.code for c in self.provisioning.wrap_up_codes}
        if self.provisioning.wrap_up_required and not self.wrap_up.code:
            return Text(ja="対応結果コードを選んでください。", en="Choose a disposition code.")
        if self.wrap_up.code and codes and self.wrap_up.code not in codes:
            return Text(ja="このセンターにない対応結果コードです。", en="This disposition code is not used by the center.")
        return None

    def submit_wrap_up(self, then: AgentState = AgentState.READY, reason: ReasonCode | None = None) -> None:
        if self.state != AgentState.AFTER_CALL_WORK or self.wrap_up is None:
            raise SessionError(Text(ja="後処理中ではありません。", en="There is no wrap-up in progress."))
        problem = self.wrap_up_problem()
        if problem is not None:
            raise SessionError(problem)
        draft = self.wrap_up
        payload: dict[str, Any] = {
            "call_id": draft.call_ref, "code": draft.code, "note": draft.note or None,
            "escalated": draft.escalated, "ticket_id": draft.ticket_id or None, "script_path": draft.script_path,
            "started_at": self._iso(draft.started_at), "ended_at": self._iso(draft.ended_at),
            "talk_seconds": round(draft.ended_at - draft.answered_at, 1)
            if draft.ended_at and draft.answered_at else None}
        try:
            self._submit("wrap_up", {k: v for k, v in payload.items() if v is not None})
        except Exception as exc:  # refused (e.g. a phone number in the note): nothing is lost, the agent fixes it
            message = getattr(exc, "message", None)
            raise SessionError(message if isinstance(message, Text) else Text(
                ja="後処理を保存できませんでした: {e}", en="The wrap-up could not be saved: {e}").format(e=exc)
            ) from exc
        self.drafts.clear()  # handed to the durable outbox: the draft's job is done
        self.wrap_up = None
        if then == AgentState.BREAK:
            self._log("start_break", self._now(), reason.code if reason else "")
        self._set(then if then in IDLE_STATES else AgentState.READY, reason)

    def after_call_work_left(self) -> float | None:
        limit = self.provisioning.after_call_work_seconds
        if self.state != AgentState.AFTER_CALL_WORK or limit is None:
            return None
        return max(0.0, limit - (self.clock() - self.since))

    # -- the clock --------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Called about once a second: break overrun and the automatic return to ready after ACW."""
        limit = self.break_limit_seconds()
        if limit is not None and not self.break_overrun and self.clock() - self.since > limit:
            self.break_overrun = True
            log.info("break %s overrun", self.reason.code if self.reason else "")
            self._notify()
        left = self.after_call_work_left()
        if left is not None and left <= 0 and self.wrap_up_problem() is None:
            self.submit_wrap_up(AgentState.READY)
