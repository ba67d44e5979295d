"""The settings dialog: account (passwords to the keyring, never to a file), devices (call and ring device, test
tone, live microphone meter), voice processing, language, shortcuts, start with the system.

Layout and logic are small enough to share this module; nothing is written until the agent presses OK.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agentdesk import credentials
from agentdesk.agent.jobs import InlineJobs, Jobs
from agentdesk.settings import Settings
from agentdesk.ui.desk.shortcuts import DEFAULT_SHORTCUTS, effective
from agentdesk.ui.desk.sound import SoundPlayer, device_name
from agentdesk.ui.layout import scrolling
from agentdesk.ui.settings import autostart
from agentdesk.ui.settings.devices import choices, list_devices
from agentdesk.ui.settings.keys import ShortcutEdit, refusal

log = logging.getLogger(__name__)

DeviceLister = Callable[[], tuple[list[Any], list[Any]]]


class MicMeter:
    """A microphone level read on PortAudio's thread into a float that the dialog polls (no Qt call there)."""

    def __init__(self) -> None:
        self.level_db = -90.0
        self.stream = None

    def start(self, device: str = "") -> bool:
        try:
            import numpy as np
            import sounddevice as sd

            def callback(indata, frames, time_info, status) -> None:
                rms = float(np.sqrt(np.mean(np.square(indata)))) if frames else 0.0
                self.level_db = 20 * math.log10(rms) if rms > 1e-9 else -90.0

            self.stream = sd.InputStream(device=device_name(device), channels=1, samplerate=16000, callback=callback)
            self.stream.start()
            return True
        except Exception as exc:
            log.info("microphone meter unavailable: %s", exc)
            self.stream = None
            return False

    def stop(self) -> None:
        if self.stream is not None:
            try:
                self.stream.stop()
                self.stream.close()
            except Exception:
                pass
            self.stream = None


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 devices: DeviceLister = list_devices, sound: SoundPlayer | None = None,
                 jobs: Jobs | None = None) -> None:
        super().__init__(parent)
        self.jobs: Jobs = jobs or InlineJobs()  # the desk's UiJobs: the keyring is written off the GUI thread
        self.setObjectName("settingsDialog")
        self.settings = settings
        self.sound = sound
        self.meter = MicMeter()
        self.problems: list[str] = []
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.tabBar().setUsesScrollButtons(False)  # every tab in view: the dialog is as wide as they need
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        layout.addWidget(self.tabs)
        self.labels: dict[str, QLabel] = {}

        # account: what the agent knows; the phone account the center provisions is under "advanced"
        acc = QWidget(self)
        acc_layout = QVBoxLayout(acc)
        form = QFormLayout()
        self.center_url = QLineEdit(settings.center.base_url, acc)
        self.agent_id = QLineEdit(settings.center.agent_id, acc)
        self.center_password = QLineEdit(acc)
        self.center_password.setEchoMode(QLineEdit.EchoMode.Password)
        for key, widget in (("center_url", self.center_url), ("agent_id", self.agent_id),
                            ("center_password", self.center_password)):
            form.addRow(self._label(key, widget, acc), widget)
        # fixed-line mode: the center rings the agent's landline (the line check's own rule validates the number)
        self.fixed_line = QCheckBox(acc)
        self.fixed_line.setObjectName("fixedLineMode")
        self.fixed_line.setChecked(settings.center.mode == "fixed_line")
        self.landline = QLineEdit(settings.center.fixed_line_number, acc)
        self.landline.setObjectName("landlineNumber")
        self.landline.setEnabled(self.fixed_line.isChecked())
        self.fixed_line.toggled.connect(self.landline.setEnabled)
        form.addRow(self.fixed_line)
        form.addRow(self._label("landline", self.landline, acc), self.landline)
        acc_layout.addLayout(form)
        self.account_note = QLabel(acc)
        self.account_note.setWordWrap(True)
        acc_layout.addWidget(self.account_note)
        self.advanced_button = QToolButton(acc)
        self.advanced_button.setObjectName("advancedPhoneSettings")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.toggled.connect(self._open_advanced)
        acc_layout.addWidget(self.advanced_button)
        self.advanced = QWidget(acc)
        self.advanced.setObjectName("advancedPhone")
        adv = QFormLayout(self.advanced)
        adv.setContentsMargins(16, 0, 0, 0)
        self.advanced_note = QLabel(self.advanced)
        self.advanced_note.setWordWrap(True)
        adv.addRow(self.advanced_note)
        self.sip_user = QLineEdit(settings.account.user, self.advanced)
        self.sip_domain = QLineEdit(settings.account.domain, self.advanced)
        self.registrars = QPlainTextEdit("\n".join(settings.account.registrars), self.advanced)
        self.registrars.setTabChangesFocus(True)
        self.registrars.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.sip_password = QLineEdit(self.advanced)
        self.sip_password.setEchoMode(QLineEdit.EchoMode.Password)
        for key, widget in (("sip_user", self.sip_user), ("sip_domain", self.sip_domain),
                            ("registrars", self.registrars), ("sip_password", self.sip_password)):
            adv.addRow(self._label(key, widget, self.advanced), widget)
        acc_layout.addWidget(self.advanced)
        acc_layout.addStretch(1)
        self.advanced.setVisible(False)
        self.tabs.addTab(scrolling(acc), "")

        # devices: human names, the system's default marked
        dev = QWidget(self)
        dform = QFormLayout(dev)
        self.call_device = QComboBox(dev)
        self.ring_device = QComboBox(dev)
        self.mic_device = QComboBox(dev)
        inputs, outputs = devices()
        self._device_lists = {"call": choices(outputs), "ring": choices(outputs), "mic": choices(inputs)}
        for combo, kind, current in ((self.call_device, "call", settings.audio.call_device),
                                     (self.ring_device, "ring", settings.audio.ring_device),
                                     (self.mic_device, "mic", "")):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(24)
            combo.addItem("", "")  # the system default; its text is set in retranslate()
            for choice in self._device_lists[kind]:
                combo.addItem(choice.name, choice.ident)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
        self.ring_on_headset = QCheckBox(dev)
        self.ring_on_headset.setChecked(settings.audio.ring_on_headset)
        self.headset_buttons = QCheckBox(dev)
        self.headset_buttons.setChecked(settings.audio.headset_buttons)
        self.test_tone = QPushButton(dev)
        self.test_tone.clicked.connect(self.play_test_tone)
        self.mic_level = QProgressBar(dev)
        self.mic_level.setRange(0, 60)
        self.mic_level.setTextVisible(False)
        self.mic_button = QPushButton(dev)
        self.mic_button.setCheckable(True)
        self.mic_button.toggled.connect(self.toggle_meter)
        for key, widget in (("call_device", self.call_device), ("ring_device", self.ring_device),
                            ("mic_device", self.mic_device)):
            dform.addRow(self._label(key, widget, dev), widget)
        dform.addRow(self.ring_on_headset)
        dform.addRow(self.headset_buttons)
        dform.addRow(self.test_tone)
        dform.addRow(self.mic_button, self.mic_level)
        self.tabs.addTab(scrolling(dev), "")
        self.meter_timer = QTimer(self)
        self.meter_timer.setInterval(100)
        self.meter_timer.timeout.connect(lambda: self.mic_level.setValue(int(max(0.0, self.meter.level_db + 60))))

        # voice processing
        voice = QWidget(self)
        vlayout = QVBoxLayout(voice)
        self.echo = QCheckBox(voice)
        self.echo.setChecked(settings.audio.echo_cancellation)
        self.noise = QCheckBox(voice)
        self.noise.setChecked(settings.audio.noise_suppression)
        self.gain = QCheckBox(voice)
        self.gain.setChecked(settings.audio.auto_gain)
        self.voice_note = QLabel(voice)
        self.voice_note.setWordWrap(True)
        vlayout.addWidget(self.voice_note)
        for w in (self.echo, self.noise, self.gain):
            vlayout.addWidget(w)
        vlayout.addStretch(1)
        self.tabs.addTab(scrolling(voice), "")

        # general: language, start with the system
        general = QWidget(self)
        gform = QFormLayout(general)
        self.language = QComboBox(general)
        self.language.addItem("日本語", "ja")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if settings.language == "ja" else 1)
        self.start_with_system = QCheckBox(general)
        self.start_with_system.setChecked(settings.start_with_system)
        gform.addRow(self._label("language", self.language, general), self.language)
        gform.addRow(self.start_with_system)
        self.tabs.addTab(scrolling(general), "")

        # shortcuts: a key box records only after Enter, Space or a click (agentdesk/ui/settings/keys.py)
        keys = QWidget(self)
        klayout = QVBoxLayout(keys)
        self.keys_note = QLabel(keys)
        self.keys_note.setObjectName("shortcutsNote")
        self.keys_note.setWordWrap(True)
        klayout.addWidget(self.keys_note)
        kform = QFormLayout()
        self.key_edits: dict[str, ShortcutEdit] = {}
        current = effective(settings.shortcuts)
        for name in DEFAULT_SHORTCUTS:
            edit = ShortcutEdit(current[name], keys)
            edit.setObjectName(f"shortcut_{name}")
            edit.refused.connect(self._key_refused)
            edit.recordingChanged.connect(self._key_recording)
            edit.changed.connect(lambda _value: self.keys_problem.setText(""))
            self.key_edits[name] = edit
            kform.addRow(self._label(f"key_{name}", edit, keys), edit)
        klayout.addLayout(kform)
        self.keys_problem = QLabel(keys)
        self.keys_problem.setObjectName("shortcutRefused")
        self.keys_problem.setStyleSheet("color:#c62828")
        self.keys_problem.setWordWrap(True)
        klayout.addWidget(self.keys_problem)
        self.reset_keys = QPushButton(keys)
        self.reset_keys.setAutoDefault(False)
        self.reset_keys.clicked.connect(self._reset_keys)
        klayout.addWidget(self.reset_keys, 0, Qt.AlignmentFlag.AlignLeft)
        klayout.addStretch(1)
        self.tabs.addTab(scrolling(keys), "")

        self.problem = QLabel(self)
        self.problem.setStyleSheet("color:#c62828")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.center_url.setFocus()  # never a key box: focus there must not look like recording

    def _label(self, key: str, buddy: QWidget, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setBuddy(buddy)
        label.setWordWrap(False)
        self.labels[key] = label
        return label

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.advanced_button.setText(self.tr("Hide advanced &phone settings") if shown
                                     else self.tr("Show advanced &phone settings"))

    def _open_advanced(self, shown: bool) -> None:
        self._show_advanced(shown)
        if shown:
            self.sip_user.setFocus()

    def _key_refused(self, reason: str) -> None:
        self.keys_problem.setText(reason)

    def _key_recording(self, on: bool) -> None:
        if on:
            self.keys_problem.setText(self.tr("Press the new key combination, or Esc to keep the old one."))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for i, title in enumerate((self.tr("&Account"), self.tr("&Devices"), self.tr("&Voice processing"),
                                   self.tr("&General"), self.tr("&Shortcuts"))):
            self.tabs.setTabText(i, title)
        texts = {
            "center_url": self.tr("Center &URL (empty: practice center)"), "agent_id": self.tr("Agent &ID"),
            "center_password": self.tr("Center pass&word"), "landline": self.tr("&Landline number"), "sip_user": self.tr("SIP user &name"),
            "sip_domain": self.tr("SIP do&main"), "registrars": self.tr("Phone servers (&registrars)"),
            "sip_password": self.tr("Phone accoun&t password"), "call_device": self.tr("Call device (&headset)"),
            "ring_device": self.tr("Ri&ng device"), "mic_device": self.tr("&Microphone"),
            "language": self.tr("&Language"),
            "key_work": self.tr("Start or end work"), "key_ready": self.tr("Ready"),
            "key_not_ready": self.tr("Not ready"), "key_break": self.tr("Break"),
            "key_answer": self.tr("Answer"), "key_hangup": self.tr("Hang up"), "key_hold": self.tr("Hold"),
            "key_mute": self.tr("Mute"), "key_escalate": self.tr("Escalate"),
            "key_raise_hand": self.tr("Raise hand"), "key_dtmf_pad": self.tr("Dial pad"),
            "key_notes": self.tr("Notes"), "key_submit_wrap_up": self.tr("Finish wrap-up"),
            "key_practice": self.tr("Practice call"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
            buddy = self.labels[key].buddy()
            if buddy is not None:
                buddy.setAccessibleName(text.replace("&", ""))
        self.account_note.setText(self.tr("Passwords are kept in the system keyring, never in a file. "
                                          "Leave a password field empty to keep the saved one."))
        self._show_advanced(self.advanced_button.isChecked())
        self.advanced_button.setAccessibleName(self.tr("Advanced phone settings"))
        self.advanced_note.setText(self.tr(
            "Your phone account. The center fills these in when you sign in: change them only when support asks "
            "you to. The phone servers (registrars) are the center's addresses your phone signs in to, one per "
            "line, such as sip:sip1.example.jp:5060; the first that answers is used."))
        self.registrars.setPlaceholderText("sip:sip1.example.jp:5060")
        for combo, kind in ((self.call_device, "call"), (self.ring_device, "ring"), (self.mic_device, "mic")):
            default = next((c for c in self._device_lists[kind] if c.is_default), None)
            combo.setItemText(0, self.tr("System default (%1)").replace("%1", default.name) if default
                              else self.tr("System default"))
            for i, choice in enumerate(self._device_lists[kind], start=1):
                combo.setItemText(i, self.tr("%1 (system default)").replace("%1", choice.name)
                                  if choice.is_default else choice.name)
        self.ring_on_headset.setText(self.tr("Ring on the headset &too"))
        self.headset_buttons.setText(self.tr("Use the headset's call &buttons (answer, hang up, mute)"))
        self.fixed_line.setText(self.tr("Take calls on my landline (&fixed-line mode: the center calls it)"))
        self.fixed_line.setAccessibleName(self.tr("Fixed-line mode"))
        self.test_tone.setText(self.tr("Play a t&est tone"))
        self.mic_button.setText(self.tr("Microphone &level"))
        self.mic_level.setAccessibleName(self.tr("Microphone level"))
        self.voice_note.setText(self.tr("These clean up your voice before the customer hears it. Leave them on "
                                        "unless support asks you to change them."))
        self.echo.setText(self.tr("&Echo cancellation (the customer does not hear themselves)"))
        self.noise.setText(self.tr("&Noise suppression (room noise is filtered out)"))
        self.gain.setText(self.tr("Automatic &loudness (gain) control"))
        self.start_with_system.setText(self.tr("Start AgentDesk &when the computer starts"))
        self.keys_note.setText(self.tr("Select a shortcut and press Enter, then press the new keys. Esc cancels, "
                                       "Backspace removes the shortcut. A shortcut needs Ctrl or a function key "
                                       "(F1-F12)."))
        self.reset_keys.setText(self.tr("&Restore the default shortcuts"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            for edit in self.key_edits.values():
                edit.setKeySequence(edit.keySequence())
        super().changeEvent(event)

    def play_test_tone(self) -> None:
        player = self.sound or SoundPlayer(str(self.ring_device.currentData() or ""))
        player.device = str(self.ring_device.currentData() or "")
        player.play("ring")

    def toggle_meter(self, on: bool) -> None:
        if on:
            if self.meter.start(str(self.mic_device.currentData() or "")):
                self.meter_timer.start()
            else:
                self.problem.setText(self.tr("The microphone could not be opened."))
                self.mic_button.setChecked(False)
        else:
            self.meter_timer.stop()
            self.meter.stop()
            self.mic_level.setValue(0)

    def _reset_keys(self) -> None:
        for name, edit in self.key_edits.items():
            edit.setKeySequence(QKeySequence(DEFAULT_SHORTCUTS[name]))

    def shortcut_values(self) -> dict[str, str]:
        return {name: edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
                for name, edit in self.key_edits.items()}

    def validate(self) -> str:
        values = self.shortcut_values()
        for name, value in values.items():
            reason = refusal(value)
            if reason is not None:
                self.tabs.setCurrentIndex(4)
                return f"{self.labels['key_' + name].text()}: {reason}"
        keys = [k for k in values.values() if k]
        if len(keys) != len(set(keys)):
            return self.tr("Two actions have the same shortcut.")
        if self.fixed_line.isChecked():
            from agentdesk.center.fixed_line import validate_fixed_line

            checked = validate_fixed_line(self.landline.text())
            if not checked.ok and checked.problem is not None:
                self.tabs.setCurrentIndex(0)
                return checked.problem.pick(self.settings.language)
        url = self.center_url.text().strip()
        if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            return self.tr("The center URL must start with https://.")
        for line in self.registrars.toPlainText().split():
            if not line.startswith(("sip:", "sips:")):
                self.advanced_button.setChecked(True)
                return self.tr("Each phone server (registrar) must be a SIP address (sip:host:port).")
        return ""
    def save(self) -> None:
        """Check the form; store the passwords in the keyring on a worker (a keyring can wait on the OS for
        seconds: an unlock prompt, D-Bus), then apply the rest. The dialog closes only once the keyring took them."""
        problem = self.validate()
        if problem:
            self.problem.setText(problem)
            return
        secrets = self._secrets()
        if not secrets:
            self._apply(sip_ref="")
            return
        self.buttons.setEnabled(False)
        self.problem.setText(self.tr("Saving the passwords in the system keyring…"))

        def store() -> None:
            for ref, secret in secrets:
                credentials.set_secret(ref, secret)

        sip_ref = next((ref for ref, _ in secrets if ref.startswith("sip:")), "")
        self.jobs.run("settings-keyring", store, lambda _none: self._secrets_stored(sip_ref), self._keyring_failed)

    def _secrets(self) -> list[tuple[str, str]]:
        """(keyring reference, password) for each password field the agent filled in."""
        secrets: list[tuple[str, str]] = []
        agent_id = self.agent_id.text().strip()
        if self.center_password.text() and agent_id:
            secrets.append((f"center:{agent_id}", self.center_password.text()))
        user = self.sip_user.text().strip()
        if self.sip_password.text() and user:
            secrets.append((f"sip:{user}@{self.sip_domain.text().strip()}", self.sip_password.text()))
        return secrets

    def _secrets_stored(self, sip_ref: str) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText("")
        self.center_password.clear()
        self.sip_password.clear()
        self._apply(sip_ref)

    def _keyring_failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, credentials.KeyringUnavailable):
            self.problem.setText(exc.message.pick(self.settings.language))
        else:
            log.warning("the keyring refused the passwords: %s", type(exc).__name__)
            self.problem.setText(self.tr("The system keyring did not take the passwords; nothing was saved."))

    def _apply(self, sip_ref: str) -> None:
        s = self.settings
        s.center.base_url = self.center_url.text().strip()
        s.center.agent_id = self.agent_id.text().strip()
        s.center.mode = "fixed_line" if self.fixed_line.isChecked() else "softphone"
        if self.fixed_line.isChecked():
            from agentdesk.center.fixed_line import validate_fixed_line

            s.center.fixed_line_number = validate_fixed_line(self.landline.text()).national
        s.account.user = self.sip_user.text().strip()
        s.account.domain = self.sip_domain.text().strip()
        s.account.registrars = self.registrars.toPlainText().split()
        if sip_ref:
            s.account.credential_ref = sip_ref
        s.audio.call_device = str(self.call_device.currentData() or "")
        s.audio.ring_device = str(self.ring_device.currentData() or "")
        s.audio.ring_on_headset = self.ring_on_headset.isChecked()
        s.audio.headset_buttons = self.headset_buttons.isChecked()
        s.audio.echo_cancellation = self.echo.isChecked()
        s.audio.noise_suppression = self.noise.isChecked()
        s.audio.auto_gain = self.gain.isChecked()
        s.language = str(self.language.currentData())  # type: ignore[assignment]
        values = self.shortcut_values()
        s.shortcuts = {k: v for k, v in values.items() if v != DEFAULT_SHORTCUTS[k]}
        if self.start_with_system.isChecked() != s.start_with_system:
            try:
                autostart.set_enabled(self.start_with_system.isChecked())
                s.start_with_system = self.start_with_system.isChecked()
            except OSError as exc:
                self.problem.setText(self.tr("Could not change the start-up setting: %1").replace("%1", str(exc)))
                return
        self.accept()

    def done(self, result: int) -> None:
        self.meter_timer.stop()
        self.meter.stop()
        super().done(result)
