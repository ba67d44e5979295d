"""End to end: a customer calls through Kamailio, the agent answers from the shift screen with the keyboard and
escalates with one key, having signed in and started work from the keyboard too; the center's escalation queue (SIPp) receives the transferred customer with the call's
context headers. Real engine process (pjsua2), real Kamailio, real SIPp; only the center API is the fake."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.agent.escalation import decode_value
from agentdesk.agent.session import AgentState
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.desk.controller import DeskController
from agentdesk.ui.desk.sign_in import ask_sign_in
from agentdesk.ui.desk.sound import SoundPlayer
from agentdesk.ui.desk.view import ShiftView
from agentdesk.ui.qt_bridge import QtBridge
from tests.fakes.fake_center import FakeCenter, provisioning
from tests.infra import net
from tests.infra.engine import DOMAIN
from tests.infra.engine import EngineProcess as EngineDriver
from tests.infra.kamailio import Kamailio
from tests.infra.sipp import Sipp

pytestmark = [pytest.mark.sip, pytest.mark.slow]


def test_incoming_call_answered_from_the_ui_and_escalated_with_context(
        qtbot, kamailio: Kamailio, engine_factory: Callable[..., EngineDriver],
        sipp_factory: Callable[..., Sipp]) -> None:
    target = sipp_factory("desk-escalation-target.xml", args=["-m", "1", "-mp", str(net.free_port())]).start()
    center = FakeCenter(provisioning(registrar=kamailio.uri_for("udp"), domain=DOMAIN,
                                     escalation_uri=f"sip:tier2@127.0.0.1:{target.port}"))
    view = ShiftView()
    qtbot.addWidget(view)
    desk = DeskController(view, center.connection(), lambda on_event: EngineSupervisor(on_event), QtBridge(view),
        settings.Settings(), notifier=lambda *a: None, sound=SoundPlayer(enabled=False))
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=3000)  # keys go to the active window, as on a desktop
    desk.start()
    try:
        # keyboard only: the start-work key opens the sign-in dialog; type the ID, Tab, the password, Enter
        desk.sign_in_prompt = lambda agent_id: ask_sign_in(view, agent_id)
        typed: list[bool] = []

        def type_credentials() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None:  # not shown yet
                QTimer.singleShot(20, type_credentials)
                return
            qtbot.keyClicks(dialog.focusWidget(), "agent1001")
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
            qtbot.keyClicks(dialog.focusWidget(), "pass1234")
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
            typed.append(True)

        QTimer.singleShot(0, type_credentials)
        qtbot.keyClick(view, Qt.Key.Key_F2, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: desk.session.state == AgentState.NOT_READY, timeout=5000)  # 業務開始 recorded
        assert typed and center.signed_in == "agent1001"
        qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered", timeout=15000)
        view.activateWindow()  # the dialog has closed; the window manager gives the window back its focus
        qtbot.waitUntil(view.isActiveWindow, timeout=3000)
        qtbot.keyClick(view, Qt.Key.Key_F2)  # ready
        assert desk.session.state == AgentState.READY

        customer = engine_factory(name="customer")
        customer.register("customer", kamailio, sip={"transfer_requests": "accept"})  # follows the REFER
        customer.command({"cmd": "call", "uri": f"sip:agent1001@{DOMAIN}",
                          "headers": {"X-Contract-Id": "C-2024-00042", "X-Queue": "support"}})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        assert "C-2024-00042" in view.caller_label.text()

        qtbot.keyClick(view.answer_button, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        note = "ONUのランプが赤く点滅、再起動済み"
        view.call_notes.insertPlainText(note)
        qtbot.keyClick(view.call_notes, Qt.Key.Key_F9)  # escalate
        qtbot.waitUntil(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, timeout=20000)
        assert desk.session.wrap_up is not None and desk.session.wrap_up.escalated

        # the customer now talks to the escalation queue; the customer hangs up and the target's scenario ends
        new_call = customer.wait_event(lambda e: e.get("event") == "call" and "transferred_from" in e, 10)
        customer.wait_event({"event": "call", "call": new_call["call"], "state": "connected"}, 10)
        customer.command({"cmd": "hangup", "call": new_call["call"]})
        assert target.wait(20) == 0, target.errors()
        invite = next(m for m in target.messages().split("\n\n") if "INVITE sip:" in m and "X-Agent-Note" in m)
        headers = dict(line.split(":", 1) for line in invite.splitlines() if line.startswith("X-"))
        assert decode_value(headers["X-Agent-Note"].strip()) == note
        assert center.tickets and center.tickets[0]["contract_id"] == "C-2024-00042"

        view.wrap_up_codes.setFocus()
        assert view.wrap_up_codes.selectedItems()[0].data(Qt.ItemDataRole.UserRole) == "escalated"
        qtbot.keyClick(view.wrap_up_codes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert desk.session.state == AgentState.READY
        assert center.kinds("wrap_up")[0]["escalated"] is True
    finally:
        desk.stop()
