"""The headset pulled mid-call, seen on the shipped shift screen: the real engine with the devices backend on the
virtual headset (a private PulseAudio server), a customer engine through Kamailio; the desk tells the agent the
headset is gone and that the call goes on elsewhere, then that it is back once plugged in again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from agentdesk.agent.session import AgentState
from agentdesk.center.api import SipAccount
from tests.fakes.center_double import DEFAULT_AGENT, CenterDouble, default_provisioning
from tests.infra.desk import banners, center_store, press
from tests.infra.engine import DOMAIN, EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.pulse import VirtualHeadset

pytestmark = [pytest.mark.audio, pytest.mark.slow]

HEADSET = "ALSA:agentdesk_headset"


def test_the_agent_is_told_when_the_headset_is_pulled_mid_call_and_when_it_is_back(
        qtbot, shift_screen, monkeypatch: pytest.MonkeyPatch, virtual_headset: VirtualHeadset,
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    monkeypatch.setenv("AGENTDESK_AUDIO_BACKEND", "devices")  # the shipped backend, on the virtual headset
    prov = replace(default_provisioning(),
                   sip=SipAccount(user=DEFAULT_AGENT, domain=DOMAIN, registrars=[kamailio.uri_for("udp")], srtp="off"))
    with CenterDouble(provisioning=prov) as double:
        store = center_store(double)
        store.audio.call_device = HEADSET
        _main, desk = shift_screen(store)
        v = desk.view
        press(qtbot, desk, Qt.Key.Key_F2, Qt.KeyboardModifier.ControlModifier)  # start work
        qtbot.waitUntil(lambda: "接続済み" in v.phone_label.text(), timeout=20000)
        press(qtbot, desk, Qt.Key.Key_F2)  # ready
        customer = engine_factory("customer")
        customer.register("cust1", kamailio)
        customer.command({"cmd": "call", "uri": f"sip:{DEFAULT_AGENT}@{DOMAIN}"})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        press(qtbot, desk, Qt.Key.Key_F5)  # answer
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        qtbot.wait(1500)
        assert "ヘッドセットが見つかりません" not in banners(desk)
        virtual_headset.unplug_headset()
        try:
            qtbot.waitUntil(lambda: "ヘッドセットが見つかりません" in banners(desk), timeout=5000)
            assert desk.session.state == AgentState.ON_CALL  # the call goes on, on the default device
        finally:
            virtual_headset.plug_headset()
        qtbot.waitUntil(lambda: "ヘッドセットに戻りました" in banners(desk), timeout=10000)
        assert "ヘッドセットが見つかりません" not in banners(desk)
        assert desk.session.state == AgentState.ON_CALL
