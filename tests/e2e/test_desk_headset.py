"""End to end through the shipped desk: a customer calls through Kamailio; the agent answers, mutes and hangs up
with the headset's buttons. The desk (DeskController with its EngineSupervisor) starts the real engine, which
drives a stand-in HID device (hidapi's interface, tests/headset/standin.py) carrying a recorded headset's report
descriptor when the recordings are present, a synthetic one otherwise; the lights the engine writes are read
back from the device. Settings can turn the buttons off."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentdesk import settings
from agentdesk.agent.session import AgentState
from agentdesk.sip import protocol as P
from agentdesk.sip.headset.telephony import CallControls, controls_from_bytes
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge
from tests.fakes.fake_center import FakeCenter, provisioning
from tests.headset import synthetic
from tests.headset.recordings import RECORDINGS, folder, load
from tests.headset.reports import input_report, lights_in
from tests.headset.standin import StandinFolder
from tests.infra.engine import DOMAIN
from tests.infra.engine import EngineProcess as EngineDriver
from tests.infra.kamailio import Kamailio

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def _headset() -> tuple[bytes, int, int, str]:
    jabra = next(r for r in RECORDINGS if r.file == "0b0e-0307.bin")
    if folder() is not None:
        return load(jabra), 0x0B0E, 0x0307, "Jabra EVOLVE LINK MS"
    return synthetic.headset(), 0x1234, 0x0001, "Synthetic Headset"


def _lights(hid: StandinFolder, c: CallControls) -> dict[str, bool]:
    return lights_in(c, [r for _, r in hid.written("headset")])


def _desk(qtbot, center: FakeCenter, buttons: bool) -> DeskController:  # type: ignore[no-untyped-def]
    view = ShiftView()
    qtbot.addWidget(view)
    s = settings.Settings()
    s.audio.headset_buttons = buttons
    desk = DeskController(view, center.connection(), lambda on_event: EngineSupervisor(on_event), QtBridge(view),
                          s, notifier=lambda *a: None, sound=SoundPlayer(enabled=False))
    desk.sign_in_prompt = lambda agent_id: ("agent1001", "pass1234", False)
    return desk


def _start_shift(qtbot, desk: DeskController) -> None:  # type: ignore[no-untyped-def]
    desk.start()
    desk.toggle_work()
    qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered", timeout=15000)
    desk.go_ready()
    assert desk.session.state == AgentState.READY


def test_the_agent_answers_mutes_and_hangs_up_with_the_headset(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kamailio: Kamailio,
        engine_factory: Callable[..., EngineDriver]) -> None:
    descriptor, vid, pid, product = _headset()
    c = controls_from_bytes(descriptor)
    hid = StandinFolder(tmp_path / "hid")
    hid.plug("headset", descriptor, vid, pid, product)
    for k, v in hid.env().items():
        monkeypatch.setenv(k, v)  # inherited by the engine the desk starts
    monkeypatch.setenv("AGENTDESK_AUDIO_BACKEND", "null")
    center = FakeCenter(provisioning(registrar=kamailio.uri_for("udp"), domain=DOMAIN))
    desk = _desk(qtbot, center, buttons=True)
    found: list[P.HeadsetFound] = []
    desk.engine_listeners.append(lambda e: found.append(e) if isinstance(e, P.HeadsetFound) else None)
    try:
        _start_shift(qtbot, desk)
        qtbot.waitUntil(lambda: bool(found), timeout=10000)
        customer = engine_factory(name="customer")
        customer.register("customer", kamailio)
        customer.command({"cmd": "call", "uri": f"sip:agent1001@{DOMAIN}"})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        qtbot.waitUntil(lambda: _lights(hid, c).get("ring") is True, timeout=5000)

        hid.send("headset", input_report(c, hook_switch=1))  # off-hook: answer
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        qtbot.waitUntil(lambda: _lights(hid, c) .get("off_hook") is True and not _lights(hid, c).get("ring"),
                        timeout=5000)

        hid.send("headset", input_report(c, hook_switch=1, phone_mute=1))  # mute press and release
        hid.send("headset", input_report(c, hook_switch=1, phone_mute=0))
        qtbot.waitUntil(lambda: desk.session.call is not None and desk.session.call.muted, timeout=5000)
        qtbot.waitUntil(lambda: _lights(hid, c).get("mute") is True, timeout=5000)  # acknowledged

        hid.send("headset", input_report(c, hook_switch=0))  # on-hook: hang up
        qtbot.waitUntil(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, timeout=10000)
        customer.wait_event({"event": "call", "state": "ended"}, 10)
        qtbot.waitUntil(lambda: not any(_lights(hid, c).values()), timeout=5000)
    finally:
        desk.stop()


def test_settings_switch_turns_the_headset_buttons_off(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kamailio: Kamailio) -> None:
    descriptor, vid, pid, product = _headset()
    hid = StandinFolder(tmp_path / "hid")
    hid.plug("headset", descriptor, vid, pid, product)
    for k, v in hid.env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AGENTDESK_AUDIO_BACKEND", "null")
    center = FakeCenter(provisioning(registrar=kamailio.uri_for("udp"), domain=DOMAIN))
    desk = _desk(qtbot, center, buttons=False)
    events: list[P.Event] = []
    desk.engine_listeners.append(lambda e: events.append(e) if e.NAME == "headset" else None)
    try:
        _start_shift(qtbot, desk)
        time.sleep(1.0)  # the headset thread would have found the device within its first scan
        qtbot.wait(100)
        assert events == [] and hid.opened() == []  # never looked at, never driven
    finally:
        desk.stop()
