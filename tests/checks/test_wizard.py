"""The self-check wizard with pytest-qt, driven by the keyboard only, against a real Kamailio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from agentdesk.checks import network
from agentdesk.checks.config import context_from_settings
from agentdesk.ui.checks import open_self_check
from agentdesk.ui.translation import LanguageSwitcher
from tests.infra.kamailio import Kamailio


@pytest.fixture
def japanese(qapp: QApplication) -> Iterator[LanguageSwitcher]:
    switcher = LanguageSwitcher(qapp)
    switcher.set_language("ja")
    yield switcher
    switcher.set_language("en")


def focus_chain(start: QWidget, limit: int = 40) -> list[QWidget]:
    seen: list[QWidget] = []
    w = start
    for _ in range(limit):
        w = w.nextInFocusChain()
        if w is start:
            break
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            seen.append(w)
    return seen


def press(qtbot: Any, key: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        target = QApplication.focusWidget()
        assert target is not None, "no widget has the keyboard focus"
        qtbot.keyClick(target, key)


@pytest.mark.sip
def test_keyboard_only_run_to_results_and_saved_report(qtbot, japanese, kamailio: Kamailio, tmp_path: Path) -> None:
    saved = tmp_path / "report.html"
    factory = lambda **kw: context_from_settings(center_host=kamailio.host, center_port=kamailio.port, **kw)  # noqa: E731
    widget = open_self_check(None, language="ja", checks=["wired", "network", "line"],
                             context_factory=factory, ask_save_path=lambda: str(saved))
    qtbot.addWidget(widget)
    qtbot.waitExposed(widget)
    c = widget.controller
    v = c.view
    assert v.start_button.text() == "チェックを開始(&S)"  # the Japanese translation is loaded
    # Every control of the first page is reachable with Tab and has an accessible name.
    chain = focus_chain(v.line_edit)
    for w in (v.line_confirm, v.fiber_combo, v.start_button):
        assert w in chain and w.accessibleName()

    qtbot.waitUntil(lambda: QApplication.focusWidget() is v.line_edit, timeout=3000)
    # Full-width digits arrive the way a Japanese IME delivers them: as a committed input-method string.
    ime = QInputMethodEvent()
    ime.setCommitString("０３－１２３４－５６７８")
    QApplication.sendEvent(v.line_edit, ime)
    assert v.line_edit.text() == "０３－１２３４－５６７８"
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v.line_confirm
    press(qtbot, Qt.Key.Key_Space)
    assert v.line_confirm.isChecked()
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v.fiber_combo
    press(qtbot, Qt.Key.Key_Down)
    assert v.fiber_combo.currentIndex() == 1  # fiber declared
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v.start_button
    press(qtbot, Qt.Key.Key_Space)

    qtbot.waitUntil(lambda: v.pages.currentIndex() == v.PAGE_RUN or c.report_json is not None, timeout=3000)
    qtbot.waitUntil(lambda: c.report_json is not None, timeout=30000)
    assert v.pages.currentIndex() == v.PAGE_RESULTS
    data = c.report_json
    by_name = {x["name"]: x for x in data["checks"]}
    assert by_name["line"]["status"] == "pass" and by_name["line"]["details"]["confirmed"] is True
    probes = network.DEFAULT_PROBES  # the wizard runs the check as shipped
    assert by_name["network"]["status"] == "pass" and by_name["network"]["details"]["answered"] == probes
    assert by_name["wired"]["details"]["fiber_declared"] is True
    # The chart got every probe while running, and the results page shows it again.
    assert len(v.chart.samples) == probes and len(v.result_chart.samples) == probes
    text = v.results_view.toPlainText()
    assert "固定電話回線" in text and "通信品質" in text and "[合格]" in text
    assert v.overall.text().startswith("総合判定: ")

    assert QApplication.focusWidget() is v.results_view
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v.save_button
    press(qtbot, Qt.Key.Key_Space)
    assert saved.exists()
    page = saved.read_text(encoding="utf-8")
    assert "AgentDesk 環境セルフチェック結果" in page and saved.with_suffix(".json").exists()
    # saving is shown as its own success, in the success colour, whatever the result was
    assert "保存しました" in v.saved_label.text() and v.saved_label.isVisible()
    assert "#1b7f3b" in v.saved_label.styleSheet() and v.overall.text().startswith("総合判定: ")
    # every check's row is in view at the end
    assert v.summary_list.topLevelItemCount() == 3
    assert v.summary_list.verticalScrollBar().maximum() == 0
    rows = [v.summary_list.topLevelItem(i) for i in range(3)]
    assert all(v.summary_list.visualItemRect(r).bottom() <= v.summary_list.viewport().height() for r in rows)
    # the landline typed once is remembered for the next self-check
    from agentdesk import settings as settings_mod

    assert settings_mod.load().settings.center.fixed_line_number == "０３－１２３４－５６７８"

    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v.again_button
    press(qtbot, Qt.Key.Key_Space)
    assert v.pages.currentIndex() == v.PAGE_START


def test_cancel_from_the_keyboard(qtbot, japanese) -> None:
    widget = open_self_check(None, language="ja", checks=["network"],
                             context_factory=lambda **kw: context_from_settings(
                                 center_host="127.0.0.1", center_port=9, probe_count=200, probe_interval_s=0.05,
                                 **kw))
    qtbot.addWidget(widget)
    qtbot.waitExposed(widget)
    widget.activateWindow()
    c = widget.controller
    v = c.view
    v.start_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is v.start_button, timeout=3000)
    press(qtbot, Qt.Key.Key_Space)
    assert v.pages.currentIndex() == v.PAGE_RUN
    assert QApplication.focusWidget() is v.cancel_button
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.report_json is not None, timeout=10000)
    assert v.pages.currentIndex() == v.PAGE_RESULTS


def test_english_texts_for_results(qtbot) -> None:
    widget = open_self_check(None, language="en", checks=["line"])
    qtbot.addWidget(widget)
    c = widget.controller
    qtbot.waitExposed(widget)
    widget.activateWindow()
    c.view.line_edit.setText("090-1234-5678")
    c.view.line_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is c.view.line_edit, timeout=3000)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: c.report_json is not None, timeout=10000)
    assert "mobile phone" in c.view.results_view.toPlainText()
    assert "What to do:" in c.view.results_view.toPlainText()
    assert c.view.overall.text() == "Overall result: Fail"


def test_context_overrides_reach_the_run(qtbot) -> None:
    """The main window (or ``agentdesk check --gui --center ...``) passes what the settings lack."""
    from tests.infra import net

    port = net.free_port()
    widget = open_self_check(None, language="en", checks=["network"],
                             context={"center_host": "127.0.0.1", "center_port": port, "probe_count": 3})
    qtbot.addWidget(widget)
    c = widget.controller
    c.start()
    qtbot.waitUntil(lambda: c.report_json is not None, timeout=10000)
    net_result = c.report_json["checks"][0]
    assert net_result["details"]["target"] == f"127.0.0.1:{port}" and net_result["details"]["probes"] == 3
    assert net_result["status"] == "fail"


def test_live_meter_chart_and_prompt_follow_progress(qtbot) -> None:
    from agentdesk.i18n import Text

    widget = open_self_check(None, language="ja", checks=["line"])
    qtbot.addWidget(widget)
    c = widget.controller
    v = c.view
    c._on_progress(("noise", 0.3, {"phase": "quiet", "level_dbfs": -30.0,
                                    "prompt": Text(ja="静かにしてください", en="Stay silent")}))
    assert v.meter.level_dbfs == -30.0 and v.meter.accessibleDescription() == "-30 dBFS"
    assert v.prompt.text() == "静かにしてください"
    c._on_progress(("network", 0.1, {"seq": 0, "rtt_ms": 12.5}))
    c._on_progress(("network", 0.1, {"seq": 1, "rtt_ms": None}))  # a lost probe
    c._on_progress(("network", 0.5, {"seq": 21, "rtt_ms": None, "echo": True, "jitter_ms": 1.2}))
    assert v.chart.series["rtt"] == {0: 12.5, 1: None}
    assert v.chart.series["jitter"] == {21: 1.2}
    v.chart.grab()  # paints both series without error


@pytest.mark.audio
@pytest.mark.parametrize(("answer", "status"), [(Qt.Key.Key_Y, "pass"), (Qt.Key.Key_N, "fail")])
def test_did_you_hear_the_tone_is_answered_with_yes_or_no(qtbot, japanese, virtual_headset, tmp_path: Path,
                                                         answer: Qt.Key, status: str) -> None:
    """A headset that keeps its earpiece out of the microphone (as many do): the tone is not heard back, so the
    wizard asks the one who wears it; Alt+Y or Alt+N answers, and the answer decides the headset's result."""
    from tests.infra.pulse import tone, write_wav

    room = write_wav(tmp_path / "room.wav", tone(180.0, 12.0, 48000, 0.2), 48000)  # the room: a hum, no beep
    widget = open_self_check(None, language="ja", checks=["headset"],
                             context={"call_device": "agentdesk_headset"})
    qtbot.addWidget(widget)
    qtbot.waitExposed(widget)
    widget.activateWindow()
    c = widget.controller
    v = c.view
    player = virtual_headset.play_into_mic(room)
    try:
        v.start_button.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is v.start_button, timeout=3000)
        press(qtbot, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: v.question_box.isVisible() or c.report_json is not None, timeout=15000)
        assert v.question_box.isVisible(), c.report_json
        assert "聞こえましたか" in v.prompt.text()
        assert QApplication.focusWidget() is v.yes_button  # the answer is one key away
        assert v.yes_button.accessibleName() and v.no_button.accessibleName()
        qtbot.keyClick(QApplication.focusWidget(), answer, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: c.report_json is not None, timeout=15000)
    finally:
        player.terminate()
        player.wait(5)
    headset = c.report_json["checks"][0]
    assert headset["details"]["tone_heard"] is False  # not through the microphone...
    assert headset["details"]["agent_heard_tone"] is (answer == Qt.Key.Key_Y)  # ...but by the agent, or not
    assert headset["status"] == status and not v.question_box.isVisible()
