"""Speech quality scores for the end-to-end tests: ViSQOL (visqol-python, speech mode) and, where installed,
PESQ wideband (``pesq``, tests only). Both align the degraded signal to the reference first."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from scipy.signal import correlate


def load_wav(path: Path, wait: float = 5.0) -> tuple[np.ndarray, int]:
    """A WAV file, waiting up to ``wait`` seconds for its writer (another process) to finish it."""
    import time

    end = time.monotonic() + wait
    while True:
        try:
            with wave.open(str(path), "rb") as w:
                w.getnframes()
            break
        except (wave.Error, EOFError, FileNotFoundError):
            if time.monotonic() > end:
                raise
            time.sleep(0.1)
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        ch = w.getnchannels()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return (x.reshape(-1, ch).mean(axis=1) if ch > 1 else x), rate


def align(ref: np.ndarray, deg: np.ndarray, pad: int = 8000) -> tuple[np.ndarray, np.ndarray, float]:
    """The stretch of ``deg`` that carries ``ref`` (with ``pad`` samples each side), and the lag in samples."""
    c = correlate(deg, ref, mode="valid", method="fft")
    lag = int(np.argmax(np.abs(c)))
    r = np.concatenate([np.zeros(pad, np.float32), ref, np.zeros(pad, np.float32)])
    start = lag - pad
    seg = np.zeros(len(r), np.float32)
    lo = max(0, start)
    hi = min(len(deg), start + len(r))
    seg[lo - start:hi - start] = deg[lo:hi]
    return r, seg, float(lag)


def visqol(ref: np.ndarray, deg: np.ndarray, rate: int = 16000) -> float:
    import logging

    from visqol import VisqolApi

    logging.getLogger("visqol").setLevel(logging.ERROR)
    api = VisqolApi()
    api.create(mode="speech")
    return float(api.measure_from_arrays(ref.astype(np.float64), deg.astype(np.float64), rate).moslqo)


def pesq_wb(ref: np.ndarray, deg: np.ndarray, rate: int = 16000) -> float | None:
    try:
        from pesq import pesq
    except ImportError:
        return None
    return float(pesq(rate, ref, deg, "wb"))
