"""Where AgentDesk keeps its files: the platform's user directories (platformdirs), overridable for tests.

``AGENTDESK_CONFIG_DIR``, ``AGENTDESK_DATA_DIR`` and ``AGENTDESK_LOG_DIR`` replace the platform directories; the
test suite points them at temporary folders so that a test never touches the real user's files. Each folder is
the user's alone (0700 on POSIX; the profile's own ACL on Windows: agentdesk/safefiles.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from agentdesk import APP_NAME

_APP_DIRS = platformdirs.PlatformDirs(appname=APP_NAME, appauthor=False, roaming=False)


def _dir(env: str, default: str) -> Path:
    from agentdesk.safefiles import UNWRITABLE, StorageError, make_private

    path = Path(os.environ.get(env) or default)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        raise StorageError(UNWRITABLE.format(path=str(path))) from None
    make_private(path)
    return path


def config_dir() -> Path:
    return _dir("AGENTDESK_CONFIG_DIR", _APP_DIRS.user_config_dir)


def data_dir() -> Path:
    return _dir("AGENTDESK_DATA_DIR", _APP_DIRS.user_data_dir)


def log_dir() -> Path:
    return _dir("AGENTDESK_LOG_DIR", _APP_DIRS.user_log_dir)


def resources_dir() -> Path:
    """The shipped resources (translations, sounds, scripts): beside the package, or inside a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
