"""Generated room recordings: silence, voices (espeak-ng), fan noise, a single bang, and read-aloud speech."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from agentdesk.checks import audio
from tests.infra import require
from tests.infra.pulse import write_wav

RATE = 16000


def at_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    return (x * 10 ** ((dbfs - audio.dbfs(x)) / 20)).astype(np.float32)


def room_tone(seconds: float, dbfs: float = -72.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return at_level(rng.standard_normal(int(seconds * RATE)), dbfs)


def fan(seconds: float, dbfs: float = -35.0, seed: int = 2) -> np.ndarray:
    """Brown-ish steady noise, like a fan or an air conditioner close by."""
    rng = np.random.default_rng(seed)
    return at_level(lfilter([1.0], [1.0, -0.98], rng.standard_normal(int(seconds * RATE))), dbfs)


def speak(text: str, voice: str, workdir: Path) -> np.ndarray:
    exe = require.binary("espeak-ng")
    out = workdir / f"espeak-{abs(hash((text, voice)))}.wav"
    subprocess.run([exe, "-v", voice, "-s", "150", "-w", str(out), text], check=True, timeout=30,
                   capture_output=True)
    samples, rate = audio.read_wav(out)
    return audio.resample(samples, rate, RATE)


def bang(seconds: float = 5.0, at: float = 2.0, seed: int = 3) -> np.ndarray:
    x = room_tone(seconds)
    rng = np.random.default_rng(seed)
    n = int(0.15 * RATE)
    start = int(at * RATE)
    x[start: start + n] += (rng.standard_normal(n) * np.exp(-np.arange(n) / (0.02 * RATE)) * 0.8).astype(np.float32)
    return np.clip(x, -1, 1)


def make_set(workdir: Path) -> dict[str, Path]:
    """Write the recordings; returns name -> path."""
    ja = speak("お電話ありがとうございます。担当の佐藤でございます。ご用件をお伺いします。", "ja", workdir)
    en = speak("Thank you for calling. My name is Sato. How can I help you today?", "en", workdir)
    voices = room_tone(6.0)
    chunk = at_level(ja[: 3 * RATE], -40.0)
    voices[RATE: RATE + chunk.size] += chunk
    tv_in_noise = fan(6.0, -50.0)
    chunk = at_level(en[: 3 * RATE], -38.0)
    tv_in_noise[2 * RATE: 2 * RATE + chunk.size] += chunk
    speech = at_level(ja, -22.0)
    speech = speech + room_tone(speech.size / RATE)
    quiet_speech = at_level(ja, -52.0) + room_tone(ja.size / RATE)  # mumbled far from the microphone
    files = {
        "silence": room_tone(5.0),
        "voices": voices,
        "tv_in_noise": tv_in_noise,
        "fan": fan(5.0),
        "bang": bang(),
        "speech": speech,
        "quiet_speech": quiet_speech,
    }
    out = {}
    for name, samples in files.items():
        out[name] = write_wav(workdir / f"{name}.wav", samples, RATE)
    # The same silence at 48 kHz stereo, as a headset records it.
    stereo = np.stack([room_tone(5.0), room_tone(5.0, seed=9)], axis=1)
    up = np.stack([audio.resample(stereo[:, 0], RATE, 48000), audio.resample(stereo[:, 1], RATE, 48000)], axis=1)
    import wave

    p = workdir / "silence_48k_stereo.wav"
    with wave.open(str(p), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes((np.clip(up, -1, 1) * 32767).astype("<i2").tobytes())
    out["silence_48k_stereo"] = p
    return out
