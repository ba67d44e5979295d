"""The real phone engine (``agentdesk engine``) with the devices backend on the virtual headset, calling a second
engine (the customer, files backend) through Kamailio: speech both ways, scored; audio commands and events on the
engine's own JSON Lines protocol. The engine's CPU in such a call is a figure of ``./run bench`` (benchmarks/audio.py,
against baresip on the same path), not of this test."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.audio.scoring import align, load_wav, pesq_wb, visqol
from tests.audio.speech import human_speech, record_16k, write_wav, write_wav_48k
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.pulse import VirtualHeadset

pytestmark = [pytest.mark.sip, pytest.mark.audio, pytest.mark.slow]


def test_engine_with_headset_backend_talks_to_a_customer_engine(
        kamailio: Kamailio, virtual_headset: VirtualHeadset, tmp_path: Path,
        engine_factory: Callable[..., EngineProcess]) -> None:
    # recorded human speech, a different clip each way (G.722 alone, no headset: A 4.04, B 4.18; docs/audio.md)
    agent_speech = human_speech("A")
    customer_speech = human_speech("B")
    pad = np.zeros(16000, np.float32)
    customer_wav = write_wav(tmp_path / "customer.wav", np.concatenate([pad, pad, customer_speech, pad, pad]))
    write_wav_48k(tmp_path / "agent.wav", np.concatenate([pad, agent_speech, pad]))
    heard_by_customer = tmp_path / "customer_heard.wav"

    agent = engine_factory("agent", env=virtual_headset.env)
    customer = engine_factory("customer")
    agent.register("agent1", kamailio, audio={"backend": "devices", "call_device": "ALSA:agentdesk_headset",
                                              "echo_cancellation": False, "noise_suppression": False,
                                              "auto_gain": False})
    customer.register("cust1", kamailio, audio={"backend": "files", "play": str(customer_wav),
                                                "record": str(heard_by_customer)})
    agent.wait_event(lambda e: e.get("event") == "audio_device" and e.get("state") == "active", 15)
    devices = agent.command({"cmd": "devices"})
    assert "ALSA:agentdesk_headset" in {d["id"] for d in devices["devices"]}

    # between calls the headset's streams are paused (no audio wake-ups at all); a ringing call starts them, so
    # they run by the time the agent answers (docs/audio.md, fourth pass)
    assert _streams_running(agent, False), "paused between calls"
    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    assert _streams_running(agent, True), "started while ringing"
    agent.command({"cmd": "answer", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
    mic = virtual_headset.play_into_mic(tmp_path / "agent.wav")
    heard_by_agent = record_16k(virtual_headset, len(customer_speech) / 16000 + 5.0)
    mic.wait(20)
    stats = agent.command({"cmd": "audio_stats"})
    customer.command({"cmd": "hangup", "call": ccall})
    customer.wait_event({"event": "call", "call": ccall, "state": "ended"}, 10)
    assert _streams_running(agent, False), "paused again after the call"
    customer.stop()  # the recorder's WAV is complete once the engine has released it
    levels = agent.find(lambda e: e.get("event") == "audio_level")
    assert len(levels) > 20 and max(e["mic_dbfs"] for e in levels) > -40

    far, _ = load_wav(heard_by_customer)
    scores = {}
    for name, ref, deg in (("agent_to_customer", agent_speech, far),
                           ("customer_to_headset", customer_speech, heard_by_agent)):
        r, d, _ = align(ref, deg)
        scores[name] = {"visqol": round(visqol(r, d), 2), "pesq_wb": pesq_wb(r, d)}
    scores["stats"] = {k: v for k, v in stats.items() if k not in ("ok", "id")}
    (tmp_path / "audio_engine_call_scores.json").write_text(json.dumps(scores, indent=1))
    print(json.dumps(scores, indent=1))
    # quiet machine, six runs: 3.95-4.14 agent -> customer, 4.11-4.21 customer -> headset, i.e. the codec's own
    # ceiling; the floor leaves room for an underrun on a loaded CI machine (one costs 0.1-0.7), while a broken
    # path (a wrong resampler ratio, a frame lost every second) scores below 3
    assert scores["agent_to_customer"]["visqol"] >= 3.5, scores
    assert scores["customer_to_headset"]["visqol"] >= 3.5, scores
    assert stats["errors"] == 0
    assert stats["device_io"] == "pump"  # no PortAudio callback thread: pjmedia's clock thread moves the audio


def _streams_running(engine: EngineProcess, wanted: bool, timeout: float = 5.0) -> bool:
    """Polls ``audio_stats`` (bounded) until the headset streams run (or are paused) as wanted."""
    end = time.monotonic() + timeout
    while True:
        if engine.command({"cmd": "audio_stats"}).get("streams_running") is wanted:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
