"""The call's context as SIP headers on the escalated (transferred) INVITE.

SIP header values must be ASCII; a Japanese note or script step is not. Rule: a value that is printable ASCII
without ``%``, ``;``, ``?``, ``&``, ``=``, ``<``, ``>``, ``"`` and not longer than 200 characters travels as it is;
anything else is UTF-8, percent-encoded (RFC 3986 unreserved characters kept) and prefixed ``pct:`` so that
each header describes its own encoding. The receiving center decodes ``pct:`` values with ``urllib.parse.unquote``. Notes are cut at 600 encoded
characters (a SIP INVITE travels in one UDP datagram; the full note goes through the center API ticket).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import quote, unquote

from agentdesk.agent.jobs import Jobs
from agentdesk.center.api import EscalationTarget
from agentdesk.i18n import Text
from agentdesk.sip import protocol as P

PREFIX = "pct:"
_SAFE = re.compile(r'^[\x20-\x7e]*$')
_UNSAFE_CHARS = set('%;?&=<>"')
MAX_PLAIN = 200
MAX_ENCODED = 600

HEADER_NAMES = {
    "contract_id": "X-Contract-Id",
    "script_flow": "X-Script-Flow",
    "script_path": "X-Script-Path",
    "note": "X-Agent-Note",
    "ticket_id": "X-Ticket-Id",
    "agent_id": "X-Agent-Id",
    "queue": "X-Queue",
}


def encode_value(value: str) -> str:
    if _SAFE.match(value) and not (_UNSAFE_CHARS & set(value)) and len(value) <= MAX_PLAIN \
            and not value.startswith(PREFIX):
        return value
    encoded = PREFIX + quote(value, safe="")
    if len(encoded) > MAX_ENCODED:
        encoded = encoded[:MAX_ENCODED]
        cut = encoded.rfind("%", MAX_ENCODED - 3)  # never split a %XX escape
        if cut != -1:
            encoded = encoded[:cut]
    return encoded


def decode_value(value: str) -> str:
    if value.startswith(PREFIX):
        return unquote(value[len(PREFIX):], errors="replace")
    return value


def context_headers(context: dict[str, Any]) -> dict[str, str]:
    """{"contract_id", "script_flow", "script_path": [step ids] or str, "note", "ticket_id", ...} -> SIP headers."""
    headers: dict[str, str] = {}
    for key, name in HEADER_NAMES.items():
        value = context.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list | tuple):
            value = "/".join(str(v) for v in value)
        headers[name] = encode_value(str(value))
    return headers


# ---- the escalation flow -------------------------------------------------------------------------------------
# One flow for the F9 key, the button and the support script's escalation point: a ticket from the center (with
# the call's context), then the hand-over (SIP: a blind transfer or a consultation first; fixed line: the Center
# API), progress in words, and the customer back with the agent when the center does not answer in time.

Stage = Literal["idle", "ticket", "calling", "ringing", "handing_over", "done", "failed"]
BUSY_STAGES = ("ticket", "calling", "ringing", "handing_over")

TICKET = Text(ja="チケットを作成しています…", en="Opening a ticket…")
NO_TICKET = Text(ja="チケットは作成できませんでした。通話の情報はそのまま転送先へ送ります。",
                 en="No ticket could be opened. The call's context still travels with the transfer.")
CALLING = Text(ja="{t}を呼び出しています…", en="Calling {t}…")
RINGING = Text(ja="{t}の呼び出し音が鳴っています…", en="{t} is ringing…")
HANDING_OVER = Text(ja="{t}が応答しました。お客さまを引き継いでいます…",
                    en="{t} answered. Handing the customer over…")
DONE = Text(ja="{t}に引き継ぎました。チケット番号: {ticket}", en="Handed over to {t}. Ticket: {ticket}")
DONE_NO_TICKET = Text(ja="{t}に引き継ぎました。", en="Handed over to {t}.")
STILL_WITH_YOU = Text(ja="お客さまはあなたにつながったままです。", en="The customer is still with you.")
NOT_ANSWERED = Text(ja="{t}が応答しませんでした。", en="{t} did not answer.")
BUSY = Text(ja="{t}は話し中でした。", en="{t} was busy.")
NOT_FOUND = Text(ja="転送先が見つかりませんでした。センターに連絡してください。",
                 en="The escalation target was not found. Please tell the center.")
REFUSED = Text(ja="{t}が転送を受け付けませんでした。", en="{t} did not accept the transfer.")
CENTER_FAULT = Text(ja="センター側の障害で転送できませんでした。", en="A fault at the center stopped the transfer.")
NOT_CONNECTED = Text(ja="{t}につながりませんでした。", en="Could not reach {t}.")
CALL_GONE = Text(ja="通話が終わったため、エスカレーションを中止しました。", en="The call ended; the escalation stopped.")
NO_TARGET = Text(ja="エスカレーション先が設定されていません。", en="No escalation target is set up.")
ENGINE_DOWN = Text(ja="電話エンジンに届きませんでした。もう一度押してください。",
                   en="The phone engine did not take it. Press again.")


def outcome_words(code: int, target: Text) -> Text:
    """A final SIP status of a hand-over in the agent's words (never the code itself)."""
    if code in (486, 600):
        words = BUSY
    elif code in (404, 484, 604):
        return NOT_FOUND
    elif code in (401, 403, 405, 420, 488, 603):
        words = REFUSED
    elif code in (0, 408, 480, 487):
        words = NOT_ANSWERED
    elif 500 <= code < 600:
        return CENTER_FAULT
    else:
        words = NOT_CONNECTED
    return words.format(t=target)


