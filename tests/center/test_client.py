"""The httpx CenterClient against the test double over real HTTP on loopback, including the double's faults."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from agentdesk.center.api import CenterError, CenterEvent
from agentdesk.center.http import HttpCenterClient, parse_sse
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble
from tests.infra import require


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def count(double: CenterDouble, method: str, path: str) -> int:
    return sum(1 for m, p, _ in double.requests if m == method and p == path)


def test_sign_in_provisioning_contract_and_state(double: CenterDouble, client: HttpCenterClient) -> None:
    p = client.provisioning()
    assert p.center_name == "Test double center"
    assert [r.code for r in p.reason_codes] == ["lunch", "training"]
    assert p.reason_codes[0].max_minutes == 60 and p.reason_codes[0].kind == "break"
    assert p.escalation_targets[0].uri.startswith("sip:tier2@")
    assert p.sip is not None and p.sip.registrars
    assert p.script_packages[0].name == "isp-basic" and len(p.script_packages[0].sha256) == 64
    c = client.contract("C-1002")
    assert c.plan == "ADSL 12M" and c.equipment == ["ADSL モデム"]
    client.set_state("not_ready", "training")
    assert double.states[DEFAULT_AGENT] == ("not_ready", "training")
    ticket = client.open_escalation_ticket({"contract_id": "C-1001", "script_path": ["start", "onu"]})
    assert double.tickets[ticket]["script_path"] == ["start", "onu"]


def test_wrong_password_gives_the_centers_message_and_is_not_retried(double: CenterDouble) -> None:
    c = HttpCenterClient(double.url, backoff_base=0.01)
    with pytest.raises(CenterError) as info:
        c.sign_in(DEFAULT_AGENT, "wrong")
    assert info.value.status == 401 and not info.value.retryable
    assert "パスワード" in info.value.message.ja
    assert count(double, "POST", "/v1/sessions") == 1


def test_unknown_contract_is_a_clear_404(client: HttpCenterClient) -> None:
    with pytest.raises(CenterError) as info:
        client.contract("C-9999")
    assert info.value.status == 404 and info.value.code == "not_found"


def test_500_on_a_read_is_retried_with_backoff(double: CenterDouble, client: HttpCenterClient) -> None:
    double.faults.status_500 = 2
    assert client.provisioning().center_name
    assert count(double, "GET", "/v1/provisioning") == 3


def test_500_on_sign_in_is_not_retried(double: CenterDouble) -> None:
    """A POST without an idempotency key may have been carried out: it is not repeated."""
    double.faults.status_500 = 5
    c = HttpCenterClient(double.url, backoff_base=0.01)
    with pytest.raises(CenterError) as info:
        c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    assert info.value.status == 500
    assert count(double, "POST", "/v1/sessions") == 1


def test_persistent_500_ends_in_a_center_error(double: CenterDouble, client: HttpCenterClient) -> None:
    double.faults.status_500 = 100
    with pytest.raises(CenterError) as info:
        client.provisioning()
    assert info.value.status == 500 and info.value.retryable
    assert count(double, "GET", "/v1/provisioning") == client.max_attempts


def test_garbage_body_is_retried_then_reported(double: CenterDouble, client: HttpCenterClient) -> None:
    double.faults.garbage = 1
    assert client.contract("C-1001").contract_id == "C-1001"
    double.faults.garbage = 100
    with pytest.raises(CenterError) as info:
        client.contract("C-1001")
    assert "形式" in info.value.message.ja


def test_wrong_content_type_says_something_else_answered(double: CenterDouble, client: HttpCenterClient) -> None:
    double.faults.wrong_content_type = 100
    with pytest.raises(CenterError) as info:
        client.provisioning()
    assert info.value.code == "wrong_content_type"
    assert "text/html" in info.value.message.en


def test_no_answer_times_out_with_a_message(double: CenterDouble) -> None:
    c = HttpCenterClient(double.url, timeout=httpx.Timeout(0.3), max_attempts=2, backoff_base=0.01)
    c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    double.faults.delay = 2.0
    started = time.monotonic()
    with pytest.raises(CenterError) as info:
        c.provisioning()
    assert time.monotonic() - started < 1.9
    assert info.value.code == "timeout" and "応答がありません" in info.value.message.ja


def test_nobody_listening_is_unreachable_not_a_crash() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = HttpCenterClient(f"http://127.0.0.1:{port}", max_attempts=2, backoff_base=0.01)
    with pytest.raises(CenterError) as info:
        c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    assert info.value.code == "unreachable" and info.value.retryable


def test_dropped_write_is_retried_with_the_same_key_and_recorded_once(
    double: CenterDouble, client: HttpCenterClient
) -> None:
    double.faults.drop_after_commit = 1  # recorded, but the answer never arrives
    client.submit("wrap_up", {"call_id": "x1", "code": "resolved", "script_path": []}, "key-1")
    assert len(double.records_of("wrap_up")) == 1
    assert double.replays == 1
    keys = [h.get("idempotency-key") for m, p, h in double.requests if p == "/v1/wrap-ups"]
    assert keys == ["key-1", "key-1"]


def test_every_method_survives_every_fault(double: CenterDouble, client: HttpCenterClient) -> None:
    client.max_attempts = 1
    calls = [
        client.provisioning,
        lambda: client.contract("C-1001"),
        lambda: client.set_state("ready"),
        lambda: client.open_escalation_ticket({"contract_id": "C-1001"}),
        lambda: client.submit("work_log", {"date": "2026-11-22"}, "k-fault"),
        client.fixed_line_status,
    ]
    for fault in ("status_500", "garbage", "wrong_content_type", "drop"):
        for call in calls:
            double.faults.clear()
            setattr(double.faults, fault, 1)
            try:
                call()
            except CenterError as exc:
                assert exc.message.ja and exc.message.en
            # anything else propagates and fails the test


def test_expired_token_is_refreshed_once(double: CenterDouble, client: HttpCenterClient) -> None:
    double.tokens.clear()  # every access token is now unknown to the center
    assert client.contract("C-1001").contract_id == "C-1001"
    assert count(double, "POST", "/v1/sessions/refresh") == 1
    double.tokens.clear()
    double.refresh_tokens.clear()
    with pytest.raises(CenterError) as info:
        client.contract("C-1001")
    assert info.value.code == "signed_out" and "ログイン" in info.value.message.ja


def test_short_lived_tokens_are_refreshed_before_they_expire(double: CenterDouble) -> None:
    double.access_ttl = 1
    c = HttpCenterClient(double.url, backoff_base=0.01)
    c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    for _ in range(3):
        c.provisioning()
    assert count(double, "POST", "/v1/sessions/refresh") >= 1
    assert all(status for status in [c.signed_in])


def test_tls_verification_cannot_be_switched_off() -> None:
    with pytest.raises(ValueError):
        HttpCenterClient("https://center.example", verify=False)


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[str, str]:
    openssl = require.binary("openssl")  # a failure in CI, a skip naming the package elsewhere
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return str(cert), str(key)


def test_tls_is_verified(self_signed: tuple[str, str]) -> None:
    d = CenterDouble(tls=self_signed).start()
    try:
        untrusting = HttpCenterClient(d.url, max_attempts=1)
        with pytest.raises(CenterError) as info:
            untrusting.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
        assert info.value.code == "tls" and not info.value.retryable
        trusting = HttpCenterClient(d.url, verify=self_signed[0])
        assert trusting.sign_in(DEFAULT_AGENT, DEFAULT_SECRET).center_name
    finally:
        d.stop()


# ---- the event stream ---------------------------------------------------------------------------------------


def test_parse_sse_follows_the_spec() -> None:
    lines = [": comment", "id: 7", "event: broadcast", "data: {\"a\":", "data: 1}", "", "retry: 500", "data: x", ""]
    assert list(parse_sse(iter(lines))) == [("broadcast", '{"a":\n1}', "7", None), ("message", "x", "7", 500)]


class Collector:
    def __init__(self) -> None:
        self.events: list[CenterEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: CenterEvent) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, kind: str) -> list[CenterEvent]:
        with self.lock:
            return [e for e in self.events if e.kind == kind]


def test_dropped_streams_reconnect_with_last_event_id_and_miss_nothing(
    double: CenterDouble, client: HttpCenterClient
) -> None:
    double.faults.sse_drop_after = 1  # every stream is cut after one event
    got = Collector()
    stop = client.events(got)
    try:
        assert wait_for(lambda: got.of("connection"))
        for i in range(5):
            double.publish("broadcast", {"n": i})
        assert wait_for(lambda: len(got.of("broadcast")) == 5, timeout=10)
        time.sleep(0.3)
        assert [e.data["n"] for e in got.of("broadcast")] == [0, 1, 2, 3, 4]
        last_ids = [h.get("last-event-id") for m, p, h in double.requests if p == "/v1/events"]
        assert double.sse_connections >= 5
        assert any(last_ids) and last_ids == sorted(last_ids, key=lambda x: int(x or 0))
        assert any(e.data["state"] == "reconnecting" for e in got.of("connection"))
    finally:
        stop()


def test_stream_survives_the_center_going_away_and_coming_back(double: CenterDouble, client: HttpCenterClient) -> None:
    got = Collector()
    stop = client.events(got)
    try:
        assert wait_for(lambda: any(e.data["state"] == "connected" for e in got.of("connection")))
        double.stop()
        assert wait_for(lambda: got.of("connection")[-1].data["state"] == "reconnecting")
        double.publish("config_changed", {"what": "wrap_up_codes"})  # while the agent cannot hear it
        double.start()
        assert wait_for(lambda: got.of("config_changed"), timeout=10)
    finally:
        t = time.monotonic()
        stop()
        assert time.monotonic() - t < 3


def test_stream_with_wrong_content_type_keeps_trying_without_crashing(
    double: CenterDouble, client: HttpCenterClient
) -> None:
    double.faults.wrong_content_type = 3
    double.faults.only_path = "/v1/events"
    got = Collector()
    stop = client.events(got)
    try:
        assert wait_for(lambda: any(e.data["state"] == "connected" for e in got.of("connection")), timeout=10)
        double.publish("broadcast", {"message": "ok"})
        assert wait_for(lambda: got.of("broadcast"))
    finally:
        stop()


def test_a_failing_event_handler_does_not_end_the_stream(double: CenterDouble, client: HttpCenterClient) -> None:
    seen: list[str] = []

    def handler(event: CenterEvent) -> None:
        seen.append(event.kind)
        if event.kind == "broadcast":
            raise RuntimeError("handler bug")

    stop = client.events(handler)
    try:
        assert wait_for(lambda: "connection" in seen)
        double.publish("broadcast", {})
        double.publish("trainer_join", {"trainer": "sip:trainer@127.0.0.1"})
        assert wait_for(lambda: "trainer_join" in seen)
    finally:
        stop()


def test_stream_stops_with_signed_out_when_the_session_is_gone(double: CenterDouble, client: HttpCenterClient) -> None:
    got = Collector()
    stop = client.events(got)
    try:
        assert wait_for(lambda: any(e.data["state"] == "connected" for e in got.of("connection")))
        double.stop()  # the center restarts and has forgotten every session
        double.tokens.clear()
        double.refresh_tokens.clear()
        double.start()
        assert wait_for(lambda: any(e.data["state"] == "signed_out" for e in got.of("connection")), timeout=10)
        signed_out = next(e for e in got.of("connection") if e.data["state"] == "signed_out")
        assert "ログイン" in signed_out.data["message"]["ja"]
    finally:
        stop()


def test_concurrent_401s_refresh_once_and_nobody_is_signed_out(double: CenterDouble, client: HttpCenterClient) -> None:
    """The refresh token rotates: threads that meet a 401 together must not each spend it."""
    got = Collector()
    stop = client.events(got)
    try:
        assert wait_for(lambda: any(e.data["state"] == "connected" for e in got.of("connection")))
        double.tokens.clear()
        errors: list[Exception] = []

        def read() -> None:
            try:
                client.provisioning()
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=read) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert errors == []
        assert not any(e.data["state"] == "signed_out" for e in got.of("connection"))
        assert count(double, "POST", "/v1/sessions/refresh") == 1
    finally:
        stop()
