"""Ringing, call-waiting and DTMF feedback tones from the WAV files in resources/sounds/.

A :class:`TonePlayer` holds the tone already converted to its device's rate; the device callback mixes it in
with :meth:`mix_into` (no allocation beyond numpy's temporaries, no locks): the endpoint thread only swaps the
``_tone`` reference and resets the position.
"""

from __future__ import annotations

import wave
from functools import cache
from pathlib import Path

import numpy as np

from agentdesk.sip.audio.drift import Resampler

SOUNDS = Path(__file__).resolve().parents[3] / "resources" / "sounds"
TONES = ("ring", "call_waiting", "busy", *tuple(f"dtmf_{c}" for c in "0123456789*#ABCD"))


def tone_file(name: str) -> Path:
    safe = name.replace("*", "star").replace("#", "hash")
    return SOUNDS / f"{safe}.wav"


@cache
def load(name: str, rate: int) -> np.ndarray:
    """A tone as mono float32 at ``rate``."""
    if name not in TONES:
        raise ValueError(f"unknown tone {name!r}")
    with wave.open(str(tone_file(name)), "rb") as w:
        src_rate = w.getframerate()
        ch = w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if ch > 1:
        pcm = pcm.reshape(-1, ch).mean(axis=1)
    if src_rate == rate:
        return pcm
    step = src_rate / rate
    r = Resampler(step, capacity=len(pcm) + 64)
    n_out = int(len(pcm) / step) - 64
    r.feed(pcm[: min(len(pcm), r.needed(n_out, step))])
    out = np.zeros(n_out, np.float32)
    r.take(n_out, step, out)
    return out


class TonePlayer:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._tone: np.ndarray | None = None
        self._pos = 0
        self._loop = False
        self.gain = 1.0

    def play(self, name: str, loop: bool = False, gain: float = 1.0) -> None:
        data = load(name, self.rate)
        self._tone = None
        self._pos = 0
        self._loop = loop
        self.gain = gain
        self._tone = data

    def stop(self) -> None:
        self._tone = None

    @property
    def playing(self) -> bool:
        return self._tone is not None

    def mix_into(self, out: np.ndarray) -> None:
        """Add the next ``len(out)`` samples of the tone to ``out`` (device callback)."""
        tone = self._tone
        if tone is None:
            return
        n = len(out)
        done = 0
        pos = self._pos
        while done < n:
            take = min(n - done, len(tone) - pos)
            out[done:done + take] += tone[pos:pos + take] * self.gain
            done += take
            pos += take
            if pos >= len(tone):
                if not self._loop:
                    self._tone = None
                    break
                pos = 0
        self._pos = pos
