"""Credentials in the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service), service "AgentDesk".

Settings hold only a *reference* (the keyring user name); the secret itself never touches a file or a log.
When no usable keyring exists, the caller gets :class:`KeyringUnavailable` with a message it can show, never a
fallback to a plaintext file.

The backend is the platform's own, chosen by name (:func:`_platform_backend`), not by keyring's discovery, which
imports every installed backend to rank them (measured 2026-11-23: ~10 MB more in each process, and on a machine
with ``keyrings.alt`` installed discovery picked its *plaintext file* backend). ``PYTHON_KEYRING_BACKEND`` and
keyring's own config file still choose another (support staff, tests). ``keyring`` itself (~13 MB with its
dependencies) is imported on the first credential call, not when a module importing this one loads.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from agentdesk.i18n import Text

SERVICE = "AgentDesk"
log = logging.getLogger(__name__)

# the OS keyring per platform: (module, class) inside keyring.backends
PLATFORM_BACKENDS = {"win32": ("Windows", "WinVaultKeyring"), "darwin": ("macOS", "Keyring")}
DEFAULT_BACKEND = ("SecretService", "Keyring")  # Linux and the BSDs: the freedesktop Secret Service (GNOME, KDE)


def _platform_backend() -> Any:
    """The platform's keyring backend, or keyring's "fail" backend when it is not usable here."""
    import importlib

    from keyring.backends import fail

    module, name = PLATFORM_BACKENDS.get(sys.platform, DEFAULT_BACKEND)
    try:
        cls = getattr(importlib.import_module(f"keyring.backends.{module}"), name)
        cls.priority  # noqa: B018  (raises when the backend cannot work on this machine)
        return cls()
    except Exception as exc:
        log.info("the OS keyring (%s) is not usable here: %s", module, exc)
        return fail.Keyring()  # type: ignore[no-untyped-call]


def _keyring() -> Any:
    """The ``keyring`` module with a backend set: one already set (a test, an earlier call), else the one
    ``PYTHON_KEYRING_BACKEND`` or keyring's config file names, else the platform's (never discovery)."""
    import keyring
    import keyring.core
    import keyring.errors

    if getattr(keyring.core, "_keyring_backend", None) is None:
        keyring.set_keyring(keyring.core.load_env() or keyring.core.load_config() or _platform_backend())
    return keyring


class KeyringUnavailable(RuntimeError):
    message = Text(
        ja="パスワードを安全に保存する場所（OS のキーリング）が使えません。パスワードは保存されませんでした。",
        en="The OS keyring is not available, so the password was not saved.",
    )


def _usable() -> bool:
    backend = _keyring().get_keyring()
    # keyring's "fail" backend (no keyring at all) has priority 0 and raises on use.
    return not type(backend).__module__.startswith("keyring.backends.fail")


def set_secret(ref: str, secret: str) -> None:
    if not ref:
        raise ValueError("a credential reference is required")
    if not _usable():
        raise KeyringUnavailable()
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, ref, secret)
    except keyring.errors.KeyringError as exc:
        log.warning("keyring refused to store credential %r: %s", ref, type(exc).__name__)
        raise KeyringUnavailable() from exc


def get_secret(ref: str) -> str | None:
    if not ref or not _usable():
        return None
    keyring = _keyring()
    try:
        secret = keyring.get_password(SERVICE, ref)
        return None if secret is None else str(secret)
    except keyring.errors.KeyringError as exc:
        log.warning("keyring could not read credential %r: %s", ref, type(exc).__name__)
        return None


def delete_secret(ref: str) -> None:
    keyring = _keyring()
    try:
        keyring.delete_password(SERVICE, ref)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        log.warning("keyring could not delete credential %r: %s", ref, type(exc).__name__)


def backend_name() -> str:
    backend = _keyring().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"
