from __future__ import annotations

import json
from pathlib import Path

from agentdesk import settings


def test_defaults_when_no_file() -> None:
    result = settings.load()
    assert result.problem is None
    assert result.settings.language == "ja"
    assert result.settings.schema_version == settings.SCHEMA_VERSION


def test_round_trip(tmp_path: Path) -> None:
    s = settings.Settings()
    s.language = "en"
    s.account.user = "agent7"
    s.account.registrars = ["sip:127.0.0.1:5060", "sip:127.0.0.2:5060"]
    path = settings.save(s)
    again = settings.load(path)
    assert again.problem is None
    assert again.settings == s


def test_broken_json_gives_defaults_a_message_and_keeps_the_file() -> None:
    path = settings.settings_path()
    path.write_text('{"language": "en", ', encoding="utf-8")
    result = settings.load()
    assert result.settings == settings.Settings()
    assert result.problem is not None
    assert "設定ファイル" in result.problem.ja and "settings file" in result.problem.en
    assert result.kept_aside is not None and result.kept_aside.read_text() == '{"language": "en", '
    assert not path.exists()


def test_wrong_types_give_defaults_and_name_the_field() -> None:
    settings.settings_path().write_text(json.dumps({"schema_version": 1, "language": "fr"}), encoding="utf-8")
    result = settings.load()
    assert result.settings.language == "ja"
    assert result.problem is not None and "language" in result.problem.en


def test_not_utf8_is_handled() -> None:
    settings.settings_path().write_bytes(b"\xff\xfe\x00garbage")
    result = settings.load()
    assert result.problem is not None and result.settings == settings.Settings()


def test_old_version_is_migrated() -> None:
    settings.settings_path().write_text(json.dumps({"lang": "en"}), encoding="utf-8")
    result = settings.load()
    assert result.problem is None
    assert result.settings.language == "en"


def test_newer_version_is_read_but_not_marked_writable() -> None:
    settings.settings_path().write_text(
        json.dumps({"schema_version": 99, "language": "en", "future_thing": {"a": 1}}), encoding="utf-8")
    result = settings.load()
    assert result.settings.language == "en"
    assert result.writable is False and result.problem is not None


def test_save_is_atomic_and_never_contains_a_password() -> None:
    s = settings.Settings()
    s.account.credential_ref = "agent7@agentdesk.test"
    text = settings.save(s).read_text(encoding="utf-8")
    assert "password" not in text.lower()
    assert list(settings.settings_path().parent.glob(".settings-*")) == []
