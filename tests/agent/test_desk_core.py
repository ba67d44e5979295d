"""The Qt-free desk core (agentdesk/agent/desk.py): fake clock, recorded effects, typed engine events, no Qt."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from agentdesk.agent.session import AgentState
from agentdesk.center.api import CenterEvent, EscalationTarget
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P
from tests.agent.core_kit import Kit, make_kit, provisioning


def _texts(kit: Kit) -> str:
    screen = kit.core.screen("Ctrl+P")
    parts = [b.text.ja for b in screen.banners] + [screen.phone.ja]
    if screen.notice:
        parts.append(screen.notice.ja)
    if screen.call and screen.call.escalation.text:
        parts.append(screen.call.escalation.text.ja)
    return "\n".join(parts)


def _warm_consultation(tmp_path: Path, no_answer_seconds: int = 30) -> Kit:
    """On a call, F9 to a warm target: the ticket is in, the consultation call 8 is calling the center."""
    kit = make_kit(tmp_path, provisioning(escalation_targets=[EscalationTarget(
        "tier2", Text(ja="センター二次対応", en="Center tier 2"), "sip:tier2@x", mode="warm",
        no_answer_seconds=no_answer_seconds)]))
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.core.escalate()
    kit.run()
    kit.event(P.CallEvent(call=8, direction="outgoing", state="calling", remote="sip:tier2@x", consult_for=7))
    return kit


def test_phone_set_up_from_settings_and_provisioning(tmp_path: Path) -> None:
    settings = Settings()
    settings.account.registrars = ["sip:backup.example.jp"]
    settings.audio.ring_on_headset = True
    kit = make_kit(tmp_path, provisioning(trainers=["sip:trainer@agentdesk.test"]), settings)
    kit.core.sign_in("agent1001", "pass1234", remember=False)
    assert kit.engine.sent == []  # nothing before the center answered: sign-in runs as a background job
    assert kit.jobs.names() == ["sign-in"]
    kit.run()
    cfg = kit.engine.of(P.Configure)[0]
    assert cfg.account["user"] == "agent1001" and cfg.account["registrars"] == ["sip:backup.example.jp"]
    assert cfg.training == {"trainers": ["sip:trainer@agentdesk.test"]}
    assert cfg.headset == {"enabled": True} and cfg.audio["ring_on_headset"] is True
    assert kit.engine.of(P.Register)
    assert "接続しています" in kit.core.phone_text().ja
    kit.event(P.Registration(state="registered", registrar="sip:backup.example.jp", code=200, reason="OK"))
    assert "東京センター に接続済み" in kit.core.phone_text().ja


def test_a_wrong_password_asks_again_and_says_why(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.core.sign_in("agent1001", "wrong", remember=False, start_work=True)
    kit.run()
    assert kit.effects.asked and "パスワードが違います" in (kit.effects.asked[0][1] or Text("", "")).ja
    assert not kit.core.session.working and kit.engine.of(P.Configure) == []


def test_incoming_rings_through_the_engine_and_the_headset(tmp_path: Path) -> None:
    settings = Settings()
    settings.audio.ring_on_headset = True
    kit = make_kit(tmp_path, settings=settings)
    kit.sign_in_and_ready()
    kit.ring()
    assert kit.core.session.state == AgentState.RINGING
    ring = kit.engine.of(P.Ring)[-1]
    assert ring.action == "start" and ring.on_headset is True  # "ring on the headset too" reaches the engine
    assert kit.core.screen().call is not None and kit.core.screen().call.contract_lines[0].ja == "契約番号 C-1"
    kit.clock.advance(3)
    assert kit.core.screen().call.ring_seconds == 3  # the ring timer
    kit.core.answer()
    assert kit.engine.of(P.Answer)[-1].call == 7 and kit.engine.of(P.Ring)[-1].action == "stop"
    kit.connect()
    assert kit.core.session.state == AgentState.ON_CALL
    assert any("光 1G" in t.ja for t in kit.core.screen().call.contract_lines)  # looked up in the background


def test_without_a_headset_backend_the_desk_rings_itself(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring()
    ring = kit.engine.of(P.Ring)[-1]
    kit.event(P.Reply(id=ring.id, cmd="ring", ok=False, error="unknown command"))
    assert kit.effects.played == ["ring"]


def test_a_call_while_not_ready_is_declined(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.core.sign_in("agent1001", "pass1234", remember=False, start_work=True)
    kit.run()
    kit.ring()
    assert kit.engine.of(P.Reject)[-1].code == 486 and "お断りしました" in _texts(kit)


def test_auto_answer_only_for_calls_the_center_marked(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring({"Call-Info": "<sip:center>;answer-after=2", "X-Contract-Id": "C-1"})
    assert kit.engine.of(P.Ring) == [] and kit.engine.of(P.Answer) == []
    kit.clock.advance(2)
    kit.run()
    assert kit.engine.of(P.Tone)[-1].name == "call_waiting"  # the short tone in the headset first
    assert kit.engine.of(P.Answer)[-1].call == 7
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=1.0))
    kit.core.finish_wrap_up(AgentState.READY)
    kit.core.edit_wrap_up(code="resolved")
    assert kit.core.finish_wrap_up(AgentState.READY) is None

    unmarked = make_kit(tmp_path / "2", provisioning(auto_answer=True))
    unmarked.sign_in_and_ready()
    unmarked.ring({"X-Contract-Id": "C-1"})  # no queue, no call reference: not the center's routing
    unmarked.clock.advance(60)
    unmarked.run()
    assert unmarked.engine.of(P.Answer) == [] and unmarked.engine.of(P.Ring)
    routed = make_kit(tmp_path / "3", provisioning(auto_answer=True, auto_answer_seconds=1.0))
    routed.sign_in_and_ready()
    routed.ring({"X-Queue": "support"})
    routed.clock.advance(1)
    routed.run()
    assert routed.engine.of(P.Answer)


def test_hold_timer_and_quality_not_judged_on_hold(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    bad = P.Stats(call=7, codec="PCMU/8000", rtt_ms=900, jitter_ms=80, loss_percent=9, rx_packets=1, tx_packets=1,
                  rx_bytes=1, tx_bytes=1, mos=2.1, r=40, quality="degraded", srtp=False)
    kit.event(bad)
    assert kit.core.screen().call.quality_level == "poor"
    kit.core.toggle_hold()
    assert isinstance(kit.engine.sent[-1], P.Hold)
    kit.event(P.CallEvent(call=7, direction="incoming", state="held", remote="x", by="local"))
    kit.clock.advance(42)
    kit.event(bad)  # the RTT of a held call is not the line's
    view = kit.core.screen().call
    assert view.held and view.hold_seconds == 42 and view.quality_level == "held"
    kit.event(P.CallEvent(call=7, direction="incoming", state="connected", remote="x", resumed=True))
    assert kit.core.screen().call.hold_seconds is None and kit.core.screen().call.quality_level == "measuring"


def test_banners_for_mute_the_headset_the_room_and_refusals(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.core.toggle_mute()
    assert isinstance(kit.engine.sent[-1], P.Mute)
    kit.event(P.MuteChanged(muted=True))
    first = kit.core.screen().banners[0]
    assert first.level == "alert" and "ミュート中" in first.text.ja and kit.core.session.call.muted
    kit.event(P.MuteChanged(muted=False))
    assert not any(b.key == "mute" for b in kit.core.screen().banners)
    kit.event(P.AudioDevice(role="call", state="fallback", id="ALSA:hs", to="ALSA:laptop", reason="device lost"))
    assert "ヘッドセットが見つかりません" in _texts(kit) and "ALSA:laptop" in _texts(kit)
    kit.event(P.AudioDevice(role="call", state="restored", id="ALSA:hs", name="USB headset"))
    assert "ヘッドセットに戻りました" in _texts(kit)
    kit.clock.advance(11)
    kit.core.tick()
    assert "ヘッドセット" not in _texts(kit)
    kit.event(P.RoomNoise(state="voice", level_dbfs=-40, below_agent_db=15))
    assert "話し声" in _texts(kit)
    kit.event(P.RoomNoise(state="quiet", level_dbfs=-90, below_agent_db=None))
    assert "話し声" not in _texts(kit)
    kit.event(P.Limit(what="calls", max=4, reason="at most 4 calls at a time"))
    kit.event(P.CallRefused(remote="<sip:x@y>", code=488, reason="Not Acceptable Here"))
    kit.event(P.Security(what="invite_refused", source="203.0.113.9:5060", reason="not through the registrar"))
    words = _texts(kit)
    assert "4 件まで" in words and "着信を受けられませんでした" in words and "203.0.113.9" in words
    assert "488" not in words  # clear words, never the SIP code


def test_blind_escalation_ticket_progress_in_words_and_the_ticket_in_wrap_up(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.core.set_note("ONUのランプが赤")
    kit.core.escalate()
    assert kit.core.screen().call.escalation.stage == "ticket" and not kit.core.screen().call.can_escalate
    kit.run()
    transfer = kit.engine.of(P.Transfer)[-1]
    assert transfer.target == "sip:tier2@agentdesk.test" and transfer.headers["X-Ticket-Id"] == "T-00001"
    assert transfer.headers["X-Contract-Id"] == "C-1" and kit.center.tickets[0]["note"] == "ONUのランプが赤"
    assert "呼び出しています" in _texts(kit)
    kit.event(P.TransferProgress(call=7, code=180, reason="Ringing"))
    assert "呼び出し音" in _texts(kit) and "180" not in _texts(kit)
    kit.event(P.TransferProgress(call=7, code=200, reason="OK", final=True))
    assert "T-00001" in _texts(kit)
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=9.0))
    wrap = kit.core.screen().wrap_up
    assert wrap is not None and wrap.code == "escalated" and wrap.escalation and "T-00001" in wrap.escalation.ja
    assert kit.core.session.wrap_up.ticket_id == "T-00001"


def test_an_escalation_nobody_answers_brings_the_customer_back(tmp_path: Path) -> None:
    kit = _warm_consultation(tmp_path, no_answer_seconds=20)
    consult = kit.engine.of(P.Consult)[-1]
    assert consult.call == 7 and consult.headers["X-Ticket-Id"] == "T-00001"
    kit.event(P.CallEvent(call=8, direction="outgoing", state="ringing", remote="sip:tier2@x", code=180))
    kit.clock.advance(21)
    kit.core.tick()
    words = _texts(kit)
    assert "応答しませんでした" in words and "つながったまま" in words
    assert kit.engine.of(P.CancelTransfer)[-1].consult == 8  # stops ringing the center, resumes the customer
    assert kit.core.session.state == AgentState.ON_CALL and kit.core.screen().call.can_escalate


def test_warm_escalation_hands_over_when_the_center_answers(tmp_path: Path) -> None:
    kit = _warm_consultation(tmp_path)
    kit.event(P.CallEvent(call=8, direction="outgoing", state="connected", remote="sip:tier2@x"))
    assert kit.engine.of(P.CompleteTransfer)[-1] == P.CompleteTransfer(call=7, consult=8,
                                                                        id=kit.engine.sent[-1].id)
    assert "引き継いでいます" in _texts(kit)
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=5.0))
    assert kit.core.session.wrap_up is not None and kit.core.session.wrap_up.escalated


def test_a_failed_consultation_takes_the_customer_off_hold(tmp_path: Path) -> None:
    kit = _warm_consultation(tmp_path)
    kit.event(P.CallEvent(call=8, direction="outgoing", state="ended", remote="sip:tier2@x", code=486, reason="Busy"))
    assert kit.engine.of(P.Unhold)[-1].call == 7 and "話し中" in _texts(kit) and "486" not in _texts(kit)


def test_the_scripts_escalation_point_preselects_its_target(tmp_path: Path) -> None:
    targets = [EscalationTarget("tier2", Text(ja="二次", en="Tier 2"), "sip:tier2@x"),
               EscalationTarget("repair", Text(ja="修理手配", en="Repairs"), "sip:repair@x")]
    kit = make_kit(tmp_path, provisioning(escalation_targets=targets))
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.core.escalate(script_context={"escalation_target": "repair", "path": ["greeting", "lamp_red"],
                                      "flow_id": "internet"})
    kit.run()
    transfer = kit.engine.of(P.Transfer)[-1]
    assert transfer.target == "sip:repair@x" and transfer.headers["X-Script-Path"] == "greeting/lamp_red"
    assert kit.core.screen().preselected_target == "repair"


def test_practice_calls_count_toward_nothing_and_their_result_stays(tmp_path: Path) -> None:
    names = {("internet", "check_onu"): Text(ja="ONU のランプを確認", en="Check the ONU's lamps")}
    kit = make_kit(tmp_path, step_names=lambda flow, step: names.get((flow, step)))
    kit.sign_in_and_ready()
    kit.center_event("practice_call", call_id="P-0001", scenario="no_internet", script="internet")
    kit.ring({"X-AgentDesk-Practice": "P-0001", "X-AgentDesk-Contract": "C-1004"})
    kit.connect()
    kit.center_event("practice_line", call_id="P-0001", index=0, text="インターネットがつながりません。")
    assert kit.core.screen().call.captions == ["インターネットがつながりません。"]
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=60.0))
    assert kit.core.session.calls_today == 0 and kit.core.session.talk_seconds_today == 0
    kit.center_event("practice_result", call_id="P-0001", passed=False, path_score=0.5,
                     missed_steps=["check_onu"], feedback=[{"ja": "抜けていた手順: check_onu", "en": "x"},
                                                           {"ja": "後処理コードは「resolved」が適切です。", "en": "y"}])
    result = kit.core.screen().practice_result
    assert result is not None and "50%" in result.headline.ja and "ONU のランプを確認" in result.missed.ja
    assert [f.ja for f in result.feedback] == ["後処理コードは「resolved」が適切です。"]
    kit.clock.advance(600)
    kit.core.tick()
    assert kit.core.screen().practice_result is result  # stays until dismissed
    kit.core.dismiss_practice_result()
    assert kit.core.screen().practice_result is None


def test_practice_calls_leave_the_work_log_alone(tmp_path: Path) -> None:
    logged: list[str] = []

    class Log:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return lambda *a, **k: logged.append(name)

    kit = make_kit(tmp_path, worklog=Log())
    kit.sign_in_and_ready()
    kit.ring({"X-AgentDesk-Practice": "P-0002"})
    kit.connect()
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=5.0))
    assert "record_call" not in logged and "start_work" in logged


def test_days_are_japans_days_whatever_the_pcs_clock(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.clock.now = datetime(2026, 1, 1, 15, 30, tzinfo=UTC).timestamp()  # 00:30 on 2 January in Japan
    kit.core.sign_in("agent1001", "pass1234", remember=False, start_work=True)
    kit.run()
    entries = [e.payload for e in kit.outbox.pending() if e.kind == "work_log"]
    entries += [payload for kind, payload in kit.center.submitted if kind == "work_log"]  # delivered already
    assert entries and entries[0]["date"] == "2026-01-02"
    assert entries[0]["started_at"].endswith("+09:00")


def test_a_lost_engine_ends_the_call_for_wrap_up(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.event(P.EngineState(state="died", code=-9, lost_calls=[7]))
    assert kit.core.session.state == AgentState.AFTER_CALL_WORK and "電話エンジンが停止" in _texts(kit)
    kit.event(P.EngineState(state="restarted", lost_calls=[7]))
    assert "接続しています" in kit.core.phone_text().ja


def test_after_call_work_overrun_is_warned(tmp_path: Path) -> None:
    kit = make_kit(tmp_path, provisioning(after_call_work_seconds=30))
    kit.sign_in_and_ready()
    kit.ring()
    kit.connect()
    kit.event(P.CallEvent(call=7, direction="incoming", state="ended", remote="x", code=200, reason="OK", duration=5.0))
    kit.clock.advance(31)
    kit.core.tick()  # no automatic return: no code chosen yet
    assert kit.core.session.state == AgentState.AFTER_CALL_WORK
    assert any(b.key == "acw_overrun" for b in kit.core.screen().banners)
    assert kit.core.screen().wrap_up.overrun


def test_the_center_changing_its_provisioning_is_read_in_the_background(tmp_path: Path) -> None:
    kit = make_kit(tmp_path)
    kit.sign_in_and_ready()
    kit.center.prov = replace(kit.center.prov, center_name="大阪センター")
    kit.center.emit("config_changed")
    assert kit.core.provisioning.center_name == "東京センター"  # not on the caller's thread
    kit.run()
    assert kit.core.provisioning.center_name == "大阪センター"


def _fixed_line_kit(tmp_path: Path) -> Kit:
    """A desk core in fixed-line mode (landline 03-1234-5678), signed in and working."""
    settings = Settings()
    settings.center.mode = "fixed_line"
    settings.center.fixed_line_number = "03-1234-5678"
    kit = make_kit(tmp_path, provisioning(mode="fixed_line", sip=None), settings)
    kit.core.sign_in("agent1001", "pass1234", remember=False, start_work=True)
    kit.run()
    return kit


def test_fixed_line_mode_rings_the_landline_and_controls_through_the_api(tmp_path: Path) -> None:
    kit = _fixed_line_kit(tmp_path)
    assert kit.center.sign_ins[0][1] == {"mode": "fixed_line", "fixed_line_number": "03-1234-5678"}
    assert kit.engine.of(P.Configure) == []  # no softphone in this mode
    kit.core.go_ready()
    kit.center_event("fixed_line_leg", leg="ringing", call_id="CALL-1", number="+81312345678")
    kit.center_event("fixed_line_offer", call_id="CALL-1", contract_id="C-1")
    assert kit.core.session.state == AgentState.RINGING and "固定電話を呼び出しています" in _texts(kit)
    # the leg's state read back after the event stream connected can land after the offer: still ringing,
    # the agent must still be told to pick up (CI once saw the banner taken down here)
    kit.center_event("fixed_line_leg", leg="ringing", call_id="CALL-1", number="+81312345678")
    assert kit.core.session.state == AgentState.RINGING and "固定電話を呼び出しています" in _texts(kit)
    kit.center_event("fixed_line_leg", leg="connected", call_id="CALL-1", number="+81312345678")
    assert "固定電話を呼び出しています" not in _texts(kit)
    assert kit.core.session.state == AgentState.ON_CALL
    kit.core.toggle_hold()
    kit.run()
    assert kit.center.actions[-1][:2] == ("CALL-1", "hold")
    kit.center_event("fixed_line_leg", leg="held", call_id="CALL-1", number="+81312345678")
    assert kit.core.session.call.held
    kit.center_event("fixed_line_leg", leg="connected", call_id="CALL-1", number="+81312345678")
    kit.core.escalate()
    kit.run()
    assert kit.center.tickets and kit.center.actions[-1] == ("CALL-1", "escalate", "tier2")
    kit.center_event("fixed_line_leg", leg="idle", call_id="", number="+81312345678")
    assert kit.core.session.state == AgentState.AFTER_CALL_WORK and kit.core.session.wrap_up.escalated
    kit.center_event("fixed_line_leg", leg="dropped", call_id="", number="+81312345678")
    assert "つなぎ直す" in _texts(kit) and kit.core.screen().can_reconnect_line


def test_a_landline_call_made_from_the_leg_state_before_its_offer_still_gets_the_contract(tmp_path: Path) -> None:
    """The leg's state read back (after the event stream connected) can make the ringing call before the offer's
    event arrives; the offer that follows must still bring the customer's contract (CI saw the call info empty)."""
    kit = _fixed_line_kit(tmp_path)
    kit.core.go_ready()
    line = kit.core.landline
    assert line is not None
    line.fixed.status = replace(line.fixed.status, leg="ringing", call_id="CALL-3")  # what the status read said
    kit.core._on_landline(CenterEvent(kind="fixed_line_leg", data={}), True)
    assert kit.core.session.state == AgentState.RINGING and kit.core.session.call.contract_id == ""
    kit.center_event("fixed_line_offer", call_id="CALL-3", contract_id="C-1")
    kit.run()
    assert kit.core.session.call.contract_id == "C-1"
    assert kit.core.contract is not None and kit.core.contract.contract_id == "C-1"
    assert "固定電話を呼び出しています" in _texts(kit)


def test_a_landline_hand_over_that_ends_the_leg_before_the_center_answers_is_still_an_escalation(
        tmp_path: Path) -> None:
    kit = _fixed_line_kit(tmp_path)
    kit.core.go_ready()
    kit.center_event("fixed_line_offer", call_id="CALL-2", contract_id="C-1")
    kit.center_event("fixed_line_leg", leg="connected", call_id="CALL-2", number="+81312345678")
    kit.core.escalate()
    assert kit.jobs.run_next() == "escalation-ticket"  # the ticket; the API's escalate is now on its way
    assert kit.jobs.names() == ["landline-escalate"]
    kit.center.emit("fixed_line_leg", leg="idle", call_id="", number="+81312345678")  # the event comes first
    assert kit.core.session.state == AgentState.ON_CALL  # not ended yet: the center's answer decides
    kit.run()
    assert kit.core.session.state == AgentState.AFTER_CALL_WORK and kit.core.session.wrap_up.escalated
    assert kit.core.session.wrap_up.ticket_id == "T-00001"
