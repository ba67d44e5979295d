"""The ring tone and the settings' microphone meter on the virtual headset (a real PulseAudio server)."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.settings.dialog import MicMeter, list_devices

pytestmark = pytest.mark.audio


def test_the_ring_tone_plays_on_the_ring_device(virtual_headset) -> None:
    outputs = [d.ident for d in list_devices()[1]]
    ring = next((i for i in outputs if "speaker" in i.lower()), None)
    assert ring is not None, outputs
    player = SoundPlayer(ring)
    recorder = virtual_headset.record  # what reached the ring sink
    assert player.play("ring")
    samples = recorder(1.5, source="agentdesk_ring.monitor")
    assert float(np.sqrt(np.mean(np.square(samples)))) > 0.01


def test_the_microphone_meter_rises_when_someone_speaks(virtual_headset, tmp_path: Path) -> None:
    wav = tmp_path / "tone.wav"
    t = np.arange(48000 * 3) / 48000
    pcm = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(pcm.tobytes())
    meter = MicMeter()
    assert meter.start("")  # the system's default microphone
    try:
        time.sleep(0.6)
        quiet = meter.level_db  # the silent room
        assert quiet > -91  # the stream delivers (the initial value is -90 dB exactly only before any block)
        player = virtual_headset.play_into_mic(wav, sink="agentdesk_builtin_mic_feed")
        end = time.monotonic() + 5
        while meter.level_db < -30 and time.monotonic() < end:
            time.sleep(0.05)
        assert meter.level_db > -30 > quiet
        player.wait(10)
    finally:
        meter.stop()
