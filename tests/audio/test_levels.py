"""Meters and the room-noise monitor, fed real speech (espeak-ng) through the real VAD (pywebrtc-audio)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agentdesk.sip.audio.levels import LevelMeter, NoiseMonitor, dbfs
from agentdesk.sip.audio.processing import VoiceProcessor
from tests.audio.speech import speech

FRAME = 320


def _run(monitor: NoiseMonitor, x: np.ndarray) -> list[dict]:
    vp = VoiceProcessor(echo_cancellation=False, noise_suppression=False, auto_gain=False)
    events = []
    for i in range(0, len(x) - FRAME + 1, FRAME):
        f = x[i:i + FRAME]
        ev = monitor.feed(dbfs(float(np.sqrt(np.mean(f**2)))), vp.voice_probability(f))
        if ev:
            events.append(ev.to_json())
    return events


def _noise(seconds: float, dbfs_level: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(16000 * seconds)) * 10 ** (dbfs_level / 20)).astype(np.float32)


def test_meter_reads_rms_and_peak() -> None:
    m = LevelMeter()
    m.add(np.full(320, 0.5, np.float32))
    rms, peak = m.read()
    assert rms == pytest.approx(-6.0, abs=0.1) and peak == pytest.approx(-6.0, abs=0.1)
    assert m.read() == (-96.0, -96.0)


def test_quiet_room_stays_quiet() -> None:
    assert _run(NoiseMonitor(), _noise(20, -70)) == []


def test_second_voice_while_agent_silent_fires(tmp_path: Path) -> None:
    room_voice = speech(tmp_path, rms_dbfs=-38.0)  # someone talking across the room: far below close-talk
    x = np.concatenate([_noise(2, -70), room_voice + _noise(len(room_voice) / 16000, -70), _noise(5, -70)])
    events = _run(NoiseMonitor(), x)
    states = [e["state"] for e in events]
    assert "voice" in states, events
    assert states[-1] == "quiet"  # the all-clear after the room went silent


def test_agent_speaking_is_not_room_noise(tmp_path: Path) -> None:
    agent = speech(tmp_path, rms_dbfs=-18.0)
    events = _run(NoiseMonitor(), np.concatenate([agent, agent]) + _noise(2 * len(agent) / 16000, -70))
    assert [e for e in events if e["state"] == "voice"] == []


def test_steady_noise_fires_noise() -> None:
    events = _run(NoiseMonitor(), _noise(5, -40))
    assert [e["state"] for e in events][:1] == ["noise"]
