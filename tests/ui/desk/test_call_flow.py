"""Every shift flow on the shift screen, against the fake engine process and the fake center."""

from __future__ import annotations

from PySide6.QtCore import Qt

from agentdesk.agent.escalation import decode_value
from agentdesk.agent.session import AgentState
from agentdesk.center import outbox
from tests.fakes.fake_engine import FakeCrash, FakeIncoming, FakeLastTransfer, FakeRemoteHangup
from tests.ui.desk.conftest import incoming, registered, sign_in_and_ready


def test_sign_in_start_work_and_ready_are_recorded(qtbot, desk) -> None:
    v = desk.view
    assert v.state_label.text() == "オフライン"
    assert "業務開始" in v.work_button.text()
    sign_in_and_ready(qtbot, desk)
    assert v.state_label.text() == "受付可"
    assert "東京センター" in v.phone_label.text() and "127.0.0.1" in v.phone_label.text()
    states = [p["state"] for p in desk.center.kinds("state_change")]
    assert states == ["not_ready", "ready"]
    assert [set(p) for p in desk.center.kinds("work_log")] == [{"date", "started_at"}]
    for kind, payload in desk.center.submitted:
        outbox.validate(kind, payload)  # what the real durable outbox accepts


def test_wrong_password_is_said_and_nothing_changes(qtbot, desk) -> None:
    desk.controller.sign_in("agent1001", "wrong")  # on a worker: the window never waits for the center
    qtbot.waitUntil(lambda: "パスワード" in desk.view.notice_label.text(), timeout=3000)
    assert desk.state == AgentState.OFFLINE


