"""End to end on the virtual headset: a real SIP call (pjsua2, G.722 RTP on loopback) whose agent leg goes through
DeviceCallAudio to the PulseAudio headset, and whose far end is a WAV player and recorder in the same endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.audio.driver import HarnessProcess
from tests.audio.scoring import align, load_wav, pesq_wb, visqol
from tests.audio.speech import human_speech, record_16k, speech, write_wav, write_wav_48k
from tests.infra.pulse import VirtualHeadset, dominant_frequency, tone

pytestmark = [pytest.mark.audio, pytest.mark.slow]

CUSTOMER_TEXT = "Hi, I am calling about my bill from last month. It seems too high, and I would like to know why."


def _call(h: HarnessProcess, play: Path | None, record: Path | None) -> None:
    h.send(cmd="call", play=str(play or ""), record=str(record or ""))
    roles = {h.wait_for(lambda e: e.get("event") == "media", 15)["role"]}
    roles.add(h.wait_for(lambda e: e.get("event") == "media", 15)["role"])
    assert roles == {"agent", "far"}


def _hangup(h: HarnessProcess) -> None:
    h.send(cmd="hangup")
    h.wait_for(lambda e: e.get("event") == "hung_up", 15)


def _tone_level(x: np.ndarray, freq: float, rate: int = 16000) -> float:
    """RMS (dBFS) of the band around ``freq``."""
    spec = np.fft.rfft(x * np.hanning(len(x)))
    f = np.fft.rfftfreq(len(x), 1 / rate)
    band = np.abs(spec[np.abs(f - freq) < 30]) ** 2
    return float(10 * np.log10(band.sum() * 2 / (len(x) ** 2 * 0.375) + 1e-12))


def test_speech_reaches_both_ends_and_scores(harness_factory: Callable[..., HarnessProcess],
                                             virtual_headset: VirtualHeadset, tmp_path: Path) -> None:
    # the path itself (bridge, drift compensation, devices, G.722): voice processing off, so the score is the
    # carrier's; what processing does to clean synthetic speech is a separate figure (docs/audio.md)
    h = harness_factory(echo_cancellation=False, noise_suppression=False, auto_gain=False)
    agent = human_speech("A")  # recorded human speech (G.722 alone: A 4.04, B 4.18)
    customer = human_speech("B")
    pad = np.zeros(16000, np.float32)
    write_wav_48k(tmp_path / "agent.wav", np.concatenate([pad, agent, pad]))
    write_wav(tmp_path / "customer.wav", np.concatenate([pad, pad, customer, pad]))
    _call(h, tmp_path / "customer.wav", tmp_path / "far_end.wav")
    mic = virtual_headset.play_into_mic(tmp_path / "agent.wav")
    heard = record_16k(virtual_headset, len(customer) / 16000 + 3.0)
    mic.wait(20)
    time.sleep(0.5)
    stats = h.request("audio_stats")
    _hangup(h)
    far, rate = load_wav(tmp_path / "far_end.wav")
    assert rate == 16000
    scores = {}
    for name, ref, deg in (("agent_to_far_end", agent, far), ("far_end_to_headset", customer, heard)):
        r, d, _lag = align(ref, deg)
        scores[name] = {"visqol": round(visqol(r, d), 2), "visqol_reference_ceiling": round(visqol(r, r), 2),
                        "pesq_wb": pesq_wb(r, d)}
    scores["stats"] = stats
    (tmp_path / "audio_e2e_scores.json").write_text(json.dumps(scores, indent=1))
    print(json.dumps(scores, indent=1))
    for name in ("agent_to_far_end", "far_end_to_headset"):
        s = scores[name]
        # the recordings score 4.53-4.56 against themselves and 4.04-4.18 through G.722 alone; the floor leaves
        # room for one underrun on a loaded machine
        assert s["visqol"] >= 3.5, scores
        assert s["visqol"] >= s["visqol_reference_ceiling"] - 1.0, scores
    assert stats["mic_underruns"] <= 1 and stats["speaker_underruns"] <= 1, stats
    assert stats["errors"] == 0


def test_headset_pulled_mid_call_falls_back_and_returns(harness_factory: Callable[..., HarnessProcess],
                                                         virtual_headset: VirtualHeadset, tmp_path: Path) -> None:
    h = harness_factory()
    write_wav(tmp_path / "far_tone.wav", tone(700, 30.0, 16000, amplitude=0.3))
    _call(h, tmp_path / "far_tone.wav", None)
    time.sleep(1.0)
    before = virtual_headset.record(1.0)
    assert _tone_level(before, 700) > -30
    unplugged = time.monotonic()
    virtual_headset.unplug_headset()
    try:
        ev = h.wait_for(lambda e: e.get("event") == "audio_device" and e.get("state") == "fallback", 5)
        fallback_s = time.monotonic() - unplugged
        assert ev["id"] == "ALSA:agentdesk_headset"
        assert fallback_s <= 1.0, f"fallback event after {fallback_s:.2f} s"
        time.sleep(0.5)
        builtin = virtual_headset.record(1.0, source="agentdesk_builtin.monitor")
        assert _tone_level(builtin, 700) > -30, "far-end audio continues on the default device"
        assert h.request("audio_stats")["fallback"] is True  # the engine lives on
    finally:
        virtual_headset.plug_headset()
    h.wait_for(lambda e: e.get("event") == "audio_device" and e.get("state") == "restored", 10)
    # the re-opened headset stream starts within a moment of the event; listen for it, bounded (3 x 1 s)
    levels = []
    for _ in range(3):
        time.sleep(0.3)
        levels.append(_tone_level(virtual_headset.record(1.0), 700))
        if levels[-1] > -30:
            break
    assert levels[-1] > -30, f"audio moved back to the headset (tone levels {levels})"
    stats = h.request("audio_stats")
    assert stats["fallback"] is False and stats["active_call_device"] == "ALSA:agentdesk_headset"
    _hangup(h)


def test_room_voice_while_agent_silent_warns_and_silence_does_not(
        harness_factory: Callable[..., HarnessProcess], virtual_headset: VirtualHeadset, tmp_path: Path) -> None:
    h = harness_factory()
    _call(h, None, None)
    time.sleep(4.0)  # the agent's room is silent
    assert [e for e in h.events if e.get("event") == "room_noise"] == []
    room = speech(tmp_path, CUSTOMER_TEXT, rms_dbfs=-40.0)  # a voice across the room: far below close-talk
    write_wav(tmp_path / "room.wav", room)
    virtual_headset.play_into_mic(tmp_path / "room.wav").wait(20)
    ev = h.wait_for(lambda e: e.get("event") == "room_noise", 5)
    assert ev["state"] == "voice", ev
    h.wait_for(lambda e: e.get("event") == "room_noise" and e.get("state") == "quiet", 10)
    _hangup(h)


def test_mute_silences_the_far_end_but_not_the_meter(harness_factory: Callable[..., HarnessProcess],
                                                     virtual_headset: VirtualHeadset, tmp_path: Path) -> None:
    h = harness_factory(echo_cancellation=False, noise_suppression=False, auto_gain=False)
    write_wav(tmp_path / "mic_tone.wav", tone(1000, 6.0, 16000, amplitude=0.3))
    _call(h, None, tmp_path / "far_end.wav")
    mic = virtual_headset.play_into_mic(tmp_path / "mic_tone.wav")
    time.sleep(2.5)
    h.request("mute", muted=True)
    time.sleep(0.3)
    n, start = len(h.events), time.monotonic()
    time.sleep(2.0)
    levels = [e for e in h.events[n:] if e.get("event") == "audio_level"]
    window = time.monotonic() - start
    mic.wait(10)
    _hangup(h)
    far, _ = load_wav(tmp_path / "far_end.wav")
    first, second = far[int(1.2 * 16000):int(2.4 * 16000)], far[int(3.2 * 16000):int(4.6 * 16000)]
    assert _tone_level(first, 1000) > -30
    assert _tone_level(second, 1000) < -70
    assert levels and all(e["muted"] for e in levels)
    assert max(e["mic_dbfs"] for e in levels) > -30  # the meter still shows the microphone
    # one meter reading every 0.1 s (level_interval): 19 in each of 3 runs of the 2.0 s window; 3 either way
    # allows a loaded machine's late poll, while a meter at half or double the rate is far outside
    assert abs(len(levels) - window / 0.1) <= 3, (len(levels), window)


def test_devices_ring_and_tones(harness_factory: Callable[..., HarnessProcess],
                                virtual_headset: VirtualHeadset) -> None:
    h = harness_factory()
    listing = h.request("devices")
    ids = {d["id"] for d in listing["devices"]}
    assert {"ALSA:agentdesk_headset", "ALSA:agentdesk_speaker"} <= ids
    assert listing["active_call_device"] == "ALSA:agentdesk_headset"
    assert h.request("select_device", role="ring", id="nope")["event"] == "error"
    assert h.request("select_device", role="ring", id="ALSA:agentdesk_speaker")["id"] == "ALSA:agentdesk_speaker"
    assert h.request("ring", tone="ring")["ringing"] is True
    time.sleep(2.0)  # the ring stream starts (PulseAudio through ALSA takes ~1.5 s)
    rung = virtual_headset.record(3.0, source="agentdesk_ring.monitor")
    h.request("ring", action="stop")
    assert abs(dominant_frequency(rung, 16000) - 400) < 20  # the Japanese ringing tone
    assert _tone_level(virtual_headset.record(0.8), 400) < -50  # not on the headset unless asked
    h.request("tone", name="dtmf", digit="5")
    assert h.request("tone", name="call_waiting")["played"] is True
    assert h.request("audio_processing", noise_suppression=False)["processing"]["noise_suppression"] is False
