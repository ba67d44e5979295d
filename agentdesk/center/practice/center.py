"""The practice center: the embedded default when no center is configured (settings ``center.base_url == ""``).

It implements :class:`agentdesk.center.api.CenterClient` on the agent's own machine from the bundled files in
resources/practice/ (provisioning with reason and wrap-up codes, an escalation target, contracts, scenarios), and
with :class:`~agentdesk.center.practice.phones.PracticePhones` a simulated customer who calls the agent through
the real phone engine and a practice escalation target that answers transfers. A fresh install can therefore
take a call, follow a script, escalate and wrap up with no server.

Practice writes (wrap-ups, state changes...) stay in memory: nothing is sent anywhere and nothing is written to
disk. A practice wrap-up is compared with the scenario's expectations and the result comes back as a
``practice_result`` event.

Events (``events()``), besides the real center's kinds: ``practice_call`` (a call is coming: scenario, title,
contract), ``practice_call_connected``, ``practice_line`` (the customer's line as text, for captions),
``practice_escalation_ringing`` / ``practice_escalation_answered`` (with the headers the target received),
``practice_call_ended``, ``practice_result``.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentdesk.center import outbox as outbox_rules
from agentdesk.center.api import (
    AgentStateName,
    CenterError,
    CenterEvent,
    ContractInfo,
    Provisioning,
    SipAccount,
)
from agentdesk.center.practice.data import Scenario, load_contracts, load_provisioning, load_scenarios
from agentdesk.center.practice.echo import USER as ECHO_USER
from agentdesk.center.practice.phones import AGENT_USER, TARGET_USER, PracticePhoneError, PracticePhones
from agentdesk.i18n import Text

log = logging.getLogger(__name__)

NO_SUCH_CONTRACT = Text(ja="練習用の契約が見つかりません（{id}）。", en="No practice contract {id}.")
NO_SUCH_SCENARIO = Text(ja="練習シナリオが見つかりません（{id}）。", en="No practice scenario {id}.")
NO_PHONES = Text(
    ja="練習通話の電話が使えません。練習センターにログインし直してください。",
    en="The practice phones are not available. Please sign in to the practice center again.",
)


@dataclass(frozen=True)
class PracticeResult:
    call_id: str
    scenario_id: str
    path_score: float  # share of the expected script path taken, in order (0..1)
    missed_steps: list[str]
    wrap_up_ok: bool
    escalation_ok: bool
    feedback: list[Text]

    @property
    def passed(self) -> bool:
        return self.path_score >= 0.8 and self.wrap_up_ok and self.escalation_ok


def _in_order(expected: list[str], taken: list[str]) -> tuple[float, list[str]]:
    """Longest common subsequence of the expected and the taken script paths."""
    n, m = len(expected), len(taken)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if expected[i] == taken[j] else max(table[i + 1][j], table[i][j + 1])
    matched: set[int] = set()
    i = j = 0
    while i < n and j < m:
        if expected[i] == taken[j]:
            matched.add(i)
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    missed = [step for k, step in enumerate(expected) if k not in matched]
    return (table[0][0] / n if n else 1.0), missed


def grade(call_id: str, scenario: Scenario, wrap_up: dict[str, Any]) -> PracticeResult:
    taken = [str(x) for x in wrap_up.get("script_path") or []]
    score, missed = _in_order(scenario.expected_script_path, taken)
    wrap_up_ok = wrap_up.get("code") == scenario.expected_wrap_up
    escalated = bool(wrap_up.get("escalated"))
    escalation_ok = escalated == scenario.escalate
    feedback: list[Text] = []
    if missed:
        feedback.append(
            Text(ja="抜けていた手順: {steps}", en="Steps missed: {steps}").format(steps=", ".join(missed))
        )
    if not wrap_up_ok:
        feedback.append(
            Text(ja="後処理コードは「{code}」が適切です。", en="The right wrap-up code is \"{code}\".").format(
                code=scenario.expected_wrap_up
            )
        )
    if not escalation_ok:
        feedback.append(
            Text(ja="この問い合わせはセンターへエスカレーションすべきでした。", en="This call should have been escalated.")
            if scenario.escalate
            else Text(ja="この問い合わせはエスカレーションせずに解決できました。", en="This call could have been solved without escalating.")
        )
    if not feedback:
        feedback.append(Text(ja="よくできました。手順どおりの対応です。", en="Well done: the call followed the script."))
    return PracticeResult(call_id, scenario.id, round(score, 3), missed, wrap_up_ok, escalation_ok, feedback)


class PracticeCenter:
    """CenterClient for the practice center. ``phones=False`` gives the data side only (no engines)."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        phones: bool = True,
        engine_argv: list[str] | None = None,
        engine_env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self._provisioning = load_provisioning(root)
        self._contracts = load_contracts(root)
        self._scenarios = {s.id: s for s in load_scenarios(root)}
        self._want_phones = phones
        self._engine_argv = engine_argv
        self._engine_env = engine_env
        self.phones: PracticePhones | None = None
        self.state: tuple[str, str | None] = ("offline", None)
        self.submitted: dict[str, tuple[str, dict[str, Any]]] = {}  # idempotency key -> (kind, payload)
        self.tickets: dict[str, dict[str, Any]] = {}
        self.results: dict[str, PracticeResult] = {}
        self.calls: dict[str, Scenario] = {}
        self._events: list[tuple[int, str, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._ticket_ids = itertools.count(1)

    # ---- CenterClient ---------------------------------------------------------------------------------------

    def sign_in(self, agent_id: str, secret: str, **_: Any) -> Provisioning:
        if self._want_phones and self.phones is None:
            phones = PracticePhones(self._publish, engine_argv=self._engine_argv, engine_env=self._engine_env)
            try:
                phones.start()
            except PracticePhoneError as exc:
                raise CenterError(exc.message, retryable=True, code="practice_phones") from None
            self.phones = phones
        self.state = ("not_ready", None)
        self._publish(
            "broadcast",
            {"message": Text(
                ja="練習センターにようこそ。「練習通話」を選ぶと、お客さま役から電話がかかってきます。",
                en="Welcome to the practice center. Choose a practice call and the customer role will call you.",
            ).as_dict()},
        )
        return self.provisioning()

    def provisioning(self) -> Provisioning:
        p = replace(self._provisioning, practice=True)
        if self.phones is not None:
            sip = SipAccount(user=AGENT_USER, domain="127.0.0.1", registrars=[self.phones.registrar], srtp="off")
            targets = [replace(t, uri=self.phones.uri(TARGET_USER)) for t in p.escalation_targets]
            p = replace(p, sip=sip, escalation_targets=targets, echo_target=self.phones.uri(ECHO_USER))
        return p

    def set_state(self, state: AgentStateName, reason: str | None = None) -> None:
        self.state = (state, reason)

    def contract(self, contract_id: str) -> ContractInfo:
        contract = self._contracts.get(contract_id)
        if contract is None:
            raise CenterError(NO_SUCH_CONTRACT.format(id=contract_id), retryable=False, status=404, code="not_found")
        return contract

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        ticket = f"PR-{next(self._ticket_ids):04d}"
        self.tickets[ticket] = dict(context)
        return ticket

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None:
        try:
            outbox_rules.validate(kind, payload)
        except outbox_rules.OutboxRefused as exc:
            raise CenterError(exc.message, retryable=False, status=422, code="invalid") from None
        if idempotency_key in self.submitted:
            return  # once per key, like a real center
        self.submitted[idempotency_key] = (kind, dict(payload))
        if kind == "wrap_up":
            call_id = str(payload.get("call_id", ""))
            scenario = self.calls.get(call_id)
            if scenario is not None:
                result = grade(call_id, scenario, payload)
                self.results[call_id] = result
                self._publish(
                    "practice_result",
                    {
                        "call_id": call_id,
                        "scenario": scenario.id,
                        "passed": result.passed,
                        "path_score": result.path_score,
                        "missed_steps": result.missed_steps,
                        "feedback": [t.as_dict() for t in result.feedback],
                    },
                )

    def events(self, on_event: Callable[[CenterEvent], None], last_event_id: str | None = None) -> Callable[[], None]:
        stop = threading.Event()
        with self._cond:
            position = int(last_event_id) if last_event_id and last_event_id.isdigit() else (
                self._events[-1][0] if self._events else 0
            )

        def run() -> None:
            nonlocal position
            on_event(CenterEvent(kind="connection", data={"state": "connected"}))
            while not stop.is_set():
                with self._cond:
                    pending = [e for e in self._events if e[0] > position]
                    if not pending:
                        self._cond.wait(0.5)
                        continue
                for event_id, kind, data in pending:
                    position = event_id
                    try:
                        on_event(CenterEvent(kind=kind, data=data, id=str(event_id), at=datetime.now(UTC)))
                    except Exception:  # a faulty handler must not end practice
                        log.exception("practice event handler failed")

        thread = threading.Thread(target=run, name="practice-events", daemon=True)
        thread.start()

        def stop_stream() -> None:
            stop.set()
            with self._cond:
                self._cond.notify_all()
            thread.join(timeout=2)

        return stop_stream

    # ---- practice ---------------------------------------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        return sorted(self._scenarios.values(), key=lambda s: (s.level, s.id))

    def start_call(self, scenario_id: str) -> str:
        """The customer calls the agent now; returns the practice call id (the wrap-up's ``call_id``)."""
        scenario = self._scenarios.get(scenario_id)
        if scenario is None:
            raise CenterError(NO_SUCH_SCENARIO.format(id=scenario_id), retryable=False, code="not_found")
        if self.phones is None:
            raise CenterError(NO_PHONES, retryable=False, code="practice_phones")
        call_id = f"P-{next(self._call_ids):04d}"
        self.calls[call_id] = scenario
        self._publish(
            "practice_call",
            {"call_id": call_id, "scenario": scenario.id, "title": scenario.title.as_dict(),
             "contract_id": scenario.contract_id, "script": scenario.script},
        )
        try:
            self.phones.call_agent(scenario, call_id)
        except PracticePhoneError as exc:
            raise CenterError(exc.message, retryable=True, code="practice_phones") from None
        except TimeoutError:
            raise CenterError(NO_PHONES, retryable=True, code="practice_phones") from None
        return call_id

    def hang_up_customer(self) -> None:
        if self.phones is not None:
            self.phones.hang_up()

    def close(self) -> None:
        if self.phones is not None:
            self.phones.stop()
            self.phones = None

    def _publish(self, kind: str, data: dict[str, Any]) -> None:
        with self._cond:
            self._events.append((next(self._ids), kind, {**data, "at": datetime.now(UTC).isoformat()}))
            self._cond.notify_all()
