"""The shipped shift screen in a test: the main window with ``attach_desk`` and the app's own
``default_services`` (a CenterConnection to the center double over HTTP, the durable outbox, the work log), driven
by the keyboard. The fixture ``shift_screen`` (tests/conftest.py) opens it; these are its parts."""

from __future__ import annotations

from typing import Any

from agentdesk import credentials, settings
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble


def open_shift_screen(qtbot: Any, store: settings.Settings, engine_argv: list[str] | None = None) -> tuple[Any, Any]:
    """The main window and its desk controller, shown and active (keys go to the active window). ``engine_argv``:
    how the desk starts its engine (the network rig runs it in the home namespace: ``Rig.engine_argv()``)."""
    from PySide6.QtWidgets import QApplication

    from agentdesk.ui.app import build_main_window
    from agentdesk.ui.desk.sound import SoundPlayer
    from agentdesk.ui.desk.wiring import attach_desk, default_services, engine_factory

    main = build_main_window(QApplication.instance(), store, "ja", save_settings=False)
    qtbot.addWidget(main.view)
    desk = attach_desk(main, default_services(store), store, engine=engine_factory(engine_argv),
                       sound=SoundPlayer(enabled=False))
    main.view.show()
    main.view.activateWindow()
    qtbot.waitUntil(main.view.isActiveWindow, timeout=3000)
    return main, desk


def close_shift_screen(main: Any) -> None:
    for hook in main.before_quit:
        hook()
    main.languages.set_language("en")


def press(qtbot: Any, desk: Any, key: Any, modifier: Any = None) -> None:
    """A key on whatever has the focus, as the agent types it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    qtbot.keyClick(QApplication.focusWidget() or desk.view, key,
                   Qt.KeyboardModifier.NoModifier if modifier is None else modifier)


def center_store(double: CenterDouble, **center: Any) -> settings.Settings:
    """Settings for the center double, with the agent's secret remembered from an earlier sign-in."""
    store = settings.Settings()
    store.center.base_url = double.url
    store.center.agent_id = DEFAULT_AGENT
    for name, value in center.items():
        setattr(store.center, name, value)
    credentials.set_secret(f"center:{DEFAULT_AGENT}", DEFAULT_SECRET)
    return store


def banners(desk: Any) -> str:
    """The text of the banners on screen now."""
    return " ".join(b.text() for b in desk.view.banner_labels if b.isVisible())
