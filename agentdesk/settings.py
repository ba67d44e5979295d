"""The agent's settings: pydantic models with a versioned schema, stored as JSON in the user config directory.

Loading never crashes the app. A file that is unreadable, not JSON, or does not fit the schema is kept aside as
``settings.json.broken-YYYYmmdd-HHMMSS`` (nothing the agent set up is thrown away) and the safe defaults are
used; the reason comes back as a :class:`Text` for the UI or CLI to show. Files written by an older schema
version are migrated; files from a newer version are read as far as they fit and are not overwritten until the
agent saves.

Passwords are never part of the settings: they live in the OS keyring (``agentdesk.credentials``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentdesk import paths, safefiles
from agentdesk.i18n import Text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)


class TlsAccountSettings(_Model):
    """How the center's TLS certificate is checked (agentdesk/sip/tls_relay.py); empty: the OS trust store and the
    registrar's own host name."""

    server_name: str = ""  # the host name the certificate must name
    ca_pem: str = ""  # the center's CA (PEM text): then only it is trusted
    pins: list[str] = Field(default_factory=list)  # sha256 of the center's key (SubjectPublicKeyInfo)

    def engine_config(self) -> dict[str, Any]:
        """The engine's ``sip.tls`` (only what is set)."""
        out: dict[str, Any] = {}
        if self.server_name:
            out["server_name"] = self.server_name
        if self.ca_pem:
            out["ca_pem"] = self.ca_pem
        if self.pins:
            out["pin"] = list(self.pins)
        return out


class AccountSettings(_Model):
    """The SIP account. The password is in the keyring under ``credential_ref``."""

    user: str = ""
    domain: str = ""
    auth_user: str = ""
    display_name: str = ""
    registrars: list[str] = Field(default_factory=list)
    transport: Literal["udp", "tcp", "tls"] = "udp"
    srtp: Literal["off", "optional", "mandatory"] = "optional"
    codecs: list[str] = Field(default_factory=lambda: ["G722/16000", "PCMU/8000", "PCMA/8000"])
    credential_ref: str = ""
    tls: TlsAccountSettings = Field(default_factory=TlsAccountSettings)


class AudioSettings(_Model):
    call_device: str = ""  # stable device identity; "" = the system's default (communication) device
    ring_device: str = ""
    ring_on_headset: bool = False
    headset_buttons: bool = True  # the USB headset's call buttons and lights (docs/headset.md)
    echo_cancellation: bool = True
    noise_suppression: bool = True
    auto_gain: bool = True


class CenterSettings(_Model):
    base_url: str = ""  # "" = the embedded practice center
    agent_id: str = ""
    fixed_line_number: str = ""  # the agent's own landline for fixed-line mode (not customer data)
    mode: Literal["softphone", "fixed_line"] = "softphone"


class WindowSettings(_Model):
    geometry: str = ""  # base64 of QWidget.saveGeometry()
    state: str = ""


class Settings(_Model):
    schema_version: int = SCHEMA_VERSION
    language: Literal["ja", "en"] = "ja"
    start_with_system: bool = False
    account: AccountSettings = Field(default_factory=AccountSettings)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    center: CenterSettings = Field(default_factory=CenterSettings)
    window: WindowSettings = Field(default_factory=WindowSettings)
    shortcuts: dict[str, str] = Field(default_factory=dict)


class LoadResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    problem: Text | None = None
    kept_aside: Path | None = None
    writable: bool = True  # False for a file from a newer AgentDesk: do not overwrite it silently


def settings_path() -> Path:
    return paths.config_dir() / FILE_NAME


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older file up to SCHEMA_VERSION. Version 0 (no version field) had ``lang`` at the top."""
    version = data.get("schema_version", 0)
    if version == 0:
        if "lang" in data and "language" not in data:
            data["language"] = data.pop("lang")
        data["schema_version"] = 1
    return data


def _keep_aside(path: Path) -> Path:
    return safefiles.set_aside(path)


def load(path: Path | None = None) -> LoadResult:
    path = path or settings_path()
    if not path.exists():
        return LoadResult(settings=Settings())
    try:
        data = safefiles.read_json(path, max_bytes=1024 * 1024)  # bounded: a 100,000-deep file stopped every start
        if not isinstance(data, dict):
            raise ValueError("the top level is not an object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _broken(path, str(exc))
    version = data.get("schema_version", 0)
    writable = True
    if isinstance(version, int) and version > SCHEMA_VERSION:
        writable = False
        log.warning("settings file %s has schema version %s, newer than %s", path, version, SCHEMA_VERSION)
    try:
        settings = Settings.model_validate(_migrate(data))
    except RecursionError:
        return _broken(path, "nested too deeply")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _broken(path, f"{where}: {first.get('msg', 'invalid')}")
    if not writable:
        settings.schema_version = SCHEMA_VERSION
        return LoadResult(
            settings=settings,
            writable=False,
            problem=Text(
                ja="設定ファイルは新しいバージョンの AgentDesk で保存されています。読める項目だけを使います。",
                en="The settings file was saved by a newer AgentDesk. Only the parts this version knows are used.",
            ),
        )
    return LoadResult(settings=settings)


def _broken(path: Path, reason: str) -> LoadResult:
    try:
        aside = _keep_aside(path)
    except OSError:
        aside = None
    log.warning("settings file %s is unusable (%s); using defaults, kept aside as %s", path, reason, aside)
    return LoadResult(
        settings=Settings(),
        kept_aside=aside,
        problem=Text(
            ja="設定ファイルを読めなかったため、初期設定で起動しました（{reason}）。元のファイルは {aside} に保存してあります。",
            en="The settings file could not be read, so AgentDesk started with default settings ({reason}). "
            "The original file was kept as {aside}.",
        ).format(reason=reason, aside=aside or path),
    )


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = settings.model_dump(mode="json")
    payload["schema_version"] = SCHEMA_VERSION
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
