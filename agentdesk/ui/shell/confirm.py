"""Questions the app asks before an action that is hard to undo. Reusable wherever the action is triggered (the
shift screen's button, its shortcut, the tray).

``EndWorkConfirmation``: ending work during a shift signs the agent off (the center stops offering calls and the
work log closes the session). The safe answer is the default one: Enter and Esc both keep working, so a key pressed
by habit never ends a shift.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)


class EndWorkConfirmation(QDialog):
    def __init__(self, parent: QWidget | None = None, worked: str = "", calls: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endWorkConfirmation")
        self.worked = worked
        self.calls = calls
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxQuestion).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(icon)
        texts = QVBoxLayout()
        self.question = QLabel(self)
        self.question.setObjectName("endWorkQuestion")
        font = self.question.font()
        font.setBold(True)
        self.question.setFont(font)
        self.question.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("endWorkDetail")
        self.detail.setWordWrap(True)
        texts.addWidget(self.question)
        texts.addWidget(self.detail)
        row.addLayout(texts, 1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(self)
        self.end_button = QPushButton(self)
        self.end_button.setObjectName("endWorkYes")
        self.keep_button = QPushButton(self)
        self.keep_button.setObjectName("endWorkNo")
        self.buttons.addButton(self.end_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.end_button.clicked.connect(self.accept)
        self.keep_button.clicked.connect(self.reject)
        self.end_button.setAutoDefault(False)
        self.keep_button.setDefault(True)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.keep_button.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("End work"))
        self.question.setText(self.tr("End work now?"))
        parts = []
        if self.worked:
            parts.append(self.tr("You have worked %1 today.").replace("%1", self.worked))
        if self.calls is not None:
            parts.append(self.tr("Calls handled today: %1.").replace("%1", str(self.calls)))
        parts.append(self.tr("The center will stop offering you calls, and your work session is closed."))
        self.detail.setText(" ".join(parts))
        self.end_button.setText(self.tr("&End work"))
        self.end_button.setAccessibleName(self.tr("End work now"))
        self.keep_button.setText(self.tr("&Keep working"))
        self.keep_button.setAccessibleName(self.tr("Keep working"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def confirm_end_work(parent: QWidget | None, worked: str = "", calls: int | None = None) -> bool:
    """Ask; True only when the agent chose to end work."""
    dialog = EndWorkConfirmation(parent, worked, calls)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
