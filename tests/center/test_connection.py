"""CenterConnection: client, event stream and outbox wired together, against the test double."""

from __future__ import annotations

import threading
import time

import pytest

from agentdesk import credentials
from agentdesk.center.api import CenterError, CenterEvent
from agentdesk.center.connection import CenterConnection, credential_ref
from agentdesk.settings import CenterSettings
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


def test_sign_in_needs_the_secret_in_the_keyring(double: CenterDouble) -> None:
    conn = CenterConnection(CenterSettings(base_url=double.url, agent_id=DEFAULT_AGENT), backoff_base=0.01)
    with pytest.raises(CenterError) as info:
        conn.sign_in()
    assert info.value.code == "no_secret" and "パスワード" in info.value.message.ja
    conn.close()


def test_events_fan_out_and_entries_made_while_down_go_out_when_back(double: CenterDouble) -> None:
    credentials.set_secret(credential_ref(DEFAULT_AGENT), DEFAULT_SECRET)
    conn = CenterConnection(CenterSettings(base_url=double.url, agent_id=DEFAULT_AGENT),
                            backoff_base=0.01, backoff_cap=0.2)
    seen: list[CenterEvent] = []
    lock = threading.Lock()

    def on_event(e: CenterEvent) -> None:
        with lock:
            seen.append(e)

    conn.subscribe(on_event)
    try:
        assert conn.sign_in().center_name
        assert wait_for(lambda: any(e.kind == "connection" for e in seen))
        double.publish("broadcast", {"message": {"ja": "西日本の方はログインしてください", "en": "please log in"}})
        assert wait_for(lambda: any(e.kind == "broadcast" for e in seen))
        assert conn.set_state("ready") is None
        assert double.states[DEFAULT_AGENT] == ("ready", None)
        double.stop()
        message = conn.set_state("break", "lunch")
        assert message is not None and "接続できません" in message.ja
        key = conn.record("wrap_up", {"call_id": "c-1", "code": "resolved", "script_path": []})
        time.sleep(0.3)
        double.start()
        assert wait_for(lambda: conn.outbox.counts()["pending"] == 0)
        kinds = [(r.kind, r.payload.get("state")) for r in double.records]
        assert ("state_change", "break") in kinds and key in [r.key for r in double.records]
    finally:
        conn.close()


def test_fixed_line_settings_sign_in_in_fixed_line_mode(double: CenterDouble) -> None:
    credentials.set_secret(credential_ref(DEFAULT_AGENT), DEFAULT_SECRET)
    settings = CenterSettings(base_url=double.url, agent_id=DEFAULT_AGENT, mode="fixed_line",
                              fixed_line_number="0466-12-3456")
    conn = CenterConnection(settings, backoff_base=0.01)
    try:
        assert conn.sign_in().mode == "fixed_line"
        assert double.lines[DEFAULT_AGENT].number == "+81466123456"
    finally:
        conn.close()
