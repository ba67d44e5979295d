"""Trainer mode (pytest-qt) driving a real trainer engine into a real trainee engine through Kamailio."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt

from agentdesk.center.api import CenterEvent
from agentdesk.sip import protocol as P
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.qt_bridge import QtBridge
from agentdesk.ui.training.trainer import LiveCall, TrainerController, TrainerView
from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import DOMAIN, Kamailio


@pytest.fixture
def trainer_ui(qtbot) -> Iterator[tuple[TrainerView, TrainerController, list[EngineSupervisor]]]:
    view = TrainerView()
    qtbot.addWidget(view)
    holder: list[EngineSupervisor] = []
    controller = TrainerController(view, None)
    yield view, controller, holder
    for eng in holder:
        eng.stop()


def _start_trainer_engine(controller: TrainerController, view: TrainerView, kamailio: Kamailio,
                          holder: list[EngineSupervisor]) -> EngineSupervisor:
    bridge = QtBridge(view)
    engine = EngineSupervisor(bridge.wrap(controller.on_engine_event))
    engine.start()
    holder.append(engine)
    controller.engine = engine
    cfg = account_config("trainer1", kamailio)
    assert engine.request(P.decode_command(cfg), timeout=10).ok
    assert engine.request(P.Register(), timeout=10).ok
    return engine


@pytest.mark.sip
def test_trainer_joins_by_hand_switches_mode_sends_a_hint_and_leaves(
        qtbot, trainer_ui, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    view, controller, holder = trainer_ui
    _start_trainer_engine(controller, view, kamailio, holder)
    trainee = engine_factory("trainee")
    customer = engine_factory("customer")
    trainee.register("agent1", kamailio, training={"trainers": [f"sip:trainer1@{DOMAIN}"]})
    customer.register("cust1", kamailio)
    customer.command({"cmd": "call", "uri": "agent1"})
    inc = trainee.wait_event({"event": "call", "state": "incoming"}, 10)
    trainee.command({"cmd": "answer", "call": inc["call"]})

    assert not view.join_button.isEnabled()  # nothing to join yet
    qtbot.keyClicks(view.manual_edit, "agent1")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.calls_table.rowCount() == 1 and view.calls_table.item(0, 0).text() == "agent1"
    qtbot.mouseClick(view.join_button, Qt.MouseButton.LeftButton)  # one click (monitor is preselected)
    joined = trainee.wait_event({"event": "training", "state": "joined"}, 10)
    assert joined["mode"] == "monitor"
    qtbot.waitUntil(lambda: controller.connected, timeout=10000)
    assert view.leave_button.isEnabled() and view.send_hint_button.isEnabled()

    mark = trainee.mark()
    qtbot.mouseClick(view.mode_buttons["whisper"], Qt.MouseButton.LeftButton)  # one click switches
    assert trainee.wait_event({"event": "training", "state": "mode"}, 10, after=mark)["mode"] == "whisper"
    qtbot.waitUntil(lambda: "whisper" in view.status_label.text(), timeout=5000)

    view.hint_edit.setText("料金プランを確認")  # (QTest key clicks cannot type kana)
    qtbot.mouseClick(view.send_hint_button, Qt.MouseButton.LeftButton)
    assert trainee.wait_event({"event": "training", "state": "hint"}, 10)["text"] == "料金プランを確認"

    mark = trainee.mark()
    qtbot.mouseClick(view.mode_buttons["barge"], Qt.MouseButton.LeftButton)
    assert trainee.wait_event({"event": "training", "state": "mode"}, 10, after=mark)["mode"] == "barge"
    assert not trainee.find({"event": "call", "state": "ended"})  # the customer was never dropped

    qtbot.mouseClick(view.leave_button, Qt.MouseButton.LeftButton)
    trainee.wait_event({"event": "training", "state": "left"}, 10)
    qtbot.waitUntil(lambda: controller.joined_call is None, timeout=5000)
    assert view.join_button.isEnabled()


@pytest.mark.sip
def test_trainer_not_on_the_list_is_told_so(qtbot, trainer_ui, kamailio: Kamailio,
                                            engine_factory: Callable[..., EngineProcess]) -> None:
    view, controller, holder = trainer_ui
    _start_trainer_engine(controller, view, kamailio, holder)
    trainee = engine_factory("trainee")
    trainee.register("agent1", kamailio, training={"trainers": []})
    controller.add_call(LiveCall("agent1", "agent1"))
    controller.join_row(0)
    qtbot.waitUntil(lambda: "Refused" in view.status_label.text(), timeout=10000)
    assert controller.joined_call is None
    assert trainee.wait_event({"event": "training", "state": "refused"}, 5)["code"] == 403


def test_center_events_list_and_unlist_live_calls(qtbot, trainer_ui) -> None:
    view, controller, _ = trainer_ui
    controller.on_center_event(CenterEvent("trainee_call", {"agent": "新人 田中", "uri": "sip:agent7@c.jp",
                                                            "call_id": "C-1", "state": "started",
                                                            "since": "10:02"}))
    controller.on_center_event(CenterEvent("broadcast", {"message": "x"}))
    assert view.calls_table.rowCount() == 1 and view.calls_table.item(0, 0).text() == "新人 田中"
    controller.on_center_event(CenterEvent("trainee_call", {"uri": "sip:agent7@c.jp", "call_id": "C-1",
                                                            "state": "ended"}))
    assert view.calls_table.rowCount() == 0
    qtbot.keyClicks(view.manual_edit, "bad address <x>")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.calls_table.rowCount() == 0 and "address" in view.status_label.text()
    controller.join_selected()
    assert "Select" in view.status_label.text()


def test_trainer_sees_the_saved_score_sheets(qtbot, tmp_path) -> None:
    from PySide6.QtCore import QLocale

    from agentdesk.center.practice.data import load_scenarios
    from agentdesk.training.score import PracticeTimeline, save_sheet, score_sheet

    save_sheet(score_sheet(PracticeTimeline("P-0007", scenario_id="mail_send", expected_path=["a", "b"],
                                            script_path=["a"], offered_at=1.0, answered_at=3.5), "trainee1"),
               tmp_path)
    view = TrainerView()
    qtbot.addWidget(view)
    controller = TrainerController(view, None, sheets_base=tmp_path)
    table = view.sheets_table
    assert table.rowCount() == 1  # listed when the screen opens
    qtbot.mouseClick(view.refresh_sheets_button, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 1
    title = "メールが送信できない（送信ポートの変更）" if QLocale().language() == QLocale.Language.Japanese \
        else next(s for s in load_scenarios() if s.id == "mail_send").title.en
    assert [table.item(0, c).text() for c in range(1, 6)] == ["trainee1", title, "2.5", "-", "50%"]
    assert controller.sheets_base == tmp_path
