"""The settings dialog: account (passwords to the keyring, never to a file), devices (call and ring device, test
tone, live microphone meter), voice processing, language, shortcuts, start with the system.

Layout and logic are small enough to share this module; nothing is written until the agent presses OK.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agentdesk import credentials
from agentdesk.settings import Settings
from agentdesk.ui.desk.shortcuts import DEFAULT_SHORTCUTS, effective
from agentdesk.ui.desk.sound import SoundPlayer, device_name
from agentdesk.ui.settings import autostart

log = logging.getLogger(__name__)


def list_devices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(inputs, outputs) as (identity, label), from the same list and host API the engine's headset backend uses,
    so a device chosen here is the one the engine opens; empty when PortAudio is unavailable."""
    try:
        from agentdesk.sip.audio import devices as audio_devices

        found = audio_devices.list_devices()
    except Exception as exc:
        log.info("no audio devices: %s", exc)
        return [], []
    inputs = [(d.id, d.name) for d in found if d.max_input_channels > 0]
    outputs = [(d.id, d.name) for d in found if d.max_output_channels > 0]
    return inputs, outputs


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
                 devices: Callable[[], tuple[list[tuple[str, str]], list[tuple[str, str]]]] = list_devices,
                 sound: SoundPlayer | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.settings = settings
        self.sound = sound
        self.meter = MicMeter()
        self.problems: list[str] = []
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)

        # account
        acc = QWidget(self)
        form = QFormLayout(acc)
        self.center_url = QLineEdit(settings.center.base_url, acc)
        self.agent_id = QLineEdit(settings.center.agent_id, acc)
        self.center_password = QLineEdit(acc)
        self.center_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sip_user = QLineEdit(settings.account.user, acc)
        self.sip_domain = QLineEdit(settings.account.domain, acc)
        self.registrars = QPlainTextEdit("\n".join(settings.account.registrars), acc)
        self.registrars.setTabChangesFocus(True)
        self.registrars.setMaximumHeight(80)
        self.sip_password = QLineEdit(acc)
        self.sip_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.account_note = QLabel(acc)
        self.account_note.setWordWrap(True)
        self.labels: dict[str, QLabel] = {}
        for key, widget in (("center_url", self.center_url), ("agent_id", self.agent_id),
                            ("center_password", self.center_password), ("sip_user", self.sip_user),
                            ("sip_domain", self.sip_domain), ("registrars", self.registrars),
                            ("sip_password", self.sip_password)):
            label = QLabel(acc)
            label.setBuddy(widget)
            self.labels[key] = label
            form.addRow(label, widget)
        form.addRow(self.account_note)
        self.tabs.addTab(acc, "")

        # devices
        dev = QWidget(self)
        dform = QFormLayout(dev)
        self.call_device = QComboBox(dev)
        self.ring_device = QComboBox(dev)
        self.mic_device = QComboBox(dev)
        inputs, outputs = devices()
        for combo, items, current in ((self.call_device, outputs, settings.audio.call_device),
                                      (self.ring_device, outputs, settings.audio.ring_device),
                                      (self.mic_device, inputs, "")):
            combo.addItem("", "")  # the system default; its text is set in retranslate()
            for ident, label in items:
                combo.addItem(label, ident)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
        self.ring_on_headset = QCheckBox(dev)
        self.ring_on_headset.setChecked(settings.audio.ring_on_headset)
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
            label = QLabel(dev)
            label.setBuddy(widget)
            self.labels[key] = label
            dform.addRow(label, widget)
        dform.addRow(self.ring_on_headset)
        dform.addRow(self.test_tone)
        dform.addRow(self.mic_button, self.mic_level)
        self.tabs.addTab(dev, "")
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
        for w in (self.echo, self.noise, self.gain):
            vlayout.addWidget(w)
        vlayout.addStretch(1)
        self.tabs.addTab(voice, "")

        # general: language, start with the system
        general = QWidget(self)
        gform = QFormLayout(general)
        self.language = QComboBox(general)
        self.language.addItem("日本語", "ja")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if settings.language == "ja" else 1)
        self.start_with_system = QCheckBox(general)
        self.start_with_system.setChecked(settings.start_with_system)
        label = QLabel(general)
        label.setBuddy(self.language)
        self.labels["language"] = label
        gform.addRow(label, self.language)
        gform.addRow(self.start_with_system)
        self.tabs.addTab(general, "")

        # shortcuts
        keys = QWidget(self)
        kform = QFormLayout(keys)
        self.key_edits: dict[str, QKeySequenceEdit] = {}
        current = effective(settings.shortcuts)
        for name in DEFAULT_SHORTCUTS:
            edit = QKeySequenceEdit(QKeySequence(current[name]), keys)
            edit.setObjectName(f"shortcut_{name}")
            self.key_edits[name] = edit
            label = QLabel(keys)
            label.setBuddy(edit)
            self.labels[f"key_{name}"] = label
            kform.addRow(label, edit)
        self.reset_keys = QPushButton(keys)
        self.reset_keys.clicked.connect(self._reset_keys)
        kform.addRow(self.reset_keys)
        self.tabs.addTab(keys, "")

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

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for i, title in enumerate((self.tr("&Account"), self.tr("&Devices"), self.tr("&Voice processing"),
                                   self.tr("&General"), self.tr("&Shortcuts"))):
            self.tabs.setTabText(i, title)
        texts = {
            "center_url": self.tr("Center &URL (empty: practice center)"), "agent_id": self.tr("Agent &ID"),
            "center_password": self.tr("Center &password"), "sip_user": self.tr("SIP &user"),
            "sip_domain": self.tr("SIP &domain"), "registrars": self.tr("&Registrars (one per line)"),
            "sip_password": self.tr("SIP pass&word"), "call_device": self.tr("&Call device"),
            "ring_device": self.tr("&Ring device"), "mic_device": self.tr("&Microphone"),
            "language": self.tr("&Language"),
            "key_work": self.tr("Start or end work"), "key_ready": self.tr("Ready"), "key_not_ready": self.tr("Not ready"), "key_break": self.tr("Break"),
            "key_answer": self.tr("Answer"), "key_hangup": self.tr("Hang up"), "key_hold": self.tr("Hold"),
            "key_mute": self.tr("Mute"), "key_escalate": self.tr("Escalate"),
            "key_raise_hand": self.tr("Raise hand"), "key_dtmf_pad": self.tr("Dial pad"),
            "key_notes": self.tr("Notes"), "key_submit_wrap_up": self.tr("Finish wrap-up"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
            buddy = self.labels[key].buddy()
            if buddy is not None:
                buddy.setAccessibleName(text.replace("&", ""))
        self.account_note.setText(self.tr("Passwords are kept in the system keyring, never in a file. "
                                          "Leave a password field empty to keep the saved one."))
        for combo in (self.call_device, self.ring_device, self.mic_device):
            combo.setItemText(0, self.tr("System default"))
        self.ring_on_headset.setText(self.tr("Ring on the &headset too"))
        self.test_tone.setText(self.tr("Play a &test tone"))
        self.mic_button.setText(self.tr("Microphone &level"))
        self.mic_level.setAccessibleName(self.tr("Microphone level"))
        self.echo.setText(self.tr("&Echo cancellation"))
        self.noise.setText(self.tr("&Noise suppression"))
        self.gain.setText(self.tr("Automatic &gain control"))
        self.start_with_system.setText(self.tr("&Start AgentDesk with the system"))
        self.reset_keys.setText(self.tr("Restore &default shortcuts"))

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
        return {name: edit.keySequence().toString() for name, edit in self.key_edits.items()}

    def validate(self) -> str:
        keys = [k for k in self.shortcut_values().values() if k]
        if len(keys) != len(set(keys)):
            return self.tr("Two actions have the same shortcut.")
        url = self.center_url.text().strip()
        if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            return self.tr("The center URL must start with https://.")
        for line in self.registrars.toPlainText().split():
            if not line.startswith(("sip:", "sips:")):
                return self.tr("Each registrar must be a SIP URI (sip:host:port).")
        return ""

    def save(self) -> None:
        problem = self.validate()
        if problem:
            self.problem.setText(problem)
            return
        s = self.settings
        s.center.base_url = self.center_url.text().strip()
        s.center.agent_id = self.agent_id.text().strip()
        s.account.user = self.sip_user.text().strip()
        s.account.domain = self.sip_domain.text().strip()
        s.account.registrars = self.registrars.toPlainText().split()
        try:
            if self.center_password.text() and s.center.agent_id:
                credentials.set_secret(f"center:{s.center.agent_id}", self.center_password.text())
            if self.sip_password.text() and s.account.user:
                ref = f"sip:{s.account.user}@{s.account.domain}"
                credentials.set_secret(ref, self.sip_password.text())
                s.account.credential_ref = ref
        except credentials.KeyringUnavailable as exc:
            self.problem.setText(exc.message.pick(s.language))
            return
        s.audio.call_device = str(self.call_device.currentData() or "")
        s.audio.ring_device = str(self.ring_device.currentData() or "")
        s.audio.ring_on_headset = self.ring_on_headset.isChecked()
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
        self.center_password.clear()
        self.sip_password.clear()
        self.accept()

    def done(self, result: int) -> None:
        self.meter_timer.stop()
        self.meter.stop()
        super().done(result)
