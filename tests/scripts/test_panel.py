"""The script panel with pytest-qt, driven by the keyboard only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from agentdesk.center.api import ContractInfo
from agentdesk.support_scripts.library import Library, load_bundled, load_named
from agentdesk.ui.scripts import ScriptPanel
from agentdesk.ui.translation import LanguageSwitcher
from tests.scripts.conftest import GOOD_FLOW

CONTRACT = ContractInfo(contract_id="C-2001", plan="光ファミリー", line_type="光", equipment=["ONU", "ルーター"])


@pytest.fixture
def japanese(qapp) -> Iterator[None]:
    """The app's own translators (resources/i18n/*_ja.qm), as the desktop installs them."""
    switcher = LanguageSwitcher(qapp)
    switcher.set_language("ja")
    yield
    switcher.set_language("en")


@pytest.fixture
def panel(qtbot, japanese) -> ScriptPanel:
    p = show_panel(qtbot, load_bundled())
    assert p.controller.language == "ja"
    return p


def show_panel(qtbot, library: Library) -> ScriptPanel:
    p = ScriptPanel(library)
    qtbot.addWidget(p)
    p.resize(520, 900)
    p.show()
    qtbot.waitExposed(p)
    p.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is p, timeout=3000)
    return p


def key(qtbot, panel: ScriptPanel, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget() or panel
    qtbot.keyClick(target, k, mod)


def type_with_ime(widget: QWidget, text: str) -> None:
    """Japanese text reaches a widget as the input method's commit (QTest.keyClicks handles Latin-1 only)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def step_id(panel: ScriptPanel) -> str:
    assert panel.controller.runner is not None
    return panel.controller.runner.current.id


def test_opens_with_the_call_and_follows_a_flow_by_keyboard(qtbot, panel: ScriptPanel) -> None:
    v = panel.view
    panel.start_for_call(CONTRACT, "tech-connect")
    assert v.results_list.item(0).text().startswith("1. インターネットに接続できない")
    key(qtbot, panel, Qt.Key.Key_Return)  # start the suggested flow
    assert step_id(panel) == "greeting"
    key(qtbot, panel, Qt.Key.Key_1)  # next
    assert step_id(panel) == "identify_contract"
    assert "契約 ID C-2001・光ファミリー・光・機器 ONU、ルーター" in v.check_label.text()  # contract data filled in
    key(qtbot, panel, Qt.Key.Key_1)
    assert step_id(panel) == "symptom_no_connection"
    assert "光ファミリー（光）" in v.say_list.item(1).text()
    key(qtbot, panel, Qt.Key.Key_1)  # all devices fail
    assert step_id(panel) == "outage_check"
    key(qtbot, panel, Qt.Key.Key_2)  # no outage
    assert step_id(panel) == "check_onu_lamps"
    assert v.breadcrumb_label.text() == "… › ご契約の確認 › 状況のヒアリング › 障害・メンテナンス情報の確認 › ONU・ルーターのランプ確認"
    assert v.progress_label.text() == "手順 5 / 全 11"  # the longest route still open; not "about 1 more"
    key(qtbot, panel, Qt.Key.Key_Backspace)
    assert step_id(panel) == "outage_check"
    key(qtbot, panel, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert step_id(panel) == "symptom_no_connection"
    key(qtbot, panel, Qt.Key.Key_1)
    key(qtbot, panel, Qt.Key.Key_2)
    key(qtbot, panel, Qt.Key.Key_4)  # even the power lamp is off
    assert step_id(panel) == "power"
    key(qtbot, panel, Qt.Key.Key_2)  # does not power on
    assert step_id(panel) == "escalate_device_fault"
    assert v.escalate_button.isVisible() and v.escalate_button.isEnabled()
    assert "訪問" in v.escalation_label.text()
    assert v.escalate_button.text() == "訪問サポートへエスカレーション（Ctrl+E）"

    with qtbot.waitSignal(panel.escalationRequested, timeout=2000) as sig:
        key(qtbot, panel, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    ctx = sig.args[0]
    assert ctx["flow_id"] == "internet-not-connecting" and ctx["flow_version"] == "1.4.0"
    assert ctx["last_step"] == "escalate_device_fault" and ctx["escalation_target"] == "onsite"
    assert ctx["contract_id"] == "C-2001" and ctx["queue"] == "tech-connect"
    assert ctx["path"] == [e["step"] for e in ctx["path_log"]] == [
        "greeting", "identify_contract", "symptom_no_connection", "outage_check", "check_onu_lamps", "outage_check",
        "symptom_no_connection", "outage_check", "check_onu_lamps", "power", "escalate_device_fault",
        "escalate_device_fault"]
    assert ctx["path_log"][-1]["action"] == "escalate" and all(p["at"] for p in ctx["path_log"])
    assert ctx["trail"][-3:] == ["check_onu_lamps", "power", "escalate_device_fault"]
    assert ctx["escalation_reason"]["ja"].startswith("ONU の電源が入らない")
    assert panel.escalation_context()["escalated_at"] is not None
    assert not v.escalate_button.isEnabled()  # once per escalation point
    assert panel.wrap_up()["outcome"] == "escalated"

    panel.reset()
    assert panel.escalation_context()["flow_id"] is None


def test_search_with_ctrl_f_half_width_katakana(qtbot, panel: ScriptPanel) -> None:
    panel.start_for_call(None, None)
    key(qtbot, panel, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is panel.view.search_edit
    type_with_ime(panel.view.search_edit, "ﾒｰﾙ")
    assert "メールが送受信できない" in panel.view.results_list.item(0).text()
    qtbot.keyClick(panel.view.search_edit, Qt.Key.Key_Backspace)  # edits the query, does not go back
    assert panel.view.search_edit.text() == "ﾒｰ"
    type_with_ime(panel.view.search_edit, "ﾙ")
    key(qtbot, panel, Qt.Key.Key_Return)
    assert step_id(panel) == "greeting"
    assert QApplication.focusWidget().accessibleName().startswith("選択肢 1")
    for _ in range(3):
        key(qtbot, panel, Qt.Key.Key_1)
    assert step_id(panel) == "symptom_mail_send"


def test_digits_typed_in_the_search_box_are_text(qtbot, panel: ScriptPanel) -> None:
    panel.start_for_call(None, None)
    key(qtbot, panel, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(panel.view.search_edit, "587")
    assert panel.view.search_edit.text() == "587"
    assert panel.controller.runner is None
    assert "メールソフトの設定値" in panel.view.results_list.item(0).text()


def test_copy_phrase_and_checklist_by_keyboard(qtbot, panel: ScriptPanel) -> None:
    panel.start_for_call(CONTRACT, "tech-mail")
    key(qtbot, panel, Qt.Key.Key_1)  # first result by number
    for _ in range(5):  # greeting, contract, send only, the symptom, "cannot connect to the server"
        key(qtbot, panel, Qt.Key.Key_1)
    assert step_id(panel) == "set_port_587"
    key(qtbot, panel, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text().startswith("メールソフトのアカウント設定で")
    boxes = [w for w in panel.view.checklist_box.findChildren(QAbstractButton) if w.isVisible()]
    assert len(boxes) == 3
    boxes[0].setFocus()
    qtbot.keyClick(boxes[0], Qt.Key.Key_Space)
    assert panel.controller.runner.checked == {"set_port_587": {0}}


def test_article_opens_and_escape_returns(qtbot, panel: ScriptPanel) -> None:
    panel.start_for_call(CONTRACT, "tech-connect")
    key(qtbot, panel, Qt.Key.Key_Return)
    for _ in range(3):
        key(qtbot, panel, Qt.Key.Key_1)
    assert step_id(panel) == "outage_check"
    panel.view.articles_list.setFocus()
    panel.view.articles_list.setCurrentRow(0)
    qtbot.keyClick(panel.view.articles_list, Qt.Key.Key_Return)
    assert panel.view.pages.currentIndex() == panel.view.PAGE_ARTICLE
    assert "障害" in panel.view.article_title_label.text()
    key(qtbot, panel, Qt.Key.Key_Escape)
    assert panel.view.pages.currentIndex() == panel.view.PAGE_FLOW
    assert step_id(panel) == "outage_check"


def test_every_control_has_an_accessible_name_and_takes_focus(qtbot, panel: ScriptPanel) -> None:
    panel.start_for_call(CONTRACT, "tech-connect")
    key(qtbot, panel, Qt.Key.Key_Return)
    for w in panel.findChildren(QWidget):
        if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled():
            assert w.accessibleName(), f"{type(w).__name__} {w.objectName()} has no accessible name"


def test_broken_file_is_skipped_with_a_visible_notice(qtbot) -> None:
    broken = GOOD_FLOW.replace("id: demo", "id: broken").replace("    next: c\n  c:", "    next: zz\n  c:")
    lib = load_named([("pkg!flows/good.yaml", GOOD_FLOW), ("pkg!flows/broken.yaml", broken)], Library())
    panel = ScriptPanel(lib)
    panel.controller.set_language("en")
    qtbot.addWidget(panel)
    panel.show()
    assert set(lib.flows) == {"demo"}
    assert panel.view.notice_label.isVisible()
    assert "pkg!flows/broken.yaml:20:11" in panel.view.notice_label.text()
    panel.start_for_call(None, None)
    assert panel.view.results_list.count() == 1


def test_english_ui(qtbot) -> None:
    panel = show_panel(qtbot, load_bundled())
    assert panel.controller.language == "en"
    assert panel.view.back_button.text() == "Back (Backspace)"
    panel.start_for_call(CONTRACT, "tech-connect")
    assert panel.view.results_list.item(0).text().startswith("1. Internet not connecting")
    key(qtbot, panel, Qt.Key.Key_Return)
    assert panel.view.step_title_label.text() == "Greeting"
    assert panel.view.progress_label.text() == "Step 1 of 11"  # the flow's longest route
