"""The shipped app starts whatever its files hold (issue 16): a damaged outbox and work log, a nested settings file,
a data folder that cannot be written. Real app start (``agentdesk --benchmark-startup``: the window shown, then
quit as the agent's Quit would), offscreen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start(env_dirs: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **env_dirs}
    done = subprocess.run([sys.executable, "-m", "agentdesk", "--benchmark-startup"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done, json.loads(lines[-1]) if lines else {}


def test_damaged_databases_and_settings_are_set_aside_and_the_window_opens(isolated_user_dirs: Path) -> None:
    """Before: sqlite3.DatabaseError from the outbox, RecursionError from settings: a traceback at start."""
    data, config, logs = (isolated_user_dirs / d for d in ("data", "config", "log"))
    (data / "outbox.sqlite3").write_bytes(b"not a database " * 300)
    (data / "worklog.sqlite3").write_bytes(b"not a database " * 300)
    (config / "settings.json").write_text("[" * 50_000 + "]" * 50_000)
    done, report = _start({})
    assert done.returncode == 0 and report.get("visible") is True, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for name in ("outbox.sqlite3", "worklog.sqlite3"):
        assert any(p.name.startswith(name + ".broken-") for p in data.iterdir()), name
    assert any(p.name.startswith("settings.json.broken-") for p in config.iterdir())
    log = (logs / "agentdesk.log").read_text(encoding="utf-8")
    assert "kept aside" in log and "shift screen could not start" not in log


def test_a_data_folder_that_cannot_be_written_says_so_and_the_window_opens(
        isolated_user_dirs: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be")
    done, report = _start({"AGENTDESK_DATA_DIR": str(blocker / "data")})
    assert done.returncode == 0 and report.get("visible") is True, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    log = (isolated_user_dirs / "log" / "agentdesk.log").read_text(encoding="utf-8")
    assert "cannot write to its data folder" in log
