"""Distinct tones per party and a spectral check of what a recording holds (call-training tests)."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np

from tests.infra import pulse

CUSTOMER_HZ = 600
TRAINEE_HZ = 1000
TRAINER_HZ = 1500
JOIN_TONE_HZ = 2200  # agentdesk.sip.training.JOIN_TONE
WAV_HEADER = 44  # pjmedia's WAV writer: a plain 44-byte PCM header, then 16-bit samples


def write_tone(path: Path, hz: int, seconds: float = 4.0, rate: int = 16000, amplitude: int = 4000) -> Path:
    return pulse.write_wav(path, pulse.tone(hz, seconds, rate, amplitude=amplitude / 32767), rate)


def samples_written(path: Path) -> int:
    """How many samples a recording in progress holds so far (from the file's size)."""
    try:
        return max(0, (path.stat().st_size - WAV_HEADER) // 2)
    except OSError:
        return 0


def read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    return data, rate


def band_levels(segment: np.ndarray, rate: int, freqs: list[int]) -> dict[int, float]:
    """Each frequency's power in dB above the segment's spectral floor (median of the whole spectrum)."""
    if len(segment) < rate // 10:
        raise AssertionError(f"segment too short: {len(segment)} samples")
    spec = np.abs(np.fft.rfft(segment * np.hanning(len(segment)))) ** 2
    bins = np.fft.rfftfreq(len(segment), 1 / rate)
    floor = float(np.median(spec)) + 1e-9
    out = {}
    for f in freqs:
        sel = (bins > f - 25) & (bins < f + 25)
        out[f] = 10 * math.log10(float(spec[sel].max()) / floor + 1e-12)
    return out


def heard(segment: np.ndarray, rate: int, freqs: list[int], present_db: float = 50.0,
          absent_db: float = 35.0) -> dict[int, bool | None]:
    """True: clearly present, False: clearly absent, None: in between (a test treats it as a failure)."""
    levels = band_levels(segment, rate, freqs)
    return {f: True if v >= present_db else False if v <= absent_db else None for f, v in levels.items()}
