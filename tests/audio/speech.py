"""Test speech: espeak-ng spoken sentences at 16 kHz (or a multi-tone stand-in when espeak-ng is missing)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from tests.infra import require

SENTENCES = ("Thank you for calling. How may I help you today? "
             "Your contract number is four five six seven. Please hold while I check the details.")


def speech(tmp: Path, text: str = SENTENCES, rate: int = 16000, rms_dbfs: float = -20.0) -> np.ndarray:
    """Mono float32 speech at ``rate`` scaled to ``rms_dbfs`` (RMS over the voiced part)."""
    exe = require.binary("espeak-ng")
    raw = tmp / "espeak.wav"
    subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True, timeout=60,
                   capture_output=True)
    with wave.open(str(raw), "rb") as w:
        src = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if src != rate:
        import soxr

        x = soxr.resample(x, src, rate).astype(np.float32)
    voiced = x[np.abs(x) > 0.01]
    rms = float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 1.0
    return (x * (10 ** (rms_dbfs / 20) / rms)).astype(np.float32)


def write_wav(path: Path, x: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path
