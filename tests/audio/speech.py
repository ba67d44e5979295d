"""Test speech: espeak-ng spoken sentences at 16 kHz (or a multi-tone stand-in when espeak-ng is missing)."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from tests.infra import pulse, require
from tests.infra.pulse import VirtualHeadset

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


# Recorded human speech: alsa-utils installs a voice saying the speaker positions ("Front left", ...), 48 kHz
# mono, about 1.4 s each. Synthetic espeak-ng speech is an odd input for ViSQOL (two espeak sentences score 3.64
# and 4.17 through G.722 alone, the same codec); these recordings are what a phone path carries every day.
HUMAN_DIR = Path("/usr/share/sounds/alsa")
HUMAN_CLIPS = {
    "A": ("Front_Left", "Front_Center", "Front_Right", "Side_Left"),
    "B": ("Side_Right", "Rear_Left", "Rear_Center", "Rear_Right"),
}


def human_speech(clip: str = "B", rms_dbfs: float = -22.0, gap_s: float = 0.3) -> np.ndarray:
    """About 7 s of recorded human speech at 16 kHz (soxr VHQ from the recordings' 48 kHz), scaled like
    :func:`speech`."""
    import soxr

    from tests.audio.scoring import load_wav

    parts = []
    for name in HUMAN_CLIPS[clip]:
        path = HUMAN_DIR / f"{name}.wav"
        if not path.exists():
            require.missing(f"the recorded speech {path}", "alsa-utils")
        x, rate = load_wav(path)
        parts += [soxr.resample(x, rate, 16000, quality="VHQ").astype(np.float32), np.zeros(int(16000 * gap_s),
                                                                                        np.float32)]
    x = np.concatenate(parts)
    voiced = x[np.abs(x) > 0.01]
    return (x * (10 ** (rms_dbfs / 20) / float(np.sqrt(np.mean(voiced**2))))).astype(np.float32)


def write_wav(path: Path, x: np.ndarray, rate: int = 16000) -> Path:
    return pulse.write_wav(path, x, rate)


# The virtual headset's null sinks run at 48 kHz. A 16 kHz WAV played into the microphone, or a 16 kHz recording
# of a sink's monitor, is converted by PulseAudio's default resampler (speex-float-1): measured on the rig alone
# (no app), espeak-ng speech played at 16 kHz and recorded at 16 kHz scores ViSQOL 4.04 against its own 4.41, at
# 48 kHz both ways (soxr VHQ here) 4.41. The measuring instrument must not cost 0.4 MOS: these two helpers move
# the rig's own conversions to soxr, so the score is the path's (including the app's one conversion on each side).
def write_wav_48k(path: Path, x: np.ndarray) -> Path:
    """16 kHz samples as a 48 kHz WAV (soxr VHQ), for playing into a virtual microphone without PulseAudio's
    resampler."""
    import soxr

    return write_wav(path, soxr.resample(x, 16000, 48000, quality="VHQ").astype(np.float32), 48000)


def record_16k(headset: VirtualHeadset, seconds: float, source: str = "agentdesk_call.monitor") -> np.ndarray:
    """Record a sink's monitor at its own 48 kHz and convert to 16 kHz with soxr VHQ."""
    import soxr

    x = headset.record(seconds, source=source, rate=48000)
    return soxr.resample(x, 48000, 16000, quality="VHQ").astype(np.float32)
