"""Audio helpers shared by the noise and headset checks: reading WAV files, levels, and sounddevice access.

``sounddevice`` is imported lazily: a machine without PortAudio still runs every other check, and the noise
check still analyses recordings.
"""

from __future__ import annotations

import math
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MIN_RATE = 8000
MAX_RATE = 48000
FLOOR_DBFS = -100.0  # digital silence is reported as this, not -inf


class AudioInputError(ValueError):
    """A recording the check cannot read: the CLI exits 2 with this message."""


def dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS: 20 log10(rms), with full scale = 1.0 (a full-scale sine reads -3 dBFS)."""
    if samples.size == 0:
        return FLOOR_DBFS
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(FLOOR_DBFS, 20 * math.log10(rms)) if rms > 0 else FLOOR_DBFS


def power_to_db(power: float) -> float:
    return max(FLOOR_DBFS, 10 * math.log10(power)) if power > 0 else FLOOR_DBFS


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples in [-1, 1] and the rate. Accepts 8/16/24/32-bit PCM and float WAV, mono or stereo,
    8-48 kHz; anything else raises :class:`AudioInputError` with a message for the agent."""
    p = Path(path)
    if not p.is_file():
        raise AudioInputError(f"{p}: no such file")
    try:
        from scipy.io import wavfile

        rate, data = wavfile.read(str(p))
    except (ValueError, OSError, EOFError, wave.Error, struct.error, MemoryError, OverflowError) as exc:
        # a truncated or forged header (struct.error; a huge chunk size: MemoryError) is a bad file, not a crash
        raise AudioInputError(f"{p}: not a readable WAV file ({exc})") from exc
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioInputError(f"{p}: sample rate {rate} Hz is outside 8000-48000 Hz")
    samples = _to_float(np.asarray(data))
    if samples.ndim == 2:
        if samples.shape[1] > 2:
            raise AudioInputError(f"{p}: {samples.shape[1]} channels; mono or stereo expected")
        samples = samples.mean(axis=1).astype(np.float32)
    if samples.size < rate // 2:
        raise AudioInputError(f"{p}: shorter than half a second")
    return samples, int(rate)


def _to_float(data: np.ndarray) -> np.ndarray:
    kind, size = data.dtype.kind, data.dtype.itemsize
    if kind == "f":
        return np.clip(data.astype(np.float32), -1.0, 1.0)
    if kind == "u" and size == 1:
        return ((data.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    if kind == "i":
        return (data.astype(np.float64) / float(2 ** (8 * size - 1))).astype(np.float32)
    raise AudioInputError(f"unsupported sample format {data.dtype}")


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Resample by the FFT (numpy only: scipy.signal takes seconds to import on a slow PC). Band-limited to the
    lower Nyquist frequency, which is what a speech check needs."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32)
    n_out = max(1, round(samples.size * target / rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins = n_out // 2 + 1
    if spectrum.size >= bins:
        spectrum = spectrum[:bins]
    else:
        spectrum = np.concatenate([spectrum, np.zeros(bins - spectrum.size, dtype=spectrum.dtype)])
    return (np.fft.irfft(spectrum, n_out) * (n_out / samples.size)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    if samples.size == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    spectrum[0] = 0
    return float(np.argmax(spectrum) * rate / len(samples))


@dataclass
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    hostapi: str
    default_rate: float

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "inputs": self.inputs, "outputs": self.outputs,
                "hostapi": self.hostapi}


def sounddevice_module() -> Any | None:
    try:
        import sounddevice as sd
    except OSError:  # PortAudio missing
        return None
    return sd


def list_devices() -> list[Device]:
    sd = sounddevice_module()
    if sd is None:
        return []
    try:
        apis = [a["name"] for a in sd.query_hostapis()]
        raw = sd.query_devices()
    except Exception:
        return []
    return [Device(i, d["name"], int(d["max_input_channels"]), int(d["max_output_channels"]),
                   apis[d["hostapi"]] if d["hostapi"] < len(apis) else "", float(d["default_samplerate"]))
            for i, d in enumerate(raw)]


# Names that mark a headset (USB headsets as Windows and Linux list them, and the test fixture's virtual one).
# A brand or "headset" decides; a bare "USB" counts unless the name says it is a display's audio. Windows names a
# headset's output "Speakers (Jabra EVOLVE 20)", so "speaker" alone decides nothing.
HEADSET_WORDS = ("headset", "headphone", "ヘッドセット", "ヘッドホン", "jabra", "plantronics", "poly ", "sennheiser",
                 "epos", "logitech", "logi ", "h340", "h390", "h540", "buffalo", "elecom", "sanwa", "audio-technica",
                 "agentdesk_headset")
WEAK_HEADSET_WORDS = ("usb",)
NOT_HEADSET_WORDS = ("hdmi", "displayport", "monitor", "nvidia", "realtek digital")


def is_headset_name(name: str) -> bool:
    low = name.lower()
    if any(w in low for w in HEADSET_WORDS):
        return True
    return any(w in low for w in WEAK_HEADSET_WORDS) and not any(w in low for w in NOT_HEADSET_WORDS)


def default_devices() -> tuple[int | None, int | None]:
    """The system's default input and output device indices (None where there is none)."""
    sd = sounddevice_module()
    if sd is None:
        return None, None
    try:
        pair = list(sd.default.device)
    except Exception:
        return None, None
    return tuple(int(i) if i is not None and int(i) >= 0 else None for i in pair[:2])  # type: ignore[return-value]


def find_device(devices: list[Device], wanted: str | int | None, kind: str) -> Device | None:
    """The device ``wanted`` (index or a part of its name) with inputs (kind "input") or outputs ("output");
    without ``wanted``, the first headset."""
    ok = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if isinstance(wanted, int):
        return next((d for d in ok if d.index == wanted), None)
    if wanted:
        exact = [d for d in ok if d.name == wanted]
        if exact:
            return exact[0]
        return next((d for d in ok if wanted.lower() in d.name.lower()), None)
    return next((d for d in ok if is_headset_name(d.name)), None)


def record(device: int | None, seconds: float, rate: int, on_block: Any = None,
           cancel: Any = None, block_s: float = 0.1) -> np.ndarray:
    """Record mono float32 from ``device``; ``on_block(block)`` sees each block as it arrives (the live meter)."""
    sd = sounddevice_module()
    if sd is None:
        raise OSError("PortAudio is not available")
    frames = int(seconds * rate)
    block = max(1, int(block_s * rate))
    chunks: list[np.ndarray] = []
    got = 0
    with sd.InputStream(device=device, channels=1, samplerate=rate, dtype="float32", blocksize=block) as stream:
        while got < frames:
            if cancel is not None and cancel.is_set():
                break
            data, _overflow = stream.read(min(block, frames - got))
            mono = np.asarray(data, dtype=np.float32).reshape(-1)
            chunks.append(mono)
            got += mono.size
            if on_block is not None:
                on_block(mono)
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
