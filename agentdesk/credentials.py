"""Credentials in the OS keyring (Windows Credential Manager, macOS Keychain, Secret Service), service "AgentDesk".

Settings hold only a *reference* (the keyring user name); the secret itself never touches a file or a log.
When no usable keyring exists, the caller gets :class:`KeyringUnavailable` with a message it can show, never a
fallback to a plaintext file.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

from agentdesk.i18n import Text

SERVICE = "AgentDesk"
log = logging.getLogger(__name__)


class KeyringUnavailable(RuntimeError):
    message = Text(
        ja="パスワードを安全に保存する場所（OS のキーリング）が使えません。パスワードは保存されませんでした。",
        en="The OS keyring is not available, so the password was not saved.",
    )


def _usable() -> bool:
    backend = keyring.get_keyring()
    # keyring's "fail" backend (no keyring at all) has priority 0 and raises on use.
    return not type(backend).__module__.startswith("keyring.backends.fail")


def set_secret(ref: str, secret: str) -> None:
    if not ref:
        raise ValueError("a credential reference is required")
    if not _usable():
        raise KeyringUnavailable()
    try:
        keyring.set_password(SERVICE, ref, secret)
    except keyring.errors.KeyringError as exc:
        log.warning("keyring refused to store credential %r: %s", ref, type(exc).__name__)
        raise KeyringUnavailable() from exc


def get_secret(ref: str) -> str | None:
    if not ref or not _usable():
        return None
    try:
        return keyring.get_password(SERVICE, ref)
    except keyring.errors.KeyringError as exc:
        log.warning("keyring could not read credential %r: %s", ref, type(exc).__name__)
        return None


def delete_secret(ref: str) -> None:
    try:
        keyring.delete_password(SERVICE, ref)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        log.warning("keyring could not delete credential %r: %s", ref, type(exc).__name__)


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"
