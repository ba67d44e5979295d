"""Nothing private is left readable (issue 16): after an escalated call on the shift screen and a full practice call
from the shipped CLI, at the default log level, no customer number, contract id or SIP body is in any log or anywhere in the data and
settings folders, and every file and folder is the user's alone.

Before (3a9e0b5): engine.log held the customer's number at the default level (pjsua's "[DISCONNECTED] To:
<sip:0312345678@...>" call dump), and every data and log file was 0644 (world-readable), folders 0755.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from agentdesk import settings
from agentdesk.agent.session import AgentState
from agentdesk.center.connection import CenterConnection
from agentdesk.center.outbox import Outbox
from agentdesk.settings import CenterSettings
from agentdesk.sip.supervisor import EngineSupervisor
from agentdesk.ui.desk.controller import DeskController
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
ROOT = Path(__file__).resolve().parents[2]
CUSTOMER_NUMBER = "0312345678"
CONTRACT = "C-2024-00042"
SIP_BODY = (b"m=audio ", b"a=rtpmap:")


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _assert_private(root: Path) -> None:
    if os.name != "posix":
        return
    loose = [f"{p} {stat.filemode(p.stat().st_mode)}" for p in [root, *root.rglob("*")]
             if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == [], loose


def _assert_nothing_private(user_dirs: Path) -> None:
    logs = _files(user_dirs / "log")
    assert any(p.name == "engine.log" for p in logs), [p.name for p in logs]
    for path in logs:
        data = path.read_bytes()
        for needle in (CUSTOMER_NUMBER.encode(), CONTRACT.encode(), *SIP_BODY):
            assert needle not in data, f"{needle!r} in {path}"
    for path in _files(user_dirs / "data") + _files(user_dirs / "config"):
        data = path.read_bytes()
        for needle in (CUSTOMER_NUMBER.encode(), CONTRACT.encode(), *SIP_BODY):
            assert needle not in data, f"{needle!r} in {path}"
    for sub in ("log", "data", "config"):
        _assert_private(user_dirs / sub)


def test_an_escalated_call_and_a_practice_call_leave_nothing_private_readable(
        qtbot, isolated_user_dirs: Path, kamailio: Kamailio, engine_factory: Callable[..., EngineDriver],
        sipp_factory: Callable[..., Sipp], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AGENTDESK_DEBUG", raising=False)  # the default level, as agents run it
    monkeypatch.delenv("AGENTDESK_PJ_LOG_LEVEL", raising=False)
    settings.save(settings.Settings())
    target = sipp_factory("desk-escalation-target.xml", args=["-m", "1", "-mp", str(net.free_port())]).start()
    center = FakeCenter(provisioning(registrar=kamailio.uri_for("udp"), domain=DOMAIN,
                                     escalation_uri=f"sip:tier2@127.0.0.1:{target.port}"))
    outbox = Outbox()  # the durable one, in the user's data folder, as the app has it
    connection = CenterConnection(CenterSettings(base_url="https://center.example.jp"), client=center,  # type: ignore[arg-type]
                                  outbox=outbox)
    view = ShiftView()
    qtbot.addWidget(view)
    desk = DeskController(view, connection, lambda on_event: EngineSupervisor(on_event), QtBridge(view),
                          settings.Settings(), notifier=lambda *a: None, sound=SoundPlayer(enabled=False))
    view.show()
    desk.start()
    try:
        desk.sign_in_prompt = lambda agent_id: ("agent1001", "pass1234", False)
        desk.toggle_work()  # start work (signs in)
        qtbot.waitUntil(lambda: desk.registration is not None and desk.registration.state == "registered",
                        timeout=15000)
        desk.go_ready()
        # the customer's own phone (not on the agent's PC): its log goes elsewhere
        customer = engine_factory(name="customer", env={**os.environ, "AGENTDESK_LOG_DIR": str(tmp_path / "customer")})
        customer.register(CUSTOMER_NUMBER, kamailio, sip={"transfer_requests": "accept"})
        customer.command({"cmd": "call", "uri": f"sip:agent1001@{DOMAIN}",
                          "headers": {"X-Contract-Id": CONTRACT, "X-Queue": "support"}})
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        qtbot.keyClick(view.answer_button, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        view.call_notes.insertPlainText("ONUのランプが赤く点滅、再起動済み")
        qtbot.keyClick(view.call_notes, Qt.Key.Key_F9)  # escalate
        qtbot.waitUntil(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, timeout=20000)
        new_call = customer.wait_event(lambda e: e.get("event") == "call" and "transferred_from" in e, 10)
        customer.wait_event({"event": "call", "call": new_call["call"], "state": "connected"}, 10)
        customer.command({"cmd": "hangup", "call": new_call["call"]})
        assert target.wait(20) == 0, target.errors()
        view.wrap_up_codes.setFocus()
        qtbot.keyClick(view.wrap_up_codes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: outbox.counts()["pending"] == 0, timeout=10000)
    finally:
        desk.stop()
        outbox.close()
    assert center.kinds("wrap_up") and center.kinds("wrap_up")[0]["escalated"] is True
    assert center.tickets and center.tickets[0]["contract_id"] == CONTRACT  # it did travel, to the center only

    # a full practice call with escalation, from the shipped CLI, into the same user folders
    env = {k: v for k, v in os.environ.items() if k not in ("AGENTDESK_DEBUG", "AGENTDESK_PJ_LOG_LEVEL")}
    env["PYTHONPATH"] = str(ROOT)
    practice = subprocess.run([sys.executable, "-m", "agentdesk", "center", "practice"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert practice.returncode == 0, practice.stdout + practice.stderr
    assert "Traceback" not in practice.stderr
    _assert_nothing_private(isolated_user_dirs)
