"""The trainee's indicator (pytest-qt): a real trainee engine's training events reach the shift screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agentdesk.sip import protocol as P
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.qt_bridge import QtBridge
from agentdesk.ui.training.indicator import TraineeIndicator, TraineeIndicatorView, attach_trainee_indicator
from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import DOMAIN, Kamailio
from tests.training.audio_check import write_tone


@pytest.mark.sip
def test_indicator_shows_the_trainer_and_each_mode_from_a_real_engine(
        qtbot, kamailio: Kamailio, tmp_path: Path, engine_factory: Callable[..., EngineProcess]) -> None:
    view = TraineeIndicatorView()
    qtbot.addWidget(view)
    indicator = TraineeIndicator(view)
    bridge = QtBridge(view)
    engine = EngineSupervisor(bridge.wrap(indicator.on_engine_event))
    engine.start()
    try:
        cfg = account_config("agent1", kamailio, audio={"backend": "files",
                                                        "play": str(write_tone(tmp_path / "t.wav", 1000))},
                             training={"trainers": [f"sip:trainer1@{DOMAIN}"]})
        assert engine.request(P.decode_command(cfg), timeout=10).ok
        assert engine.request(P.Register(), timeout=10).ok
        customer = engine_factory("customer")
        trainer = engine_factory("trainer")
        customer.register("cust1", kamailio)
        trainer.register("trainer1", kamailio)
        customer.command({"cmd": "call", "uri": "agent1"})
        qtbot.waitUntil(lambda: engine.request(P.ListCalls()).result["calls"] != [], timeout=10000)
        calls = engine.request(P.ListCalls()).result["calls"]
        assert isinstance(calls, list) and isinstance(calls[0], dict)
        call = calls[0]["call"]
        assert isinstance(call, int) and engine.request(P.Answer(call=call)).ok
        assert view.isHidden()
        join = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "monitor"})["call"]
        qtbot.waitUntil(lambda: not view.isHidden(), timeout=10000)
        assert "trainer1" in view.status_label.text() and "Monitoring" in view.status_label.text()
        trainer.wait_event({"event": "call", "call": join, "state": "connected"}, 10)
        trainer.command({"cmd": "training_hint", "call": join, "text": "お名前を復唱してください",
                         "mode": "whisper"})
        qtbot.waitUntil(lambda: "Whisper" in view.status_label.text(), timeout=10000)
        qtbot.waitUntil(lambda: "お名前を復唱してください" in view.hint_label.text(), timeout=5000)
        assert not view.hint_label.isHidden()
        trainer.command({"cmd": "training_mode", "call": join, "mode": "barge"})
        qtbot.waitUntil(lambda: "Barge-in" in view.status_label.text(), timeout=10000)
        assert "#b3261e" in view.styleSheet()
        trainer.command({"cmd": "hangup", "call": join})
        qtbot.waitUntil(view.isHidden, timeout=10000)
        assert indicator.legs == {}
    finally:
        engine.stop()


def test_indicator_is_on_the_desk_shift_screen_and_fed_by_the_desk(qtbot) -> None:
    from tests.ui.desk.conftest import make_desk

    d = make_desk(qtbot)
    try:
        indicator = attach_trainee_indicator(d.controller)
        assert indicator.view.parent() is d.view
        d.controller.on_engine_event(P.TrainerJoined(call=7, trainer='"佐藤" <sip:trainer1@agentdesk.test>',
                                                     mode="whisper"))
        assert not indicator.view.isHidden()
        assert "佐藤" in indicator.view.status_label.text()
        d.controller.on_engine_event(P.EngineState(state="died", lost_calls=[7]))
        assert indicator.view.isHidden()
    finally:
        d.controller.stop()
