"""One device's PortAudio input and output streams, whose callbacks touch only preallocated ring buffers.

The callbacks run on PortAudio's threads. They never call pjsua2, never log, take no lock: they copy between the
device's buffer and a :class:`SampleRing`, downmix/upmix (a 7.1 headset is just 8 channels), mix a tone, and bump
a few counters the watcher reads (heartbeats, underruns, the microphone's level for meters).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import numpy as np
import sounddevice as sd

from agentdesk.sip.audio.devices import Device
from agentdesk.sip.audio.ring import SampleRing
from agentdesk.sip.audio.tones import TonePlayer

MAX_BLOCK = 8192


def _channels(dev: Device, kind: str, forced: int | None) -> list[int]:
    top = dev.max_input_channels if kind == "input" else dev.max_output_channels
    if forced:
        return [min(forced, top)]
    # mono first (the host mixes), then stereo, then whatever the device insists on (a 7.1 headset: 8)
    return [c for c in dict.fromkeys((1, 2, min(top, 8))) if c <= top]


def _rate(dev: Device | None, kind: str) -> int:
    """16 kHz when the host converts for us (PulseAudio, MME, WASAPI with conversion), else the device's own rate
    (the bridge's resampler then converts, with its anti-aliasing filter)."""
    if dev is None:
        return 16000
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=dev.index, samplerate=16000, channels=1, dtype="float32")
        return 16000
    except Exception:
        return int(dev.default_samplerate)


class StreamSet:
    def __init__(self, input_dev: Device | None, output_dev: Device | None, latency_ms: float = 20.0,
                 block_ms: float = 20.0, channels: int | None = None, rate_scale: float = 1.0,
                 output_latency_ms: float | None = None) -> None:
        self.input_dev = input_dev
        self.output_dev = output_dev
        self.latency = latency_ms / 1000.0
        self.output_latency = (output_latency_ms if output_latency_ms is not None else latency_ms) / 1000.0
        self.block_ms = block_ms
        self.forced_channels = channels
        self.rate_scale = rate_scale  # tests: run a device clock off-nominal (e.g. 1 + 300e-6)
        self.rate_in = _rate(input_dev, "input")
        self.rate_out = _rate(output_dev, "output")
        self.cap_ring = SampleRing(self.rate_in)  # 1 s
        self.play_ring = SampleRing(self.rate_out)
        self.tones = TonePlayer(self.rate_out)
        self._mono_in = np.zeros(MAX_BLOCK, np.float32)
        self._mono_out = np.zeros(MAX_BLOCK, np.float32)
        self.ch_in = 0
        self.ch_out = 0
        self.in_beats = 0
        self.out_beats = 0
        self.last_in = 0.0
        self.last_out = 0.0
        self.opened_at = 0.0
        self.playing = False  # set by the bridge while a call feeds play_ring
        self.underruns = 0  # output callbacks that found play_ring short while playing
        self.status_flags = 0
        self.in_sumsq = 0.0
        self.in_count = 0
        self.in_peak = 0.0
        self._in: Any = None
        self._out: Any = None
        self.finished = False

    # --- PortAudio threads -------------------------------------------------------------------------------
    def _in_cb(self, indata: np.ndarray, frames: int, t: Any, status: sd.CallbackFlags) -> None:
        if status:
            self.status_flags += 1
        if self.ch_in == 1:
            x = indata[:, 0]
        else:
            x = self._mono_in[:frames]
            np.mean(indata, axis=1, out=x)
        self.cap_ring.write(x)
        self.in_sumsq += float(np.dot(x, x))
        self.in_count += frames
        p = float(np.max(np.abs(x)))
        if p > self.in_peak:
            self.in_peak = p
        self.in_beats += 1
        self.last_in = time.monotonic()

    def _out_cb(self, outdata: np.ndarray, frames: int, t: Any, status: sd.CallbackFlags) -> None:
        if status:
            self.status_flags += 1
        buf = self._mono_out[:frames]
        got = self.play_ring.read_into(buf, frames)
        if got < frames and self.playing:
            self.underruns += 1
        self.tones.mix_into(buf)
        outdata[:] = buf[:, None]
        self.out_beats += 1
        self.last_out = time.monotonic()

    def _finished(self) -> None:
        self.finished = True

    # --- the watcher's thread ----------------------------------------------------------------------------
    def open(self) -> StreamSet:
        """Open and start; raises sd.PortAudioError (nothing left open) when the device refuses."""
        try:
            if self.input_dev is not None:
                self._in = self._open("input", self.input_dev)
            if self.output_dev is not None:
                self._out = self._open("output", self.output_dev)
            for s in (self._in, self._out):
                if s is not None:
                    s.start()
        except Exception:
            self.close()
            raise
        self.opened_at = time.monotonic()
        return self

    def _open(self, kind: str, dev: Device) -> Any:
        rate = self.rate_in if kind == "input" else self.rate_out
        block = int(rate * self.block_ms / 1000)
        error: Exception | None = None
        for ch in _channels(dev, kind, self.forced_channels):
            try:
                if kind == "input":
                    s = sd.InputStream(device=dev.index, samplerate=rate * self.rate_scale, channels=ch,
                                       dtype="float32", blocksize=block, latency=self.latency,
                                       callback=self._in_cb, finished_callback=self._finished)
                    self.ch_in = ch
                else:
                    s = sd.OutputStream(device=dev.index, samplerate=rate * self.rate_scale, channels=ch,
                                        dtype="float32", blocksize=block, latency=self.output_latency,
                                        callback=self._out_cb, finished_callback=self._finished)
                    self.ch_out = ch
                return s
            except sd.PortAudioError as exc:
                error = exc
        raise error if error else sd.PortAudioError(f"{dev.name}: no usable channel count")

    def close(self) -> None:
        for s in (self._in, self._out):
            if s is not None:
                try:
                    s.abort(ignore_errors=True)
                    s.close(ignore_errors=True)
                except Exception:
                    pass
        self._in = self._out = None

    @property
    def device_latency(self) -> float:
        """Seconds the host adds (input + output) as PortAudio reports them."""
        total = 0.0
        for s in (self._in, self._out):
            if s is not None:
                with contextlib.suppress(Exception):
                    total += float(s.latency)
        return total

    def stalled(self, now: float, limit: float) -> bool:
        """True when a started stream stopped calling back for ``limit`` seconds (a pulled device)."""
        if self.finished:
            return True
        if self.input_dev is not None and self.in_beats and now - self.last_in > limit:
            return True
        return bool(self.output_dev is not None and self.out_beats and now - self.last_out > limit)

    def running(self) -> bool:
        ok_in = self.input_dev is None or self.in_beats > 0
        ok_out = self.output_dev is None or self.out_beats > 0
        return ok_in and ok_out

    def read_input_level(self) -> tuple[float, float]:
        """(rms, peak) of the microphone since the last call; linear."""
        n = self.in_count
        rms = (self.in_sumsq / n) ** 0.5 if n else 0.0
        peak = self.in_peak
        self.in_sumsq, self.in_count, self.in_peak = 0.0, 0, 0.0
        return rms, peak
