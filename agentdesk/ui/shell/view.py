"""The main window: layout only. Logic is in ``controller.py`` (TagStudio-style view/controller split)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QStackedWidget, QVBoxLayout, QWidget


class MainWindowView(QMainWindow):
    """The window frame. Areas (shift screen, self-check, availability...) are pages of ``self.pages``."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setMinimumSize(640, 420)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.state_label = QLabel(central)
        self.state_label.setObjectName("agentState")
        font = QFont(self.state_label.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.state_label.setFont(font)
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.phone_label = QLabel(central)
        self.phone_label.setObjectName("phoneHealth")
        self.phone_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget(central)
        layout.addWidget(self.state_label)
        layout.addWidget(self.phone_label)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("notice")
        self.statusBar().addPermanentWidget(self.notice_label, 1)

        self.file_menu = QMenu(self)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.file_menu.addAction(self.quit_action)
        self.addAction(self.quit_action)  # the shortcut works even when the menu bar is native or hidden

        self.view_menu = QMenu(self)
        self.language_menu = QMenu(self.view_menu)
        self.language_group = QActionGroup(self)
        self.japanese_action = QAction("日本語", self)  # language names are shown in their own language
        self.english_action = QAction("English", self)
        for action, code in ((self.japanese_action, "ja"), (self.english_action, "en")):
            action.setCheckable(True)
            action.setData(code)
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
        self.view_menu.addMenu(self.language_menu)

        # The agent's other tools; each opens its own window. Enabled once the shift screen wires them.
        self.tools_menu = QMenu(self)
        self.self_check_action = QAction(self)
        self.self_check_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.availability_action = QAction(self)
        self.availability_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.work_log_action = QAction(self)
        self.work_log_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.trainer_action = QAction(self)
        self.trainer_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        for action in (self.self_check_action, self.availability_action, self.work_log_action,
                       self.trainer_action):
            action.setEnabled(False)
            self.tools_menu.addAction(action)
            self.addAction(action)

        self.help_menu = QMenu(self)
        self.about_action = QAction(self)
        self.help_menu.addAction(self.about_action)

        for menu in (self.file_menu, self.view_menu, self.tools_menu, self.help_menu):
            self.menuBar().addMenu(menu)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle("AgentDesk")
        self.file_menu.setTitle(self.tr("&File"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.self_check_action.setText(self.tr("Environment &self-check..."))
        self.availability_action.setText(self.tr("&Availability entry..."))
        self.work_log_action.setText(self.tr("&Work log..."))
        self.trainer_action.setText(self.tr("T&rainer mode..."))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About AgentDesk"))
        self.state_label.setAccessibleName(self.tr("Agent state"))
        self.phone_label.setAccessibleName(self.tr("Phone status"))
        self.notice_label.setAccessibleName(self.tr("Notices"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.languageChanged()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray():
            event.ignore()
            self.hide()  # still running: calls, broadcasts and notifications reach the agent from the tray
            return
        super().closeEvent(event)

    def close_to_tray(self) -> bool:
        """Hook set by the controller: True hides the window instead of closing it."""
        return False

    def languageChanged(self) -> None:
        """Hook for the controller to refresh texts it owns (set by the controller)."""
