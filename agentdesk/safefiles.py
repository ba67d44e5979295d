"""The app's own files, handled so that nothing in them can stop it and nobody else can read them.

- :func:`read_json`: a size and nesting bound (a 100,000-deep settings.json raised RecursionError on every start);
- :func:`set_aside`: a file that cannot be used is renamed ``NAME.broken-YYYYmmdd-HHMMSS`` (kept, never deleted);
- :func:`open_sqlite`: a database that is damaged (not a database, a bad page) is set aside and a fresh one made,
  with a bilingual message; a folder that cannot be written gives :class:`StorageError` with a message, never a
  traceback;
- privacy (POSIX): every folder the app makes is 0700 and every file 0600 (:func:`make_private`, and the process
  umask 077 from :func:`private_umask`); on Windows the per-user profile folders (``%LOCALAPPDATA%``) are
  readable only by the user, SYSTEM and administrators by their default ACL, which the app keeps (docs/security.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from agentdesk.i18n import Text

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_JSON_DEPTH = 32


class StorageError(OSError):
    """A file or folder the app needs cannot be used; ``message`` says so for the agent (an OSError: code that
    already copes with OSError copes with this)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a decoded JSON value; counting stops past ``limit``."""
    best = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict | list):
            best = max(best, d)
            if best > limit:
                return best
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, d + 1) for c in children if isinstance(c, dict | list))
    return best


def loads_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads with a nesting bound: ValueError (a sentence) instead of RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested too deeply (more than {max_depth} levels)") from None
    if json_depth(value, max_depth) > max_depth:
        raise ValueError(f"nested too deeply (more than {max_depth} levels)")
    return value


def read_json(path: Path, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH,
              encoding: str = "utf-8") -> Any:
    """A JSON file, bounded: OSError, UnicodeDecodeError or ValueError (json's, or a sentence) for anything else."""
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError(f"larger than {max_bytes // 1024} KiB")
    return loads_json(raw.decode(encoding), max_depth)


def set_aside(path: Path) -> Path:
    """Rename an unusable file out of the way (kept for support); returns its new name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        n += 1
    os.replace(path, aside)
    for suffix in ("-wal", "-shm", "-journal"):  # SQLite's companions belong to the damaged file
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            with contextlib.suppress(OSError):
                os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


def private_umask() -> None:
    """Files and folders this process creates from now on are the user's alone (POSIX; no-op on Windows)."""
    if os.name == "posix":
        os.umask(0o077)


def make_private(path: Path) -> None:
    """0700 for a folder, 0600 for a file (POSIX). An existing file made before this version is tightened too."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
        want = 0o700 if stat.S_ISDIR(mode) else 0o600
        if stat.S_IMODE(mode) & 0o077:
            os.chmod(path, want)
    except OSError as exc:
        log.info("cannot make %s private: %s", path, exc)


def make_tree_private(root: Path) -> None:
    """The folder and everything in it (the app's own data/log/config folders only)."""
    make_private(root)
    with contextlib.suppress(OSError):
        for entry in root.rglob("*"):
            if not entry.is_symlink():
                make_private(entry)


UNWRITABLE = Text(
    ja="AgentDesk のデータを保存するフォルダーに書き込めません（{path}）。空き容量とフォルダーの権限を確認してください。",
    en="AgentDesk cannot write to its data folder ({path}). Please check the free disk space and the folder's "
    "permissions.",
)
DAMAGED = Text(
    ja="{what}のファイルが壊れていたため、新しく作り直しました。元のファイルは {aside} に保存してあります。",
    en="The {what_en} file was damaged, so a new one was started. The original was kept as {aside}.",
)


def open_sqlite(path: Path, prepare: Callable[[sqlite3.Connection], None], what: Text,
                notice: Callable[[Text], None] | None = None, **connect: Any) -> sqlite3.Connection:
    """A SQLite database made ready by ``prepare`` (schema, pragmas). A damaged file is set aside and a fresh one
    made (``notice`` gets the message); a folder that cannot be written raises :class:`StorageError`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise StorageError(UNWRITABLE.format(path=str(path.parent))) from None
    for attempt in (1, 2):
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(path, **connect)
            db.execute("PRAGMA quick_check").fetchone()
            prepare(db)
            make_private(path)
            return db
        except sqlite3.DatabaseError as exc:
            if db is not None:
                with contextlib.suppress(Exception):
                    db.close()
            text = str(exc).lower()
            unwritable = isinstance(exc, sqlite3.OperationalError) and (
                "unable to open" in text or "readonly" in text or "read-only" in text or "disk" in text)
            if unwritable or attempt == 2:
                raise StorageError(UNWRITABLE.format(path=str(path.parent))) from None
            try:
                aside = set_aside(path)
            except OSError:
                raise StorageError(UNWRITABLE.format(path=str(path.parent))) from None
            log.warning("%s was damaged (%s): kept aside as %s, a new one started", path, exc, aside)
            if notice is not None:
                notice(DAMAGED.format(what=what.ja, what_en=what.en, aside=str(aside)))
    raise StorageError(UNWRITABLE.format(path=str(path.parent)))  # pragma: no cover - the loop returns or raises