@dataclass(frozen=True)
class Progress:
    stage: Stage = "idle"
    text: Text | None = None
    ticket_id: str = ""
    target: str = ""  # the target's name


class TicketCenter(Protocol):
    def open_escalation_ticket(self, context: dict[str, Any]) -> str: ...


class Carrier(Protocol):
    """How the customer is handed over: through the phone engine (softphone) or the Center API (fixed line)."""

    def hand_over(self, flow: EscalationFlow, target: EscalationTarget, headers: dict[str, str],
                  ticket: str) -> Text | None:
        """Start it; a problem in words when it could not even start."""

    def give_back(self, flow: EscalationFlow) -> None:
        """The center did not answer: the customer comes back to the agent (off hold)."""


class EscalationFlow:
    """State of one escalation at a time; ``on_change`` runs after every step (on the owner's thread)."""

    def __init__(self, tickets: TicketCenter, jobs: Jobs, clock: Callable[[], float],
                 on_change: Callable[[Progress], None]) -> None:
        self.tickets = tickets
        self.jobs = jobs
        self.clock = clock
        self.on_change = on_change
        self.progress = Progress()
        self.carrier: Carrier | None = None
        self.target: EscalationTarget | None = None
        self.deadline: float | None = None
        self.call_key = ""  # the session call being escalated
        self.context: dict[str, Any] = {}

    @property
    def busy(self) -> bool:
        return self.progress.stage in BUSY_STAGES

    def _set(self, stage: Stage, text: Text | None, ticket: str | None = None) -> None:
        self.progress = Progress(stage, text, self.progress.ticket_id if ticket is None else ticket,
                                 self.target.name if self.target else "")
        if stage not in BUSY_STAGES:
            self.deadline = None
        self.on_change(self.progress)

    def reset(self) -> None:
        self.progress = Progress()
        self.carrier = None
        self.target = None
        self.deadline = None
        self.call_key = ""

    def start(self, call_key: str, target: EscalationTarget, context: dict[str, Any], carrier: Carrier) -> None:
        if self.busy:
            return
        self.carrier, self.target, self.call_key = carrier, target, call_key
        self.context = dict(context)
        self._set("ticket", TICKET, ticket="")
        self.jobs.run("escalation-ticket", lambda: self.tickets.open_escalation_ticket(dict(context)),
                      lambda ticket: self._ticketed(call_key, str(ticket or "")),
                      lambda exc: self._ticketed(call_key, "", failed=True))

    def _ticketed(self, call_key: str, ticket: str, failed: bool = False) -> None:
        if call_key != self.call_key or self.progress.stage != "ticket" or self.target is None \
                or self.carrier is None:
            return  # the call ended (or another escalation began) while the ticket was on its way
        self.context["ticket_id"] = ticket
        headers = context_headers(self.context)
        self.progress = Progress("ticket", NO_TICKET if failed else TICKET, ticket, self.target.name)
        problem = self.carrier.hand_over(self, self.target, headers, ticket)
        if problem is not None:
            self._set("failed", problem)
            return
        self.deadline = self.clock() + self.target.no_answer_seconds
        self._set("calling", CALLING.format(t=self.target.label))

    # ---- what the carrier reports ------------------------------------------------------------------------------
    def ringing(self) -> None:
        if self.progress.stage in ("calling", "ringing") and self.target is not None:
            self._set("ringing", RINGING.format(t=self.target.label))

    def answered(self) -> None:
        if self.busy and self.target is not None:
            self._set("handing_over", HANDING_OVER.format(t=self.target.label))

    def succeeded(self) -> None:
        if self.target is None or self.progress.stage in ("done", "idle"):
            return
        label, ticket = self.target.label, self.progress.ticket_id
        self._set("done", DONE.format(t=label, ticket=ticket) if ticket else DONE_NO_TICKET.format(t=label))

    def failed(self, code: int) -> None:
        if not self.busy or self.target is None:
            return
        words = outcome_words(code, self.target.label)
        carrier = self.carrier
        self._set("failed", Text(ja=f"{words.ja}{STILL_WITH_YOU.ja}", en=f"{words.en} {STILL_WITH_YOU.en}"))
        if carrier is not None:
            carrier.give_back(self)

    def call_ended(self) -> bool:
        """The escalated call ended: True when it ended because the center took it."""
        if self.progress.stage == "done":
            return True
        if self.progress.stage == "handing_over":  # the engine frees the agent once the center has the customer
            self.succeeded()
            return True
        if self.busy:
            self._set("failed", CALL_GONE)
        return False

    def tick(self) -> None:
        if self.deadline is not None and self.busy and self.clock() >= self.deadline:
            self.failed(0)


