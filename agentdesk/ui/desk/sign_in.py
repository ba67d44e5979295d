"""Sign-in to the center: agent ID and password (the password goes to the OS keyring, never to a file)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget


class SignInDialog(QDialog):
    def __init__(self, agent_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        layout = QFormLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.agent_id = QLineEdit(agent_id, self)
        self.agent_id.setObjectName("agentId")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self)
        self.remember.setChecked(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.id_label = QLabel(self)
        self.id_label.setBuddy(self.agent_id)
        self.pw_label = QLabel(self)
        self.pw_label.setBuddy(self.password)
        layout.addRow(self.intro)
        layout.addRow(self.id_label, self.agent_id)
        layout.addRow(self.pw_label, self.password)
        layout.addRow(self.remember)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color:#c62828")
        layout.addRow(self.problem)
        layout.addRow(self.buttons)
        self.setWindowTitle(self.tr("Sign in to the center"))
        self.intro.setText(self.tr("Sign in with the agent ID and password the center gave you."))
        self.id_label.setText(self.tr("&Agent ID"))
        self.pw_label.setText(self.tr("&Password"))
        self.remember.setText(self.tr("&Remember the password in the system keyring"))
        self.agent_id.setAccessibleName(self.tr("Agent ID"))
        self.password.setAccessibleName(self.tr("Password"))
        (self.password if agent_id else self.agent_id).setFocus()

    def _accept(self) -> None:
        if not self.agent_id.text().strip() or not self.password.text():
            self.problem.setText(self.tr("Enter your agent ID and password."))
            return
        self.accept()

    def answer(self) -> tuple[str, str, bool]:
        return self.agent_id.text().strip(), self.password.text(), self.remember.isChecked()


def ask_sign_in(parent: QWidget | None, agent_id: str = "") -> tuple[str, str, bool] | None:
    """Show the dialog; (agent ID, password, remember) or None when cancelled."""
    dialog = SignInDialog(agent_id, parent)
    try:
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
