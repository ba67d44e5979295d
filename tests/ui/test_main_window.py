from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.ui.app import build_main_window


def test_main_window_is_japanese_by_default_and_switches_to_english(qtbot) -> None:
    app = QApplication.instance()
    store = settings.Settings()
    controller = build_main_window(app, store, store.language)
    view = controller.view
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.windowTitle() == "AgentDesk"
    assert view.state_label.text() == "オフライン"
    assert view.file_menu.title() == "ファイル(&F)"
    assert view.japanese_action.isChecked()

    view.english_action.trigger()
    qtbot.waitUntil(lambda: view.state_label.text() == "Offline", timeout=2000)
    assert view.file_menu.title() == "&File"
    assert settings.load().settings.language == "en"  # the choice is remembered

    view.japanese_action.trigger()
    qtbot.waitUntil(lambda: view.state_label.text() == "オフライン", timeout=2000)


def test_controls_have_accessible_names(qtbot) -> None:
    store = settings.Settings()
    controller = build_main_window(QApplication.instance(), store, "ja")
    qtbot.addWidget(controller.view)
    assert controller.view.state_label.accessibleName() == "エージェントの状態"
    assert controller.view.phone_label.accessibleName()


def test_geometry_is_remembered(qtbot) -> None:
    store = settings.Settings()
    controller = build_main_window(QApplication.instance(), store, "ja")
    qtbot.addWidget(controller.view)
    controller.view.resize(800, 500)
    controller.remember_geometry()
    loaded = settings.load().settings
    assert loaded.window.geometry
    again = build_main_window(QApplication.instance(), loaded, "ja")
    qtbot.addWidget(again.view)
    assert abs(again.view.size().width() - 800) <= 4  # not the 960 default; offscreen frames shift a few px


def test_settings_problem_is_shown_in_the_status_bar(qtbot) -> None:
    settings.settings_path().write_text("not json", encoding="utf-8")
    loaded = settings.load()
    controller = build_main_window(QApplication.instance(), loaded.settings, "ja")
    qtbot.addWidget(controller.view)
    controller.show_problem(loaded.problem)
    assert "設定ファイル" in controller.view.notice_label.text()


def test_keyboard_quit_shortcut(qtbot) -> None:
    controller = build_main_window(QApplication.instance(), settings.Settings(), "ja")
    view = controller.view
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
