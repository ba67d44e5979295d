"""Loading and switching the UI language (Qt translators from resources/i18n, plus Qt's own strings)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from agentdesk import paths

log = logging.getLogger(__name__)

# Every translator any switcher installed, so that one language is active at a time even with several switchers
# (the main window's, a wizard started on its own) and tests can return to the untranslated source language.
_INSTALLED: list[QTranslator] = []


def reset() -> None:
    """Remove every AgentDesk translator: the UI falls back to its English source strings."""
    app = QCoreApplication.instance()
    for translator in _INSTALLED:
        if app is not None:
            app.removeTranslator(translator)
    _INSTALLED.clear()


class LanguageSwitcher:
    """Installs the translators for one language; switching sends LanguageChange to every widget."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed = _INSTALLED
        self.language = "en"

    def set_language(self, language: str) -> None:
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        self.language = language
        if language == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
            return
        QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_base = QTranslator(self._app)
        if qt_base.load(f"qtbase_{language}", qt_dir):
            self._app.installTranslator(qt_base)
            self._installed.append(qt_base)
        for qm in sorted((paths.resources_dir() / "i18n").glob(f"*_{language}.qm")):
            translator = QTranslator(self._app)
            if translator.load(str(qm)):
                self._app.installTranslator(translator)
                self._installed.append(translator)
            else:
                log.warning("could not load translation %s", qm)
