"""The practice center's bundled files, its CenterClient side (no engines), grading, and its SIP proxy."""

from __future__ import annotations

import itertools
import socket
import threading
import time
import wave
from pathlib import Path

import pytest

from agentdesk.center.api import CenterError, CenterEvent
from agentdesk.center.connect import center_for
from agentdesk.center.http import HttpCenterClient
from agentdesk.center.practice.center import PracticeCenter, grade
from agentdesk.center.practice.data import (
    PracticeDataError,
    build_call_audio,
    load_contracts,
    load_scenarios,
    practice_dir,
)
from agentdesk.center.practice.sip_proxy import PracticeSipProxy, parse
from agentdesk.settings import CenterSettings

PERSONAL_KEYS = {"name", "customer_name", "address", "phone", "tel", "email", "氏名", "住所", "電話番号"}


def test_scenarios_are_realistic_japanese_isp_calls_with_audio() -> None:
    scenarios = load_scenarios()
    assert len(scenarios) >= 4
    contracts = load_contracts()
    assert any(s.escalate for s in scenarios) and any(not s.escalate for s in scenarios)
    for s in scenarios:
        assert s.contract_id in contracts
        assert s.title.ja and s.title.en and s.expected_script_path
        for line in s.lines:
            assert any("\u3040" <= ch <= "\u30ff" for ch in line.text)  # kana: Japanese speech
            with wave.open(str(line.audio), "rb") as w:
                assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
                assert 0.5 < w.getnframes() / 16000 < 12
    total = sum(p.stat().st_size for p in (practice_dir() / "audio").rglob("*.wav"))
    assert total < 3_000_000


def test_contracts_hold_contract_data_only() -> None:
    for contract in load_contracts().values():
        assert not (set(contract.extra) | {"plan", "line_type", "equipment"}) & PERSONAL_KEYS


def test_a_broken_scenario_file_gives_a_clear_message(tmp_path: Path) -> None:
    root = tmp_path / "practice"
    (root / "scenarios").mkdir(parents=True)
    (root / "scenarios" / "bad.yaml").write_text("id: bad\ncustomer_lines: [{text: あ, audio: nope.wav}]\n", encoding="utf-8")
    with pytest.raises(PracticeDataError) as info:
        load_scenarios(root)
    assert "bad.yaml" in info.value.message.ja and "nope.wav" in info.value.message.en


def test_call_audio_places_each_line_after_its_pause(tmp_path: Path) -> None:
    scenario = load_scenarios()[0]
    out = tmp_path / "call.wav"
    starts = build_call_audio(scenario, out, lead_in=2.0, tail=1.0)
    assert starts[0] == 2.0 and all(b > a for a, b in itertools.pairwise(starts))
    with wave.open(str(out), "rb") as w:
        duration = w.getnframes() / w.getframerate()
    with wave.open(str(scenario.lines[-1].audio), "rb") as w:
        last = w.getnframes() / w.getframerate()
    assert duration == pytest.approx(starts[-1] + last + scenario.lines[-1].pause_after + 1.0, abs=0.01)


def test_no_center_configured_means_the_practice_center() -> None:
    assert isinstance(center_for(CenterSettings(), phones=False), PracticeCenter)
    client = center_for(CenterSettings(base_url="https://center.example.jp"))
    assert isinstance(client, HttpCenterClient)
    client.close()


def test_practice_center_serves_provisioning_contracts_and_grades_wrap_ups() -> None:
    center = PracticeCenter(phones=False)
    got: list[CenterEvent] = []
    lock = threading.Lock()

    def on_event(e: CenterEvent) -> None:
        with lock:
            got.append(e)

    stop = center.events(on_event)
    try:
        p = center.sign_in("trainee", "")
        assert p.practice and p.wrap_up_required and "練習" in p.center_name
        assert {r.code for r in p.reason_codes} >= {"lunch", "training"}
        assert p.escalation_targets and p.escalation_targets[0].name == "tier2"
        assert center.contract("C-1004").extra["訪問サポート"] == "契約あり"
        with pytest.raises(CenterError) as info:
            center.contract("C-0000")
        assert info.value.status == 404
        with pytest.raises(CenterError):
            center.start_call("no_internet_onu")  # no phones in this center
        center.calls["P-9"] = next(s for s in center.scenarios() if s.id == "no_internet_onu")
        center.submit("wrap_up", {"call_id": "P-9", "code": "escalated", "escalated": True,
                                  "script_path": ["greeting", "check_onu_lamps"]}, "k1")
        center.submit("wrap_up", {"call_id": "P-9", "code": "resolved", "script_path": []}, "k1")  # same key: once
        with pytest.raises(CenterError) as refused:
            center.submit("wrap_up", {"call_id": "P-9", "code": "resolved", "note": "090-1234-5678"}, "k2")
        assert refused.value.status == 422
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(e.kind == "practice_result" for e in got):
            time.sleep(0.02)
        with lock:
            results = [e for e in got if e.kind == "practice_result"]
            assert [e.kind for e in got][:2] == ["connection", "broadcast"]
        assert len(results) == 1 and results[0].data["passed"] is False
        assert "restart_onu" in results[0].data["missed_steps"]
    finally:
        stop()


