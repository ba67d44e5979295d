"""Fixed-line mode, without Qt: the agent signs in with their landline number, the center rings that line, and
call control (hold, escalate, hang up) goes through the Center API instead of SIP.

:func:`validate_fixed_line` checks the number (a Japanese 0AB-J fixed line, domain.md) with the line-type
self-check's own rule (``agentdesk.checks.line.classify``).

:class:`FixedLineSession` is the logic behind the agent screen in this mode: it follows the center's events
(``fixed_line_offer``, ``fixed_line_leg``), knows the voice leg's state, offers "reconnect my line" when the leg
is down, and turns the agent's clicks into API calls, each with its own idempotency key so that a retried click
is carried out once. Every failure comes back as a :class:`Text` for the screen, never as an exception.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from agentdesk.center.api import CallAction, CenterError, CenterEvent, FixedLineControl, FixedLineStatus
from agentdesk.checks.line import classify
from agentdesk.i18n import Text

log = logging.getLogger(__name__)

MOBILE = Text(
    ja="携帯電話の番号です。固定電話回線の番号を入力してください。",
    en="This is a mobile number. Please enter the number of a fixed line.",
)
IP_PHONE = Text(
    ja="IP 電話（050）の番号です。固定電話回線の番号を入力してください。",
    en="This is an IP phone (050) number. Please enter the number of a fixed line.",
)
TOLL_FREE = Text(
    ja="フリーダイヤルの番号です。ご自宅の固定電話の番号を入力してください。",
    en="This is a toll-free number. Please enter your home's fixed-line number.",
)
_OTHER = Text(
    ja="固定電話の番号ではありません（ナビダイヤル・020・有料番号など）。市外局番から始まる 10 桁の番号を入力してください。",
    en="This is not a fixed-line number (navi-dial, 020, premium rate...). Please enter the 10-digit number "
    "starting with the area code.",
)
_INVALID = Text(
    ja="電話番号として読み取れません。市外局番から始まる 10 桁の番号を入力してください（例: 03-1234-5678）。",
    en="This cannot be read as a phone number. Please enter the 10-digit number starting with the area code "
    "(e.g. 03-1234-5678).",
)
_FOREIGN = Text(ja="日本の電話番号を入力してください。", en="Please enter a Japanese phone number.")
_KIND_TEXT: dict[str, Text] = {"mobile": MOBILE, "ip_phone": IP_PHONE, "toll_free": TOLL_FREE}


@dataclass(frozen=True)
class LineCheck:
    ok: bool
    e164: str = ""  # +81312345678
    national: str = ""  # 03-1234-5678
    kind: str = ""  # the line-type check's name: fixed_line, mobile, ip_phone, toll_free, other, invalid
    problem: Text | None = None


def validate_fixed_line(number: str) -> LineCheck:
    """Is this a Japanese fixed line (0AB-J, 10 digits)? Accepts hyphens, spaces, (), +81 and full-width digits.

    The rule is the line-type self-check's own (``agentdesk.checks.line.classify``): sign-in, the settings and the
    self-check never disagree about a number."""
    info = classify(number or "")
    kind = str(info.get("line_type"))
    national = str(info.get("national") or "")
    e164 = str(info.get("normalized") or "")
    if kind == "fixed_line":
        return LineCheck(True, e164=e164, national=national, kind=kind)
    if kind == "invalid":
        problem = _INVALID
    elif kind == "other" and info.get("country_code") not in (None, 81):
        problem = _FOREIGN
    else:
        problem = _KIND_TEXT.get(kind, _OTHER)
    return LineCheck(False, e164=e164, national=national, kind=kind, problem=problem)


LEG_TEXT: dict[str, Text] = {
    "idle": Text(ja="固定電話: 待機中", en="Landline: idle"),
    "ringing": Text(ja="固定電話: 呼び出し中（受話器を取ってください）", en="Landline: ringing (please pick up)"),
    "connected": Text(ja="固定電話: 接続中", en="Landline: connected"),
    "held": Text(ja="固定電話: 保留中", en="Landline: on hold"),
    "dropped": Text(ja="固定電話: 切断されました", en="Landline: disconnected"),
    "reconnecting": Text(ja="固定電話: かけ直しています…", en="Landline: calling your line again..."),
}

ACTION_DONE: dict[str, Text] = {
    "hold": Text(ja="お客さまを保留にしました。", en="The customer is on hold."),
    "resume": Text(ja="保留を解除しました。", en="The customer is back from hold."),
    "escalate": Text(ja="センターへ転送しました。", en="The call was transferred to the center."),
    "hangup": Text(ja="通話を終了しました。", en="The call was ended."),
}
NO_CALL = Text(ja="操作できる通話がありません。", en="There is no call to act on.")


@dataclass(frozen=True)
class Offer:
    call_id: str
    contract_id: str = ""


class FixedLineSession:
    """The agent's side of fixed-line mode. ``on_change(status, offer)`` runs after every change (any thread)."""

    def __init__(
        self,
        client: FixedLineControl,
        number: str,
        on_change: Callable[[FixedLineStatus, Offer | None], None] | None = None,
    ) -> None:
        self.client = client
        self.status = FixedLineStatus(number=number)
        self.offer: Offer | None = None
        self.center_reachable = True
        self._on_change = on_change
        self._lock = threading.Lock()

    # ---- what the screen shows ------------------------------------------------------------------------------

    @property
    def leg_text(self) -> Text:
        return LEG_TEXT.get(self.status.leg, LEG_TEXT["idle"])

    @property
    def can_reconnect(self) -> bool:
        """"Reconnect my line" is offered when the voice leg is down (or never came up) while signed in."""
        return self.status.leg in ("dropped", "idle") or (self.status.leg == "ringing" and not self.center_reachable)

    @property
    def call_id(self) -> str:
        return self.status.call_id or (self.offer.call_id if self.offer else "")

    @property
    def can_control(self) -> bool:
        return bool(self.call_id) and self.status.leg in ("connected", "held")

    # ---- events from the center -----------------------------------------------------------------------------

    def on_event(self, event: CenterEvent) -> None:
        with self._lock:
            if event.kind == "fixed_line_offer":
                self.offer = Offer(str(event.data.get("call_id", "")), str(event.data.get("contract_id", "")))
                self.status = replace(self.status, call_id=self.offer.call_id)
            elif event.kind == "fixed_line_leg":
                leg = event.data.get("leg")
                if leg in LEG_TEXT:
                    call_id = str(event.data.get("call_id") or "")
                    self.status = replace(self.status, leg=leg, call_id=call_id)
                    if not call_id:
                        self.offer = None
            elif event.kind == "connection":
                self.center_reachable = event.data.get("state") == "connected"
            else:
                return
            status, offer = self.status, self.offer
        self._changed(status, offer)

    def _changed(self, status: FixedLineStatus, offer: Offer | None) -> None:
        if self._on_change is not None:
            try:
                self._on_change(status, offer)
            except Exception:
                log.exception("fixed-line change handler failed")

    # ---- the agent's clicks ---------------------------------------------------------------------------------

    def refresh(self) -> Text | None:
        try:
            status = self.client.fixed_line_status()
        except CenterError as exc:
            return exc.message
        with self._lock:
            self.status = status
        self._changed(status, self.offer)
        return None

    def reconnect(self) -> Text:
        try:
            status = self.client.reconnect_line()
        except CenterError as exc:
            return exc.message
        with self._lock:
            if self.status.leg not in ("connected",):  # an event may already have reported the answer
                self.status = status
            current = self.status
        self._changed(current, self.offer)
        return Text(
            ja="センターがお使いの固定電話にかけ直しています。受話器を取ってください。",
            en="The center is calling your landline again. Please pick up.",
        )

    def act(self, action: CallAction, target: str = "") -> Text:
        call_id = self.call_id
        if not call_id:
            return NO_CALL
        try:
            self.client.call_control(call_id, action, str(uuid.uuid4()), target)
        except CenterError as exc:
            return exc.message
        return ACTION_DONE[action]

    def hold(self) -> Text:
        return self.act("hold")

    def resume(self) -> Text:
        return self.act("resume")

    def escalate(self, target: str) -> Text:
        return self.act("escalate", target)

    def hang_up(self) -> Text:
        return self.act("hangup")
