"""A practice call on the real shift screen (practice center + real engine) leaves a score sheet for the trainer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.center.connection import CenterConnection
from agentdesk.training.score import load_sheets
from agentdesk.ui.app import build_main_window
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
from tests.fakes.fake_center import ImmediateOutbox

_made: list = []


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    while _made:
        desk, main, center = _made.pop()
        desk.stop()
        center.close()
        main.view.close()


@pytest.mark.sip
@pytest.mark.slow
def test_practice_call_on_the_shift_screen_is_scored(qtbot, tmp_path: Path, monkeypatch, virtual_headset) -> None:
    from agentdesk.center.practice.center import PracticeCenter
    from tests.infra import pulse

    monkeypatch.setenv("AGENTDESK_DATA_DIR", str(tmp_path / "data"))
    center = PracticeCenter(phones=True)
    store = settings.Settings()
    store.audio.call_device = "ALSA:agentdesk_headset"  # the agent speaks through the virtual USB headset
    main = build_main_window(QApplication.instance(), store, "ja", save_settings=False)
    qtbot.addWidget(main.view)
    connection = CenterConnection(store.center, client=center, outbox=ImmediateOutbox(center))  # type: ignore[arg-type]
    desk = attach_desk(main, Services(connection=connection, auto_sign_in=("practice", "practice")), store,
                       engine=engine_factory(), sound=SoundPlayer(enabled=False))
    _made.append((desk, main, center))
    main.view.show()
    qtbot.waitUntil(lambda: desk.signed_in, timeout=20000)
    qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered",
                    timeout=15000)
    v = desk.view
    v.work_button.click()
    v.ready_button.click()
    v.practice_button.click()
    qtbot.waitUntil(lambda: v.answer_button.isVisible() and v.answer_button.isEnabled(), timeout=20000)
    qtbot.wait(1000)
    v.answer_button.click()
    voice = pulse.write_wav(tmp_path / "agent.wav", pulse.tone(440.0, 2.5, 16000, amplitude=0.3), 16000)
    speaking = virtual_headset.play_into_mic(voice)
    qtbot.wait(3000)
    speaking.wait(5)
    v.hangup_button.click()
    qtbot.waitUntil(lambda: v.pages.currentWidget() is v.wrap_up_page, timeout=10000)
    for i in range(v.wrap_up_codes.count()):
        item = v.wrap_up_codes.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == "resolved":
            v.wrap_up_codes.setCurrentItem(item)
    v.submit_ready_button.click()
    outbox = list(center.submitted.values())  # (kind, payload) in order, as the practice center received them
    assert [k for k, _ in outbox].count("wrap_up") == 1
    qtbot.waitUntil(lambda: bool(load_sheets(tmp_path / "data")), timeout=10000)
    sheet = load_sheets(tmp_path / "data")[0]
    wrap = next(p for k, p in outbox if k == "wrap_up")
    assert sheet["call_id"] == wrap["call_id"] and sheet["scenario"]
    assert 0.5 <= sheet["time_to_answer_s"] <= 6
    assert sheet["script"]["expected"] and sheet["wrap_up"]["code"] == "resolved"
    # both sides are measured: the agent through the headset's microphone, the simulated customer
    assert sheet["recording"]["agent"]["seconds"] > 1 and sheet["recording"]["agent"]["speech_level_dbfs"] is not None
    assert sheet["recording"]["customer"]["seconds"] > 1
    qtbot.waitUntil(lambda: "採点表" in v.notice_label.text(), timeout=5000)
    assert json.dumps(sheet, ensure_ascii=False).count("C-10") == 0  # no contract ids in the sheet
