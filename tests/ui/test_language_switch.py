"""Switching the language while AgentDesk runs re-renders everything: the shell, the shift screen, every open tool
window, and the lists the center sent (reason codes, wrap-up codes, escalation targets, practice scenarios); a
label the center sent in one language only stays as sent; the agent's choices stay chosen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk.center.api import ReasonCode
from agentdesk.center.wire import provisioning_from_wire, provisioning_to_wire
from agentdesk.i18n import Text
from tests.fakes.fake_center import FakeCenter, provisioning


@dataclass
class _Line:
    text: str


@dataclass
class _Scenario:
    id: str
    title: Text
    lines: list[_Line]
    level: int = 2


class PracticeLikeCenter(FakeCenter):
    """The fake center with practice scenarios, as the practice center offers them."""

    def scenarios(self) -> list[_Scenario]:
        return [_Scenario("mail_send", Text(ja="メールが送信できない（ポート変更）", en="Mail cannot be sent (port)"),
                          [_Line("メールが送れないんです。")])]

    def start_call(self, scenario_id: str) -> str:
        return "P-0001"


def center_with_one_language_label() -> PracticeLikeCenter:
    """Provisioning as it comes over the wire, with one reason code the center sent in Japanese only."""
    prov = replace(provisioning(), practice=True, trainer=True)
    wire = provisioning_to_wire(replace(prov, reason_codes=[
        *prov.reason_codes, ReasonCode("callback", Text(ja="折り返し対応", en="折り返し対応"))]))
    wire["reason_codes"][-1]["label"] = {"ja": "折り返し対応"}  # no English from this center
    return PracticeLikeCenter(replace(provisioning_from_wire(wire), practice=True))  # practice: a local flag


def test_a_live_language_switch_renders_everything_again(qtbot, shell_window) -> None:
    from agentdesk.ui.availability.entry_view import AvailabilityView
    from agentdesk.ui.availability.worklog_view import WorkLogView
    from agentdesk.ui.checks.view import SelfCheckView
    from agentdesk.ui.training.trainer import TrainerView

    main, desk, _center = shell_window(center_with_one_language_label())
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    v = desk.view
    v.not_ready_reason.setCurrentIndex(v.not_ready_reason.findData("training"))  # the agent's choice
    v.wrap_up_codes.setCurrentRow(1)
    assert v.not_ready_reason.currentText() == "研修" and v.wrap_up_codes.item(1).text() == "折り返し予定"
    assert v.escalation_target.itemText(0) == "センター二次対応"
    # the customer's first words, never the scenario's title (it names the answer)
    assert v.practice_scenario.itemText(0) == "練習 1（難易度 2）: 「メールが送れないんです。」"
    for action in (main.view.self_check_action, main.view.availability_action, main.view.work_log_action,
                   main.view.trainer_action):
        action.trigger()
    kinds = (SelfCheckView, AvailabilityView, WorkLogView, TrainerView)
    tools = {kind: next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())
             for kind in kinds}
    before = {kind: w.windowTitle() for kind, w in tools.items()}

    main.set_language("en")
    qtbot.waitUntil(lambda: main.view.tools_menu.title() == "&Tools", timeout=3000)
    # the shell and the shift screen
    assert v.settings_button.text() == "Settings..." and v.work_button.text().startswith("Start work")
    # every open tool window
    after = {kind: w.windowTitle() for kind, w in tools.items()}
    assert all(after[k] != before[k] for k in kinds), (before, after)
    assert tools[SelfCheckView].start_button.text() == "&Start the check"
    assert tools[AvailabilityView].enter_button.text() == "&Enter this week"
    assert tools[WorkLogView].export_button.text() == "E&xport CSV..."
    assert tools[TrainerView].join_button.text() == "&Join the selected call"
    # the center's lists, in place, choices kept
    not_ready = [v.not_ready_reason.itemText(i) for i in range(v.not_ready_reason.count())]
    assert not_ready[:2] == ["Meeting", "Training"] and "折り返し対応" in not_ready  # sent in Japanese only: as sent
    assert v.not_ready_reason.currentData() == "training" and v.not_ready_reason.currentText() == "Training"
    assert [v.break_reason.itemText(i) for i in range(v.break_reason.count())] == ["Lunch break", "Short break"]
    assert v.wrap_up_codes.item(1).text() == "Callback planned" and v.wrap_up_codes.currentRow() == 1
    assert v.wrap_up_codes.item(1).data(Qt.ItemDataRole.UserRole) == "callback"
    assert v.escalation_target.itemText(0) == "Center tier 2"
    assert v.practice_scenario.itemText(0) == "Practice 1 (level 2): \u201cメールが送れないんです。\u201d"

    main.set_language("ja")  # and back
    qtbot.waitUntil(lambda: main.view.tools_menu.title() == "ツール(&T)", timeout=3000)
    assert v.not_ready_reason.currentText() == "研修" and v.escalation_target.itemText(0) == "センター二次対応"
    assert tools[TrainerView].windowTitle() == before[TrainerView]
    for w in tools.values():
        w.close()
