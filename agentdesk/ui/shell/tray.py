"""The tray icon: the agent's state at a glance in its colour, quick actions, and notifications that reach an
agent whose window is hidden or behind another window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget


def state_icon(color: str) -> QIcon:
    pix = QPixmap(64, 64)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(color))
    p.setPen(QColor("#202020"))
    p.drawEllipse(4, 4, 56, 56)
    p.end()
    return QIcon(pix)


class Tray(QObject):
    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(window)
        self.show_action = QAction(self)
        self.ready_action = QAction(self)
        self.not_ready_action = QAction(self)
        self.quit_action = QAction(self)
        for a in (self.show_action, self.ready_action, self.not_ready_action):
            self.menu.addAction(a)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.show_action.triggered.connect(self.bring_to_front)
        self.icon.activated.connect(self._activated)
        self.messages: list[tuple[str, str]] = []  # shown notifications (tests and the in-window fallback)
        self.set_state("offline", "#5f6368", "AgentDesk")
        self.retranslate()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def retranslate(self) -> None:
        self.show_action.setText(self.tr("Show AgentDesk"))
        self.ready_action.setText(self.tr("Ready"))
        self.not_ready_action.setText(self.tr("Not ready"))
        self.quit_action.setText(self.tr("Quit"))

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def set_state(self, state: str, color: str, text: str) -> None:
        self.icon.setIcon(state_icon(color))
        self.icon.setToolTip(f"AgentDesk: {text}")
        self.window.setWindowIcon(state_icon(color))

    def notify(self, title: str, message: str, urgent: bool = False) -> None:
        """Show a notification; an urgent one also flashes the taskbar entry (QApplication.alert)."""
        self.messages.append((title, message))
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            icon = QSystemTrayIcon.MessageIcon.Warning if urgent else QSystemTrayIcon.MessageIcon.Information
            self.icon.showMessage(title, message, icon, 15000 if urgent else 5000)
        if urgent:
            QApplication.alert(self.window, 0)

    def bring_to_front(self) -> None:
        w = self.window
        if w.isMinimized():
            w.showNormal()
        w.show()
        w.raise_()
        w.activateWindow()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.bring_to_front()

    def hide(self) -> None:
        self.icon.hide()


Callback = Callable[[], None]
