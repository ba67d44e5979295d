"""The main window with the shift screen, on the fake center and the fake engine process, for the shell's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.ui.app import build_main_window
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
from tests.fakes.fake_center import FakeCenter
from tests.ui.screens import FAKE_ENGINE


@pytest.fixture
def shell_window(qtbot) -> Iterator[Callable[..., tuple[Any, Any, FakeCenter]]]:
    """``make(center=None, worklog=None) -> (main controller, desk controller, center)``; all shut down after."""
    made: list[Any] = []

    def make(center: FakeCenter | None = None, worklog: Any = None) -> tuple[Any, Any, FakeCenter]:
        store = settings.Settings()
        center = center or FakeCenter()
        main = build_main_window(QApplication.instance(), store, "ja", save_settings=False)
        made.append(main)
        qtbot.addWidget(main.view)
        desk = attach_desk(main, Services(connection=center.connection(store.center), worklog=worklog), store,
                           engine=engine_factory(FAKE_ENGINE), sound=SoundPlayer(enabled=False))
        main.view.show()
        return main, desk, center

    yield make
    for main in made:
        for hook in main.before_quit:
            hook()
        main.languages.set_language("en")
