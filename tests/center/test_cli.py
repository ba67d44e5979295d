"""``agentdesk center``: status, outbox, scenarios."""

from __future__ import annotations

import socket

import pytest

from agentdesk import settings as settings_mod
from agentdesk.center.outbox import Outbox
from agentdesk.cli import main
from tests.fakes.center_double import CenterDouble


def test_scenarios_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["center", "--lang", "en", "scenarios"]) == 0
    out = capsys.readouterr().out
    assert "line_fault_escalate" in out and "No internet" in out


def test_status_practice_configured_and_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["center", "status"]) == 0
    assert "練習センター" in capsys.readouterr().out
    with CenterDouble() as double:
        settings_mod.save(settings_mod.Settings(center=settings_mod.CenterSettings(base_url=double.url)))
        assert main(["center", "status"]) == 0
        assert "AgentDesk Center API" in capsys.readouterr().out
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings_mod.save(settings_mod.Settings(center=settings_mod.CenterSettings(base_url=f"http://127.0.0.1:{port}")))
    assert main(["center", "--lang", "en", "status"]) == 1
    assert "Cannot connect" in capsys.readouterr().out


def test_outbox_shows_refused_entries(capsys: pytest.CaptureFixture[str]) -> None:
    box = Outbox()
    box.enqueue("work_log", {"date": "2026-11-22"})
    key = box.enqueue("work_log", {"date": "2026-11-23"})
    box._db.execute("UPDATE outbox SET status = 'rejected', last_error = 'refused by center' WHERE idempotency_key = ?",
                    (key,))
    box.close()
    assert main(["center", "outbox"]) == 1
    out = capsys.readouterr().out
    assert "送信待ち 1 件" in out and "refused by center" in out
    assert main(["center"]) == 2


@pytest.mark.slow
def test_headless_practice_call(capsys: pytest.CaptureFixture[str]) -> None:
    """What a fresh install does: practice call, customer heard, escalated, graded (real engines)."""
    assert main(["center", "--lang", "en", "practice", "line_fault_escalate"]) == 0
    out = capsys.readouterr().out
    assert "Customer: " in out and "The escalation target answered." in out and "graded OK" in out
