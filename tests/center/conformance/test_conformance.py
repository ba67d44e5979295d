"""Does a center implement docs/center-api.yaml? Runs against AGENTDESK_CENTER_URL, or the test double in CI."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import httpx
import pytest

from agentdesk.center.http import HttpCenterClient, parse_sse
from tests.center.conformance.conftest import Target, Validate

PERSONAL_KEYS = {"name", "customer_name", "address", "phone", "phone_number", "tel", "email", "mail", "birthday"}

WRITES: dict[str, dict[str, Any]] = {
    "/v1/wrap-ups": {"call_id": "conformance-call", "code": "resolved", "script_path": ["start"], "note": "テスト"},
    "/v1/availability": {"week_start": "2026-12-07", "slots": [{"date": "2026-12-07", "start": "10:00", "end": "17:00"}]},
    "/v1/work-log": {"date": "2026-11-22", "calls": 0},
    "/v1/self-checks": {"report_id": "conformance", "overall": "pass", "started": "2026-11-22T01:00:00+00:00",
                        "checks": [{"name": "wired", "status": "pass", "details": {"interface": "eth0"}}]},
    "/v1/state-changes": {"state": "not_ready", "reason": None, "at": "2026-11-22T10:00:00+09:00"},
}


def assert_error(r: httpx.Response, validate: Validate, status: int | tuple[int, ...], code: str | None = None) -> None:
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, r.text
    assert r.headers.get("content-type", "").startswith("application/json")
    body = r.json()
    validate(body, "Error")
    if code is not None:
        assert body["error"]["code"] == code


def test_sign_in_answers_a_session_with_provisioning(session: dict[str, Any], validate: Validate) -> None:
    validate(session, "Session")
    validate(session["provisioning"], "Provisioning")


def test_wrong_secret_is_401_in_the_error_shape(http: httpx.Client, target: Target, validate: Validate) -> None:
    r = http.post("/v1/sessions", json={"agent_id": target.agent, "secret": target.secret + "-wrong"})
    assert_error(r, validate, 401)


def test_requests_without_a_token_are_401(http: httpx.Client, validate: Validate) -> None:
    assert_error(http.get("/v1/provisioning"), validate, 401)


def test_unknown_paths_are_404_in_the_error_shape(authed: httpx.Client, validate: Validate) -> None:
    assert_error(authed.get("/v1/no-such-thing"), validate, 404)


def test_provisioning(authed: httpx.Client, validate: Validate) -> None:
    r = authed.get("/v1/provisioning")
    assert r.status_code == 200
    validate(r.json(), "Provisioning")


def test_refresh_gives_new_tokens(http: httpx.Client, session: dict[str, Any], validate: Validate) -> None:
    if "refresh_token" not in session:
        assert os.environ.get("AGENTDESK_CENTER_URL"), "the project's center double must issue refresh tokens"
        pytest.skip("this center issues no refresh tokens")
    r = http.post("/v1/sessions/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 200, r.text
    validate(r.json(), "Tokens")
    bad = http.post("/v1/sessions/refresh", json={"refresh_token": "not-a-token"})
    assert_error(bad, validate, (400, 401))


def test_agent_state(authed: httpx.Client, validate: Validate) -> None:
    assert authed.put("/v1/agent/state", json={"state": "not_ready", "reason": None}).status_code in (200, 204)
    assert_error(authed.put("/v1/agent/state", json={"state": "asleep"}), validate, (400, 422))


def test_contract_data_only(authed: httpx.Client, target: Target, validate: Validate) -> None:
    r = authed.get(f"/v1/contracts/{target.contract}")
    assert r.status_code == 200, r.text
    body = r.json()
    validate(body, "Contract")
    keys = set(body) | set(body.get("extra", {}))
    assert not keys & PERSONAL_KEYS, f"personal data in a contract: {keys & PERSONAL_KEYS}"
    assert_error(authed.get("/v1/contracts/NO-SUCH-CONTRACT-0"), validate, 404)


@pytest.mark.parametrize("path", list(WRITES))
def test_writes_are_idempotent_by_key(authed: httpx.Client, validate: Validate, path: str) -> None:
    key = str(uuid.uuid4())
    body = WRITES[path]
    first = authed.post(path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code in (200, 201), first.text
    validate(first.json(), "WriteReceipt")
    assert first.json()["idempotency_key"] == key  # the proof of receipt the outbox waits for
    again = authed.post(path, json=body, headers={"Idempotency-Key": key})
    assert again.status_code in (200, 201)
    assert again.json() == first.json()  # the first answer again: recorded once
    other = authed.post(path, json={**body, "note": "別の内容"} if path != "/v1/self-checks" else {**body, "overall": "fail"},
                        headers={"Idempotency-Key": key})
    assert_error(other, validate, 422, "idempotency_key_reused")
    assert_error(authed.post(path, json=body), validate, 400, "idempotency_key_missing")


def test_escalation_ticket_is_once_per_key(authed: httpx.Client) -> None:
    key = str(uuid.uuid4())
    context = {"context": {"contract_id": "C-1001", "script_path": ["start", "no_link"], "note": "ONU 消灯"}}
    first = authed.post("/v1/escalations", json=context, headers={"Idempotency-Key": key})
    assert first.status_code in (200, 201), first.text
    again = authed.post("/v1/escalations", json=context, headers={"Idempotency-Key": key})
    assert again.json()["ticket_id"] == first.json()["ticket_id"]


def test_event_stream_opens_with_its_position(authed: httpx.Client, target: Target) -> None:
    with httpx.Client(base_url=target.url, verify=target.verify, timeout=httpx.Timeout(10, read=20)) as c:
        headers = {"Authorization": authed.headers["Authorization"], "Accept": "text/event-stream"}
        with c.stream("GET", "/v1/events", headers=headers) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].split(";")[0] == "text/event-stream"
            started = time.monotonic()
            for kind, data, event_id, _ in parse_sse(r.iter_lines()):
                assert kind == "hello" and event_id != ""
                assert isinstance(json.loads(data), dict)
                break
            assert time.monotonic() - started < 15


def test_fixed_line_sign_in(http: httpx.Client, target: Target, validate: Validate) -> None:
    mobile = http.post(
        "/v1/sessions",
        json={"agent_id": target.agent, "secret": target.secret, "mode": "fixed_line", "fixed_line_number": "090-1234-5678"},
    )
    assert_error(mobile, validate, 422, "not_a_fixed_line")
    r = http.post(
        "/v1/sessions",
        json={"agent_id": target.agent, "secret": target.secret, "mode": "fixed_line", "fixed_line_number": target.fixed_line},
    )
    assert r.status_code == 200, r.text
    assert r.json()["provisioning"]["mode"] == "fixed_line"
    http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    line = http.get("/v1/fixed-line")
    assert line.status_code == 200
    validate(line.json(), "FixedLine")
    assert line.json()["number"].startswith("+81")
    control = http.post("/v1/calls/no-such-call/hold", json={}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert_error(control, validate, (404, 409))


def test_the_agentdesk_client_works_against_it(target: Target) -> None:
    client = HttpCenterClient(target.url, verify=target.verify)
    try:
        p = client.sign_in(target.agent, target.secret)
        assert p.center_name
        assert client.contract(target.contract).contract_id == target.contract
        client.set_state("not_ready")
    finally:
        client.close()
