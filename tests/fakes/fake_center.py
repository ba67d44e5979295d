"""A fake center implementing agentdesk.center.api.CenterClient, for tests and the screenshot tool.

It keeps everything written to it (``submitted``, ``states``, ``tickets``, ``hands``) and delivers events from
its own thread (as the real event stream does), so the UI's thread hop is exercised.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from agentdesk.center import outbox as outbox_rules
from agentdesk.center.api import (
    CenterError,
    CenterEvent,
    ContractInfo,
    EscalationTarget,
    Provisioning,
    ReasonCode,
    SipAccount,
    WrapUpCode,
)
from agentdesk.center.connection import CenterConnection
from agentdesk.i18n import Text
from agentdesk.settings import CenterSettings


def provisioning(registrar: str = "sip:127.0.0.1:5060", escalation_uri: str = "sip:tier2@127.0.0.1",
                 wrap_up_required: bool = True, after_call_work_seconds: int | None = None,
                 domain: str = "127.0.0.1", user: str = "agent1001",
                 escalation_mode: str = "blind") -> Provisioning:
    return Provisioning(
        center_name="東京センター",
        sip=SipAccount(user=user, domain=domain, registrars=[registrar], credential_ref=""),
        reason_codes=[
            ReasonCode("meeting", Text(ja="ミーティング", en="Meeting")),
            ReasonCode("training", Text(ja="研修", en="Training")),
            ReasonCode("lunch", Text(ja="昼休憩", en="Lunch break"), kind="break", max_minutes=60),
            ReasonCode("short", Text(ja="小休憩", en="Short break"), kind="break", max_minutes=10),
        ],
        wrap_up_codes=[
            WrapUpCode("resolved", Text(ja="解決", en="Resolved")),
            WrapUpCode("callback", Text(ja="折り返し予定", en="Callback planned")),
            WrapUpCode("escalated", Text(ja="二次対応へ転送", en="Escalated to tier 2")),
        ],
        wrap_up_required=wrap_up_required,
        after_call_work_seconds=after_call_work_seconds,
        escalation_targets=[EscalationTarget("tier2", Text(ja="センター二次対応", en="Center tier 2"),
                                             escalation_uri, mode=escalation_mode,  # type: ignore[arg-type]
                                             no_answer_seconds=20)],
    )


class ImmediateOutbox:
    """The outbox's interface: entries are validated (a refusal raises OutboxRefused, as the durable outbox does)
    and submitted to the fake center at once."""

    def __init__(self, center: FakeCenter) -> None:
        self.center = center
        self.events: list[CenterEvent] = []

    def enqueue(self, kind: str, payload: dict[str, Any], idempotency_key: str | None = None) -> str:
        outbox_rules.validate(kind, payload)
        key = idempotency_key or str(uuid.uuid4())
        self.center.submit(kind, payload, key)
        return key

    def start(self, client: Any, **_: Any) -> None:
        pass

    def on_center_event(self, event: CenterEvent) -> None:
        self.events.append(event)

    def wake(self) -> None:
        pass

    def close(self) -> None:
        pass


class FakeCenter:
    def __init__(self, prov: Provisioning | None = None, secret: str = "pass1234") -> None:
        self.prov = prov or provisioning()
        self.secret = secret
        self.submitted: list[tuple[str, dict[str, Any]]] = []
        self.states: list[tuple[str, str | None]] = []
        self.tickets: list[dict[str, Any]] = []
        self.signed_in: str | None = None
        self._on_event: Callable[[CenterEvent], None] | None = None
        self.contracts = {"C-2024-00042": ContractInfo("C-2024-00042", plan="光ファイバー 1G マンション",
                                                       line_type="FTTH", equipment=["ONU", "Wi-Fiルーター"])}

    # CenterClient ------------------------------------------------------------------------------------------
    def sign_in(self, agent_id: str, secret: str) -> Provisioning:
        if secret != self.secret:
            raise CenterError(Text(ja="IDまたはパスワードが違います。", en="Wrong ID or password."),
                              retryable=False, status=401)
        self.signed_in = agent_id
        return self.prov

    def provisioning(self) -> Provisioning:
        return self.prov

    def set_state(self, state: str, reason: str | None = None) -> None:
        self.states.append((state, reason))

    def contract(self, contract_id: str) -> ContractInfo:
        try:
            return self.contracts[contract_id]
        except KeyError:
            raise CenterError(Text(ja="契約が見つかりません。", en="Contract not found."), retryable=False,
                              status=404) from None

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        self.tickets.append(dict(context))
        return f"T-{len(self.tickets):05d}"

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str = "") -> None:
        self.submitted.append((kind, dict(payload)))

    def events(self, on_event: Callable[[CenterEvent], None], last_event_id: str | None = None
               ) -> Callable[[], None]:
        self._on_event = on_event

        def stop() -> None:
            self._on_event = None

        return stop

    # test controls -------------------------------------------------------------------------------------------
    def outbox(self, kind: str, payload: dict[str, Any], idempotency_key: str | None = None) -> None:
        """The narrow ``submit(kind, payload[, key])`` the desk takes (the real one is the durable outbox's
        ``enqueue``)."""
        self.submit(kind, payload, idempotency_key or "")

    def connection(self, store: CenterSettings | None = None) -> CenterConnection:
        """This center behind the app's CenterConnection, with an outbox that checks entries as the real one
        does and hands them over at once (the durable outbox has its own tests in tests/center/)."""
        store = store or CenterSettings()
        if not store.base_url and not hasattr(self, "start_call"):
            store.base_url = "https://center.example.jp"  # a center, not the practice one (the keyring is used)
        return CenterConnection(store, client=self, outbox=ImmediateOutbox(self))  # type: ignore[arg-type]

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [p for k, p in self.submitted if k == kind]

    def broadcast(self, text_ja: str, text_en: str = "", sound: bool = True, kind: str = "broadcast") -> None:
        """Deliver an event from another thread, as the SSE stream does."""
        handler = self._on_event
        if handler is None:
            raise RuntimeError("no event stream is open")
        event = CenterEvent(kind, {"ja": text_ja, "en": text_en or text_ja, "sound": sound})
        t = threading.Thread(target=handler, args=(event,))
        t.start()
        t.join(5)
