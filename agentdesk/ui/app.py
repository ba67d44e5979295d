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
    if not args.benchmark_startup:
        answer = single.hand_over("show")
        if answer.kind == "shown":
            log.info("AgentDesk is already running; brought it to the front")
            return 0
        if answer.kind == "elsewhere":
            return _running_elsewhere(app, answer.where, language)
    controller = build_main_window(app, loaded.settings, language, save_settings=loaded.writable)
    if loaded.problem is not None:
        controller.show_problem(loaded.problem)
    view = controller.view
    if not args.benchmark_startup:
        single.on_message = lambda _message: _bring_to_front(view)
        single.listen()
        app.aboutToQuit.connect(single.close)
    # The frame first, painted, so the agent sees AgentDesk at once; then the shift screen with its center,
    # outbox, engine and scripts (the benchmark reports both moments).
    view.show()
    app.processEvents()
    shown_s = time.perf_counter() - _T0
    from agentdesk.safefiles import StorageError
    from agentdesk.ui.desk.wiring import attach_desk, default_services

    try:
        services = default_services(loaded.settings)
        attach_desk(controller, services, loaded.settings)
        for notice in services.notices:  # a damaged outbox or work log was set aside and started afresh
            controller.show_problem(notice)
    except StorageError as exc:  # the data folder cannot be written: say which and why, the window stays
        log.error("the shift screen could not start: %s", exc)
        controller.show_problem(exc.message)
    except Exception:  # the window still opens and says what is wrong, never a traceback
        log.exception("the shift screen could not start")
        from agentdesk.i18n import Text

        controller.show_problem(Text(ja="業務画面を開始できませんでした。ログを確認してください。",
                                     en="The shift screen could not start. See the log."))
    view.show()
    log.info("AgentDesk %s started (language %s)", __version__, language)
    if args.benchmark_startup:
        return _report_startup(app, controller, shown_s)
    return app.exec()


RUNNING_ELSEWHERE = 3  # exit status: another instance runs in another session or on another display


def _running_elsewhere(app, where: dict, language: str) -> int:
    """Say where the running AgentDesk is (never exit silently with 0 while its window is out of sight)."""
    from agentdesk.i18n import Text
    from agentdesk.ui.shell.single_instance import describe

    text = Text(ja="AgentDesk はすでに別の画面・セッション（{w}）で動いています。そちらで終了してから、もう一度"
                   "起動してください。",
                en="AgentDesk is already running in another session or on another display ({w}). Quit it there, "
                   "then start it again here.").format(w=describe(where)).pick(language)
    print(f"agentdesk: {text}", file=sys.stderr)
    log.warning("not started: %s", text)
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, "AgentDesk", text)
    return RUNNING_ELSEWHERE


def _bring_to_front(view) -> None:
    if view.isMinimized():
        view.showNormal()
    view.show()
    view.raise_()
    view.activateWindow()


def _report_startup(app, controller, shown_s: float) -> int:
    """For benchmarks/: print when the window is really shown (exposed and painted), then quit as the agent's
    Quit would (engine stopped, outbox closed)."""
    from PySide6.QtCore import QTimer

    view = controller.view

    def done() -> None:
        import psutil

        ready = time.perf_counter() - _T0
        print(json.dumps({"shown_s": shown_s, "ready_s": ready,
                          "rss_mb": psutil.Process(os.getpid()).memory_info().rss / 2**20,
                          "visible": view.isVisible()}), flush=True)
        for hook in getattr(controller, "before_quit", []):
            try:
                hook()
            except Exception:
                log.exception("shutdown step failed")
        app.quit()

    app.processEvents()
    QTimer.singleShot(0, done)
    return app.exec()
