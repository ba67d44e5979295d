"""The app's own files cannot stop it (issue 16): bounded, set aside with a bilingual message, private. Each test
says how it failed before (3a9e0b5)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentdesk import log as agentdesk_log
from agentdesk import paths, safefiles, settings
from agentdesk.agent.worklog import WorkLog
from agentdesk.center.outbox import Outbox
from agentdesk.support_scripts.loader import parse

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agentdesk", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def test_a_deeply_nested_settings_file_is_set_aside_and_the_app_starts_with_defaults() -> None:
    """Before: json.loads raised RecursionError (not caught) on every start: the app never opened."""
    path = settings.settings_path()
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    loaded = settings.load()
    assert loaded.settings == settings.Settings() and loaded.problem is not None
    assert loaded.problem.ja and loaded.problem.en and loaded.kept_aside is not None and loaded.kept_aside.exists()
    assert not path.exists()
    path.write_text('{"language": ' + "[" * 40 + "]" * 40 + "}", encoding="utf-8")
    assert settings.load().problem is not None  # nested past the bound even where json.loads copes


@pytest.mark.parametrize("make", [WorkLog, Outbox])
def test_a_damaged_database_is_set_aside_with_a_message_and_a_fresh_one_works(make: type) -> None:
    """Before: sqlite3.DatabaseError ("file is not a database") escaped the constructor: a traceback, and the shift
    screen did not start."""
    name = "worklog.sqlite3" if make is WorkLog else "outbox.sqlite3"
    path = paths.data_dir() / name
    path.write_bytes(b"this is not SQLite " * 500)
    store = make()
    try:
        assert store.notice is not None and "壊れて" in store.notice.ja and "damaged" in store.notice.en
        kept = [p for p in path.parent.iterdir() if p.name.startswith(name + ".broken-")]
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not SQLite")
        if make is Outbox:
            store.enqueue("state_change", {"state": "ready", "at": "2026-11-22T10:00:00+09:00"})
            assert store.counts()["pending"] == 1
            assert store.problem() is not None and store.problem().code == "damaged"  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_data_folder_that_cannot_be_written_gives_a_message_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: sqlite3.OperationalError / FileNotFoundError tracebacks."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(safefiles.StorageError) as err:
        Outbox(blocker / "outbox.sqlite3")
    assert "書き込めません" in err.value.message.ja and "cannot write" in err.value.message.en
    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(blocker / "data"))
    done = _cli("center", "outbox")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "書き込めません" in done.stderr


def test_a_log_folder_that_cannot_be_written_does_not_stop_the_app(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: FileNotFoundError/PermissionError from logging.FileHandler stopped the app at start."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("AGENTDESK_LOG_DIR", str(blocker / "logs"))
    try:
        agentdesk_log.setup(file_name="unit.log")
        logging.getLogger("t").warning("still logging")
        assert "cannot write the log file" in capsys.readouterr().err
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_agentdesk", False):
                logging.getLogger().removeHandler(handler)


def test_a_yaml_bomb_in_a_support_script_is_a_problem_not_a_hang() -> None:
    """Before: 8 levels of 9 aliases (a 400-byte file) were expanded without bound: no answer within 120 s."""
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    prev = "a"
    for n in "bcdefgh":
        bomb += f"{n}: &{n} [" + ",".join(f"*{prev}" for _ in range(9)) + "]\n"
        prev = n
    start = time.monotonic()
    doc = parse(bomb, "bomb.yaml")
    assert time.monotonic() - start < 2.0
    assert doc.fatal and any("aliases" in p.message.en for p in doc.problems)
    assert parse("[" * 200_000 + "]" * 200_000, "deep.yaml").fatal
    assert parse("a: &a [*a]\n", "loop.yaml").fatal


@pytest.mark.parametrize("plan", [
    '{"slots": [{"date": "0001-01-01", "start": "10:00", "end": "15:00"}]}',
    '{"slots": [{"date": "9999-12-31", "start": "10:00", "end": "15:00"}]}',
    "[" * 100_000 + "]" * 100_000,
    '{"slots": [{"date": "2027-01-04", "start": "10:00", "end": "15:00"}], "period": {"from": "0001-01-01", '
    '"to": "9999-12-31"}}',
])
def test_availability_plans_with_impossible_years_exit_2_with_a_message(plan: str, tmp_path: Path) -> None:
    """Before: OverflowError / RecursionError tracebacks and exit 1 ("invalid")."""
    path = tmp_path / "plan.json"
    path.write_text(plan, encoding="utf-8")
    done = _cli("availability", "validate", str(path), "--today", "2027-01-01")
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()


@pytest.mark.parametrize("rules", ['{"min_entry_hours": 1e400}', '{"entry_lead_days": 100000000000000000000000}',
                                   '{"service_start": "99:99"}', "[1]"])
def test_availability_rules_with_huge_numbers_exit_2(rules: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"slots": [{"date": "2027-01-04", "start": "10:00", "end": "15:00"}]}', encoding="utf-8")
    rules_path = tmp_path / "rules.json"
    rules_path.write_text(rules, encoding="utf-8")
    done = _cli("availability", "validate", str(plan), "--today", "2027-01-01", "--rules", str(rules_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows keeps the profile's ACL")
def test_every_file_and_folder_the_app_writes_is_the_users_alone(isolated_user_dirs: Path) -> None:
    """Before: 0644 files (the outbox, the work log, engine.log, training recordings) and 0755 folders."""
    for sub in ("config", "data", "log"):
        os.chmod(isolated_user_dirs / sub, 0o755)  # as an older version left them
    old_log = isolated_user_dirs / "log" / "agentdesk.log"
    old_log.write_text("an old line\n")
    os.chmod(old_log, 0o644)
    done = _cli("center", "outbox")  # a CLI run: umask 077, the folders and the old log tightened on use
    assert done.returncode in (0, 1), done.stderr
    box = Outbox()
    box.enqueue("state_change", {"state": "ready", "at": "2026-11-22T10:00:00+09:00"})
    box.close()
    WorkLog().close()
    settings.save(settings.Settings())
    agentdesk_log.setup(file_name="agentdesk.log", to_stderr=False)
    logging.getLogger("t").info("a line")
    loose = [f"{p}: {stat.filemode(p.stat().st_mode)}" for p in isolated_user_dirs.rglob("*")
             if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == [], loose


def test_customer_numbers_are_masked_even_at_debug_level(isolated_user_dirs: Path) -> None:
    """Before: pjsua's message dumps at debug level (and its call dump at the default level) wrote the number
    whole. Now every handler masks all but the last two digits."""
    path = agentdesk_log.setup(file_name="masked.log", level=logging.DEBUG, to_stderr=False)
    try:
        logging.getLogger("agentdesk.sip.pjsip").debug(
            'RX 512 bytes Request msg INVITE\r\nFrom: "山田" <sip:0312345678@center.example.jp>;tag=1\r\n'
            "P-Asserted-Identity: <tel:+81-90-1234-5678>\r\nX-Callback: 090-1234-5678\r\n")
        logging.getLogger("agentdesk.sip.pjsip").info("  [DISCONNECTED] To: <sip:0312345678@agentdesk.test>;tag=x")
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_agentdesk", False):
                handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "0312345678" not in text and "1234-5678" not in text and "12345678" not in text
    assert "********78" in text and "sip:agent1" not in text
