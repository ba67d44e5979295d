"""The headset audio backend: ``DeviceCallAudio`` implements ``agentdesk.sip.call_audio.CallAudio``.

The engine constructs it for ``"audio": {"backend": "devices", ...}`` (keys in docs/audio.md); every method runs
on the engine's endpoint thread. Inside: one long-lived AudioMediaPort (port.py) feeding BridgeCore (bridge.py),
a device watcher thread owning the PortAudio streams (manager.py, streams.py), drift compensation (drift.py),
voice processing (processing.py), meters and the room-noise monitor (levels.py), tones (tones.py).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from agentdesk.sip.audio import devices as devmod
from agentdesk.sip.audio.bridge import BridgeCore
from agentdesk.sip.audio.levels import dbfs
from agentdesk.sip.audio.manager import DeviceManager
from agentdesk.sip.audio.processing import VoiceProcessor
from agentdesk.sip.audio.pumped import PumpedStreamSet
from agentdesk.sip.audio.streams import StreamSet
from agentdesk.sip.audio.tones import TONES
from agentdesk.sip.protocol import AudioLevel, Emit

__all__ = ["DeviceCallAudio"]

OPTIONS = ("echo_cancellation", "noise_suppression", "auto_gain")
RINGING_S = 90.0  # a call ringing or dialling keeps the streams running this long at most without media
LINGER_S = 1.0  # after the last call's media stops (hold, hang-up, a transfer's re-INVITE) before pausing


def _echo_option(value: Any) -> bool | str:
    """True/False, or "auto" (the default; settings' True also means auto: cancel where an echo path is likely)."""
    return "auto" if value in ("auto", True, None) else bool(value)


class DeviceCallAudio:
    def __init__(self, emit: Emit, config: dict[str, Any]) -> None:
        self.emit = emit
        self.config = dict(config)
        c = self.config
        self.level_interval = float(c.get("level_interval", 0.1))
        self.ring_on_headset = bool(c.get("ring_on_headset", False))
        self.processor = VoiceProcessor(
            echo_cancellation=_echo_option(c.get("echo_cancellation", "auto")),
            noise_suppression=bool(c.get("noise_suppression", True)),
            auto_gain=bool(c.get("auto_gain", True)))
        self.core = BridgeCore(self.processor, target_ms=float(c.get("target_delay_ms", 40.0)),
                               max_ms=float(c.get("max_delay_ms", 120.0)))
        self.manager = DeviceManager(self._on_streams, call_device=str(c.get("call_device", "")),
                                     ring_device=str(c.get("ring_device", "")),
                                     latency_ms=float(c.get("input_latency_ms", 20.0)),
                                     output_latency_ms=float(c.get("output_latency_ms", 50.0)),
                                     channels=int(c["channels"]) if c.get("channels") else None,
                                     rate_scale=float(c.get("rate_scale", 1.0)),
                                     pumped=c.get("device_io", "pump") != "callback")
        self.port: Any = None
        self.media: dict[int, Any] = {}
        self._next_level = 0.0
        self._streams: StreamSet | None = None
        self._ringing: dict[int, float] = {}  # call id -> monotonic deadline, calls ringing or dialling
        self._linger_until = 0.0

    # called on the watcher thread when the headset streams change
    def _on_streams(self, s: StreamSet | None) -> None:
        self._streams = s
        if s is None:
            self.core.detach_rings()
            return
        s.playing = False  # the bridge sets it once it has primed the new rings during a call
        play = s.queue if isinstance(s, PumpedStreamSet) else s.play_ring  # pumped: the device's buffer
        self.core.attach_rings(s.cap_ring, play, s.rate_in, s.rate_out, owner=s)
        self.processor.stream_delay_ms = int(20 + s.device_latency * 1000)
        # an echo path is likely on the default/fallback device (laptop speakers), not on the chosen headset
        self.processor.set_echo_path(self.manager.fallback or not self.manager.call_device)

    # --- CallAudio ---------------------------------------------------------------------------------------
    def start(self) -> None:
        from agentdesk.sip.audio.port import BridgePort

        self.port = BridgePort(self.core)
        self.manager.start()

    def attach(self, call_id: int, media: Any) -> None:
        if self.port is None:
            return
        if call_id in self.media:
            self.detach(call_id)
        media.startTransmit(self.port)
        self.port.startTransmit(media)
        self.media[call_id] = media
        self._ringing.pop(call_id, None)
        self.manager.want_streams(True)
        self.core.active = True  # the bridge primes the rings on its next tick, then marks the streams playing
        if self._streams is not None:
            self._streams.tones.stop()

    def detach(self, call_id: int) -> None:
        media = self.media.pop(call_id, None)
        if media is not None and self.port is not None:
            with contextlib.suppress(Exception):
                media.stopTransmit(self.port)
            with contextlib.suppress(Exception):
                self.port.stopTransmit(media)
        if not self.media:
            self.core.active = False
            self._linger_until = time.monotonic() + LINGER_S
            if self._streams is not None:
                self._streams.playing = False

    def on_call_state(self, call_id: int, state: str) -> None:
        """The engine's call states (optional in the CallAudio protocol): a call that rings or dials starts the
        headset streams, so they run by the time it is answered; its end lets them pause."""
        if state in ("incoming", "calling", "ringing"):
            self._ringing[call_id] = time.monotonic() + RINGING_S
            self.manager.want_streams(True)
        elif state == "ended":
            self._ringing.pop(call_id, None)

    def set_mute(self, muted: bool) -> None:
        self.core.muted = bool(muted)

    def agent_media(self) -> tuple[Any, Any]:
        """The headset port is both the agent's microphone (it transmits the processed capture) and ear (what is
        transmitted to it is played): call training connects trainers to it per mode, and practice calls record
        the agent's voice from it."""
        return self.port, self.port

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any] | None:
        name = cmd.get("cmd")
        if name == "devices":
            if cmd.get("rescan"):
                if self.media:
                    raise ValueError("cannot re-scan devices during a call")
                self.manager.request("rescan")
            return self._devices_reply()
        if name == "select_device":
            role = cmd.get("role", "call")
            ident = cmd.get("id", "")
            if role not in ("call", "ring") or not isinstance(ident, str):
                raise ValueError("select_device needs role 'call' or 'ring' and a device id string")
            kind = "input" if role == "call" else "output"
            if ident and devmod.find(ident, kind, list(self.manager.devices)) is None:
                raise ValueError(f"no such {role} device: {ident}")
            self.manager.request("select_call" if role == "call" else "select_ring", ident)
            return {"role": role, "id": ident}
        if name == "ring":
            action = cmd.get("action", "start")
            if action == "stop":
                self.manager.request("ring_stop")
                return {"ringing": False}
            tone = cmd.get("tone", "ring")
            if tone not in TONES:
                raise ValueError(f"unknown tone: {tone}")
            on_headset = bool(cmd.get("on_headset", self.ring_on_headset))
            self.manager.request("ring_start", (tone, bool(cmd.get("loop", True)), on_headset))
            return {"ringing": True, "tone": tone}
        if name == "tone":
            tone = str(cmd.get("name", ""))
            if tone.startswith("dtmf") and "digit" in cmd:
                tone = "dtmf_" + str(cmd["digit"])
            if tone not in TONES:
                raise ValueError(f"unknown tone: {tone}")
            s = self._streams
            if s is not None:
                s.tones.play(tone, loop=False, gain=float(cmd.get("gain", 0.5)))
                self.manager.want_streams(True)
            return {"tone": tone, "played": s is not None}
        if name == "audio_processing":
            opts = {k: v for k, v in cmd.items() if k in OPTIONS}
            if not opts and set(cmd) - {"cmd", "id"}:
                raise ValueError("audio_processing takes echo_cancellation, noise_suppression, auto_gain")
            return {"processing": self.processor.configure(**opts), "available": self.processor.available}
        if name == "audio_stats":
            return self._stats()
        return None

    def _streams_wanted(self, now: float) -> bool:
        """A call's media, a call ringing or dialling, the short linger after a call, or a tone on the headset."""
        if self.media or now < self._linger_until:
            return True
        for call_id, deadline in list(self._ringing.items()):
            if now < deadline:
                return True
            del self._ringing[call_id]
        s = self._streams
        return s is not None and s.tones.playing

    def poll(self) -> None:
        self.manager.want_streams(self._streams_wanted(time.monotonic()))
        for q in (self.manager.events, self.core.events):
            while q:
                try:
                    self.emit(q.popleft())
                except IndexError:
                    break
        now = time.monotonic()
        if now >= self._next_level:
            self._next_level = now + self.level_interval
            s = self._streams
            mic, mic_peak = self.core.mic_meter.read()  # (the bridge's meter: what it took from the microphone)
            if s is not None and not isinstance(s, PumpedStreamSet):
                rms, peak = s.read_input_level()  # callback mode: the device callback's meter
                mic, mic_peak = round(dbfs(rms), 1), round(dbfs(peak), 1)
            spk_rms, spk_peak = self.core.spk_meter.read()
            self.emit(AudioLevel(mic_dbfs=mic, mic_peak_dbfs=mic_peak,
                                 speaker_dbfs=spk_rms, speaker_peak_dbfs=spk_peak, muted=self.core.muted))

    def stop(self) -> None:
        self.manager.stop()
        for call_id in list(self.media):
            self.detach(call_id)
        self.port = None

    # --- replies -----------------------------------------------------------------------------------------
    def _devices_reply(self) -> dict[str, Any]:
        return {"devices": [d.to_json() for d in self.manager.devices], "call_device": self.manager.call_device,
                "ring_device": self.manager.ring_device, "active_call_device": self.manager.active_call_device,
                "fallback": self.manager.fallback}

    def _stats(self) -> dict[str, Any]:
        s = self._streams
        d = self.core.stats()
        d.update({"processing": dict(self.processor.options), "processing_available": self.processor.available,
                  "muted": self.core.muted, "active_call_device": self.manager.active_call_device,
                  "fallback": self.manager.fallback})
        if s is not None:
            d.update({"device_io": "pump" if getattr(s, "pumped", False) else "callback",
                      "streams_running": bool(getattr(s, "started", True)),
                      "device_latency_ms": round(s.device_latency * 1000, 1), "speaker_underruns": s.underruns,
                      "capture_overflows": s.cap_ring.overflows, "input_channels": s.ch_in,
                      "output_channels": s.ch_out, "input_rate": s.rate_in, "output_rate": s.rate_out})
        return d