def test_incoming_call_answer_by_shortcut_hold_mute_dtmf_hangup_wrap_up(qtbot, desk) -> None:
    v = desk.view
    sign_in_and_ready(qtbot, desk)
    incoming(qtbot, desk)
    assert v.pages.currentWidget() is v.ringing_page
    assert v.state_label.text() == "着信中"
    qtbot.waitUntil(lambda: "光ファイバー" in v.caller_label.text(), timeout=3000)
    assert "C-2024-00042" in v.caller_label.text()
    assert "0312345678" not in v.caller_label.text()  # never the caller's number
    assert desk.notes and desk.notes[-1][2] is True  # a notification even when the window is hidden

    qtbot.keyClick(v.answer_button, Qt.Key.Key_F5)  # answer from the keyboard
    qtbot.waitUntil(lambda: desk.state == AgentState.ON_CALL, timeout=3000)
    assert v.pages.currentWidget() is v.call_page
    qtbot.keyClick(v.call_notes, Qt.Key.Key_F7)  # hold
    qtbot.waitUntil(lambda: desk.controller.session.call.held, timeout=3000)
    assert "保留解除" in v.hold_button.text()
    v.hold_button.click()
    qtbot.waitUntil(lambda: not desk.controller.session.call.held, timeout=3000)
    v.mute_button.click()
    qtbot.waitUntil(lambda: desk.controller.session.call.muted, timeout=3000)  # the engine's mute event
    assert "ミュート中" in v.banner_labels[0].text() and v.banner_labels[0].isVisible()
    qtbot.keyClick(v.call_notes, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert v.dtmf_pad.isVisible()
    v.dtmf_keys["5"].click()
    qtbot.waitUntil(lambda: "MOS" in v.quality_label.text(), timeout=4000)  # the engine's stats

    v.call_notes.insertPlainText("ルーター再起動で解決")  # as an IME commits Japanese text
    qtbot.keyClick(v.call_notes, Qt.Key.Key_F6)  # hang up
    qtbot.waitUntil(lambda: desk.state == AgentState.AFTER_CALL_WORK, timeout=3000)
    assert v.pages.currentWidget() is v.wrap_up_page
    assert v.wrap_up_notes.toPlainText() == "ルーター再起動で解決"  # the call's note carries over

    qtbot.keyClick(v.wrap_up_codes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert desk.state == AgentState.AFTER_CALL_WORK  # a code is required by this center
    assert "コード" in v.wrap_up_problem.text()
    qtbot.keyClick(v.wrap_up_codes, Qt.Key.Key_Down)  # choose a code from the keyboard
    qtbot.keyClick(v.wrap_up_codes, Qt.Key.Key_Up)
    assert v.wrap_up_codes.selectedItems()
    qtbot.keyClick(v.wrap_up_codes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert desk.state == AgentState.READY
    wrap = desk.center.kinds("wrap_up")
    assert len(wrap) == 1 and wrap[0]["code"] == "resolved" and wrap[0]["note"] == "ルーター再起動で解決"
    for kind, payload in desk.center.submitted:
        outbox.validate(kind, payload)
    assert desk.controller.drafts.flush() and not desk.controller.drafts.store.path.exists()
    assert desk.controller.session.calls_today == 1
    assert v.calls_today_bar.value_text == "1"


def test_escalation_carries_the_context_and_ends_in_wrap_up(qtbot, desk) -> None:
    v = desk.view
    sign_in_and_ready(qtbot, desk)
    incoming(qtbot, desk)
    v.answer_button.click()
    qtbot.waitUntil(lambda: desk.state == AgentState.ON_CALL, timeout=3000)
    v.call_notes.insertPlainText("ONUのランプが赤")  # as an IME commits Japanese text
    qtbot.keyClick(v.call_notes, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: desk.state == AgentState.AFTER_CALL_WORK, timeout=5000)
    reply = desk.engine.request(FakeLastTransfer(), timeout=3).result
    headers = reply["transfer"]["headers"]
    assert reply["transfer"]["target"] == "sip:tier2@127.0.0.1"
    assert headers["X-Contract-Id"] == "C-2024-00042"
    assert headers["X-Ticket-Id"] == "T-00001"
    assert headers["X-Agent-Note"].isascii() and decode_value(headers["X-Agent-Note"]) == "ONUのランプが赤"
    assert desk.center.tickets[0]["contract_id"] == "C-2024-00042"
    assert v.wrap_up_codes.selectedItems()[0].data(Qt.ItemDataRole.UserRole) == "escalated"
    v.submit_ready_button.click()
    assert desk.center.kinds("wrap_up")[0]["escalated"] is True


def test_escalation_not_answered_brings_the_customer_back(qtbot, desk) -> None:
    from tests.fakes.fake_center import FakeCenter, provisioning
    from tests.ui.desk.conftest import make_desk

    d = make_desk(qtbot, FakeCenter(provisioning(escalation_uri="sip:noanswer@127.0.0.1")))
    try:
        sign_in_and_ready(qtbot, d)
        incoming(qtbot, d)
        d.view.answer_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.ON_CALL, timeout=3000)
        d.view.escalate_button.click()
        qtbot.waitUntil(lambda: "つながったまま" in d.view.escalation_status.text(), timeout=5000)
        assert d.state == AgentState.ON_CALL
        assert d.controller.session.call.escalation == "failed"
        assert "つながったまま" in d.view.notice_label.text()
        assert d.view.escalate_button.isEnabled()  # the agent may try again
    finally:
        d.controller.stop()


def test_raise_hand_alerts_without_transferring(qtbot, desk) -> None:
    sign_in_and_ready(qtbot, desk)
    incoming(qtbot, desk)
    desk.view.answer_button.click()
    qtbot.waitUntil(lambda: desk.state == AgentState.ON_CALL, timeout=3000)
    desk.view.call_notes.insertPlainText("手順が分からない")
    desk.view.raise_hand_button.click()
    qtbot.waitUntil(lambda: len(desk.center.tickets) == 1, timeout=3000)
    hand = desk.center.tickets[0]
    assert hand["kind"] == "raise_hand" and hand["contract_id"] == "C-2024-00042"
    assert hand["note"] == "手順が分からない"
    assert desk.state == AgentState.ON_CALL
    assert desk.engine.request(FakeLastTransfer(), timeout=3).result["transfer"] == {}  # no transfer
    assert "スーパーバイザー" in desk.view.notice_label.text()


def test_call_while_not_ready_is_declined(qtbot, desk) -> None:
    sign_in_and_ready(qtbot, desk)
    desk.view.not_ready_button.click()
    assert desk.state == AgentState.NOT_READY
    desk.engine.send(FakeIncoming())
    qtbot.waitUntil(lambda: "お断り" in desk.view.notice_label.text(), timeout=3000)
    assert desk.state == AgentState.NOT_READY


def test_missed_call_returns_to_ready(qtbot, desk) -> None:
    sign_in_and_ready(qtbot, desk)
    incoming(qtbot, desk)
    desk.engine.send(FakeRemoteHangup())
    qtbot.waitUntil(lambda: desk.state == AgentState.READY, timeout=3000)
    assert desk.controller.session.calls_today == 0


def test_engine_crash_during_a_call_is_reported_and_recovered(qtbot, desk) -> None:
    sign_in_and_ready(qtbot, desk)
    incoming(qtbot, desk)
    desk.view.answer_button.click()
    qtbot.waitUntil(lambda: desk.state == AgentState.ON_CALL, timeout=3000)
    desk.view.call_notes.insertPlainText("途中まで")
    desk.engine.send(FakeCrash())
    qtbot.waitUntil(lambda: desk.state == AgentState.AFTER_CALL_WORK, timeout=5000)
    assert "電話エンジン" in desk.view.notice_label.text()
    assert desk.view.wrap_up_notes.toPlainText() == "途中まで"
    qtbot.waitUntil(lambda: registered(desk), timeout=5000)


def test_center_broadcast_reaches_a_signed_out_agent_with_sound(qtbot) -> None:
    from agentdesk import credentials, settings
    from tests.ui.desk.conftest import make_desk

    store = settings.Settings()
    store.center.agent_id = "agent1001"
    credentials.set_secret("center:agent1001", "pass1234")  # the app signs in quietly with the saved password
    desk = make_desk(qtbot, store=store)
    qtbot.waitUntil(lambda: desk.controller.signed_in, timeout=3000)
    assert desk.state == AgentState.OFFLINE  # not working: no calls, but the center can still reach the agent
    desk.center.broadcast("仙台センター停止のため、ログインをお願いします。", "Please log in.")
    qtbot.waitUntil(lambda: "ログインをお願い" in desk.view.notice_label.text(), timeout=3000)
    assert desk.notes[-1][2] is True
    assert desk.controller.sound.played[-1] == "broadcast"
    desk.controller.stop()


def test_break_overrun_turns_the_banner_red_and_notifies_once(qtbot, desk) -> None:
    sign_in_and_ready(qtbot, desk)
    v = desk.view
    v.break_reason.setCurrentIndex(v.break_reason.findData("short"))
    qtbot.keyClick(v, Qt.Key.Key_F4)
    assert desk.state == AgentState.BREAK and v.state_label.text() == "休憩中"
    desk.controller.session.since -= 11 * 60  # eleven minutes of a ten-minute break
    desk.controller.on_tick()
    desk.controller.on_tick()
    assert "超過" in v.state_detail.text()
    assert "#b71c1c" in v.banner.styleSheet()
    assert [n for n in desk.notes if n[0] == "休憩時間の超過"] != [] and len(
        [n for n in desk.notes if n[0] == "休憩時間の超過"]) == 1
    qtbot.keyClick(v, Qt.Key.Key_F2)
    assert desk.state == AgentState.READY and "#b71c1c" not in v.banner.styleSheet()


def test_after_call_work_timer_returns_to_ready_when_the_center_says_so(qtbot) -> None:
    from tests.fakes.fake_center import FakeCenter, provisioning
    from tests.ui.desk.conftest import make_desk

    d = make_desk(qtbot, FakeCenter(provisioning(wrap_up_required=False, after_call_work_seconds=30)))
    try:
        sign_in_and_ready(qtbot, d)
        incoming(qtbot, d)
        d.view.answer_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.ON_CALL, timeout=3000)
        d.engine.send(FakeRemoteHangup())
        qtbot.waitUntil(lambda: d.state == AgentState.AFTER_CALL_WORK, timeout=3000)
        d.controller.on_tick()
        assert "受付可に戻ります" in d.view.acw_timer_label.text()
        d.controller.session.since -= 31
        d.controller.on_tick()
        assert d.state == AgentState.READY
        assert len(d.center.kinds("wrap_up")) == 1
    finally:
        d.controller.stop()


def test_warm_escalation_consults_the_center_then_hands_over(qtbot) -> None:
    from tests.fakes.fake_center import FakeCenter, provisioning
    from tests.ui.desk.conftest import make_desk

    d = make_desk(qtbot, FakeCenter(provisioning(escalation_mode="warm")))
    try:
        sign_in_and_ready(qtbot, d)
        incoming(qtbot, d)
        d.view.answer_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.ON_CALL, timeout=3000)
        d.view.escalate_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.AFTER_CALL_WORK, timeout=5000)
        sent = d.engine.request(FakeLastTransfer(), timeout=3).result["transfer"]
        assert sent["mode"] == "warm" and sent["headers"]["X-Ticket-Id"] == "T-00001"
        assert d.controller.session.wrap_up.escalated
    finally:
        d.controller.stop()


