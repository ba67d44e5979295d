"""The bridge between pjsua2's conference clock (16 kHz mono, 20 ms) and the headset's PortAudio streams.

``BridgeCore`` holds everything that runs per frame and knows nothing of pjsua2, so it is tested with simulated
clocks: on every tick of pjmedia's clock thread it pulls one microphone frame out of the capture ring through a
drift-compensating resampler (device rate -> 16 kHz), runs the room-noise monitor and voice processing, applies
mute, and pushes one far-end frame through the other resampler into the playback ring (16 kHz -> device rate).
The ring fills are held at ``target_ms`` by the drift controllers; above ``max_ms`` a ring is cut back at once.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from agentdesk.sip.audio.drift import DriftController, Resampler
from agentdesk.sip.audio.levels import LevelMeter, NoiseMonitor, dbfs
from agentdesk.sip.audio.processing import VoiceProcessor
from agentdesk.sip.audio.ring import SampleRing
from agentdesk.sip.protocol import RoomNoise

RATE = 16000
FRAME = 320  # 20 ms
SETTLE_PULLS = 10  # a pumped input that has just started primes after this many deliveries (~0.2 s)


class PlaybackRing(Protocol):
    """Where the bridge writes what the agent hears: a SampleRing, or the output device's own buffer (pumped.py)."""

    def available(self) -> int: ...
    def write(self, data: np.ndarray) -> int: ...


@dataclass
class Path:
    """One device's rings with their resamplers and controllers (swapped as a whole on a device change)."""

    cap_ring: SampleRing
    play_ring: PlaybackRing
    rate_in: int
    rate_out: int
    mic_res: Resampler
    spk_res: Resampler
    mic_ctl: DriftController
    spk_ctl: DriftController
    owner: Any = None  # the StreamSet, when real devices are behind the rings
    pumped: bool = False  # the owner's streams are read and written on this (the clock) thread
    spk_underruns_seen: int = 0  # the device's underrun count at the last tick
    mic_primed: bool = False  # the capture ring has reached its target once (until then: silence, no reads)
    spk_primed: bool = False  # the playback ring got its cushion of silence

    @classmethod
    def make(cls, cap_ring: SampleRing, play_ring: PlaybackRing, rate_in: int, rate_out: int,
             target_ms: float, max_ms: float, owner: Any = None) -> Path:
        def ctl(rate: int) -> DriftController:
            # a device at the bridge's own rate coasts: most ticks its resampler is a plain copy
            return DriftController(target=rate * target_ms / 1000, max_fill=rate * max_ms / 1000, rate=rate,
                                   coast=rate == RATE)

        return cls(cap_ring, play_ring, rate_in, rate_out, Resampler(rate_in / RATE), Resampler(RATE / rate_out),
                   ctl(rate_in), ctl(rate_out), owner, bool(getattr(owner, "pumped", False)))


