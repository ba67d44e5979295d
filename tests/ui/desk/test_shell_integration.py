"""The shift screen inside the main window: tray, notifications, close to tray, single instance, sign-in."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from agentdesk import credentials, settings
from agentdesk.agent.session import AgentState
from agentdesk.center.connection import CenterConnection
from agentdesk.ui.app import build_main_window
from agentdesk.ui.desk.charts import TargetBar
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
from agentdesk.ui.shell.single_instance import SingleInstance
from tests.fakes.fake_center import FakeCenter
from tests.fakes.fake_engine import FakeIncoming
from tests.ui.desk.conftest import FAKE_ENGINE

_made: list = []


@pytest.fixture(autouse=True)
def windows() -> Iterator[None]:
    yield
    while _made:
        main = _made.pop()
        for hook in main.before_quit:
            hook()
        main.languages.set_language("en")  # remove this window's translators


def make_window(qtbot, store: settings.Settings | None = None):
    store = store or settings.Settings()
    center = FakeCenter()
    main = build_main_window(QApplication.instance(), store, "ja", save_settings=False)
    _made.append(main)
    qtbot.addWidget(main.view)
    desk = attach_desk(main, Services(connection=center.connection(store.center)), store,
                       engine=engine_factory(FAKE_ENGINE), sound=SoundPlayer(enabled=False))
    main.view.show()
    return main, desk, center


def test_main_window_hosts_the_shift_screen_and_signs_in_from_start_work(qtbot) -> None:
    store = settings.Settings()
    store.center.agent_id = "agent1001"
    credentials.set_secret("center:agent1001", "pass1234")  # remembered from an earlier sign-in
    main, desk, center = make_window(qtbot, store)
    assert main.view.pages.currentWidget() is desk.view
    assert not main.view.state_label.isVisible()
    desk.view.work_button.click()  # the keyring and the center are asked on workers: the window goes on
    qtbot.waitUntil(lambda: desk.session.state == AgentState.NOT_READY, timeout=5000)
    assert center.signed_in == "agent1001"
    qtbot.waitUntil(lambda: "接続済み" in desk.view.phone_label.text(), timeout=5000)
    assert "受付停止" in desk.tray.icon.toolTip()


def test_sign_in_dialog_is_asked_when_no_password_is_saved(qtbot) -> None:
    _main, desk, center = make_window(qtbot)
    asked: list[str] = []

    def prompt(agent_id: str):
        asked.append(agent_id)
        return ("agent7", "pass1234", True)

    desk.sign_in_prompt = prompt
    desk.view.work_button.click()
    qtbot.waitUntil(lambda: desk.session.working, timeout=5000)
    assert asked == [""] and center.signed_in == "agent7"
    qtbot.waitUntil(lambda: credentials.get_secret("center:agent7") == "pass1234", timeout=3000)  # the keyring
    assert "pass1234" not in json.dumps(desk.settings.model_dump())


def test_incoming_call_while_hidden_notifies_and_comes_to_front(qtbot) -> None:
    main, desk, _center = make_window(qtbot)
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered", timeout=5000)
    desk.view.work_button.click()
    desk.view.ready_button.click()
    main.view.hide()
    desk.engine.send(FakeIncoming(headers={"X-Contract-Id": "C-2024-00042"}))
    qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=5000)
    assert desk.tray.messages and desk.tray.messages[-1][0] == "着信"
    assert main.view.isVisible()  # brought back so that the answer is one key away


def test_close_hides_to_tray_only_when_a_tray_exists(qtbot, monkeypatch) -> None:
    main, desk, center = make_window(qtbot)
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    main.view.close()
    assert not main.view.isVisible()  # no tray here (offscreen): closing really closes
    main.view.show()
    monkeypatch.setattr(type(desk.tray), "available", staticmethod(lambda: True))
    main.view.close()
    assert not main.view.isVisible()
    assert desk.engine.running()  # still running: calls and broadcasts still arrive
    center.broadcast("ログインしてください")
    qtbot.waitUntil(lambda: any("ログイン" in m for _, m in desk.tray.messages), timeout=3000)


def test_single_instance_hands_over_to_the_running_one(qtbot) -> None:
    got: list[str] = []
    first = SingleInstance(got.append, name="AgentDesk-test-single")
    assert first.listen()
    second = SingleInstance(lambda m: None, name="AgentDesk-test-single")
    assert second.hand_over("show")
    qtbot.waitUntil(lambda: got == ["show"], timeout=3000)
    first.close()
    assert not SingleInstance(lambda m: None, name="AgentDesk-test-single").hand_over("show", 300)


def test_every_control_is_keyboard_reachable_with_an_accessible_name(qtbot) -> None:
    _main, desk, _center = make_window(qtbot)
    view = desk.view
    panel = desk.script_panel  # the support-script panel's own controls are tested in its area

    def inside_panel(w: QWidget) -> bool:
        return panel is not None and (w is panel or panel.isAncestorOf(w))

    for page in (view.idle_page, view.ringing_page, view.call_page, view.wrap_up_page):
        view.pages.setCurrentWidget(page)
        controls = [w for w in page.findChildren(QWidget) if not inside_panel(w) and (isinstance(w, QPushButton | QComboBox | QPlainTextEdit | QListWidget | TargetBar)
                    or (isinstance(w, QLabel) and w.focusPolicy() != Qt.FocusPolicy.NoFocus))]
        assert controls
        for w in controls:
            assert w.accessibleName() or (isinstance(w, QPushButton) and w.text()), w.objectName()
    for button in view.findChildren(QPushButton):
        if inside_panel(button):
            continue
        assert button.focusPolicy() != Qt.FocusPolicy.NoFocus, button.objectName()


def test_with_no_center_the_practice_center_offers_practice_calls(qtbot) -> None:
    from agentdesk.center.practice.center import PracticeCenter

    center = PracticeCenter(phones=False)  # the data side; the practice phones are the center area's tests
    store = settings.Settings()
    main = build_main_window(QApplication.instance(), store, "ja", save_settings=False)
    _made.append(main)
    qtbot.addWidget(main.view)
    from tests.fakes.fake_center import ImmediateOutbox

    connection = CenterConnection(store.center, client=center, outbox=ImmediateOutbox(center))  # type: ignore[arg-type]
    desk = attach_desk(main, Services(connection=connection, auto_sign_in=("practice", "practice")), store,
                       engine=engine_factory(FAKE_ENGINE), sound=SoundPlayer(enabled=False))
    main.view.show()
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)  # signed in without asking
    assert desk.view.practice_box.isVisible() and desk.view.practice_scenario.count() >= 1
    desk.view.practice_button.click()
    assert "受付可" in desk.view.notice_label.text()  # not ready yet: says what to do
    desk.view.work_button.click()
    desk.view.ready_button.click()
    desk.view.practice_button.click()
    qtbot.waitUntil(lambda: desk.view.practice_button.isEnabled(), timeout=5000)
    assert desk.view.notice_label.text()  # without practice phones the center says why; nothing crashes


def test_tools_menu_opens_self_check_availability_and_work_log(qtbot) -> None:
    from agentdesk.ui.availability.entry_view import AvailabilityView
    from agentdesk.ui.availability.worklog_view import WorkLogView
    from agentdesk.ui.checks.view import SelfCheckView

    main, desk, center = make_window(qtbot)
    view = main.view
    assert view.tools_menu.title() == "ツール(&T)"
    opened = {}
    for action, kind in ((view.work_log_action, WorkLogView), (view.availability_action, AvailabilityView),
                         (view.self_check_action, SelfCheckView)):
        assert action.isEnabled()
        action.trigger()
        qtbot.waitUntil(lambda kind=kind: any(isinstance(w, kind) and w.isVisible()
                                              for w in QApplication.topLevelWidgets()), timeout=3000)
        opened[kind] = next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())
    # the trainer screen: through this app's engine, and it receives center events (trainee calls)
    from dataclasses import replace

    from agentdesk.center.api import CenterEvent
    from agentdesk.ui.training.trainer import TrainerView

    center.prov = replace(center.prov, trainer=True)  # trainer mode is offered to the center's trainers only
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    view.trainer_action.trigger()
    trainer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, TrainerView) and w.isVisible())
    desk.on_center_event(CenterEvent(kind="trainee_call", data={
        "agent": "trainee7", "uri": "sip:trainee7@agentdesk.test", "call_id": "c-9", "state": "started"}))
    assert [c.trainee for c in trainer.controller.calls] == ["trainee7"]
    trainer.close()
    view.trainer_action.trigger()  # reopened with its list intact
    assert trainer.isVisible() and len(trainer.controller.calls) == 1
    opened[TrainerView] = trainer
    # a second trigger brings the same window back instead of opening another
    view.work_log_action.trigger()
    assert sum(isinstance(w, WorkLogView) and w.isVisible() for w in QApplication.topLevelWidgets()) == 1
    # the self-check's report goes to the center through the outbox
    report = {"report_id": "r-1", "overall": "pass", "checks": []}
    opened[SelfCheckView].controller.finished.emit(report)
    assert center.kinds("self_check") == [report]
    for widget in opened.values():
        widget.close()
