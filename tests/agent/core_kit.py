"""Test parts for the Qt-free desk core: a fake clock, the screen's effects recorded, an engine that records
commands, and a scripted center behind the real CenterConnection and outbox (events delivered when the test says).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentdesk.agent.center_link import CenterLink
from agentdesk.agent.desk import DeskCore
from agentdesk.agent.draft import DraftStore
from agentdesk.agent.jobs import QueuedJobs
from agentdesk.center.api import (
    CallAction,
    CenterError,
    CenterEvent,
    ContractInfo,
    EscalationTarget,
    FixedLineStatus,
    Provisioning,
    ReasonCode,
    SipAccount,
    WrapUpCode,
)
from agentdesk.center.connection import CenterConnection
from agentdesk.center.outbox import Outbox
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P


class FakeClock:
    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01 09:00 JST
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Effects:
    clock: FakeClock
    changes: int = 0
    notes: list[tuple[Text, Text, bool]] = field(default_factory=list)
    played: list[str] = field(default_factory=list)
    asked: list[tuple[str, Text | None]] = field(default_factory=list)
    timers: list[tuple[float, Callable[[], None]]] = field(default_factory=list)

    def changed(self) -> None:
        self.changes += 1

    def notify(self, title: Text, message: Text, urgent: bool) -> None:
        self.notes.append((title, message, urgent))

    def play(self, kind: str) -> None:
        self.played.append(kind)

    def ask_sign_in(self, agent_id: str, problem: Text | None) -> None:
        self.asked.append((agent_id, problem))

    def later(self, seconds: float, fn: Callable[[], None]) -> None:
        self.timers.append((self.clock() + seconds, fn))

    def run_due(self) -> None:
        due = [t for t in self.timers if t[0] <= self.clock()]
        self.timers = [t for t in self.timers if t[0] > self.clock()]
        for _, fn in due:
            fn()


class Engine:
    def __init__(self) -> None:
        self.sent: list[P.Command] = []
        self._ids = itertools.count(1)

    def send(self, cmd: P.Command) -> str:
        rid = f"r{next(self._ids)}"
        self.sent.append(cmd.with_id(rid))
        return rid

    def of(self, kind: type[P.Command]) -> list[Any]:
        return [c for c in self.sent if isinstance(c, kind)]


def provisioning(**changes: Any) -> Provisioning:
    base = Provisioning(
        center_name="東京センター",
        sip=SipAccount(user="agent1001", domain="agentdesk.test", registrars=["sip:127.0.0.1:5060"]),
        reason_codes=[ReasonCode("lunch", Text(ja="昼休憩", en="Lunch"), kind="break", max_minutes=60)],
        wrap_up_codes=[WrapUpCode("resolved", Text(ja="解決", en="Resolved")),
                       WrapUpCode("escalated", Text(ja="エスカレーション", en="Escalated"))],
        wrap_up_required=True,
        escalation_targets=[EscalationTarget("tier2", Text(ja="センター二次対応", en="Center tier 2"),
                                             "sip:tier2@agentdesk.test", no_answer_seconds=20)],
    )
    return replace(base, **changes)


class ScriptedCenter:
    """A CenterClient (and FixedLineControl) whose events the test delivers with :meth:`emit`."""

    def __init__(self, prov: Provisioning | None = None, secret: str = "pass1234") -> None:
        self.prov = prov or provisioning()
        self.secret = secret
        self.sign_ins: list[tuple[str, dict[str, Any]]] = []
        self.tickets: list[dict[str, Any]] = []
        self.submitted: list[tuple[str, dict[str, Any]]] = []
        self.actions: list[tuple[str, str, str]] = []
        self.on_event: Callable[[CenterEvent], None] | None = None
        self.fail_tickets = False

    def sign_in(self, agent_id: str, secret: str, **options: Any) -> Provisioning:
        if secret != self.secret:
            raise CenterError(Text(ja="IDまたはパスワードが違います。", en="Wrong ID or password."), retryable=False)
        self.sign_ins.append((agent_id, options))
        return self.prov

    def provisioning(self) -> Provisioning:
        return self.prov

    def set_state(self, state: str, reason: str | None = None) -> None:
        pass

    def contract(self, contract_id: str) -> ContractInfo:
        return ContractInfo(contract_id, plan="光 1G", equipment=["ONU"])

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        if self.fail_tickets:
            raise CenterError(Text(ja="失敗", en="failed"))
        self.tickets.append(context)
        return f"T-{len(self.tickets):05d}"

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None:
        self.submitted.append((kind, payload))

    def events(self, on_event: Callable[[CenterEvent], None], last_event_id: str | None = None
               ) -> Callable[[], None]:
        self.on_event = on_event
        return lambda: None

    def emit(self, kind: str, **data: Any) -> None:
        assert self.on_event is not None, "not signed in: no event stream"
        self.on_event(CenterEvent(kind=kind, data=data))

    # fixed-line mode (FixedLineControl)
    def fixed_line_status(self) -> FixedLineStatus:
        return FixedLineStatus(number="+81312345678")

    def reconnect_line(self) -> FixedLineStatus:
        return FixedLineStatus(number="+81312345678", leg="reconnecting")

    def call_control(self, call_id: str, action: CallAction, idempotency_key: str, target: str = "") -> None:
        self.actions.append((call_id, action, target))


@dataclass
class Kit:
    core: DeskCore
    center: ScriptedCenter
    engine: Engine
    jobs: QueuedJobs
    effects: Effects
    clock: FakeClock
    outbox: Outbox

    def run(self) -> None:
        """Let the background jobs (and the center's events) finish, as the GUI thread would see them."""
        self.jobs.run_pending()
        self.effects.run_due()
        self.jobs.run_pending()

    def event(self, event: P.Event) -> None:
        self.core.on_engine_event(event)
        self.run()

    def center_event(self, kind: str, **data: Any) -> None:
        self.center.emit(kind, **data)
        self.run()

    def sign_in_and_ready(self) -> None:
        self.core.sign_in("agent1001", "pass1234", remember=False, start_work=True)
        self.run()
        self.event(P.Registration(state="registered", registrar="sip:127.0.0.1:5060", code=200, reason="OK"))
        self.core.go_ready()

    def ring(self, headers: dict[str, str] | None = None, call: int = 7) -> None:
        self.event(P.CallEvent(call=call, direction="incoming", state="incoming", remote="<sip:c@x>",
                               headers=headers or {"X-Contract-Id": "C-1", "X-Queue": "support"}))

    def connect(self, call: int = 7) -> None:
        self.event(P.CallEvent(call=call, direction="incoming", state="connected", remote="<sip:c@x>"))


def make_kit(tmp_path: Path, prov: Provisioning | None = None, settings: Settings | None = None,
             engine: bool = True, **core_options: Any) -> Kit:
    clock = FakeClock()
    center = ScriptedCenter(prov)
    settings = settings or Settings()
    settings.center.base_url = "https://center.example.jp"  # not the practice center
    jobs = QueuedJobs()
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    connection = CenterConnection(settings.center, client=center, outbox=outbox)  # type: ignore[arg-type]
    effects = Effects(clock)
    core = DeskCore(settings, CenterLink(connection, jobs), jobs, effects, clock=clock,
                    drafts=DraftStore(tmp_path / "draft.json"), audio_backend="devices", **core_options)
    fake = Engine()
    if engine:
        core.attach_engine(fake)
    return Kit(core, center, fake, jobs, effects, clock, outbox)
