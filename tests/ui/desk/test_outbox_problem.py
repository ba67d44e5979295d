"""The shift screen says why entries are not reaching the center (issue 16): a session the center forgot keeps
them pending with a banner ("sign in again"), and the banner goes once an entry goes through."""

from __future__ import annotations

from typing import Any

from agentdesk import settings
from agentdesk.center.api import CenterError
from agentdesk.center.connection import CenterConnection
from agentdesk.center.http import SIGNED_OUT
from agentdesk.center.outbox import Outbox
from agentdesk.settings import CenterSettings
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.engine_link import make_engine
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge
from tests.fakes.fake_center import FakeCenter, provisioning
from tests.ui.desk.conftest import FAKE_ENGINE


def _banners(view: ShiftView) -> str:
    return " ".join(label.text() for label in view.banner_labels if not label.isHidden())


class ForgetfulCenter(FakeCenter):
    forgotten = True

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str = "") -> None:
        if self.forgotten:
            raise CenterError(SIGNED_OUT, retryable=False, status=401, code="signed_out")
        super().submit(kind, payload, idempotency_key)


def test_a_forgotten_session_shows_a_banner_and_the_entry_goes_after_sign_in(qtbot) -> None:
    center = ForgetfulCenter(provisioning())
    outbox = Outbox()
    connection = CenterConnection(CenterSettings(base_url="https://center.example.jp"), client=center,  # type: ignore[arg-type]
                                  outbox=outbox)
    view = ShiftView()
    qtbot.addWidget(view)
    desk = DeskController(view, connection, lambda on_event: make_engine(on_event, argv=FAKE_ENGINE), QtBridge(view),
                          settings.Settings(), notifier=lambda *a: None, sound=SoundPlayer(enabled=False),
                          audio_backend="null")
    desk.start()
    try:
        desk.sign_in("agent1001", "pass1234", remember=False)
        key = outbox.enqueue("state_change", {"state": "ready", "at": "2026-11-22T10:00:00+09:00"})
        outbox.wake()
        qtbot.waitUntil(lambda: "ログイン" in _banners(view), timeout=5000)
        assert outbox.entry(key).status == "pending"  # type: ignore[union-attr]
        center.forgotten = False
        outbox.wake()
        qtbot.waitUntil(lambda: outbox.counts()["pending"] == 0, timeout=5000)
        qtbot.waitUntil(lambda: "ログイン" not in _banners(view), timeout=5000)
    finally:
        desk.stop()
        outbox.close()
