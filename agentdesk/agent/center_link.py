"""The desk's link to its center: sign-in, the event stream, provisioning, look-ups and writes, never blocking.

Everything here goes through :class:`agentdesk.center.connection.CenterConnection` (the client, the event stream
and the durable outbox in one object: the stream's reconnects wake the outbox, so entries made while the center
was away go out as soon as it is back). Calls that wait on the network or the keyring run as background
:class:`~agentdesk.agent.jobs.Jobs`; their outcome, and every center event, come back on the owner's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from agentdesk import credentials
from agentdesk.agent.jobs import Jobs
from agentdesk.center.api import CenterError, CenterEvent, ContractInfo, Provisioning
from agentdesk.center.connection import CenterConnection, credential_ref
from agentdesk.i18n import Text

log = logging.getLogger(__name__)

NO_CENTER = Text(ja="センターに接続できませんでした。しばらくしてからもう一度お試しください。",
                 en="The center could not be reached. Please try again in a moment.")


@dataclass(frozen=True)
class SignedIn:
    provisioning: Provisioning
    warning: Text | None = None  # signed in, but e.g. the password could not be remembered


class PracticeCenterLike(Protocol):
    """What the practice center adds (agentdesk.center.practice.center.PracticeCenter)."""

    def scenarios(self) -> list[Any]: ...
    def start_call(self, scenario_id: str) -> str: ...


def _words(exc: Exception) -> Text:
    if isinstance(exc, CenterError):
        return exc.message
    log.warning("a center call failed unexpectedly: %s", exc, exc_info=exc)  # a bug here, not the network
    return NO_CENTER


class CenterLink:
    def __init__(self, connection: CenterConnection, jobs: Jobs) -> None:
        self.connection = connection
        self.jobs = jobs
        self.signed_in = False
        self.signing_in = False
        self._listeners: list[Callable[[CenterEvent], None]] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._waiting: list[tuple[Callable[[SignedIn], None], Callable[[Text], None]]] = []

    @property
    def settings(self) -> Any:
        return self.connection.settings

    @property
    def practice(self) -> PracticeCenterLike | None:
        """The practice center's own calls, when this is the practice center."""
        client = self.connection.client
        return client if self.connection.practice and hasattr(client, "start_call") else None  # type: ignore[return-value]

    # ---- events ---------------------------------------------------------------------------------------------
    def listen(self, listener: Callable[[CenterEvent], None]) -> None:
        """``listener`` gets every center event on the owner's thread."""
        self._listeners.append(listener)
        if self._unsubscribe is None:
            self._unsubscribe = self.connection.subscribe(lambda ev: self.jobs.call_soon(lambda: self._deliver(ev)))

    def _deliver(self, event: CenterEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("center event listener failed for %s", event.kind)

    # ---- sign-in --------------------------------------------------------------------------------------------
    def sign_in(self, agent_id: str, secret: str | None, remember: bool,
                done: Callable[[SignedIn], None], failed: Callable[[Text], None]) -> None:
        """Sign in (``secret`` None: the password saved in the keyring); the keyring and the center are asked on a
        worker, never on the caller's thread. While one sign-in is on its way, a second one waits for its outcome
        (the silent sign-in at start and the agent's Start work may meet)."""
        if self.signing_in:
            self._waiting.append((done, failed))
            return
        self.signing_in = True
        self.connection.settings.agent_id = agent_id

        def work() -> SignedIn:
            prov = self.connection.sign_in(secret)
            warning = None
            if remember and secret:
                try:
                    credentials.set_secret(credential_ref(agent_id), secret)
                except credentials.KeyringUnavailable as exc:
                    warning = exc.message
            return SignedIn(prov, warning)

        def ok(result: SignedIn) -> None:
            self.signing_in = False
            self.signed_in = True
            waiting, self._waiting = self._waiting, []
            for then, _ in [(done, failed), *waiting]:
                then(result)

        def bad(exc: Exception) -> None:
            self.signing_in = False
            waiting, self._waiting = self._waiting, []
            for _, then_failed in [(done, failed), *waiting]:
                then_failed(_words(exc))

        self.jobs.run("sign-in", work, ok, bad)

    def has_saved_secret(self, agent_id: str, then: Callable[[bool], None]) -> None:
        self.jobs.run("keyring", lambda: bool(agent_id) and credentials.get_secret(credential_ref(agent_id))
                      is not None, then, lambda exc: then(False))

    # ---- look-ups and actions -------------------------------------------------------------------------------
    def provisioning(self, done: Callable[[Provisioning], None], failed: Callable[[Text], None]) -> None:
        self.jobs.run("provisioning", self.connection.client.provisioning, done, lambda exc: failed(_words(exc)))

    def contract(self, contract_id: str, done: Callable[[ContractInfo], None],
                 failed: Callable[[Text], None]) -> None:
        self.jobs.run("contract", lambda: self.connection.client.contract(contract_id), done,
                      lambda exc: failed(_words(exc)))

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        """Blocking: only ever called inside a background job (the escalation flow's)."""
        return self.connection.client.open_escalation_ticket(context)

    def raise_hand(self, context: dict[str, Any], failed: Callable[[Text], None]) -> None:
        client: Any = self.connection.client
        call = getattr(client, "raise_hand", None)  # the Center API has no hand-raise call yet (docs/center.md)
        self.jobs.run("raise-hand", lambda: call(context) if call else client.open_escalation_ticket(context),
                      lambda _: None, lambda exc: failed(_words(exc)))

    def start_practice_call(self, scenario_id: str, failed: Callable[[Text], None]) -> None:
        practice = self.practice
        if practice is None:
            return
        self.jobs.run("practice-call", lambda: practice.start_call(scenario_id), lambda _: None,
                      lambda exc: failed(_words(exc)))

    def record(self, kind: str, payload: dict[str, Any]) -> str:
        """A write for the center, through the durable outbox (a small local insert; a refusal raises with a
        message the agent can read)."""
        return self.connection.record(kind, payload)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.connection.close()