def test_grading_follows_the_expected_path_in_order() -> None:
    s = next(s for s in load_scenarios() if s.id == "line_fault_escalate")
    perfect = grade("c", s, {"code": "escalated", "escalated": True, "script_path": s.expected_script_path})
    assert perfect.passed and perfect.path_score == 1.0 and perfect.feedback[0].ja.startswith("よくできました")
    extra_steps = ["greeting", "faq", *s.expected_script_path[1:]]
    assert grade("c", s, {"code": "escalated", "escalated": True, "script_path": extra_steps}).passed
    not_escalated = grade("c", s, {"code": "resolved", "escalated": False, "script_path": s.expected_script_path})
    assert not not_escalated.passed and not not_escalated.wrap_up_ok and not not_escalated.escalation_ok
    shuffled = grade("c", s, {"code": "escalated", "escalated": True, "script_path": s.expected_script_path[::-1]})
    assert shuffled.path_score < 0.3


# ---- the practice SIP proxy --------------------------------------------------------------------------------


def sip(sock: socket.socket, proxy: PracticeSipProxy, text: str) -> str:
    sock.sendto(text.replace("\n", "\r\n").encode(), ("127.0.0.1", proxy.port))
    data, _ = sock.recvfrom(65535)
    return data.decode()


REGISTER = """REGISTER sip:127.0.0.1:{port} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{me};rport;branch=z9hG4bK-{branch}
Max-Forwards: 70
From: <sip:agent@127.0.0.1>;tag=a1
To: <sip:agent@127.0.0.1>
Call-ID: reg-{branch}
CSeq: 1 REGISTER
Contact: <sip:agent@127.0.0.1:{me};ob>
Expires: {expires}
Content-Length: 0

"""


def test_proxy_registers_answers_options_and_refuses_unknown_users() -> None:
    with pytest.raises(ValueError):
        PracticeSipProxy(host="0.0.0.0")
    proxy = PracticeSipProxy().start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    me = sock.getsockname()[1]
    try:
        sock.sendto(b"\x00garbage\r\n\r\n", ("127.0.0.1", proxy.port))  # must not stop the proxy
        answer = sip(sock, proxy, REGISTER.format(port=proxy.port, me=me, branch="r1", expires=60))
        assert answer.startswith("SIP/2.0 200") and f"rport={me}" in answer
        assert proxy.bindings["agent"][0] == f"sip:agent@127.0.0.1:{me};ob"
        options = sip(sock, proxy, REGISTER.format(port=proxy.port, me=me, branch="o1", expires=60)
                      .replace("REGISTER", "OPTIONS"))
        assert options.startswith("SIP/2.0 200")
        invite = REGISTER.format(port=proxy.port, me=me, branch="i1", expires=60).replace(
            "REGISTER sip:127.0.0.1", "INVITE sip:nobody@127.0.0.1").replace("1 REGISTER", "1 INVITE")
        assert sip(sock, proxy, invite).startswith("SIP/2.0 480")
        # a request for a registered user is forwarded to its contact (here: back to us) with our Via on top
        invite = invite.replace("sip:nobody@", "sip:agent@").replace("i1", "i2")
        forwarded = parse(sip(sock, proxy, invite).encode())
        assert forwarded.start == f"INVITE sip:agent@127.0.0.1:{me};ob SIP/2.0"
        assert forwarded.all("via")[0][1].startswith(f"SIP/2.0/UDP 127.0.0.1:{proxy.port};branch=z9hG4bK")
        assert forwarded.get("record-route") == f"<sip:127.0.0.1:{proxy.port};lr>"
        assert forwarded.get("max-forwards") == "69"
        unregister = sip(sock, proxy, REGISTER.format(port=proxy.port, me=me, branch="r2", expires=0))
        assert unregister.startswith("SIP/2.0 200") and "agent" not in proxy.bindings
    finally:
        sock.close()
        proxy.stop()


def test_expected_paths_are_walks_through_the_bundled_support_scripts() -> None:
    """Each scenario names a support-script flow; its expected path must be a real walk through that flow."""
    import yaml

    from agentdesk import paths

    flows = paths.resources_dir() / "support_scripts" / "flows"
    assert flows.is_dir(), f"the bundled support-script flows are missing: {flows}"
    for s in load_scenarios():
        flow = yaml.safe_load((flows / f"{s.script}.yaml").read_text(encoding="utf-8"))
        steps = flow["steps"]
        assert s.expected_script_path[0] == flow["start"], s.id
        for here, there in itertools.pairwise(s.expected_script_path):
            step = steps[here]
            nexts = [c["next"] for c in step.get("choices", [])] + ([step["next"]] if "next" in step else [])
            assert there in nexts, f"{s.id}: {here} -> {there} is not in the flow {s.script}"
        assert s.expected_script_path[-1] in steps
