"""One object the app holds for its center: the client (HTTPS or practice), the event stream, and the outbox,
wired together so the desktop code does not have to.

    conn = CenterConnection(settings.center)          # base_url "" -> the practice center
    provisioning = conn.sign_in()                      # secret from the keyring (credentials ref "center:<agent>")
    unsubscribe = conn.subscribe(on_event)             # events arrive on the stream's thread: use QtBridge
    key = conn.record("wrap_up", {...})                # durable at once; delivered in order when the center is there
    conn.close()

The stream's reconnects wake the outbox, so entries made while the center was away go out as soon as it is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from agentdesk import credentials
from agentdesk.center.api import AgentStateName, CenterClient, CenterError, CenterEvent, Provisioning
from agentdesk.center.connect import center_for
from agentdesk.center.outbox import Outbox
from agentdesk.i18n import Text
from agentdesk.settings import CenterSettings

log = logging.getLogger(__name__)

NO_SECRET = Text(
    ja="センターのパスワードが保存されていません。ログイン画面で入力してください。",
    en="No center password is stored. Please enter it on the sign-in screen.",
)


def credential_ref(agent_id: str) -> str:
    return f"center:{agent_id}"


class CenterConnection:
    def __init__(
        self,
        settings: CenterSettings,
        *,
        client: CenterClient | None = None,
        outbox: Outbox | None = None,
        **client_options: Any,
    ) -> None:
        self.settings = settings
        self.practice = not settings.base_url.strip()
        self.client = client or center_for(settings, **client_options)
        self.outbox = outbox or Outbox()
        self._listeners: list[Callable[[CenterEvent], None]] = []
        self._lock = threading.Lock()
        self._stop_stream: Callable[[], None] | None = None
        self.provisioning: Provisioning | None = None

    def sign_in(self, secret: str | None = None) -> Provisioning:
        """Sign in, start the event stream and the outbox. Raises CenterError with a message for the agent."""
        agent = self.settings.agent_id
        if secret is None and not self.practice:
            secret = credentials.get_secret(credential_ref(agent))
            if secret is None:
                raise CenterError(NO_SECRET, retryable=False, code="no_secret")
        options: dict[str, Any] = {}
        if self.settings.mode == "fixed_line":
            options = {"mode": "fixed_line", "fixed_line_number": self.settings.fixed_line_number}
        sign_in: Any = self.client.sign_in
        self.provisioning = sign_in(agent, secret or "", **options)
        if self._stop_stream is None:
            self._stop_stream = self.client.events(self._dispatch)
        self.outbox.start(self.client)
        self.outbox.wake()  # signed in again: entries kept while the session was forgotten go now
        return self.provisioning

    def subscribe(self, listener: Callable[[CenterEvent], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _dispatch(self, event: CenterEvent) -> None:
        self.outbox.on_center_event(event)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("center event listener failed for %s", event.kind)

    def record(self, kind: str, payload: dict[str, Any]) -> str:
        """Store a write for the center (raises OutboxRefused with a message when it may not be stored)."""
        return self.outbox.enqueue(kind, payload)

    def set_state(self, state: AgentStateName, reason: str | None = None) -> Text | None:
        """The state goes to the center now if it can, and is recorded through the outbox in any case."""
        self.record("state_change", {"state": state, "reason": reason, "at": datetime.now(UTC).isoformat()})
        try:
            self.client.set_state(state, reason)
        except CenterError as exc:
            return exc.message
        return None

    def close(self) -> None:
        if self._stop_stream is not None:
            self._stop_stream()
            self._stop_stream = None
        self.outbox.close()
        close = getattr(self.client, "close", None)
        if close is not None:
            close()
