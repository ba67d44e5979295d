"""Generate the tones in resources/sounds/ (ring, call waiting, busy, DTMF feedback) as 16 kHz mono WAV.

Japanese network conventions: ringing 400 Hz modulated by 16 Hz, 1 s on / 2 s off; call waiting two short
400 Hz beeps; busy 400 Hz 0.5 s on / 0.5 s off. DTMF feedback: the ITU-T Q.23 pairs, 100 ms.
Run: python tools/make_sounds.py
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 16000
OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds"
DTMF = {"1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
        "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
        "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
        "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633)}


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _fade(x: np.ndarray, ms: float = 5.0) -> np.ndarray:
    n = int(RATE * ms / 1000)
    ramp = np.linspace(0.0, 1.0, n)
    x[:n] *= ramp
    x[-n:] *= ramp[::-1]
    return x


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE))


def ring() -> np.ndarray:
    t = _t(1.0)
    on = 0.4 * np.sin(2 * np.pi * 400 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 16 * t))
    return np.concatenate([_fade(on), _silence(2.0)])


def call_waiting() -> np.ndarray:
    beep = _fade(0.25 * np.sin(2 * np.pi * 400 * _t(0.1)))
    return np.concatenate([beep, _silence(0.1), beep, _silence(0.2)])


def busy() -> np.ndarray:
    return np.concatenate([_fade(0.3 * np.sin(2 * np.pi * 400 * _t(0.5))), _silence(0.5)])


def dtmf(key: str) -> np.ndarray:
    lo, hi = DTMF[key]
    t = _t(0.1)
    return _fade(0.2 * np.sin(2 * np.pi * lo * t) + 0.2 * np.sin(2 * np.pi * hi * t))


def write(name: str, x: np.ndarray) -> Path:
    path = OUT / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write("ring", ring())
    write("call_waiting", call_waiting())
    write("busy", busy())
    for key in DTMF:
        write("dtmf_" + key.replace("*", "star").replace("#", "hash"), dtmf(key))


if __name__ == "__main__":
    main()