class BridgeCore:
    def __init__(self, processor: VoiceProcessor | None = None, target_ms: float = 40.0, max_ms: float = 120.0,
                 frame_seconds: float = FRAME / RATE) -> None:
        self.processor = processor or VoiceProcessor(echo_cancellation=False, noise_suppression=False,
                                                     auto_gain=False)
        self.target_ms = target_ms
        self.max_ms = max_ms
        self.path: Path | None = None
        self.muted = False
        self._active = False  # a call is connected: count underruns, run the noise monitor
        self.noise = NoiseMonitor(frame_seconds=frame_seconds)
        self.mic_meter = LevelMeter()
        self.spk_meter = LevelMeter()
        self.events: collections.deque[RoomNoise] = collections.deque(maxlen=100)
        self.mic_underruns = 0
        self.spk_drops = 0
        self.ticks = 0
        self.errors = 0
        self._tmp_in = np.zeros(8192, np.float32)
        self._tmp_out = np.zeros(8192, np.float32)
        self._mic = np.zeros(FRAME, np.float32)
        self._far = np.zeros(FRAME, np.float32)
        self._silence = np.zeros(FRAME, np.float32)

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        """Between calls the rings are left alone (the capture ring overflows, the playback ring drains); a new
        call starts both at their cushion again, keeping what the drift controllers learned of the clocks."""
        p = self.path
        if value and not self._active and p is not None:
            p.mic_primed = False
            p.spk_primed = False
        self._active = value

    def attach_rings(self, cap_ring: SampleRing, play_ring: PlaybackRing, rate_in: int, rate_out: int,
                     owner: Any = None) -> Path:
        """Switch to a device's rings (one reference assignment: the clock thread sees old or new)."""
        cap_ring.clear()
        path = Path.make(cap_ring, play_ring, rate_in, rate_out, self.target_ms, self.max_ms, owner)
        self.path = path
        return path

    def detach_rings(self) -> None:
        self.path = None

    # --- pjmedia clock thread ---------------------------------------------------------------------------
    def mic_frame(self) -> np.ndarray:
        """The next 20 ms for the far end (16 kHz float32)."""
        self.ticks += 1
        p = self.path
        if p is None:
            return self._silence
        if p.pumped:
            if not p.owner.started:  # paused, or starting: nothing flows yet, the priming waits
                return self._silence
            p.owner.pull()
        ring, ctl, res = p.cap_ring, p.mic_ctl, p.mic_res
        fill = ring.available()
        if not p.mic_primed:  # start at the target delay instead of creeping up to it
            if p.pumped and p.owner.in_beats < SETTLE_PULLS:  # just started: its first deliveries are bursty
                ring.clear()
                return self._silence
            if fill > ctl.max_fill:  # it filled up between calls, when nobody read it: stale room sound
                ring.clear()
                return self._silence
            if fill < ctl.target:
                return self._silence
            ring.discard(int(fill - ctl.target))  # a bursty start leaves no extra delay behind
            fill = ring.available()
            ctl.reset(fill, count=False)
            p.mic_primed = True
        corr = ctl.update(fill)
        jump = ctl.jumped()
        if jump > 0 or fill > ctl.max_fill:  # bounded delay: cut back to the target at once
            ring.discard(int(fill - ctl.target))
            fill = ring.available()
            ctl.reset(fill)
        elif jump < 0:  # the device stalled: build the cushion up again rather than run dry
            p.mic_primed = False
            ctl.reset(ctl.target)
            return self._silence
        step = res.nominal_step * (1.0 + corr)
        if ctl.coasting and not res.whole():  # back from steering: land on a whole sample, then copy
            step = res.landing_step(FRAME, res.nominal_step)
        need = res.needed(FRAME, step)
        if need:
            got = ring.read_into(self._tmp_in, need)
            if got < need and self.active:
                self.mic_underruns += 1
                self._widen(ctl)
            res.feed(self._tmp_in[:need])
        mic = self._mic
        res.take(FRAME, step, mic)
        sumsq = self.mic_meter.add(mic)
        proc = self.processor
        if self.active:
            level = dbfs(math.sqrt(sumsq / FRAME))
            # the VAD (~90 us) only where something is audible: a silent room is the common case
            prob = proc.voice_probability(mic) if level > self.noise.noise_floor_db else 0.0
            ev = self.noise.feed(level, prob)
            if ev is not None:
                self.events.append(ev)
        out = proc.process(mic, self._far)
        if self.muted:
            return self._silence
        return out

    def far_frame(self, pcm: np.ndarray) -> None:
        """20 ms from the far end (16 kHz float32) for the headset."""
        self._far[:] = pcm
        self.spk_meter.add(pcm)
        p = self.path
        if p is None or (p.pumped and not p.owner.started):
            return
        ring, ctl, res = p.play_ring, p.spk_ctl, p.spk_res
        if not p.spk_primed:  # a cushion of silence so the device never waits for the first frames
            ring.write(np.zeros(int(ctl.target), np.float32))  # (the device drained the ring between calls)
            ctl.restart()
            p.spk_primed = True
            if p.owner is not None:
                p.owner.playing = True  # from now on a short ring is an underrun
        fill = ring.available()
        corr = ctl.update(fill)
        jump = ctl.jumped()
        if jump > 0 or fill > ctl.max_fill:  # the device is not draining (stalled, or bursty): drop this frame
            self.spk_drops += 1
            ctl.reset(max(ctl.target, fill - FRAME / res.nominal_step))
            return
        if jump < 0:  # the device ran dry: restore the cushion
            ring.write(np.zeros(max(0, int(ctl.target - fill)), np.float32))
            ctl.reset(ctl.target)
        owner = p.owner
        if owner is not None and owner.underruns != p.spk_underruns_seen:
            p.spk_underruns_seen = owner.underruns
            self._widen(ctl)
        step = res.nominal_step * (1.0 + corr)
        res.feed(pcm)
        n = res.available_out(step)
        if ctl.coasting and not res.whole() and n > 1:  # back from steering: land on a whole sample, then copy
            step = res.landing_step(n, res.nominal_step)
            if res.available_out(step) < n:
                n -= 1
                step = res.landing_step(n, res.nominal_step)
        if n > 0:
            res.take(n, step, self._tmp_out)
            ring.write(self._tmp_out[:n])

    def idle_tick(self) -> None:
        """A tick between calls (pjmedia's empty frame): pumped streams that run (ringing, a tone) are serviced."""
        p = self.path
        if p is not None and p.pumped and p.owner.started:
            p.owner.idle_tick()

    def _widen(self, ctl: Any) -> None:
        """An underrun: this device (or this machine, under load) needs a bigger cushion. Like a jitter buffer,
        raise the target by 10 ms, up to the bound; :meth:`DriftController` steers there without a jump."""
        ctl.target = min(ctl.target + 0.010 * ctl.rate, ctl.max_fill - ctl.margin * ctl.rate)

    # --- figures -----------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        p = self.path
        d: dict[str, Any] = {"ticks": self.ticks, "mic_underruns": self.mic_underruns,
                             "speaker_drops": self.spk_drops, "errors": self.errors}
        if p is not None:
            d.update({
                "capture_buffer_ms": round(p.cap_ring.available() * 1000 / p.rate_in, 1),
                "playback_buffer_ms": round(p.play_ring.available() * 1000 / p.rate_out, 1),
                "capture_drift_ppm": round(p.mic_ctl.ppm, 1), "playback_drift_ppm": round(p.spk_ctl.ppm, 1),
                "resyncs": p.mic_ctl.resyncs + p.spk_ctl.resyncs,
                "capture_coasting_ticks": p.mic_ctl.coasted, "playback_coasting_ticks": p.spk_ctl.coasted,
                "capture_target_ms": round(p.mic_ctl.target * 1000 / p.rate_in, 1),
                "playback_target_ms": round(p.spk_ctl.target * 1000 / p.rate_out, 1),
            })
        return d
