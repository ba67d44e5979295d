"""The call-control state machine, fed with input reports laid out as the recorded headsets lay them out."""

from __future__ import annotations

import pytest

from agentdesk.sip.headset.state import PENDING_S, CallControlState, Request
from agentdesk.sip.headset.telephony import CallControls, controls_from_bytes
from tests.headset import synthetic as s
from tests.headset.recordings import WITH_CONTROLS, Recording, load
from tests.headset.reports import input_report


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Headset:
    """A headset as the state machine sees it: input reports built from the descriptor's layout."""

    def __init__(self, controls: CallControls) -> None:
        self.c = controls
        self.clock = Clock()
        self.sm = CallControlState(clock=self.clock)
        self.held: dict[str, int] = {}

    def send(self, **values: int) -> list[Request]:
        """One input report through the descriptor (CallControls.read) into the state machine."""
        self.held.update(values)
        out = []
        rel = {b.name: b.relative for b in self.c.buttons}
        for name, value in self.c.read(input_report(self.c, **self.held)).items():
            if value != self.sm.last_value(name):
                r = self.sm.button(name, value, rel.get(name, False))
                if r is not None:
                    out.append(r)
        return out

    def press(self, name: str) -> list[Request]:
        """A momentary press: 1 then 0, as recorded headsets send a relative button (WebHID issue 72)."""
        return self.send(**{name: 1}) + self.send(**{name: 0})

    def relative(self, name: str) -> bool:
        return next(b.relative for b in self.c.buttons if b.name == name)


def _headsets() -> list[tuple[str, bytes | Recording]]:
    return [("synthetic absolute hook", s.headset()), ("synthetic relative hook", s.headset(hook_relative=True))] + \
        [(f"{r.vendor} {r.product}", r) for r in WITH_CONTROLS]


@pytest.fixture(params=_headsets(), ids=lambda p: p[0])
def headset(request: pytest.FixtureRequest) -> Headset:
    src = request.param[1]
    data = src if isinstance(src, bytes) else load(src)
    return Headset(controls_from_bytes(data))


def test_answer_mute_hang_up_from_the_headset(headset: Headset) -> None:
    sm = headset.sm
    sm.call_event(7, "incoming", "incoming")
    assert sm.lights()["ring"] and not sm.lights()["off_hook"]
    if headset.relative("hook_switch"):
        assert headset.press("hook_switch") == [Request("answer", 7)]
    else:
        assert headset.send(hook_switch=1) == [Request("answer", 7)]
    # until the engine reports the call answered, the lights already show it (an absolute hook must not fall back)
    assert sm.lights()["off_hook"] and not sm.lights()["ring"]
    sm.call_event(7, "incoming", "connected")
    assert sm.lights() == {"off_hook": True, "ring": False, "mute": False, "hold": False, "microphone": False,
                           "ringer": False}
    assert headset.press("phone_mute") == [Request("mute")]
    assert not sm.lights()["mute"]  # a press is a request: the light waits for the engine's mute
    sm.mute_event(True)
    assert sm.lights()["mute"] and sm.lights()["microphone"]
    assert headset.press("phone_mute") == [Request("unmute")]
    sm.mute_event(False)
    if headset.relative("hook_switch"):
        assert headset.press("hook_switch") == [Request("hangup", 7)]
    else:
        assert headset.send(hook_switch=0) == [Request("hangup", 7)]
    assert not sm.lights()["off_hook"]
    sm.call_event(7, "incoming", "ended")
    assert not any(sm.lights().values())


def test_answered_on_screen_the_hook_echo_is_no_press(headset: Headset) -> None:
    sm = headset.sm
    sm.call_event(3, "incoming", "incoming")
    sm.call_event(3, "incoming", "connected")  # the agent clicked Answer
    assert sm.lights()["off_hook"]
    if not headset.relative("hook_switch"):
        assert headset.send(hook_switch=1) == []  # the device follows the Off-Hook light and says so
        sm.call_event(3, "incoming", "ended")  # hung up on screen
        assert headset.send(hook_switch=0) == []


def test_desk_that_does_not_answer_gets_the_lights_back(headset: Headset) -> None:
    sm = headset.sm
    sm.call_event(4, "incoming", "incoming")
    reqs = headset.press("hook_switch") if headset.relative("hook_switch") else headset.send(hook_switch=1)
    assert reqs == [Request("answer", 4)]
    assert sm.lights()["off_hook"]
    headset.clock.t += PENDING_S + 0.1
    assert sm.lights()["ring"] and not sm.lights()["off_hook"]


def test_nothing_to_do_when_idle(headset: Headset) -> None:
    if headset.relative("hook_switch"):
        assert headset.press("hook_switch") == []
    else:
        assert headset.send(hook_switch=1) == []  # off-hook with no call: the lights (all off) put it back
        assert headset.send(hook_switch=0) == []
    assert headset.press("phone_mute") == []
    assert not any(headset.sm.lights().values())


def test_hold_resume_and_call_waiting_with_flash(headset: Headset) -> None:
    sm = headset.sm
    assert any(b.name == "flash" for b in headset.c.buttons)  # every recorded headset has one
    sm.call_event(1, "incoming", "connected")
    assert headset.press("flash") == [Request("hold", 1)]
    sm.call_event(1, "incoming", "held", by="local")
    assert sm.lights()["hold"] and sm.lights()["off_hook"]
    assert headset.press("flash") == [Request("unhold", 1)]
    sm.call_event(1, "incoming", "connected")
    sm.call_event(2, "incoming", "incoming")  # a second call while on the first
    assert sm.lights()["ring"] and sm.lights()["off_hook"]
    assert headset.press("flash") == [Request("answer", 2)]


def test_remote_hold_is_not_our_hold_light() -> None:
    sm = CallControlState()
    sm.call_event(1, "outgoing", "connected")
    sm.call_event(1, "outgoing", "held", by="remote")
    assert not sm.lights()["hold"] and sm.lights()["off_hook"]


def test_placing_a_call_takes_the_headset_off_hook() -> None:
    sm = CallControlState()
    sm.call_event(9, "outgoing", "calling")
    assert sm.lights()["off_hook"]
    assert sm.button("hook_switch", 1, relative=True) == Request("hangup", 9)  # a press cancels it


def test_drop_redial_and_absolute_mute() -> None:
    sm = CallControlState()
    assert sm.button("redial", 1, relative=True) == Request("redial")
    sm.button("redial", 0, relative=True)
    sm.call_event(5, "incoming", "connected")
    assert sm.button("redial", 1, relative=True) is None  # not during a call
    assert sm.button("phone_mute", 1, relative=False) == Request("mute")  # an absolute mute is a state
    sm.mute_event(True)
    assert sm.button("phone_mute", 1, relative=False) is None
    assert sm.button("phone_mute", 0, relative=False) == Request("unmute")
    assert sm.button("drop", 1, relative=True) == Request("hangup", 5)


def test_ringer_only_when_asked() -> None:
    sm = CallControlState(ringer=False)
    sm.call_event(1, "incoming", "incoming")
    assert sm.lights()["ring"] and not sm.lights()["ringer"]
    sm.ringer = True
    assert sm.lights()["ringer"]
