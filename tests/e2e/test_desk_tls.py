"""End to end through the shipped desk: the center provisions TLS (its CA and host name); the desk starts the real
engine, which registers over TLS 1.3 through its relay and takes a call with SRTP. A center whose certificate is
for another name never gets a REGISTER, and the shift screen says why in the agent's language. Real engine, real
Kamailio (tls module); only the center API is the fake."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from agentdesk import settings
from agentdesk.agent.session import AgentState
from agentdesk.center.api import SipTls
from agentdesk.sip import protocol as P
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge
from tests.fakes.fake_center import FakeCenter, provisioning
from tests.infra.certs import CENTER_NAME, TestCA
from tests.infra.engine import DOMAIN
from tests.infra.engine import EngineProcess as EngineDriver
from tests.infra.kamailio import Kamailio, KamailioTls

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def _desk(qtbot, center: FakeCenter, language: str = "ja") -> DeskController:  # type: ignore[no-untyped-def]
    view = ShiftView()
    qtbot.addWidget(view)
    desk = DeskController(view, center.connection(), lambda on_event: EngineSupervisor(on_event), QtBridge(view),
                          settings.Settings(), notifier=lambda *a: None, sound=SoundPlayer(enabled=False),
                          language=lambda: language)
    desk.sign_in_prompt = lambda agent_id: ("agent1001", "pass1234", False)
    return desk


def _tls_center(kamailio: Kamailio, ca: TestCA) -> FakeCenter:
    prov = provisioning(registrar=kamailio.uri_for("tls"), domain=DOMAIN)
    assert prov.sip is not None
    sip = dataclasses.replace(prov.sip, transport="tls", srtp="mandatory",
                              tls=SipTls(server_name=CENTER_NAME, ca_pem=ca.pem))
    return FakeCenter(dataclasses.replace(prov, sip=sip))


def test_the_desk_registers_over_tls_and_takes_an_encrypted_call(
        qtbot, kamailio_tls: Kamailio, center_ca: TestCA, engine_factory: Callable[..., EngineDriver]) -> None:
    center = _tls_center(kamailio_tls, center_ca)
    desk = _desk(qtbot, center)
    tls_events: list[P.TlsConnected] = []
    desk.engine_listeners.append(lambda e: tls_events.append(e) if isinstance(e, P.TlsConnected) else None)
    desk.start()
    try:
        desk.toggle_work()
        qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered", timeout=15000)
        qtbot.waitUntil(lambda: bool(tls_events), timeout=3000)
        assert tls_events[0].protocol == "TLSv1.3" and tls_events[0].server_name == CENTER_NAME
        desk.go_ready()
        customer = engine_factory(name="customer")
        customer.register("customer", kamailio_tls, transport="tls")
        customer.command({"cmd": "call", "uri": f"sip:agent1001@{DOMAIN}", "headers": {"X-Contract-Id": "C-7"}})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        desk.answer()
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        qtbot.waitUntil(lambda: bool(desk.core.stats and desk.core.stats.srtp), timeout=10000)
        desk.hangup()
        qtbot.waitUntil(lambda: desk.session.state != AgentState.ON_CALL, timeout=10000)
    finally:
        desk.stop()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_wrong_certificate_is_refused_and_the_agent_is_told_why(
        qtbot, kamailio_factory: Callable[..., Kamailio], center_ca: TestCA, language: str) -> None:
    server = center_ca.issue("impostor", names=("impostor.example.jp",))
    kamailio = kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=center_ca.path))
    desk = _desk(qtbot, _tls_center(kamailio, center_ca), language)
    desk.start()
    try:
        desk.toggle_work()
        qtbot.waitUntil(lambda: desk.core.phone_problem is not None, timeout=15000)
        text = desk.view.phone_label.text()
        if language == "ja":
            assert "証明書の名前" in text and CENTER_NAME in text and "暗号化されていない接続" in text, text
        else:
            assert "certificate is not for the center" in text and "never falls back" in text, text
        assert desk.registration is None or desk.registration.state != "registered"
        assert "agentdesk-seen REGISTER" not in kamailio.log()  # nothing was sent, over TLS or in clear
    finally:
        desk.stop()
