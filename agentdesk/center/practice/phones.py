"""The practice center's telephones: a SIP proxy and two real phone engines on loopback.

- :class:`~agentdesk.center.practice.sip_proxy.PracticeSipProxy` is the practice center's registrar/proxy
  (the agent's engine registers there, exactly as with a real center; no Kamailio needed).
- The simulated customer is a second ``agentdesk engine`` process whose audio is the ``files`` backend playing
  the scenario's customer lines; it calls the agent through the proxy with the contract id in a header.
- The practice escalation target (センター 2 次対応) is a third engine that answers transferred calls after a
  short ring, says its line, and reports the escalation headers it received.

Nothing is recorded: neither engine writes the agent's voice anywhere. The scenario audio is assembled into a
temporary folder that is removed when the phones stop.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdesk.center.practice.data import Scenario, build_call_audio, escalation_target_line
from agentdesk.i18n import Text
from agentdesk.sip import protocol as P

if TYPE_CHECKING:
    from agentdesk.sip.supervisor import EngineSupervisor

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]

AGENT_USER = "agent"
CUSTOMER_USER = "customer"
TARGET_USER = "tier2"


class PracticePhoneError(RuntimeError):
    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


ENGINE_FAILED = Text(
    ja="練習用の電話（お客さま役）を起動できませんでした。AgentDesk を再起動してください。",
    en="The practice phones (the customer role) could not start. Please restart AgentDesk.",
)
AGENT_NOT_REGISTERED = Text(
    ja="あなたの電話が練習センターに登録されていません。電話の状態を確認してください。",
    en="Your phone is not registered with the practice center. Please check the phone status.",
)
BUSY = Text(ja="練習通話がまだ続いています。", en="A practice call is still going on.")


class PracticePhones:
    def __init__(
        self,
        publish: Publish,
        *,
        engine_argv: list[str] | None = None,
        engine_env: dict[str, str] | None = None,
        target_ring_seconds: float = 1.0,
    ) -> None:
        self.publish = publish
        self.engine_argv = engine_argv
        self.engine_env = engine_env
        self.target_ring_seconds = target_ring_seconds
        self.workdir = Path(tempfile.mkdtemp(prefix="agentdesk-practice-"))
        self.proxy: Any = None
        self.echo: Any = None  # the echo service for the self-check's test call (practice/echo.py)
        self.customer: EngineSupervisor | None = None
        self.target: EngineSupervisor | None = None
        self.target_line = escalation_target_line()
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self.current: dict[str, Any] | None = None  # the practice call in progress
        self.customer_call: int | None = None
        self._customer_registered = threading.Event()
        self._customer_live: set[int] = set()
        self._customer_token: object | None = None

    # ---- life cycle -----------------------------------------------------------------------------------------

    @property
    def registrar(self) -> str:
        return str(self.proxy.uri)

    def uri(self, user: str) -> str:
        return f"sip:{user}@127.0.0.1:{self.proxy.port}"

    def start(self, timeout: float = 20.0) -> None:
        from agentdesk.center.practice.echo import USER as ECHO_USER
        from agentdesk.center.practice.echo import PracticeEcho
        from agentdesk.center.practice.sip_proxy import PracticeSipProxy
        from agentdesk.sip.supervisor import EngineSupervisor

        self.proxy = PracticeSipProxy().start()
        self.echo = PracticeEcho().start()
        self.proxy.bind(ECHO_USER, self.echo.contact)
        self.target = EngineSupervisor(self._on_target, argv=self.engine_argv, env=self.engine_env)
        try:
            self.target.start()
            reply = self.target.request(self._configure(TARGET_USER, str(self.target_line.audio)), timeout=timeout)
            if not reply.ok:
                log.warning("practice target: configure refused: %s", reply.error)
                raise PracticePhoneError(ENGINE_FAILED)
            self.target.send(P.Register())
            if not self.proxy.wait_registered(TARGET_USER, timeout):
                raise PracticePhoneError(ENGINE_FAILED)
        except (TimeoutError, OSError) as exc:
            log.warning("practice phones did not start: %s", exc)
            self.stop()
            raise PracticePhoneError(ENGINE_FAILED) from None
        except PracticePhoneError:
            self.stop()
            raise

    def _configure(self, user: str, play: str | None) -> P.Configure:
        return P.Configure(
            account={"user": user, "domain": "127.0.0.1", "registrars": [self.proxy.uri], "srtp": "off"},
            # the simulated customer follows the agent's escalation (REFER); a real agent's engine refuses REFER
            sip={"bind": "127.0.0.1", "port": 0, "probe": False, "transfer_requests": "accept"},
            audio={"backend": "files", "play": play} if play else {"backend": "null"},
        )

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        for sup in (self.customer, self.target):
            if sup is not None:
                with contextlib.suppress(Exception):
                    sup.stop()
        if self.echo is not None:
            self.echo.stop()
        if self.proxy is not None:
            self.proxy.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def agent_registered(self) -> bool:
        with self.proxy.lock:
            bound = self.proxy.bindings.get(AGENT_USER)
        return bound is not None and bound[1] > time.monotonic()

    # ---- a practice call ------------------------------------------------------------------------------------

    def call_agent(self, scenario: Scenario, practice_call_id: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + 3.0  # the customer may learn a moment after the agent that a call ended
        while self.current is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._lock:
            if self.current is not None:
                raise PracticePhoneError(BUSY)
            if not self.agent_registered():
                raise PracticePhoneError(AGENT_NOT_REGISTERED)
            self.current = {"id": practice_call_id, "scenario": scenario}
        wav = self.workdir / f"{practice_call_id}.wav"
        starts = build_call_audio(scenario, wav)
        self.current["starts"] = starts
        from agentdesk.sip.supervisor import EngineSupervisor

        # A fresh customer engine per call: its player starts at the first line when the agent answers, and no
        # account is reconfigured under a live registration.
        if self.customer is not None:  # the previous customer is still talking to the escalation target
            self._retire(self.customer)
        token = object()
        self._customer_token = token
        customer = EngineSupervisor(
            lambda event: self._on_customer(event, token), argv=self.engine_argv, env=self.engine_env, restart=False
        )
        self._customer_registered.clear()
        self._customer_live = set()
        try:
            customer.start()
            self.customer = customer
            reply = customer.request(self._configure(CUSTOMER_USER, str(wav)), timeout=timeout)
            if not reply.ok:
                log.warning("practice customer: configure refused: %s", reply.error)
                raise PracticePhoneError(ENGINE_FAILED)
            customer.send(P.Register())
            if not self._customer_registered.wait(timeout):
                raise PracticePhoneError(ENGINE_FAILED)
            reply = customer.request(
                P.Dial(uri=self.uri(AGENT_USER),
                       headers={"X-AgentDesk-Contract": scenario.contract_id, "X-AgentDesk-Practice": practice_call_id}),
                timeout=timeout,
            )
            if not reply.ok:
                log.warning("practice customer: call refused: %s", reply.error)
                raise PracticePhoneError(ENGINE_FAILED)
        except (TimeoutError, OSError, PracticePhoneError) as exc:
            with self._lock:
                self.current = None
            self._retire(customer)
            if isinstance(exc, PracticePhoneError):
                raise
            raise PracticePhoneError(ENGINE_FAILED) from None
        self.customer_call = reply.call

    def _retire(self, customer: Any) -> None:
        """Stop a customer engine from any thread (also from its own event callback)."""
        if self.customer is customer:
            self.customer = None
        threading.Thread(target=customer.stop, name="practice-customer-stop", daemon=True).start()

    def hang_up(self) -> None:
        customer = self.customer
        if self.customer_call is not None and customer is not None:
            customer.send(P.Hangup(call=self.customer_call))

    def _caption(self, call: dict[str, Any], index: int, text: str) -> None:
        """The customer's line as a caption for the agent's screen, while that practice call is still on."""
        if self.current is call:
            self.publish("practice_line", {"call_id": call["id"], "index": index, "text": text})

    def _later(self, seconds: float, action: Callable[[], object]) -> None:
        timer = threading.Timer(seconds, action)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _on_customer(self, event: P.Event, token: object) -> None:
        if token is not self._customer_token:
            return  # a previous customer, still talking to the escalation target
        if isinstance(event, P.Registration) and event.state == "registered":
            self._customer_registered.set()
        if not isinstance(event, P.CallEvent):
            return
        with self._lock:  # the customer's live calls: the one with the agent, then the transferred one
            if event.state == "ended":
                self._customer_live.discard(event.call)
            else:
                self._customer_live.add(event.call)
            idle = not self._customer_live
        if idle and event.state == "ended" and self.customer is not None:
            self._retire(self.customer)
        current = self.current
        if current is None or event.call != self.customer_call:
            return
        state = event.state
        call_id = current["id"]
        if state == "connected" and not current.get("connected"):
            current["connected"] = time.monotonic()
            scenario: Scenario = current["scenario"]
            self.publish("practice_call_connected", {"call_id": call_id})
            for index, (line, start) in enumerate(zip(scenario.lines, current["starts"], strict=True)):
                self._later(start, functools.partial(self._caption, current, index, line.text))
            if not scenario.escalate:  # the satisfied customer hangs up after the last line
                end = current["starts"][-1] + scenario.lines[-1].pause_after + 2.0
                self._later(end + 30.0, self.hang_up)
        elif state == "ended":
            with self._lock:
                self.current = None
                self.customer_call = None
            self.publish("practice_call_ended", {"call_id": call_id, "code": event.code})

    def _on_target(self, event: P.Event) -> None:
        if not isinstance(event, P.CallEvent):
            return
        call = event.call
        target = self.target
        if target is None:
            return
        if event.state == "incoming":
            self.publish("practice_escalation_ringing", {"headers": dict(event.headers)})
            self._later(self.target_ring_seconds, lambda: target.send(P.Answer(call=call)))
        elif event.state == "connected":
            self.publish("practice_escalation_answered", {"headers": dict(event.headers), "text": self.target_line.text})
            self._later(12.0, lambda: target.send(P.Hangup(call=call)))
