"""Headset buttons in a real call: a stand-in HID device (hidapi's interface, tests/headset/standin.py) carrying a
recorded headset's report descriptor replays input reports into the real engine while a customer's engine calls
in through Kamailio; the output reports the engine writes to the device are read back as lights.

The test plays the desk's part (it carries out each request the engine reports); tests/agent covers the desk."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentdesk.sip.headset.telephony import CallControls, controls_from_bytes
from tests.headset import synthetic
from tests.headset.recordings import RECORDINGS, load
from tests.headset.reports import input_report, lights_in
from tests.headset.standin import StandinFolder
from tests.infra import require
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.pulse import VirtualHeadset

pytestmark = pytest.mark.sip

# Jabra: one shared report; Poly: a report per light; the synthetic ones: an absolute and a relative hook switch
HEADSETS = ["synthetic", "synthetic-relative", "0b0e-0307.bin", "047f-c053.bin"]


def _descriptor(which: str) -> tuple[bytes, int, int, str]:
    if which.startswith("synthetic"):
        return synthetic.headset(hook_relative=which.endswith("relative")), 0x1234, 0x0001, "Synthetic Headset"
    rec = next(r for r in RECORDINGS if r.file == which)
    vid, pid = rec.vid_pid
    return load(rec), vid, pid, f"{rec.vendor} {rec.product}"


def _hook(folder: StandinFolder, c: CallControls, off_hook: bool, **others: int) -> None:
    """Take the headset off or on hook: an absolute hook switch reports the state, a relative one a press."""
    relative = next(b.relative for b in c.buttons if b.name == "hook_switch")
    if relative:
        folder.send("headset", input_report(c, hook_switch=1, **others))
        folder.send("headset", input_report(c, hook_switch=0, **others))
    else:
        folder.send("headset", input_report(c, hook_switch=int(off_hook), **others))


def _wait_lights(folder: StandinFolder, c: CallControls, timeout: float = 5.0, **want: bool) -> dict[str, bool]:
    deadline = time.monotonic() + timeout
    lights: dict[str, bool] = {}
    while time.monotonic() < deadline:
        lights = lights_in(c, [r for _, r in folder.written("headset")])
        if all(lights.get(k) == v for k, v in want.items()):
            return lights
        time.sleep(0.02)
    raise AssertionError(f"the headset's lights are {lights}, not {want}")


@pytest.mark.parametrize("which", HEADSETS)
def test_answer_mute_hang_up_from_the_headset_in_a_real_call(
        which: str, tmp_path: Path, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    descriptor, vid, pid, product = _descriptor(which)
    c = controls_from_bytes(descriptor)
    folder = StandinFolder(tmp_path / "hid")
    folder.plug("headset", descriptor, vid, pid, product)
    agent = engine_factory("agent", env={**os.environ, **folder.env()})
    agent.register("agent1", kamailio, headset={"enabled": True})
    found = agent.wait_event({"event": "headset", "state": "found"}, 10)
    assert found["device"]["name"] == product and "hook_switch" in found["device"]["buttons"]
    _wait_lights(folder, c, off_hook=False, ring=False, mute=False)
    status = agent.command({"cmd": "headset"})
    assert status["enabled"] is True and status["device"]["name"] == product and status["how"] == "only"
    bad = agent.command({"cmd": "configure", "account": {"user": "agent1"}, "headset": True}, ok=False)
    assert "headset" in bad["error"]

    customer = engine_factory("customer")
    customer.register("customer1", kamailio)
    customer.command({"cmd": "call", "uri": "agent1"})
    call = agent.wait_event({"event": "call", "state": "incoming"}, 15)["call"]
    _wait_lights(folder, c, ring=True, off_hook=False)

    # answer: the hook switch goes off-hook (absolute on every recorded headset; a press on a relative one)
    mark = agent.mark()
    _hook(folder, c, True)
    press = agent.wait_event({"event": "headset", "state": "button", "button": "hook_switch", "pressed": True},
                             5, after=mark)
    assert (press["request"], press["call"]) == ("answer", call)
    agent.command({"cmd": "answer", "call": call})  # the desk carries it out
    agent.wait_event({"event": "call", "call": call, "state": "connected"}, 10)
    _wait_lights(folder, c, off_hook=True, ring=False, mute=False)

    # mute: a relative press (1 then 0); the light waits for the engine's mute
    held = 0 if next(b.relative for b in c.buttons if b.name == "hook_switch") else 1
    for want_request, muted in (("mute", True), ("unmute", False)):
        mark = agent.mark()
        folder.send("headset", input_report(c, hook_switch=held, phone_mute=1))
        folder.send("headset", input_report(c, hook_switch=held, phone_mute=0))
        press = agent.wait_event({"event": "headset", "state": "button", "button": "phone_mute", "pressed": True},
                                 5, after=mark)
        assert press["request"] == want_request
        agent.command({"cmd": want_request})
        _wait_lights(folder, c, off_hook=True, mute=muted)

    # hang up: on-hook
    mark = agent.mark()
    _hook(folder, c, False)
    press = agent.wait_event(lambda e: e.get("event") == "headset" and e.get("button") == "hook_switch"
                             and "request" in e, 5, after=mark)
    assert (press["request"], press["call"]) == ("hangup", call)
    agent.command({"cmd": "hangup", "call": call})
    agent.wait_event({"event": "call", "call": call, "state": "ended"}, 10)
    customer.wait_event({"event": "call", "state": "ended"}, 10)
    _wait_lights(folder, c, off_hook=False, ring=False, mute=False)

    # a second call answered on screen: the engine takes the headset off-hook, its echo is no press
    customer.command({"cmd": "call", "uri": "agent1"})
    call2 = agent.wait_event(lambda e: e.get("event") == "call" and e.get("state") == "incoming"
                             and e.get("call") != call, 15)["call"]
    agent.command({"cmd": "answer", "call": call2})
    _wait_lights(folder, c, off_hook=True, ring=False)
    mark = agent.mark()
    if not held:
        folder.send("headset", input_report(c, hook_switch=0))  # a relative switch reports nothing by itself
    else:
        folder.send("headset", input_report(c, hook_switch=1))  # the device follows the Off-Hook light
    time.sleep(0.5)
    assert all("request" not in e for e in agent.find({"event": "headset", "state": "button"}, after=mark))

    # quitting releases the headset: every light off, after the call's hang-up
    agent.stop()
    final = lights_in(c, [r for _, r in folder.written("headset")])
    assert final and not any(final.values()), final


@pytest.mark.audio
def test_two_headsets_only_the_one_carrying_the_call_acts(
        tmp_path: Path, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
        virtual_headset: VirtualHeadset) -> None:
    """The call's sound device is the virtual headset (PortAudio: agentdesk_headset); two HID headsets are plugged
    in, one named like it. Only that one is opened and lit; the other is left alone (never written to)."""
    require.portaudio()
    descriptor = synthetic.headset()
    c = controls_from_bytes(descriptor)
    folder = StandinFolder(tmp_path / "hid")
    folder.plug("headset", descriptor, 0x0B0E, 0x0307, "agentdesk_headset")
    folder.plug("other", descriptor, 0x047F, 0xC053, "Plantronics Blackwire C5220")
    agent = engine_factory("agent", env={**os.environ, **virtual_headset.env, **folder.env()})
    agent.register("agent1", kamailio, headset={"enabled": True},
                   audio={"backend": "devices", "call_device": "ALSA:agentdesk_headset"})
    found = agent.wait_event({"event": "headset", "state": "found"}, 15)
    assert found["device"]["name"] == "agentdesk_headset" and found["paired"] == "name"
    customer = engine_factory("customer")
    customer.register("customer1", kamailio)
    customer.command({"cmd": "call", "uri": "agent1"})
    agent.wait_event({"event": "call", "state": "incoming"}, 15)
    _wait_lights(folder, c, ring=True)
    assert folder.written("other") == []
