"""The call-control state machine the headset vendors document (Jabra, Poly, EPOS developer notes).

A headset cannot be asked its state; host and device keep each other in step:
- the host sets **Off-Hook** while a call is up (answered from the screen or from the headset, or being placed) and
  clears it when the call ends; **Ring** while a call rings; **Hold** while the call is held; **Mute** (and
  **Microphone**) while the agent is muted;
- an **absolute** hook switch reports the state the device believes it is in (1 off-hook, 0 on-hook); it follows the
  Off-Hook light the host sets, so a report that agrees with the calls is an echo, not a press;
- a **relative** hook switch (and every relative button: Phone Mute on all recorded headsets, Flash, Redial) reports
  a press as a change: each press toggles;
- a mute press is a *request*: the device lights its mute LED only when the host sets it, after it has muted.

Presses become :class:`Request` s (answer, hangup, mute, unmute, hold, unhold, redial) for the desk to carry out;
the lights follow what the engine reports (call and mute events), not the presses. While an answer or a hang-up
asked from the headset is on its way (at most ``PENDING_S``), the Off-Hook light shows its outcome already, so an
absolute hook switch is not told "on-hook" in between (it would fall back and report again). If the desk does not
act, the lights return to the engine's state and the device with them.

Pure logic: no I/O, no threads, an injected clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

PENDING_S = 2.0
ACTIVE = ("connected", "held")
OUTGOING_UP = ("calling", "ringing")


@dataclass(frozen=True)
class Request:
    action: str  # answer | hangup | mute | unmute | hold | unhold | redial
    call: int | None = None


@dataclass
class _Call:
    direction: str
    state: str
    held_by: str | None = None
    order: int = 0


class CallControlState:
    def __init__(self, clock: Callable[[], float] = time.monotonic, ringer: bool = False) -> None:
        self.clock = clock
        self.ringer = ringer
        self.calls: dict[int, _Call] = {}
        self.muted = False
        self._values: dict[str, int] = {}
        self._pending: tuple[str, int | None, float] | None = None  # (action, call, deadline)
        self._order = 0

    # ---- what the engine reports ------------------------------------------------------------------------------
    def call_event(self, call: int, direction: str, state: str, by: str | None = None) -> None:
        if state == "ended":
            self.calls.pop(call, None)
            if self._pending and self._pending[1] == call:
                self._pending = None
            return
        c = self.calls.get(call)
        if c is None:
            self._order += 1
            c = self.calls[call] = _Call(direction=direction, state=state, order=self._order)
        c.state = state
        c.held_by = by if state == "held" else None
        if self._pending and self._pending[1] == call and state in ACTIVE and self._pending[0] == "answer":
            self._pending = None

    def mute_event(self, muted: bool) -> None:
        self.muted = bool(muted)

    def last_value(self, name: str) -> int:
        return self._values.get(name, 0)

    def device_changed(self) -> None:
        """A new device (or the same one re-opened): forget the last button values it sent."""
        self._values.clear()

    # ---- derived ----------------------------------------------------------------------------------------------
    def _sorted(self) -> list[tuple[int, _Call]]:
        return sorted(self.calls.items(), key=lambda kv: kv[1].order)

    def ringing_call(self) -> int | None:
        return next((n for n, c in self._sorted() if c.direction == "incoming" and c.state == "incoming"), None)

    def connected_call(self) -> int | None:
        return next((n for n, c in self._sorted() if c.state == "connected"), None)

    def held_call(self) -> int | None:
        return next((n for n, c in self._sorted() if c.state == "held"), None)

    def current_call(self) -> int | None:
        """The call a hang-up ends: the connected one, else one being placed, else a held one."""
        outgoing = next((n for n, c in self._sorted() if c.direction == "outgoing" and c.state in OUTGOING_UP),
                        None)
        for n in (self.connected_call(), outgoing, self.held_call()):
            if n is not None:
                return n
        return None

    def off_hook(self) -> bool:
        return any(c.state in ACTIVE or (c.direction == "outgoing" and c.state in OUTGOING_UP)
                   for c in self.calls.values())

    def _pending_now(self) -> tuple[str, int | None] | None:
        if self._pending is None:
            return None
        if self.clock() >= self._pending[2]:
            self._pending = None
            return None
        return self._pending[0], self._pending[1]

    def lights(self) -> dict[str, bool]:
        """What the headset's lights must show now."""
        ring = self.ringing_call() is not None
        off_hook = self.off_hook()
        pending = self._pending_now()
        if pending is not None:
            if pending[0] == "answer":
                off_hook, ring = True, any(c.state == "incoming" for n, c in self.calls.items() if n != pending[1])
            elif pending[0] == "hangup":
                others = [c for n, c in self.calls.items() if n != pending[1]]
                off_hook = any(c.state in ACTIVE or (c.direction == "outgoing" and c.state in OUTGOING_UP)
                               for c in others)
        hold = self.held_call() is not None and self.connected_call() is None and \
            any(c.held_by == "local" for c in self.calls.values() if c.state == "held")
        mute = self.muted and off_hook
        return {"off_hook": off_hook, "ring": ring, "mute": mute, "hold": hold, "microphone": mute,
                "ringer": ring and self.ringer}

    # ---- what the headset reports -----------------------------------------------------------------------------
    def button(self, name: str, value: int, relative: bool) -> Request | None:
        """One button's new value from an input report. Returns what the press asks for, if anything."""
        prev = self._values.get(name, 0)
        self._values[name] = value
        pressed = bool(value) and not prev  # a rising edge
        if name == "hook_switch":
            if not relative and bool(value) == bool(prev):
                return None  # an absolute hook switch acts on a change of state only
            return self._hook(bool(value), pressed, relative)
        if name == "phone_mute":
            if not self.off_hook():
                return None  # nothing to mute: the lights put the device back
            if relative:
                return (Request("unmute") if self.muted else Request("mute")) if pressed else None
            want = bool(value)  # an absolute mute reports the device's own state
            if want != self.muted:
                return Request("mute" if want else "unmute")
            return None
        if not pressed:
            return None
        if name in ("flash", "hold"):
            ringing, connected, held = self.ringing_call(), self.connected_call(), self.held_call()
            if ringing is not None and connected is not None:
                return self._ask("answer", ringing)  # call waiting: take the new call (the engine holds the other)
            if connected is not None:
                return Request("hold", connected)
            if held is not None:
                return Request("unhold", held)
            return None
        if name == "drop":
            current = self.current_call()
            return self._ask("hangup", current) if current is not None else None
        if name == "redial":
            return Request("redial") if not self.calls else None
        return None  # line_busy_tone, programmable buttons: reported, no call action

    def _hook(self, off_hook: bool, pressed: bool, relative: bool) -> Request | None:
        ringing, current = self.ringing_call(), self.current_call()
        if relative:
            if not pressed:
                return None
            if current is not None:
                return self._ask("hangup", current)
            if ringing is not None:
                return self._ask("answer", ringing)
            return None
        up = self.off_hook()
        if off_hook and not up and ringing is not None:
            return self._ask("answer", ringing)
        if not off_hook and up and current is not None:
            return self._ask("hangup", current)
        return None  # agrees with the calls (an echo of the lights), or nothing to act on

    def _ask(self, action: str, call: int | None) -> Request:
        self._pending = (action, call, self.clock() + PENDING_S)
        return Request(action, call)
