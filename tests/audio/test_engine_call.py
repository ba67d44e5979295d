"""The real phone engine (``agentdesk engine``) with the devices backend on the virtual headset, calling a second
engine (the customer, files backend) through Kamailio: speech both ways, scored; audio commands and events on the
engine's own JSON Lines protocol."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.audio.scoring import align, load_wav, pesq_wb, visqol
from tests.audio.speech import record_16k, speech, write_wav, write_wav_48k
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.pulse import VirtualHeadset

pytestmark = [pytest.mark.sip, pytest.mark.audio, pytest.mark.slow]


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """(user + system CPU seconds of a process, monotonic time) from /proc (Linux)."""
    import os
    import time

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), time.monotonic()


def test_engine_with_headset_backend_talks_to_a_customer_engine(
        kamailio: Kamailio, virtual_headset: VirtualHeadset, tmp_path: Path,
        engine_factory: Callable[..., EngineProcess]) -> None:
    agent_speech = speech(tmp_path, "Thank you for waiting. Your contract renews on the first of next month.",
                          rms_dbfs=-22.0)
    # "I see. Then please tell me what the new monthly price will be." scored 3.64 through G.722 alone (no
    # headset), so it left 0.3 of margin to measure our path with; this sentence scores like the agent's
    customer_speech = speech(tmp_path, "Hello, this is the support desk. How can I help you today?",
                             rms_dbfs=-22.0)
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

    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
    cpu0 = _cpu_seconds(agent.pid)
    mic = virtual_headset.play_into_mic(tmp_path / "agent.wav")
    heard_by_agent = record_16k(virtual_headset, len(customer_speech) / 16000 + 5.0)
    mic.wait(20)
    cpu1 = _cpu_seconds(agent.pid)
    engine_cpu = 100 * (cpu1[0] - cpu0[0]) / (cpu1[1] - cpu0[1])
    stats = agent.command({"cmd": "audio_stats"})
    customer.command({"cmd": "hangup", "call": ccall})
    customer.wait_event({"event": "call", "call": ccall, "state": "ended"}, 10)
    customer.stop()  # the recorder's WAV is complete once the engine has released it
    levels = agent.find(lambda e: e.get("event") == "audio_level")
    assert len(levels) > 20 and max(e["mic_dbfs"] for e in levels) > -40

    far, _ = load_wav(heard_by_customer)
    scores = {}
    for name, ref, deg in (("agent_to_customer", agent_speech, far),
                           ("customer_to_headset", customer_speech, heard_by_agent)):
        r, d, _ = align(ref, deg)
        scores[name] = {"visqol": round(visqol(r, d), 2), "pesq_wb": pesq_wb(r, d)}
    scores["agent_engine_cpu_percent"] = round(engine_cpu, 1)
    scores["stats"] = {k: v for k, v in stats.items() if k not in ("ok", "id")}
    (tmp_path / "audio_engine_call_scores.json").write_text(json.dumps(scores, indent=1))
    print(json.dumps(scores, indent=1))
    # two engines, Kamailio and PulseAudio on two loaded cores: the same floor as the single-endpoint test less
    # the spread seen between runs (3.4-3.9 on espeak-ng speech whose own ceiling is 4.1-4.5)
    assert scores["agent_to_customer"]["visqol"] >= 3.3, scores
    assert scores["customer_to_headset"]["visqol"] >= 3.3, scores
    assert stats["errors"] == 0
