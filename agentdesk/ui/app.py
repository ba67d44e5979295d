"""Starting the app: QApplication, language, settings, the main window."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

from agentdesk import APP_NAME, __version__, settings
from agentdesk import log as agentdesk_log

_T0 = time.perf_counter()
log = logging.getLogger(__name__)


def create_app(argv: list[str] | None = None):  # -> QApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("agentdesk")
    return app


def build_main_window(app, store: settings.Settings, language: str, save_settings: bool = True):
    """The window and its controller, wired; returns the controller (its ``view`` is the window)."""
    from agentdesk.ui.shell.controller import MainWindowController
    from agentdesk.ui.shell.view import MainWindowView
    from agentdesk.ui.translation import LanguageSwitcher

    languages = LanguageSwitcher(app)
    languages.set_language(language)
    store.language = language  # type: ignore[assignment]
    view = MainWindowView()
    controller = MainWindowController(view, store, languages, save_settings=save_settings)
    app.aboutToQuit.connect(controller.remember_geometry)
    return controller


def run_gui(args: argparse.Namespace) -> int:
    agentdesk_log.setup()
    loaded = settings.load()
    language = args.lang or loaded.settings.language
    app = create_app()
    from agentdesk.ui.shell.single_instance import SingleInstance

    single = SingleInstance(lambda _message: None, parent=app)
    if not args.benchmark_startup and single.hand_over("show"):
        log.info("AgentDesk is already running; brought it to the front")
        return 0
    controller = build_main_window(app, loaded.settings, language, save_settings=loaded.writable)
    if loaded.problem is not None:
        controller.show_problem(loaded.problem)
    view = controller.view
    if not args.benchmark_startup:
        single.on_message = lambda _message: _bring_to_front(view)
        single.listen()
        from agentdesk.ui.desk.wiring import attach_desk, default_services

        try:
            attach_desk(controller, default_services(loaded.settings), loaded.settings)
        except Exception:  # the window still opens and says what is wrong, never a traceback
            log.exception("the shift screen could not start")
            from agentdesk.i18n import Text

            controller.show_problem(Text(ja="業務画面を開始できませんでした。ログを確認してください。",
                                         en="The shift screen could not start. See the log."))
        app.aboutToQuit.connect(single.close)
    view.show()
    log.info("AgentDesk %s started (language %s)", __version__, language)
    if args.benchmark_startup:
        return _report_startup(app, view)
    return app.exec()


def _bring_to_front(view) -> None:
    if view.isMinimized():
        view.showNormal()
    view.show()
    view.raise_()
    view.activateWindow()


def _report_startup(app, view) -> int:
    """For benchmarks/: print when the window is really shown (exposed and painted), then quit."""
    from PySide6.QtCore import QTimer

    def done() -> None:
        import psutil

        shown = time.perf_counter() - _T0
        print(json.dumps({"shown_s": shown, "rss_mb": psutil.Process(os.getpid()).memory_info().rss / 2**20,
                          "visible": view.isVisible()}), flush=True)
        app.quit()

    app.processEvents()
    QTimer.singleShot(0, done)
    return app.exec()
