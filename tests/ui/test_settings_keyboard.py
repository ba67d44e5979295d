"""The settings dialog by keyboard alone: no keyboard trap in the Shortcuts tab, reserved keys refused, a bare
Return never becomes start/end work, access keys unique on every tab, devices by their human names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.ui.desk.shortcuts import DEFAULT_SHORTCUTS, effective
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.settings.devices import DeviceChoice, human_name
from agentdesk.ui.settings.dialog import SettingsDialog
from agentdesk.ui.settings.keys import ShortcutEdit, refusal
from agentdesk.ui.translation import LanguageSwitcher
from tests.ui import fit

SHORTCUTS_TAB = 4


@pytest.fixture(params=["ja", "en"])
def language(request, qapp) -> Iterator[str]:
    switcher = LanguageSwitcher(qapp)
    switcher.set_language(request.param)
    yield request.param
    switcher.set_language("en")


def open_dialog(qtbot, store: settings.Settings | None = None) -> SettingsDialog:
    inputs = [DeviceChoice("ALSA:Jabra", "Jabra Evolve2 40", True), DeviceChoice("ALSA:Built-in", "Built-in Audio")]
    outputs = [*inputs, DeviceChoice("ALSA:HDMI", "HDMI 1")]
    dialog = SettingsDialog(store or settings.Settings(), devices=lambda: (inputs, outputs),
                            sound=SoundPlayer(enabled=False))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    return dialog


def press(qtbot, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifiers)


def test_the_shortcuts_tab_is_no_keyboard_trap(qtbot, language) -> None:
    d = open_dialog(qtbot)
    assert QApplication.focusWidget() is d.center_url  # the dialog opens on a text field, never on a key box
    before = d.shortcut_values()
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # the tab's access key
    assert d.tabs.currentIndex() == SHORTCUTS_TAB
    # Tab walks through every key box and out again; nothing is recorded on the way.
    boxes = list(d.key_edits.values())
    boxes[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is boxes[0], timeout=2000)
    for box in boxes[1:]:
        press(qtbot, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is box
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.reset_keys
    press(qtbot, Qt.Key.Key_Backtab)
    press(qtbot, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is boxes[-2]
    assert d.shortcut_values() == before and not any(b.recording for b in boxes)

    work = d.key_edits["work"]
    work.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is work, timeout=2000)
    press(qtbot, Qt.Key.Key_Return)  # Enter starts recording; it does not press OK
    assert work.recording and d.isVisible()
    for key, mods in ((Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),  # a bare Return is refused...
                      (Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier),
                      (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),  # ...and Quit...
                      (Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)):  # ...and a key that would act while typing
        press(qtbot, key, mods)
        assert work.recording and work.keySequence().toString() == "Ctrl+F2"
        assert d.keys_problem.text()
    press(qtbot, Qt.Key.Key_Escape)  # cancels the recording, and only that
    assert not work.recording and d.isVisible() and work.keySequence().toString() == "Ctrl+F2"
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_F10)
    assert not work.recording and work.keySequence().toString() == "F10"
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Tab)  # Tab leaves a recording box: the focus moves on, nothing recorded
    assert not work.recording and QApplication.focusWidget() is not work
    assert work.keySequence().toString() == "F10"
    press(qtbot, Qt.Key.Key_Escape)  # not recording: Esc closes the dialog as everywhere
    qtbot.waitUntil(lambda: not d.isVisible(), timeout=2000)
    assert d.result() == d.DialogCode.Rejected


def test_reserved_and_bare_keys_are_refused_by_the_rules() -> None:
    for text in ("Esc", "Return", "Enter", "Tab", "Ctrl+Q", "A", "Space", "1", "Alt+S", "Ctrl+Shift+K", "Ctrl+F"):
        assert refusal(text) is not None, text
    for text in ("F2", "Ctrl+F2", "Shift+F5", "Ctrl+Return", "Ctrl+Shift+A", "Ctrl+D", ""):
        assert refusal(text) is None, text
    # a settings file written by hand (or by an older version) cannot make Return start or end work
    assert effective({"work": "Return", "ready": "Esc", "answer": "F12"}) == {
        **DEFAULT_SHORTCUTS, "answer": "F12"}


def test_a_refused_shortcut_in_the_settings_is_explained_on_save(qtbot) -> None:
    store = settings.Settings()
    store.shortcuts = {"work": "Return"}  # the box shows the default; a forced value is refused on OK
    d = open_dialog(qtbot, store)
    assert d.key_edits["work"].keySequence().toString() == "Ctrl+F2"
    d.key_edits["ready"].setKeySequence(QKeySequence("Return"))
    d.buttons.accepted.emit()
    assert d.isVisible() and d.tabs.currentIndex() == SHORTCUTS_TAB and d.problem.text()
    assert store.shortcuts == {"work": "Return"}  # nothing was written


def test_access_keys_are_unique_on_every_tab(qtbot, language) -> None:
    d = open_dialog(qtbot)
    d.advanced_button.setChecked(True)
    for i in range(d.tabs.count()):
        d.tabs.setCurrentIndex(i)
        qtbot.wait(10)
        assert fit.duplicate_access_keys(d) == [], d.tabs.tabText(i)
        assert len(fit.access_keys(d)) >= d.tabs.count() + 1  # the tabs and this page's fields have keys


def test_devices_by_human_names_with_the_default_marked(qtbot, language) -> None:
    d = open_dialog(qtbot)
    items = [d.call_device.itemText(i) for i in range(d.call_device.count())]
    assert items[0] in ("システムの既定（Jabra Evolve2 40）", "System default (Jabra Evolve2 40)")
    assert items[1] in ("Jabra Evolve2 40（システムの既定）", "Jabra Evolve2 40 (system default)")
    assert d.call_device.itemData(0) == "" and d.call_device.itemData(1) == "ALSA:Jabra"
    assert human_name("Jabra EVOLVE 20 MS: USB Audio (hw:2,0)", "ALSA") == "Jabra EVOLVE 20 MS"
    assert human_name("HDA Intel PCH: ALC3246 Analog (hw:0,0)", "ALSA") == "HDA Intel PCH — ALC3246 Analog"
    assert human_name("surround51", "ALSA") is None and human_name("dmix", "ALSA") is None
    assert human_name("pulse", "ALSA") == "PulseAudio"
    assert human_name("Headset Microphone (Jabra EVOLVE 20 MS)", "Windows WASAPI") == \
        "Headset Microphone (Jabra EVOLVE 20 MS)"


def test_the_registrar_is_explained_behind_the_advanced_section(qtbot, language) -> None:
    d = open_dialog(qtbot)
    assert not d.registrars.isVisibleTo(d)  # the center's phone account is not in the agent's way
    d.advanced_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.advanced_button, timeout=2000)
    press(qtbot, Qt.Key.Key_Space)
    assert d.registrars.isVisibleTo(d) and QApplication.focusWidget() is d.sip_user
    assert "sip:" in d.advanced_note.text() and ("レジストラ" in d.advanced_note.text()
                                                 or "registrars" in d.advanced_note.text())


def test_shortcut_edit_never_lets_window_shortcuts_fire_while_recording(qtbot) -> None:
    from PySide6.QtGui import QShortcut
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    fired: list[str] = []
    QShortcut(QKeySequence("F10"), window).activated.connect(lambda: fired.append("F10"))
    box = ShortcutEdit("F2", window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box, timeout=2000)
    qtbot.keyClick(box, Qt.Key.Key_F10)
    assert fired == ["F10"]  # not recording: the window's shortcut works
    qtbot.keyClick(box, Qt.Key.Key_Space)
    qtbot.keyClick(box, Qt.Key.Key_F10)
    assert fired == ["F10"] and box.keySequence().toString() == "F10"  # recorded, not fired
