"""The engine's side of the headset controls: runs on the engine thread, never blocks, never calls pjsua2.

The engine makes one :class:`HeadsetControl`, passes every event it emits through :meth:`HeadsetControl.tap` (so
the state machine sees calls, mute and the call device exactly as the desk does), hands it the queue items the
headset thread posts (:meth:`on_queue`), its ``headset`` command and the ``configure`` key ``"headset"``.
Off until configured with ``{"enabled": true}``: an engine that carries no agent (the practice center's simulated
customer, a trainer's tools) never touches a headset.

Events (docs/engine-protocol.md, "Headset buttons and lights"): ``{"event": "headset", "state": ...}`` with
``found`` / ``lost`` / ``button`` / ``lights`` / ``candidates`` / ``unavailable``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from agentdesk.sip import protocol as P
from agentdesk.sip.headset.service import HeadsetNews, HeadsetService, load_backend
from agentdesk.sip.headset.state import CallControlState

log = logging.getLogger("agentdesk.sip.headset")

Emit = Callable[[P.Event], None]


def _device(info: dict[str, Any] | None) -> P.HeadsetDevice | None:
    return P.HeadsetDevice(**info) if info else None


class HeadsetConfigError(ValueError):
    pass


class HeadsetControl:
    def __init__(self, emit: Emit, post: Callable[[tuple[Any, ...]], None],
                 clock: Callable[[], float] = time.monotonic, sysfs: str = "/sys") -> None:
        self._emit = emit
        self.post = post
        self.sysfs = sysfs
        self.state = CallControlState(clock=clock)
        self._lock = threading.Lock()  # the state is read by the headset thread (lights) too
        self.enabled = False
        self.service: HeadsetService | None = None
        self.call_device: str | None = None
        self.device: dict[str, Any] | None = None
        self.lights: dict[str, bool] = {}
        self.problem = ""
        self.how = ""

    # ---- the engine's events ----------------------------------------------------------------------------------
    def tap(self, emit: Emit) -> Emit:
        """Wrap the engine's emit: every event still goes out; call, mute and call-device events also feed the
        state machine."""

        def tapped(event: P.Event) -> None:
            emit(event)
            try:
                self.observe(event)
            except Exception:
                log.exception("headset: observing %s", event.NAME)

        self._emit = emit
        return tapped

    def observe(self, event: P.Event) -> None:
        if isinstance(event, P.CallEvent):
            with self._lock:
                self.state.call_event(event.call, event.direction, event.state, event.by)
        elif isinstance(event, P.MuteChanged):
            with self._lock:
                self.state.mute_event(event.muted)
        elif isinstance(event, P.AudioDevice) and event.role == "call":
            name = event.name if event.state != "fallback" else None
            if name != self.call_device:
                self.call_device = name or None
                if self.service is not None:
                    self.service.rescan()

    def wanted_lights(self) -> dict[str, bool]:
        with self._lock:
            return self.state.lights()

    # ---- configure / command ----------------------------------------------------------------------------------
    def configure(self, cfg: Any) -> None:
        if cfg is None:
            return
        if not isinstance(cfg, dict):
            raise HeadsetConfigError('"headset" must be an object such as {"enabled": true}')
        enabled = bool(cfg.get("enabled", self.enabled))
        with self._lock:
            self.state.ringer = bool(cfg.get("ringer", self.state.ringer))
        if enabled and not self.enabled:
            self._start()
        elif not enabled and self.enabled:
            self.stop()
        self.enabled = enabled

    def _start(self) -> None:
        try:
            backend = load_backend()
        except ImportError as exc:
            self.problem = f"the headset button support (hidapi) is not available: {exc}"
            self._emit(P.HeadsetUnavailable(reason=self.problem))
            return
        self.problem = ""
        self.service = HeadsetService(backend, self.post, self.wanted_lights, lambda: self.call_device,
                                      sysfs=self.sysfs)
        self.service.start()

    def stop(self) -> None:
        """Lights off, device closed, thread gone (quit, or turned off)."""
        if self.service is not None:
            self.service.stop()
            self.service = None
        if self.device is not None:
            self._emit(P.HeadsetLost(device=_device(self.device), reason="released"))
        self.device = None
        self.lights = {}

    def command(self, rescan: bool = False) -> dict[str, Any]:
        """``{"cmd": "headset"}``: the status; ``"rescan": true`` looks for headsets now."""
        if rescan and self.service is not None:
            self.service.rescan()
        svc = self.service
        return {"enabled": self.enabled, "device": self.device, "how": self.how, "lights": dict(self.lights),
                "candidates": [c.info() for c in svc.candidates] if svc is not None else [],
                "problem": self.problem or None}

    # ---- news from the headset thread (engine thread) ---------------------------------------------------------
    def on_queue(self, news: HeadsetNews) -> None:
        if news.kind == "found":
            self.device, self.how, self.problem = news.device, news.how, ""
            with self._lock:
                self.state.device_changed()
            self._emit(P.HeadsetFound(device=cast(P.HeadsetDevice, _device(news.device)),
                                      paired=cast(Any, news.how)))
        elif news.kind == "lost":
            was = self.device
            self.device, self.lights = None, {}
            self._emit(P.HeadsetLost(device=_device(was or news.device), reason=news.reason))
        elif news.kind == "lights":
            if news.lights != self.lights:
                self.lights = dict(news.lights)
                self._emit(P.HeadsetLights(lights=dict(news.lights)))
        elif news.kind == "unavailable":
            self.problem = news.reason
            self._emit(P.HeadsetUnavailable(reason=news.reason, device=_device(news.device)))
        elif news.kind == "candidates":
            self._emit(P.HeadsetCandidates(paired=cast(Any, news.how),
                                           candidates=[P.HeadsetDevice(**c) for c in news.candidates]))
        elif news.kind == "input":
            self._input(news)

    def _input(self, news: HeadsetNews) -> None:
        for name, value in news.values.items():
            with self._lock:
                if self.state.last_value(name) == value:
                    continue
                req = self.state.button(name, value, news.relative.get(name, False))
            number = int(name.rsplit("_", 1)[1]) if name.startswith("programmable_") else None
            self._emit(P.HeadsetButton(button=cast(Any, "programmable" if number is not None else name),
                                       value=value, pressed=bool(value), number=number,
                                       request=cast(Any, req.action) if req else None,
                                       call=req.call if req else None))
