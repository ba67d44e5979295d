"""End to end, one test per mode, through the shipped shift screen (the main window with ``attach_desk`` and the
app's own ``default_services``: a CenterConnection to the center double over HTTP, the durable outbox, the work
log) and the keyboard:

- softphone: sign in against the center double, a customer (a real engine) calls through Kamailio, F5 answers,
  F9 escalates with the call's context (the ticket from the double, the note, the contract) to a real escalation
  engine that sees those headers, the ticket id stays on screen into the wrap-up, Ctrl+Return wraps up and the
  double receives the wrap-up;
- fixed line: sign in with the landline, the center rings it ("the center is calling your phone"), the call's
  controls (hold, resume) and the escalation go through the Center API, the same wrap-up; a dropped landline
  offers "reconnect my line".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.agent.escalation import decode_value
from agentdesk.agent.session import AgentState
from agentdesk.center.api import EscalationTarget, SipAccount
from agentdesk.i18n import Text
from tests.fakes.center_double import DEFAULT_AGENT, CenterDouble, default_provisioning
from tests.infra.desk import center_store, press
from tests.infra.engine import DOMAIN, EngineProcess
from tests.infra.kamailio import Kamailio

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def _key(qtbot, desk: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    press(qtbot, desk, key, modifier)


_store = center_store


def test_softphone_mode_sign_in_call_escalate_with_context_and_wrap_up(
        qtbot, shift_screen, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    escalation = engine_factory("escalation")
    escalation.register("esc1", kamailio)
    prov = replace(default_provisioning(),
                   sip=SipAccount(user=DEFAULT_AGENT, domain=DOMAIN, registrars=[kamailio.uri_for("udp")], srtp="off"),
                   escalation_targets=[EscalationTarget("tier2", Text(ja="センター（2次対応）", en="Center (tier 2)"),
                                                        f"sip:esc1@{DOMAIN}", no_answer_seconds=20)])
    with CenterDouble(provisioning=prov) as double:
        _main, desk = shift_screen(_store(double))
        v = desk.view
        _key(qtbot, desk, Qt.Key.Key_F2, Qt.KeyboardModifier.ControlModifier)  # start work: signs in first
        qtbot.waitUntil(lambda: desk.session.state == AgentState.NOT_READY, timeout=10000)
        qtbot.waitUntil(lambda: "接続済み" in v.phone_label.text(), timeout=15000)
        _key(qtbot, desk, Qt.Key.Key_F2)  # ready
        assert desk.session.state == AgentState.READY

        customer = engine_factory("customer")
        customer.register("cust1", kamailio, sip={"transfer_requests": "accept"})
        customer.command({"cmd": "call", "uri": f"sip:{DEFAULT_AGENT}@{DOMAIN}",
                          "headers": {"X-Contract-Id": "C-1001", "X-Queue": "support"}})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        assert v.pages.currentWidget() is v.ringing_page
        qtbot.waitUntil(lambda: "光ファイバー" in v.caller_label.text(), timeout=5000)  # the double's contract
        _key(qtbot, desk, Qt.Key.Key_F5)  # answer
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        v.call_notes.insertPlainText("ONUのランプが赤く点滅")
        _key(qtbot, desk, Qt.Key.Key_F9)  # escalate: a ticket from the center, then the transfer
        # the ticket and the transfer go on while the window's event loop turns: wait with Qt, not in a thread
        qtbot.waitUntil(lambda: bool(escalation.find({"event": "call", "state": "incoming"})), timeout=15000)
        incoming = escalation.find({"event": "call", "state": "incoming"})[0]
        headers = incoming["headers"]
        assert headers["X-Contract-Id"] == "C-1001" and headers["X-Queue"] == "support"
        assert decode_value(headers["X-Agent-Note"]) == "ONUのランプが赤く点滅"
        ticket = headers["X-Ticket-Id"]
        assert ticket in double.tickets and double.tickets[ticket]["contract_id"] == "C-1001"
        assert "T-" in v.escalation_status.text() or "呼び出" in v.escalation_status.text()  # words, no codes
        escalation.command({"cmd": "answer", "call": incoming["call"]})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, timeout=15000)
        assert ticket in v.escalation_done_label.text() and v.escalation_done_label.isVisible()  # kept into wrap-up
        assert v.wrap_up_codes.selectedItems()[0].data(Qt.ItemDataRole.UserRole) == "escalated"
        _key(qtbot, desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert desk.session.state == AgentState.READY
        qtbot.waitUntil(lambda: bool(double.records_of("wrap_up")), timeout=10000)  # through the durable outbox
        wrap = double.records_of("wrap_up")[0].payload
        assert wrap["escalated"] is True and wrap["ticket_id"] == ticket and wrap["code"] == "escalated"


def test_fixed_line_mode_the_center_rings_the_landline_and_controls_go_through_the_api(
        qtbot, shift_screen) -> None:
    with CenterDouble(landline_answer_delay=1.0) as double:
        _main, desk = shift_screen(_store(double, mode="fixed_line", fixed_line_number="03-1234-5678"))
        v = desk.view
        _key(qtbot, desk, Qt.Key.Key_F2, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: desk.session.state == AgentState.NOT_READY, timeout=10000)
        assert double.lines[DEFAULT_AGENT].number == "+81312345678"  # signed in with the landline
        assert "固定電話" in v.phone_label.text()
        _key(qtbot, desk, Qt.Key.Key_F2)
        assert desk.session.state == AgentState.READY

        qtbot.waitUntil(lambda: double.sse_connections >= 1, timeout=10000)  # the center's events reach the desk
        double.offer_fixed_line_call(DEFAULT_AGENT, "CALL-1", "C-1001")  # the center rings the agent's landline
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=10000)
        assert "固定電話" in v.ring_title.text() and not v.answer_button.isVisible()
        assert any("固定電話を呼び出しています" in b.text() for b in v.banner_labels if b.isVisible())
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)  # picked up
        qtbot.waitUntil(lambda: "光ファイバー" in v.call_info_label.text(), timeout=5000)
        _key(qtbot, desk, Qt.Key.Key_F7)  # hold, through the Center API
        qtbot.waitUntil(lambda: desk.session.call is not None and desk.session.call.held, timeout=10000)
        assert ("CALL-1", "hold", "") in double.call_actions and "保留" in v.phone_label.text()
        _key(qtbot, desk, Qt.Key.Key_F7)  # resume
        qtbot.waitUntil(lambda: desk.session.call is not None and not desk.session.call.held, timeout=10000)
        v.call_notes.insertPlainText("回線故障の疑い")
        _key(qtbot, desk, Qt.Key.Key_F9)  # the same escalation: a ticket, then the center moves the customer
        qtbot.waitUntil(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, timeout=10000)
        assert ("CALL-1", "escalate", "tier2") in double.call_actions
        (ticket, context), = double.tickets.items()
        assert context["contract_id"] == "C-1001" and context["note"] == "回線故障の疑い"
        assert ticket in v.escalation_done_label.text()
        _key(qtbot, desk, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert desk.session.state == AgentState.READY
        qtbot.waitUntil(lambda: bool(double.records_of("wrap_up")), timeout=10000)
        assert double.records_of("wrap_up")[0].payload["ticket_id"] == ticket

        double.drop_leg(DEFAULT_AGENT)  # the landline breaks between calls
        qtbot.waitUntil(lambda: "つなぎ直す" in " ".join(b.text() for b in v.banner_labels if b.isVisible()),
                        timeout=5000)
        assert v.reconnect_button.isVisible()
        v.reconnect_button.click()  # the center calls the landline again, and the agent picks up
        qtbot.waitUntil(lambda: double.lines[DEFAULT_AGENT].leg == "connected", timeout=10000)
        qtbot.waitUntil(lambda: not v.reconnect_button.isVisible(), timeout=10000)
        assert not any("つなぎ直す" in b.text() for b in v.banner_labels if b.isVisible())
