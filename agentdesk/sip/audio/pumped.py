"""The headset's streams driven from pjmedia's clock thread through PortAudio's blocking interface.

In callback mode (:class:`~agentdesk.sip.audio.streams.StreamSet`) PortAudio runs two threads of its own, each
waking every 20 ms and taking the GIL to run a Python callback, beside pjmedia's clock thread that takes it twice
per tick for the port's two callbacks: on this VM a thread wake costs ~100 us and every GIL hand-over another
wake (docs/audio.md, "Where the CPU goes"). Here the streams have no callbacks: on each 20 ms tick the bridge,
already on the clock thread and holding the GIL, asks PortAudio how much the microphone captured and reads it
into the capture ring (:meth:`PumpedStreamSet.pull`), and hands the far end's samples straight to the output
device (:class:`DeviceQueue`), whose own buffer is the playback cushion. No Python runs on any other audio thread.

Rules kept from callback mode: the clock thread never waits (it asks how much can be read or written, then moves
no more than that, and skips a tick's I/O rather than wait for the watcher), touches preallocated buffers only,
never logs. Opening, starting, pausing and closing happen on the device watcher's thread under ``io_lock``.
Between calls the streams are paused (:meth:`pause`, no wake-ups at all); the watcher starts them when a call
rings or dials, or a tone needs the headset (:meth:`resume`, ~1 ms on PulseAudio).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import sounddevice as sd

from agentdesk.sip.audio.devices import Device
from agentdesk.sip.audio.streams import MAX_BLOCK, StreamSet, _channels

_lib: Any = getattr(sd, "_lib", None)  # sounddevice's cffi handle on PortAudio (present since 0.3)
_ffi: Any = getattr(sd, "_ffi", None)
AVAILABLE = all(hasattr(_lib, n) for n in ("Pa_ReadStream", "Pa_WriteStream", "Pa_GetStreamReadAvailable",
                                           "Pa_GetStreamWriteAvailable")) and _ffi is not None
_OVERFLOWED = getattr(_lib, "paInputOverflowed", -9981)
_UNDERFLOWED = getattr(_lib, "paOutputUnderflowed", -9980)


class DeviceQueue:
    """The output device's own buffer, seen by the bridge as its playback ring: :meth:`available` is what the device
    still holds to play, :meth:`write` hands samples to PortAudio (never more than it takes without waiting)."""

    def __init__(self, owner: PumpedStreamSet) -> None:
        self.owner = owner

    def available(self) -> int:
        return self.owner.queued()

    def write(self, data: np.ndarray) -> int:
        return self.owner.push(data)


class PumpedStreamSet(StreamSet):
    pumped = True

    def __init__(self, input_dev: Device | None, output_dev: Device | None, **kw: Any) -> None:
        super().__init__(input_dev, output_dev, **kw)
        self.io_lock = threading.Lock()
        self.started = False  # the streams run and the clock thread may pump them
        self.resumed_at = 0.0
        self.queue = DeviceQueue(self)
        self.out_size = 0  # frames the output buffer holds (write_available right after a start)
        self.io_errors = 0  # PortAudio errors from a read or write (the watcher sees a stall and reopens)
        self.dropped_out = 0  # samples the output device had no room for
        self._queued = 0
        self._in_frames = np.zeros((MAX_BLOCK, 1), np.float32)
        self._out_frames = np.zeros((MAX_BLOCK, 1), np.float32)
        self._idle_frame = np.zeros(self.rate_out // 50, np.float32)
        self._in_c: Any = None
        self._out_c: Any = None
        self._mono_out_c: Any = None
        self._in_ptr: Any = None
        self._out_ptr: Any = None

    # --- the watcher's thread ----------------------------------------------------------------------------
    def _open(self, kind: str, dev: Device) -> Any:
        rate = self.rate_in if kind == "input" else self.rate_out
        block = int(rate * self.block_ms / 1000)
        error: Exception | None = None
        for ch in _channels(dev, kind, self.forced_channels):
            try:
                if kind == "input":
                    s = sd.RawInputStream(device=dev.index, samplerate=rate * self.rate_scale, channels=ch,
                                          dtype="float32", blocksize=block, latency=self.latency)
                    self.ch_in = ch
                    self._in_frames = np.zeros((MAX_BLOCK, ch), np.float32)
                    self._in_c = _ffi.from_buffer(self._in_frames)
                else:
                    s = sd.RawOutputStream(device=dev.index, samplerate=rate * self.rate_scale, channels=ch,
                                           dtype="float32", blocksize=block, latency=self.output_latency)
                    self.ch_out = ch
                    self._out_frames = np.zeros((MAX_BLOCK, ch), np.float32)
                    self._out_c = _ffi.from_buffer(self._out_frames)
                    self._mono_out_c = _ffi.from_buffer(self._mono_out)
                return s
            except sd.PortAudioError as exc:
                error = exc
        raise error if error else sd.PortAudioError(f"{dev.name}: no usable channel count")

    def open(self) -> PumpedStreamSet:
        """Open and start; raises sd.PortAudioError (nothing left open) when the device refuses."""
        try:
            if self.input_dev is not None:
                self._in = self._open("input", self.input_dev)
            if self.output_dev is not None:
                self._out = self._open("output", self.output_dev)
        except Exception:
            self.close()
            raise
        self._in_ptr = getattr(self._in, "_ptr", None)
        self._out_ptr = getattr(self._out, "_ptr", None)
        self.opened_at = time.monotonic()
        self.resume()
        return self

    def resume(self) -> None:
        """Start the streams (the clock thread pumps them from its next tick)."""
        with self.io_lock:
            if self.started:
                return
            try:
                for s in (self._in, self._out):
                    if s is not None:
                        s.start()
                self.out_size = max(0, int(_lib.Pa_GetStreamWriteAvailable(self._out_ptr))) if self._out else 0
            except Exception:
                for s in (self._in, self._out):
                    if s is not None:
                        s.abort(ignore_errors=True)
                raise
            self.in_beats = self.out_beats = 0
            self.finished = False
            self._queued = 0
            self.resumed_at = self.last_in = self.last_out = time.monotonic()
            self.started = True

    def pause(self) -> None:
        """Stop the streams at once (no drain) and the pumping; between calls nothing then wakes for audio."""
        with self.io_lock:
            if not self.started:
                return
            self.started = False
            for s in (self._in, self._out):
                if s is not None:
                    s.abort(ignore_errors=True)

    def close(self) -> None:
        with self.io_lock:
            self.started = False
            super().close()
            self._in_ptr = self._out_ptr = None

    def ready(self) -> bool:
        """The watcher's check before switching to these streams: the microphone has delivered something (an
        output-only set is ready once started)."""
        with self.io_lock:
            if not self.started:
                return False
            if self._in_ptr is None:
                return True
            return int(_lib.Pa_GetStreamReadAvailable(self._in_ptr)) > 0

    def stalled(self, now: float, limit: float) -> bool:
        return self.started and (self.io_errors > 0 or super().stalled(now, limit))

    # --- pjmedia's clock thread --------------------------------------------------------------------------
    def pull(self) -> None:
        """Move what the microphone captured since the last tick into ``cap_ring`` (downmixed to mono)."""
        if not self.started or self._in_ptr is None or not self.io_lock.acquire(False):
            return
        try:
            n = int(_lib.Pa_GetStreamReadAvailable(self._in_ptr))
            if n <= 0:
                if n < 0:
                    self.io_errors += 1
                return
            n = min(n, MAX_BLOCK)
            err = _lib.Pa_ReadStream(self._in_ptr, self._in_c, n)
        finally:
            self.io_lock.release()
        if err == _OVERFLOWED:
            self.status_flags += 1
        elif err < 0:
            self.io_errors += 1
            return
        frames = self._in_frames[:n]
        if self.ch_in == 1:
            x = frames[:, 0]
        else:
            x = self._mono_in[:n]
            np.mean(frames, axis=1, out=x)
        self.cap_ring.write(x)  # (the level meters read the bridge's mic meter: nothing more per tick here)
        self.in_beats += 1
        self.last_in = time.monotonic()

    def queued(self) -> int:
        """Samples the output device holds still to play (the last known figure while the watcher has the lock)."""
        if not self.started or self._out_ptr is None or not self.io_lock.acquire(False):
            return self._queued
        try:
            room = int(_lib.Pa_GetStreamWriteAvailable(self._out_ptr))
        finally:
            self.io_lock.release()
        if room < 0:
            self.io_errors += 1
            return self._queued
        self._queued = max(0, self.out_size - room)
        return self._queued

    def push(self, data: np.ndarray) -> int:
        """Hand ``data`` (mono) with any tone mixed in to the device; returns the samples it took."""
        n = min(len(data), MAX_BLOCK)
        buf = self._mono_out[:n]
        buf[:] = data[:n]
        self.tones.mix_into(buf)
        if not self.started or self._out_ptr is None or not self.io_lock.acquire(False):
            return 0
        try:
            room = int(_lib.Pa_GetStreamWriteAvailable(self._out_ptr))
            take = min(n, room)
            if take > 0:
                if self.ch_out == 1:
                    src = self._mono_out_c
                else:
                    self._out_frames[:take] = buf[:take, None]
                    src = self._out_c
                err = _lib.Pa_WriteStream(self._out_ptr, src, take)
            else:
                err = 0
        finally:
            self.io_lock.release()
        if room < 0 or (err < 0 and err != _UNDERFLOWED):
            self.io_errors += 1
            return 0
        if err == _UNDERFLOWED and self.playing:
            self.underruns += 1
        if take < n:
            self.dropped_out += n - max(take, 0)
        if take > 0:
            self.out_beats += 1
            self.last_out = time.monotonic()
            self._queued = max(0, self.out_size - room + take)
        return max(take, 0)

    def idle_tick(self) -> None:
        """A tick with no call while the streams run (ringing, a tone): keep the microphone drained and the
        speaker fed with the tone or silence, two frames ahead."""
        self.pull()
        self.cap_ring.clear()
        if self.queued() < 2 * len(self._idle_frame):
            self.push(self._idle_frame)
