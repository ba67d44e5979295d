from __future__ import annotations

import json
import os
import subprocess
import sys

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


def test_the_platform_keyring_is_chosen_by_name_never_by_discovery(monkeypatch, tmp_path) -> None:
    """Discovery imports every installed backend (~10 MB a process) and, with keyrings.alt installed (as here),
    ranks its plaintext file backend above "no keyring"; the app names the OS keyring instead (docs/memory.md)."""
    import keyring.core

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no keyringrc.cfg
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    chosen = credentials.backend_name()
    module, name = credentials.PLATFORM_BACKENDS.get(sys.platform, credentials.DEFAULT_BACKEND)
    assert chosen in (f"keyring.backends.{module}.{name}", "keyring.backends.fail.Keyring"), chosen
    assert "keyrings.alt" not in chosen and "Plaintext" not in chosen
    if chosen.endswith("fail.Keyring"):  # no Secret Service on this machine: a clear error, not a file
        with pytest.raises(credentials.KeyringUnavailable):
            credentials.set_secret("agent7", "x")


def test_the_environment_still_names_a_backend(monkeypatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    assert credentials.backend_name() == "keyring.backends.null.Keyring"


def test_keyring_loads_on_first_use_and_only_the_named_backend(tmp_path) -> None:
    code = ("import json, sys, agentdesk.credentials as c; before = 'keyring' in sys.modules; c.backend_name(); "
            "print(json.dumps([before, sorted({m.split('.')[2] for m in sys.modules if m.startswith('keyring.backends.')}),"
            " any(m.startswith('keyrings') for m in sys.modules)]))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"} | {"XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                         env=env)
    before, backends, alt = json.loads(out.stdout)
    assert before is False  # importing the module costs nothing
    module = credentials.PLATFORM_BACKENDS.get(sys.platform, credentials.DEFAULT_BACKEND)[0]
    assert set(backends) <= {module, "fail"} and module in backends, backends
    assert alt is False, "keyrings.alt (a plaintext file store) was imported"
