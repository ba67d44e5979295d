"""The trainer's screen as a trainer reads it: its own window title, the score sheets listed when it opens, the
trainee by name, scenarios and script steps by their titles (in the UI language), and times in local time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale

from agentdesk.center.api import CenterEvent
from agentdesk.training.score import sheets_dir
from agentdesk.ui.training.names import local_time
from agentdesk.ui.training.trainer import TrainerController, TrainerView
from agentdesk.ui.translation import LanguageSwitcher

SHEET = {"version": 1, "practice": True, "call_id": "P-0001", "scenario": "no_internet_onu",
         "trainee": "agent1001", "trainee_name": "山田 花子", "scored_at": "2026-11-24T01:15:00+00:00",
         "time_to_answer_s": 3.2, "talk": {"longest_silence_s": 6.5},
         "script": {"path_score": 0.83, "missed": ["check_onu_lamps"]}, "escalation": {"ok": True}}


@pytest.fixture
def sheets(tmp_path: Path) -> Path:
    (sheets_dir(tmp_path) / "20261124-011500-P-0001.json").write_text(json.dumps(SHEET), encoding="utf-8")
    return tmp_path


@pytest.fixture
def japanese(qapp) -> Iterator[LanguageSwitcher]:
    switcher = LanguageSwitcher(qapp)
    switcher.set_language("ja")
    yield switcher
    switcher.set_language("en")


def test_the_trainer_screen_names_what_it_shows(qtbot, japanese, sheets: Path) -> None:
    view = TrainerView()
    qtbot.addWidget(view)
    controller = TrainerController(view, None, sheets_base=sheets)
    view.show()
    assert view.windowTitle() == "AgentDesk - トレーナーモード"  # its own window, not "python3"
    table = view.sheets_table
    assert table.rowCount() == 1  # listed at once, no Refresh needed
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[1] == "山田 花子"  # the trainee's name
    assert row[2] == "インターネットにつながらない（ONU の再起動で復旧）"  # the scenario's title, not its id
    assert row[6] == "ONU・ルーターのランプ確認"  # the step's name, not check_onu_lamps
    assert row[0] == local_time("2026-11-24T01:15:00+00:00") and "T" not in row[0] and "+00:00" not in row[0]
    assert "83%" in row and "3.2" in row
    # a trainee's live call: the name from the center's event, the time in local time
    controller.on_center_event(CenterEvent(kind="trainee_call", data={
        "agent": "山田 花子", "uri": "sip:agent1001@center.example.jp", "call_id": "c-1", "state": "started",
        "since": "2026-11-24T01:42:00+00:00"}))
    since = view.calls_table.item(0, 2).text()
    assert since == local_time("2026-11-24T01:42:00+00:00") and "T01:42" not in since
    # switching the language re-renders the names
    japanese.set_language("en")
    qtbot.waitUntil(lambda: view.windowTitle() == "AgentDesk - Trainer mode", timeout=2000)
    assert table.item(0, 6).text() == "Check the ONU and router lamps"
    assert table.item(0, 2).text() == "No internet (fixed by restarting the ONU)"


def test_local_time_reads_utc_and_offsets() -> None:
    assert local_time("") == "-" and local_time("not a time") == "not a time"
    en = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    assert local_time("2026-11-24T10:15:00+09:00", en) == local_time("2026-11-24T01:15:00+00:00", en)
