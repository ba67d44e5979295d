"""One AgentDesk per user and session: a second start in the same desktop session brings the running one forward
(exit 0); a start on another display or in another session says where it runs and exits with status 3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from agentdesk.ui.shell.single_instance import SingleInstance, same_session, server_name, session_identity

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import json, sys
from PySide6.QtCore import QCoreApplication, QTimer
from agentdesk.ui.shell.single_instance import SingleInstance
app = QCoreApplication([])
single = SingleInstance(lambda m: print("got", m, flush=True), identity=json.loads(sys.argv[1]))
assert single.listen()
print("listening", single.name, flush=True)
QTimer.singleShot(60000, app.quit)
app.exec()
"""


@pytest.fixture
def running_elsewhere(isolated_user_dirs: Path):
    """A running AgentDesk's single-instance server on display :91 (a process of its own)."""
    where = {"display": ":91", "session": "7", "host": session_identity()["host"]}
    import json

    proc = subprocess.Popen([sys.executable, "-c", HOLDER, json.dumps(where)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("listening " + server_name()), line
    yield proc, where
    proc.kill()
    proc.wait(10)


def test_a_start_in_the_same_session_brings_the_running_one_forward(qapp: QApplication, running_elsewhere) -> None:
    proc, where = running_elsewhere
    answer = SingleInstance(lambda m: None, identity=dict(where)).hand_over("show")
    assert answer.kind == "shown" and answer
    assert proc.stdout is not None and proc.stdout.readline().strip() == "got show"


def test_a_start_on_another_display_learns_where_the_running_one_is(qapp: QApplication, running_elsewhere) -> None:
    _proc, where = running_elsewhere
    here = {**where, "display": ":92", "session": "8"}
    answer = SingleInstance(lambda m: None, identity=here).hand_over("show")
    assert answer.kind == "elsewhere" and answer.where["display"] == ":91" and answer.where["session"] == "7"
    assert not same_session(here, where) and same_session(where, dict(where))


def test_the_app_started_on_another_display_says_so_and_exits_3(running_elsewhere) -> None:
    """The real `agentdesk` command, as an agent would start it a second time from another session."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":92",
           "XDG_SESSION_ID": "8"}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, "-m", "agentdesk", "--lang", "en"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "already running in another session or on another display (display :91, session 7)" in done.stderr
