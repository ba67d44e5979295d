"""The shift screen wired to the fake engine PROCESS and the fake center."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from agentdesk import settings
from agentdesk.agent.session import AgentState
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.engine_link import EngineLike, make_engine
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge
from agentdesk.ui.translation import LanguageSwitcher
from tests.fakes.fake_center import FakeCenter, provisioning
from tests.fakes.fake_engine import FakeIncoming

FAKE_ENGINE = [sys.executable, "-m", "tests.fakes.fake_engine"]


@dataclass
class Desk:
    view: ShiftView
    controller: DeskController
    center: FakeCenter
    notes: list[tuple[str, str, bool]]

    @property
    def engine(self) -> EngineLike:
        return self.controller.engine  # type: ignore[return-value]

    @property
    def state(self) -> AgentState:
        return self.controller.session.state


def make_desk(qtbot, center: FakeCenter | None = None, store: settings.Settings | None = None,
              script_panel=None) -> Desk:
    center = center or FakeCenter()
    store = store or settings.Settings()
    view = ShiftView()
    qtbot.addWidget(view)
    notes: list[tuple[str, str, bool]] = []
    bridge = QtBridge(view)
    store.center.base_url = store.center.base_url or "https://center.example.jp"  # not the practice center
    controller = DeskController(
        view, center.connection(store.center), lambda on_event: make_engine(on_event, argv=FAKE_ENGINE), bridge,
        store, language=lambda: "ja", notifier=lambda t, m, u: notes.append((t, m, u)),
        sound=SoundPlayer(enabled=False), script_panel=script_panel, audio_backend="null")
    view.resize(900, 700)
    view.show()
    controller.start()
    return Desk(view, controller, center, notes)


@pytest.fixture(autouse=True)
def japanese(qapp) -> Iterator[LanguageSwitcher]:
    languages = LanguageSwitcher(qapp)
    languages.set_language("ja")
    yield languages
    languages.set_language("en")


@pytest.fixture
def desk(qtbot) -> Iterator[Desk]:
    d = make_desk(qtbot)
    yield d
    d.controller.stop()


def registered(d: Desk) -> bool:
    reg = d.controller.registration
    return reg is not None and reg.state == "registered"


def sign_in_and_ready(qtbot, d: Desk) -> None:
    d.controller.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: registered(d), timeout=5000)
    d.view.work_button.click()
    d.view.ready_button.click()
    assert d.state == AgentState.READY


def incoming(qtbot, d: Desk, contract: str = "C-2024-00042", queue: str = "support") -> None:
    d.engine.send(FakeIncoming(remote="sip:0312345678@127.0.0.1",
                   headers={"X-Contract-Id": contract, "X-Queue": queue}))
    qtbot.waitUntil(lambda: d.state == AgentState.RINGING, timeout=5000)


__all__ = ["Desk", "incoming", "make_desk", "provisioning", "registered", "sign_in_and_ready"]
