from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from agentdesk import credentials, paths


def test_secret_round_trip_in_the_keyring(memory_keyring) -> None:
    credentials.set_secret("agent7@agentdesk.test", "s3cret")
    assert credentials.get_secret("agent7@agentdesk.test") == "s3cret"
    assert memory_keyring.store[("AgentDesk", "agent7@agentdesk.test")] == "s3cret"
    credentials.delete_secret("agent7@agentdesk.test")
    assert credentials.get_secret("agent7@agentdesk.test") is None
    credentials.delete_secret("agent7@agentdesk.test")  # deleting twice is harmless


def test_secret_never_lands_in_a_file(tmp_path) -> None:
    credentials.set_secret("agent7", "unique-secret-value-42")
    for root in (paths.config_dir(), paths.data_dir(), paths.log_dir()):
        for f in root.rglob("*"):
            if f.is_file():
                assert b"unique-secret-value-42" not in f.read_bytes(), f


def test_no_keyring_is_a_clear_error_not_a_plaintext_fallback() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(credentials.KeyringUnavailable) as info:
            credentials.set_secret("agent7", "x")
        assert "キーリング" in info.value.message.ja
        assert credentials.get_secret("agent7") is None
    finally:
        keyring.set_keyring(previous)
