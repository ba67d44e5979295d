"""The main window's logic: language switching, remembered geometry, settings problems, the about box."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from agentdesk import __version__, settings
from agentdesk.i18n import Text
from agentdesk.ui.shell.view import MainWindowView
from agentdesk.ui.translation import LanguageSwitcher

log = logging.getLogger(__name__)


class MainWindowController(QObject):
    def __init__(
        self,
        view: MainWindowView,
        store: settings.Settings,
        languages: LanguageSwitcher,
        save_settings: bool = True,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.settings = store
        self.languages = languages
        self._save_settings = save_settings
        self._startup_problem: Text | None = None
        # Set by the shift screen: close hides to the tray; quitting during a call asks first.
        self.can_close_to_tray: Callable[[], bool] = lambda: False
        self.can_quit: Callable[[], str | None] = lambda: None
        self.before_quit: list[Callable[[], None]] = []
        self._quitting = False

        view.languageChanged = self.refresh_texts  # type: ignore[method-assign]
        view.close_to_tray = lambda: not self._quitting and self.can_close_to_tray()  # type: ignore[method-assign]
        view.quit_action.triggered.connect(self.quit)
        view.about_action.triggered.connect(self.show_about)
        view.language_group.triggered.connect(lambda action: self.set_language(str(action.data())))
        (view.japanese_action if store.language == "ja" else view.english_action).setChecked(True)
        if store.window.geometry:
            view.restoreGeometry(QByteArray.fromBase64(store.window.geometry.encode("ascii")))
        else:
            view.resize(960, 640)
        self.refresh_texts()

    def show_problem(self, problem: Text) -> None:
        self._startup_problem = problem
        self.refresh_texts()

    def refresh_texts(self) -> None:
        self.view.state_label.setText(self.tr("Offline"))
        self.view.phone_label.setText(self.tr("Phone: not set up"))
        if self._startup_problem is not None:
            self.view.notice_label.setText(self._startup_problem.pick(self.languages.language))
        # the status bar takes a line of the screen only when it has something to say (a laptop at 150 %)
        self.view.statusBar().setVisible(self._startup_problem is not None)

    def set_language(self, language: str) -> None:
        if language == self.languages.language:
            return
        self.languages.set_language(language)
        self.settings.language = language  # type: ignore[assignment]
        self.persist()

    def show_about(self) -> None:
        QMessageBox.about(
            self.view,
            self.tr("About AgentDesk"),
            self.tr("AgentDesk %1\nThe home agent's desktop.").replace("%1", __version__),
        )

    def quit(self) -> None:
        problem = self.can_quit()
        if problem and QMessageBox.question(self.view, self.tr("Quit AgentDesk"), problem) \
                != QMessageBox.StandardButton.Yes:
            return
        self._quitting = True
        self.remember_geometry()
        for hook in self.before_quit:
            try:
                hook()
            except Exception:
                log.exception("shutdown step failed")
        self.before_quit.clear()
        self.view.close()
        QApplication.quit()

    def remember_geometry(self) -> None:
        self.settings.window.geometry = bytes(self.view.saveGeometry().toBase64().data()).decode("ascii")
        self.persist()

    def persist(self) -> None:
        if not self._save_settings:
            return
        try:
            settings.save(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)