class SipCarrier:
    """The softphone's hand-over: ``transfer`` (blind) or ``consult`` then ``complete_transfer`` (warm)."""

    def __init__(self, send: Callable[[P.Command], bool], engine_call: int | None) -> None:
        self.send = send
        self.call = engine_call
        self.consult: int | None = None
        self.warm = False

    def hand_over(self, flow: EscalationFlow, target: EscalationTarget, headers: dict[str, str],
                  ticket: str) -> Text | None:
        self.warm = target.mode == "warm"
        cmd: P.Command = (P.Consult(call=self.call, uri=target.uri, headers=headers) if self.warm
                          else P.Transfer(call=self.call, target=target.uri, headers=headers))
        return None if self.send(cmd) else ENGINE_DOWN

    def give_back(self, flow: EscalationFlow) -> None:
        if self.warm and self.consult is not None:
            self.send(P.CancelTransfer(call=self.call, consult=self.consult))  # stops ringing, resumes the customer
        elif self.warm:
            self.send(P.Unhold(call=self.call))
        self.consult = None

    def on_event(self, flow: EscalationFlow, event: P.Event) -> bool:
        """Engine events of this hand-over; True when the event was about it."""
        if isinstance(event, P.TransferProgress) and event.call == self.call:
            if not event.final:
                if event.code in (180, 183):
                    flow.ringing()
                return True
            if 200 <= event.code < 300:
                flow.succeeded()
            else:
                flow.failed(event.code)
            return True
        if isinstance(event, P.TransferFallback) and event.call == self.call:
            return True  # the target refused Replaces: the engine goes on blind, the progress words stay
        if isinstance(event, P.CallEvent):
            if event.consult_for == self.call and event.state == "calling":
                self.consult = event.call
                return True
            if self.consult is not None and event.call == self.consult:
                if event.state == "ringing":
                    flow.ringing()
                elif event.state == "connected":
                    flow.answered()
                    self.send(P.CompleteTransfer(call=self.call, consult=self.consult))
                elif event.state == "ended" and flow.progress.stage != "handing_over":
                    self.consult = None  # the consultation is over: the customer only needs to come off hold
                    flow.failed(event.code or 0)
                return True
        return False
