"""The device watcher: opens, health-checks and switches the headset and ring streams on its own thread.

Every PortAudio call that can block (open, close, re-scan) happens here, never on the SIP endpoint thread and
never in an audio callback. The endpoint thread only queues requests and reads snapshots.

Hot-plug: PortAudio learns of new or vanished devices only when it re-initializes, which closes every stream.
So the watcher notices a pulled headset from its streams (they stop calling back, or finish with an error; on
PulseAudio they may be moved to the default sink, with a stall of their input), confirms by trying to open the
device, and then opens the default device *before* closing the old streams (audio continues where it can).
While on the fallback it tries the chosen device once a second and moves back when that opens; if the device's
old index no longer works it re-scans PortAudio, between its own stream closes.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import sounddevice as sd

from agentdesk.sip.audio import devices as devmod
from agentdesk.sip.audio import pumped as pumpmod
from agentdesk.sip.audio.devices import Device
from agentdesk.sip.audio.pumped import PumpedStreamSet
from agentdesk.sip.audio.streams import StreamSet
from agentdesk.sip.protocol import AudioDevice, AudioDevices, AudioError, Event

log = logging.getLogger(__name__)

STALL_S = 0.25  # no callback for this long: the device may be gone
START_GRACE_S = 3.0  # a new stream may take this long for its first callback (PulseAudio through ALSA: ~1.5 s)
RETRY_S = 1.0  # while on the fallback, try the chosen device this often
POLL_S = 0.1  # health checks between requests (a stall is STALL_S; 20 -> 10 wake-ups a second)
# An ALSA device in a call is also probed this often: PulseAudio's and PipeWire's ALSA plugins move a pulled
# device's streams to the default one, with a ~1.2 s stall on a fresh server and with none at all on one that has
# moved streams before (measured on the virtual headset), so no stall may ever show. One probe of the microphone:
# 3.8 ms of CPU (the plugin's server connection), ~0.8 % of a core during calls on Linux; never on Windows, whose
# host APIs end a pulled device's streams with an error instead (WASAPI: device invalidated).
ALSA_PROBE_S = 0.5


class DeviceManager:
    def __init__(self, on_streams: Callable[[StreamSet | None], None], call_device: str = "",
                 ring_device: str = "", latency_ms: float = 20.0, channels: int | None = None,
                 rate_scale: float = 1.0, output_latency_ms: float = 50.0, pumped: bool = True) -> None:
        self.on_streams = on_streams  # called (on this thread) when the headset streams change
        self.call_device = call_device
        self.ring_device = ring_device
        self.latency_ms = latency_ms
        self.output_latency_ms = output_latency_ms
        self.channels = channels
        self.rate_scale = rate_scale
        # the headset's streams driven from pjmedia's clock thread (pumped.py); False: PortAudio callbacks
        self.pumped = pumped and pumpmod.AVAILABLE
        self.wanted = True  # pumped streams run (a call, a ring, a tone) or pause (between calls)
        self.events: collections.deque[Event] = collections.deque(maxlen=100)
        self.devices: tuple[Device, ...] = ()
        self.call: StreamSet | None = None
        self.ring: StreamSet | None = None
        self.active_call_device: str = ""  # identity in use ("" before anything opened)
        self.fallback = False
        self._requests: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_retry = 0.0
        self._next_alsa_probe = 0.0
        self._stalled_since = 0.0
        self.ready = threading.Event()

    # --- endpoint thread --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audio-devices", daemon=True)
        self._thread.start()

    def request(self, what: str, arg: Any = None) -> None:
        self._requests.put((what, arg))

    def want_streams(self, wanted: bool) -> None:
        """Run the headset's (pumped) streams, or pause them between calls; applied on the watcher thread."""
        if wanted != self.wanted:
            self.wanted = wanted
            self.request("run" if wanted else "pause")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._requests.put(("noop", None))
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    # --- watcher thread ----------------------------------------------------------------------------------
    def _emit(self, ev: Event) -> None:
        self.events.append(ev)

    def _run(self) -> None:
        try:
            self._scan()
            self._open_call(self.call_device, reason="start")
        except Exception as exc:  # a device error never ends the engine
            self._emit(AudioError(message=str(exc)))
        self.ready.set()
        while not self._stop.is_set():
            try:
                what, arg = self._requests.get(timeout=POLL_S)
            except queue.Empty:
                what, arg = "", None
            try:
                if what == "select_call":
                    self.call_device = arg
                    self.fallback = False
                    self._open_call(arg, reason="selected")
                elif what == "select_ring":
                    self.ring_device = arg
                    if self.ring is not None:
                        self._ring_stop()
                        self._ring_start(*self._ring_args)
                elif what == "ring_start":
                    self._ring_start(*arg)
                elif what == "ring_stop":
                    self._ring_stop()
                elif what == "rescan":
                    self._rescan_all()
                elif what in ("run", "pause"):
                    self._apply_wanted()
                self._check()
            except Exception as exc:
                log.exception("audio device watcher")
                self._emit(AudioError(message=str(exc)))
        self._close_all()

    def _scan(self) -> None:
        self.devices = tuple(devmod.list_devices())
        self._emit(AudioDevices(devices=[d.info() for d in self.devices]))

    def _new_set(self, ident: str) -> StreamSet | None:
        dev_in = devmod.find(ident, "input", list(self.devices))
        dev_out = devmod.find(ident, "output", list(self.devices))
        if dev_in is None and dev_out is None:
            return None
        kind = PumpedStreamSet if self.pumped else StreamSet
        s = kind(dev_in, dev_out, latency_ms=self.latency_ms, channels=self.channels,
                 rate_scale=self.rate_scale, output_latency_ms=self.output_latency_ms)
        return s.open()

    def _wait_running(self, s: StreamSet, timeout: float) -> bool:
        ready = s.ready if isinstance(s, PumpedStreamSet) else s.running
        end = time.monotonic() + timeout
        while time.monotonic() < end and not self._stop.is_set():
            if ready():
                return True
            time.sleep(0.01)
        return ready()

    def _apply_wanted(self) -> None:
        s = self.call
        if isinstance(s, PumpedStreamSet):
            if self.wanted:
                s.resume()
            else:
                s.pause()

    def _open_call(self, ident: str, reason: str) -> bool:
        """Open the headset streams on ``ident`` (make before break); True when it worked."""
        try:
            new = self._new_set(ident)
        except sd.PortAudioError as exc:
            new = None
            err = str(exc)
        else:
            err = "no such device"
        if new is None:
            if ident:  # the chosen device is not there: the default device instead
                self._emit(AudioDevice(role="call", state="fallback", id=ident, to=self._default_id(), reason=err))
                self.fallback = True
                self._next_retry = time.monotonic() + RETRY_S
                return self._open_call("", reason="fallback") and False
            self._emit(AudioError(message=f"no usable call device: {err}"))
            return False
        old = self.call
        # make before break: the old streams (if they still run) carry the audio until the new ones call back
        if not self._wait_running(new, START_GRACE_S):
            log.warning("call device %s opened but has not called back yet", ident or "(default)")
        self.call = new
        self.on_streams(new)
        if old is not None:
            old.close()
        self._apply_wanted()  # a headset opened between calls pauses until the next one
        self.active_call_device = ident
        self._stalled_since = 0.0
        if reason != "fallback":
            self._emit(AudioDevice(role="call", state="restored" if reason == "restored" else "active", id=ident,
                                   name=self._name(new)))
        # pulled while the new streams were starting: PulseAudio moved them before anything pumped them, so no
        # stall will ever show; one probe now tells (a re-open under load, then the pull, left CI's agent unwarned)
        return not self._lost(time.monotonic())

    def _default_id(self) -> str:
        d = devmod.find("", "output", list(self.devices))
        return d.id if d else ""

    @staticmethod
    def _name(s: StreamSet) -> str:
        d = s.output_dev or s.input_dev
        return d.name if d else ""

    def _probe(self, ident: str, quick: bool = False) -> bool:
        """Can the device be opened right now? (Open and close both directions, or with ``quick`` the microphone
        alone where it has one; no re-scan.)"""
        dev_in = devmod.find(ident, "input", list(self.devices))
        dev_out = devmod.find(ident, "output", list(self.devices))
        if quick and dev_in is not None:
            dev_out = None
        if dev_in is None and dev_out is None:
            return False
        probe = StreamSet(dev_in, dev_out, latency_ms=self.latency_ms, channels=self.channels,
                          output_latency_ms=self.output_latency_ms)
        try:
            for kind, dev in (("input", dev_in), ("output", dev_out)):
                if dev is not None:
                    probe._open(kind, dev).close()
            return True
        except sd.PortAudioError:
            return False

    def _check(self) -> None:
        now = time.monotonic()
        s = self.call
        if isinstance(s, PumpedStreamSet) and not s.started:
            s = None  # paused between calls: nothing to watch (a pull shows when the next call starts them)
        since = s.resumed_at if isinstance(s, PumpedStreamSet) else s.opened_at if s is not None else 0.0
        if s is not None and now - since > 0.2:
            if s.stalled(now, STALL_S) or (not s.running() and now - since > START_GRACE_S):
                self._stalled_since = self._stalled_since or now
                if not self._lost(now) and now - self._stalled_since > 1.0:  # same device, stream broke: reopen
                    self._open_call(self.active_call_device, reason="reopen")
            else:
                if self.active_call_device.startswith("ALSA:") and now >= self._next_alsa_probe:
                    self._next_alsa_probe = now + ALSA_PROBE_S  # moved without a stall seen (see ALSA_PROBE_S)
                    self._lost(now, quick=True)
                self._stalled_since = 0.0
        if self.fallback and self.call_device and now >= self._next_retry:
            self._next_retry = now + RETRY_S
            if self._probe(self.call_device):
                self.fallback = False
                if not self._open_call(self.call_device, reason="restored"):
                    self.fallback = True

    def _lost(self, now: float, quick: bool = False) -> bool:
        """True (and the move to the default device made) when the headset cannot be opened (``quick``: its
        microphone alone is tried, see _probe)."""
        if not self.active_call_device or self._probe(self.active_call_device, quick):
            return False
        self._emit(AudioDevice(role="call", state="fallback", id=self.active_call_device, to=self._default_id(),
                               reason="device lost"))
        self.fallback = True
        self._next_retry = now + RETRY_S
        self._open_call("", reason="fallback")
        return True

    def _ring_start(self, tone: str, loop: bool, on_headset: bool) -> None:
        self._ring_args = (tone, loop, on_headset)
        if self.ring is None:
            dev = devmod.find(self.ring_device, "output", list(self.devices)) or devmod.find(
                "", "output", list(self.devices))
            if dev is not None:
                try:
                    self.ring = StreamSet(None, dev, latency_ms=60.0).open()
                except sd.PortAudioError as exc:
                    self._emit(AudioError(message=f"ring device: {exc}"))
        if self.ring is not None:
            self.ring.tones.play(tone, loop=loop)
        if on_headset and self.call is not None:
            self.call.tones.play(tone, loop=loop, gain=0.5)

    def _ring_stop(self) -> None:
        if self.ring is not None:
            self.ring.close()
            self.ring = None
        if self.call is not None:
            self.call.tones.stop()

    def _close_all(self) -> None:
        self.on_streams(None)
        for s in (self.call, self.ring):
            if s is not None:
                s.close()
        self.call = self.ring = None

    def _rescan_all(self) -> None:
        ring_args = getattr(self, "_ring_args", None) if self.ring is not None else None
        self._close_all()
        with contextlib.suppress(Exception):
            devmod.rescan()
        self._scan()
        self._open_call(self.call_device, reason="rescan")
        if ring_args:
            self._ring_start(*ring_args)
