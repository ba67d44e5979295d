"""The engine's "files" audio backend: a WAV played to the far end arrives in the far end's recording."""

from __future__ import annotations

import array
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.infra.baresip import write_tone
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio

pytestmark = pytest.mark.sip


def _rms(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        data = array.array("h", w.readframes(w.getnframes()))
    return (sum(x * x for x in data) / max(1, len(data))) ** 0.5


def test_tone_played_by_customer_is_recorded_by_agent(kamailio: Kamailio, tmp_path: Path,
                                                      engine_factory: Callable[..., EngineProcess]) -> None:
    tone = write_tone(tmp_path / "tone.wav", seconds=3, rate=16000)
    recording = tmp_path / "agent.wav"
    agent = engine_factory("agent")
    customer = engine_factory("customer")
    agent.register("agent1", kamailio, audio={"backend": "files", "record": str(recording)})
    customer.register("cust1", kamailio, audio={"backend": "files", "play": str(tone)})
    customer.command({"cmd": "call", "uri": "agent1"})
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"})
    time.sleep(1.5)
    agent.command({"cmd": "hangup", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"})
    agent.stop()  # the recorder's WAV is complete once the engine has released it
    assert recording.exists()
    with wave.open(str(recording), "rb") as w:
        assert w.getnframes() / w.getframerate() > 0.8
    assert _rms(recording) > 300  # the tone (amplitude 3000) arrived, not silence


def test_mute_sends_silence(kamailio: Kamailio, tmp_path: Path,
                            engine_factory: Callable[..., EngineProcess]) -> None:
    tone = write_tone(tmp_path / "tone.wav", seconds=3, rate=16000)
    recording = tmp_path / "customer.wav"
    agent = engine_factory("agent")
    customer = engine_factory("customer")
    agent.register("agent1", kamailio, audio={"backend": "files", "play": str(tone)})
    customer.register("cust1", kamailio, audio={"backend": "files", "record": str(recording)})
    agent.command({"cmd": "mute"})
    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"})
    time.sleep(1.0)
    customer.command({"cmd": "hangup", "call": ccall})
    customer.wait_event({"event": "call", "call": ccall, "state": "ended"})
    customer.stop()
    assert _rms(recording) < 50  # muted at the source: the customer heard nothing