def test_warm_escalation_not_answered_takes_the_customer_off_hold(qtbot) -> None:
    from tests.fakes.fake_center import FakeCenter, provisioning
    from tests.ui.desk.conftest import make_desk

    d = make_desk(qtbot, FakeCenter(provisioning(escalation_mode="warm", escalation_uri="sip:noanswer@127.0.0.1")))
    try:
        sign_in_and_ready(qtbot, d)
        incoming(qtbot, d)
        d.view.answer_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.ON_CALL, timeout=3000)
        d.view.escalate_button.click()
        qtbot.waitUntil(lambda: "つながったまま" in d.view.escalation_status.text(), timeout=5000)
        qtbot.waitUntil(lambda: not d.controller.session.call.held, timeout=3000)
        assert d.state == AgentState.ON_CALL and "応答しませんでした" in d.view.escalation_status.text()
        assert "480" not in d.view.escalation_status.text()  # words, never a SIP code
    finally:
        d.controller.stop()


def test_the_support_script_path_goes_into_the_escalation_and_the_wrap_up(qtbot) -> None:
    from agentdesk.ui.scripts import ScriptPanel
    from tests.ui.desk.conftest import make_desk

    panel = ScriptPanel()
    d = make_desk(qtbot, script_panel=panel)
    try:
        assert panel.parent() is not None and d.view.script_placeholder.isHidden()
        sign_in_and_ready(qtbot, d)
        incoming(qtbot, d)
        d.view.answer_button.click()
        qtbot.waitUntil(lambda: d.state == AgentState.ON_CALL, timeout=3000)
        ctl = panel.controller
        assert ctl.contract is not None or ctl.queue == "support"  # the panel started with the call
        ctl.start_flow(sorted(ctl.library.flows)[0])
        ctl.choose(0)
        walked = list(panel.escalation_context()["path"])
        assert walked
        context = d.controller.core.escalation_context()
        assert context["script_path"] == walked and context["script_flow"] == sorted(ctl.library.flows)[0]
        d.engine.send(FakeRemoteHangup())
        qtbot.waitUntil(lambda: d.state == AgentState.AFTER_CALL_WORK, timeout=3000)
        assert d.controller.session.wrap_up.script_path == walked
        d.view.wrap_up_codes.item(0).setSelected(True)
        d.view.submit_ready_button.click()
        assert d.center.kinds("wrap_up")[0]["script_path"] == walked
    finally:
        d.controller.stop()
