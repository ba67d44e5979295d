"""Two-way audio checks with tones: each party plays its own frequency; what a party recorded shows whom it heard.

Recordings are read while their writer (pjsua's WAV writer, baresip's sndfile) still appends to them: the RIFF
sizes are not final yet, so the samples are everything after the ``data`` chunk's header.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import numpy as np

CUSTOMER_HZ = 440.0
AGENT_HZ = 1000.0
TIER2_HZ = 700.0


def write_tone(path: Path, freq: float, seconds: float = 120.0, rate: int = 16000, dbfs: float = -18.0) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    x = (10 ** (dbfs / 20) * math.sqrt(2) * np.sin(2 * math.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(x.tobytes())
    return path


def read_growing_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono float samples and the rate of a PCM16 WAV that may still be being written."""
    data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF":
        return np.zeros(0, np.float32), 8000
    pos, rate, channels = 12, 8000, 1
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            channels, rate = struct.unpack("<HI", data[pos + 10:pos + 16])
        if cid == b"data":
            raw = data[pos + 8:]
            raw = raw[: len(raw) - len(raw) % (2 * channels)]
            x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
            return (x.reshape(-1, channels).mean(axis=1) if channels > 1 else x), rate
        pos += 8 + size + (size & 1)
    return np.zeros(0, np.float32), rate


def tone_dbfs(x: np.ndarray, rate: int, freq: float) -> float:
    """The level of ``freq`` (a +-15 Hz band) in ``x``, dBFS (a full-scale sine reads about 0)."""
    if x.size < rate // 10:
        return -120.0
    win = np.hanning(x.size)
    spec = np.abs(np.fft.rfft(x * win)) / (win.sum() / 2)
    f = np.fft.rfftfreq(x.size, 1 / rate)
    band = spec[(f > freq - 15) & (f < freq + 15)]
    return float(20 * np.log10(max(float(band.max()) if band.size else 0.0, 1e-6)))


def heard(path: Path, freq: float, last_s: float = 1.5, min_dbfs: float = -40.0) -> tuple[bool, float]:
    """Does the last ``last_s`` seconds of the recording carry ``freq``? (and its level)"""
    x, rate = read_growing_wav(path)
    seg = x[-int(last_s * rate):]
    level = tone_dbfs(seg, rate, freq)
    return level >= min_dbfs, round(level, 1)
