"""The settings dialog: passwords to the keyring and never to a file, devices, voice processing, language,
shortcuts (conflicts refused), start with the system."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from agentdesk import credentials, settings
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.settings import autostart
from agentdesk.ui.settings.dialog import SettingsDialog
from agentdesk.ui.translation import LanguageSwitcher


@pytest.fixture(autouse=True)
def japanese(qapp) -> Iterator[None]:
    languages = LanguageSwitcher(qapp)
    languages.set_language("ja")
    yield
    languages.set_language("en")


def devices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return [("ALSA:USB Headset", "USB Headset")], [("ALSA:USB Headset", "USB Headset"), ("ALSA:Speakers", "Speakers")]


def make(qtbot, store: settings.Settings) -> SettingsDialog:
    dialog = SettingsDialog(store, devices=devices, sound=SoundPlayer(enabled=False))
    qtbot.addWidget(dialog)
    return dialog


def test_everything_is_saved_and_passwords_go_to_the_keyring_only(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    store = settings.Settings()
    d = make(qtbot, store)
    assert d.windowTitle() == "設定"
    assert d.tabs.tabText(0) == "アカウント(&A)"
    d.agent_id.setText("agent1001")
    d.center_password.setText("center-secret")
    d.sip_user.setText("agent1001")
    d.sip_domain.setText("center.example.jp")
    d.registrars.setPlainText("sip:sip1.example.jp:5060\nsip:sip2.example.jp:5060")
    d.sip_password.setText("sip-secret")
    d.call_device.setCurrentIndex(d.call_device.findData("ALSA:USB Headset"))
    d.ring_device.setCurrentIndex(d.ring_device.findData("ALSA:Speakers"))
    d.noise.setChecked(False)
    d.language.setCurrentIndex(d.language.findData("en"))
    d.key_edits["answer"].setKeySequence(QKeySequence("Ctrl+Shift+A"))
    d.start_with_system.setChecked(True)
    d.test_tone.click()
    assert d.sound.played == ["ring"] and d.sound.device == "ALSA:Speakers"
    d.buttons.accepted.emit()
    assert d.result() == d.DialogCode.Accepted
    saved = settings.save(store).read_text(encoding="utf-8")
    assert "secret" not in saved
    assert credentials.get_secret("center:agent1001") == "center-secret"
    assert credentials.get_secret("sip:agent1001@center.example.jp") == "sip-secret"
    assert store.account.credential_ref == "sip:agent1001@center.example.jp"
    assert store.account.registrars == ["sip:sip1.example.jp:5060", "sip:sip2.example.jp:5060"]
    assert store.audio.call_device == "ALSA:USB Headset" and store.audio.ring_device == "ALSA:Speakers"
    assert store.audio.noise_suppression is False and store.audio.echo_cancellation is True
    assert store.language == "en"
    assert store.shortcuts == {"answer": "Ctrl+Shift+A"}
    assert store.start_with_system and autostart.is_enabled()
    assert "agentdesk" in (tmp_path / "xdg" / "autostart" / "agentdesk.desktop").read_text()


def test_bad_input_is_explained_and_nothing_is_saved(qtbot) -> None:
    store = settings.Settings()
    d = make(qtbot, store)
    d.key_edits["answer"].setKeySequence(QKeySequence("F6"))  # already hang up
    d.buttons.accepted.emit()
    assert "同じショートカット" in d.problem.text()
    assert store.shortcuts == {}
    d.key_edits["answer"].setKeySequence(QKeySequence("F5"))
    d.registrars.setPlainText("example.jp")
    d.buttons.accepted.emit()
    assert "SIP アドレス" in d.problem.text() and d.advanced.isVisibleTo(d)  # the advanced section opens
    assert store.account.registrars == []
    d.registrars.setPlainText("")
    d.center_url.setText("http://center.example.jp")
    d.buttons.accepted.emit()
    assert "https://" in d.problem.text() and store.center.base_url == ""


def test_every_field_has_an_accessible_name(qtbot) -> None:
    d = make(qtbot, settings.Settings())
    for label in d.labels.values():
        assert label.buddy() is not None and label.buddy().accessibleName()


def test_fixed_line_mode_takes_only_a_fixed_line_checked_by_the_line_checks_rule(qtbot) -> None:
    store = settings.Settings()
    d = make(qtbot, store)
    assert not d.landline.isEnabled()
    d.fixed_line.setChecked(True)
    assert d.landline.isEnabled()
    d.landline.setText("090-1234-5678")  # a mobile: refused with the line check's reason, nothing saved
    d.save()
    assert "携帯電話" in d.problem.text() and store.center.mode == "softphone"
    d.landline.setText("０３－１２３４－５６７８")  # full-width, as people type it
    d.save()
    assert store.center.mode == "fixed_line" and store.center.fixed_line_number == "03-1234-5678"


def test_passwords_go_to_the_keyring_off_the_gui_thread_and_the_dialog_waits_for_it(qtbot, monkeypatch) -> None:
    """The keyring can wait on the OS for seconds (an unlock prompt, D-Bus): the write is a job, the dialog
    stays open and its buttons wait until the keyring took the password; a refusal keeps the dialog open."""
    from agentdesk.agent.jobs import QueuedJobs

    jobs = QueuedJobs()
    store = settings.Settings()
    d = SettingsDialog(store, devices=devices, sound=SoundPlayer(enabled=False), jobs=jobs)
    qtbot.addWidget(d)
    d.sip_user.setText("agent1001")
    d.sip_domain.setText("center.example.jp")
    d.sip_password.setText("sip-secret")
    d.buttons.accepted.emit()
    assert jobs.names() == ["settings-keyring"]  # nothing written on the calling (GUI) thread
    assert credentials.get_secret("sip:agent1001@center.example.jp") is None
    assert not d.buttons.isEnabled() and "キーリング" in d.problem.text()
    assert d.result() != d.DialogCode.Accepted and store.account.credential_ref == ""
    jobs.run_pending()
    assert credentials.get_secret("sip:agent1001@center.example.jp") == "sip-secret"
    assert d.result() == d.DialogCode.Accepted and d.buttons.isEnabled()
    assert store.account.credential_ref == "sip:agent1001@center.example.jp" and d.sip_password.text() == ""

    refused = SettingsDialog(settings.Settings(), devices=devices, sound=SoundPlayer(enabled=False), jobs=jobs)
    qtbot.addWidget(refused)

    def no_keyring(ref: str, secret: str) -> None:
        raise credentials.KeyringUnavailable()

    monkeypatch.setattr(credentials, "set_secret", no_keyring)
    refused.agent_id.setText("agent1002")
    refused.center_password.setText("center-secret")
    refused.buttons.accepted.emit()
    jobs.run_pending()
    assert refused.result() != refused.DialogCode.Accepted and refused.buttons.isEnabled()
    assert "キーリング" in refused.problem.text() and refused.center_password.text() == "center-secret"
