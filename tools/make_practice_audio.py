"""Synthesize the practice scenarios' customer lines as Japanese speech, offline, with pyopenjtalk-plus.

    /work/main/.venv/bin/pip install pyopenjtalk-plus      # build-time only; the shipped app does not need it
    python tools/make_practice_audio.py [--force]

Reads resources/practice/scenarios/*.yaml and resources/practice/escalation_target.yaml and writes each line's
``audio`` file under resources/practice/audio/ as 16 kHz mono 16-bit WAV (pyopenjtalk speaks at 48 kHz; resampled
with scipy's polyphase filter). Existing files are kept unless --force. The WAVs are committed, so a build
machine without pyopenjtalk-plus still ships the same audio.
"""

from __future__ import annotations

import argparse
import sys
import wave
from pathlib import Path

import numpy as np
import yaml
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "resources" / "practice"
RATE = 16000


def lines() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for path in sorted((PRACTICE / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for line in data["customer_lines"]:
            found.append((line["text"], PRACTICE / "audio" / line["audio"]))
    target = yaml.safe_load((PRACTICE / "escalation_target.yaml").read_text(encoding="utf-8"))
    found.append((target["text"], PRACTICE / "audio" / target["audio"]))
    return found


def synthesize(text: str) -> np.ndarray:
    import pyopenjtalk  # pyopenjtalk-plus installs this module

    audio, rate = pyopenjtalk.tts(text, speed=1.1)  # a calm but not slow caller
    samples = np.asarray(audio, dtype=np.float64)
    loud = np.flatnonzero(np.abs(samples) > 0.01 * float(np.max(np.abs(samples)) or 1.0))
    if loud.size:  # open_jtalk pads both ends with silence: trim it, our own 150 ms pads follow
        samples = samples[loud[0] : loud[-1] + 1]
    if rate != RATE:
        from math import gcd

        g = gcd(int(rate), RATE)
        samples = resample_poly(samples, RATE // g, int(rate) // g)
    peak = float(np.max(np.abs(samples))) or 1.0
    samples = samples / peak * (10 ** (-3 / 20)) * 32767  # peak at -3 dBFS
    pad = np.zeros(int(0.15 * RATE))
    return np.concatenate([pad, samples, pad]).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-synthesize files that exist")
    args = parser.parse_args(argv)
    try:
        import pyopenjtalk  # noqa: F401
    except ImportError:
        print("pyopenjtalk-plus is not installed: pip install pyopenjtalk-plus", file=sys.stderr)
        return 2
    total = 0
    for text, path in lines():
        if args.force or not path.exists():
            write_wav(path, synthesize(text))
            print(f"wrote {path.relative_to(ROOT)}")
        total += path.stat().st_size
    print(f"{len(lines())} lines, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
