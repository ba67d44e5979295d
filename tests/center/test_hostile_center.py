"""The outbox keeps every entry until the center has proved it received it; every center call ends in bounded time
and memory (issue 16). A real HTTP center double, with something hostile in front of it (tests/infra/hostile_http.py).
Each test's docstring says how it failed before (3a9e0b5)."""

from __future__ import annotations

import resource
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.center.api import CenterError
from agentdesk.center.http import HttpCenterClient
from agentdesk.center.outbox import Outbox
from tests.center.outbox_child import wrap_up
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble
from tests.infra.certs import TestCA
from tests.infra.hostile_http import HostileFront


@pytest.fixture
def front(double: CenterDouble) -> Iterator[HostileFront]:
    f = HostileFront(double, drip_s=0.5).start()
    yield f
    f.stop()


@pytest.fixture
def fronted(front: HostileFront) -> Iterator[HttpCenterClient]:
    c = HttpCenterClient(front.url, backoff_base=0.01, backoff_cap=0.05, timeout=5.0, max_attempts=2)
    c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    yield c
    c.close()


def _until(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


def test_a_forgotten_session_keeps_entries_pending_and_they_go_after_the_next_sign_in(
        double: CenterDouble, client: HttpCenterClient) -> None:
    """Before: the center forgot the session (401, refresh refused) and every pending entry was marked rejected,
    never sent after the next sign-in."""
    box = Outbox()
    keys = [box.enqueue("wrap_up", wrap_up(i)) for i in range(3)]
    with double.lock:
        double.tokens.clear()
        double.refresh_tokens.clear()
    result = box.deliver(client)
    assert result.delivered == 0 and box.counts()["rejected"] == 0 and box.counts()["pending"] == 3
    problem = box.problem()
    assert problem is not None and problem.code == "signed_out" and "ログイン" in problem.message.ja
    client.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    assert box.deliver(client).delivered == 3
    assert [r.key for r in double.records] == keys and box.problem() is None
    box.close()


@pytest.mark.parametrize("fault", ["redirect", "empty200", "html403", "html404"])
def test_something_that_is_not_the_centers_receipt_never_marks_an_entry_delivered(
        fault: str, double: CenterDouble, front: HostileFront, fronted: HttpCenterClient) -> None:
    """Before: a 302 to another host or a 200 with no body marked the entry delivered though the center never
    recorded it; a proxy's 403/404 HTML page rejected it for good."""
    box = Outbox()
    key = box.enqueue("wrap_up", wrap_up(1))
    # a redirect or a page stops the round at once; an empty 200 is retried within the call (max_attempts=2)
    front.next(fault, count=2 if fault == "empty200" else 1)
    first = box.deliver(fronted)
    assert first.delivered == 0 and first.stopped_by is not None
    assert box.counts() == {"pending": 1, "delivered": 0, "rejected": 0}
    assert box.problem() is not None and box.problem().code in ("redirect", "no_receipt", "not_center", "wrong_content_type")  # type: ignore[union-attr]
    assert box.deliver(fronted).delivered == 1  # the center itself, once it is reached
    assert [r.key for r in double.records] == [key]
    assert front.forwarded_elsewhere <= 2  # the redirect was never followed
    box.close()


def test_an_invalid_certificate_keeps_entries_pending_with_a_clear_problem(tmp_path: Path) -> None:
    """Before: a certificate that did not verify (a hotspot portal answering for the center) rejected the entries
    for good."""
    ca = TestCA(tmp_path / "ca")
    cert = ca.issue("portal", self_signed=True)
    portal = CenterDouble(tls=(str(cert.cert), str(cert.key))).start()
    try:
        box = Outbox()
        box.enqueue("wrap_up", wrap_up(1))
        client = HttpCenterClient(portal.url, max_attempts=1, timeout=3.0)
        result = box.deliver(client)
        assert result.delivered == 0 and box.counts()["pending"] == 1 and box.counts()["rejected"] == 0
        problem = box.problem()
        assert problem is not None and problem.code == "tls" and "証明書" in problem.message.ja
        client.close()
        box.close()
    finally:
        portal.stop()


def test_one_damaged_row_is_set_aside_and_delivery_goes_on(double: CenterDouble, client: HttpCenterClient) -> None:
    """Before: one row whose payload was not JSON raised in the delivery thread, which stopped silently: nothing
    after it was ever sent."""
    box = Outbox()
    keys = [box.enqueue("wrap_up", wrap_up(i)) for i in range(3)]
    raw = sqlite3.connect(box.path)
    raw.execute("PRAGMA ignore_check_constraints = ON")
    raw.execute("UPDATE outbox SET payload = '{not json' WHERE idempotency_key = ?", (keys[1],))
    raw.commit()
    raw.close()
    box.start(client, backoff_base=0.05, backoff_cap=0.2)
    try:
        assert _until(lambda: box.counts()["pending"] == 0, 10)
        assert [r.key for r in double.records] == [keys[0], keys[2]]
        [aside] = box.rejected()
        assert aside.key == keys[1] and "壊れて" in (aside.last_error or "")
        assert box._thread is not None and box._thread.is_alive()
    finally:
        box.close()


@pytest.mark.parametrize("call", ["provisioning", "sign_in", "escalation", "outbox"])
def test_a_center_that_drips_a_byte_at_a_time_is_given_up_on_at_the_calls_deadline(
        call: str, double: CenterDouble, front: HostileFront) -> None:
    """Before: each read had a timeout but the call had none: a byte every few seconds held center status,
    sign-in, the outbox and the escalation ticket for minutes (here: 230 bytes at 0.5 s = 2 minutes)."""
    c = HttpCenterClient(front.url, backoff_base=0.01, backoff_cap=0.05, timeout=5.0, call_deadline=2.0)
    if call != "sign_in":
        c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    front.next("drip", count=10)
    start = time.monotonic()
    box = Outbox() if call == "outbox" else None
    try:
        if box is not None:
            box.enqueue("wrap_up", wrap_up(1))
            result = box.deliver(c)
            assert result.delivered == 0 and box.counts()["pending"] == 1
        else:
            with pytest.raises(CenterError) as err:
                {"provisioning": c.provisioning, "sign_in": lambda: c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET),
                 "escalation": lambda: c.open_escalation_ticket({"contract_id": "C-1"})}[call]()
            assert err.value.retryable and err.value.message.ja
    finally:
        if box is not None:
            box.close()
        c.close()
    assert time.monotonic() - start < 4.0


def test_a_400_mb_answer_is_refused_without_holding_it_in_memory(
        double: CenterDouble, front: HostileFront, fronted: HttpCenterClient) -> None:
    """Before: the whole body was read into memory (a 400 MB body cost 5 GB)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    front.next("huge", count=2)
    start = time.monotonic()
    with pytest.raises(CenterError) as err:
        fronted.provisioning()
    assert err.value.code == "too_large"
    assert time.monotonic() - start < 5.0
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grew_mb < 64, grew_mb


def test_an_endless_event_line_ends_that_connection_not_the_app(double: CenterDouble) -> None:
    from agentdesk.center import limits

    lines = limits.capped_lines(iter([b"data: " + b"x" * 70_000]))
    with pytest.raises(ValueError):
        list(lines)
    from agentdesk.center.http import parse_sse

    big = [f"data: {'y' * 60_000}" for _ in range(6)] + [""] + ["data: small", ""]
    assert [d for _, d, _, _ in parse_sse(iter(big))] == ["small"]  # the 360 KB event is dropped, the next comes


def test_a_mix_of_every_fault_loses_nothing_and_records_nothing_twice(
        double: CenterDouble, front: HostileFront, fronted: HttpCenterClient) -> None:
    """60 entries through a center that forgets the session, drops connections after committing, answers 500,
    and a path full of portals and proxies; in the end every entry is recorded exactly once."""
    box = Outbox()
    keys = [box.enqueue("wrap_up", wrap_up(i)) for i in range(60)]
    plan = ["redirect", "empty200", "html403", "reset", "html404", "drip", "redirect", "reset"]
    fronted.call_deadline = 1.5
    rounds = 0
    while box.counts()["pending"] and rounds < 200:
        rounds += 1
        if rounds % 3 == 0 and plan:
            front.next(plan.pop(0))
        if rounds == 5:
            double.faults.drop_after_commit = 2  # recorded, but the answer never arrives
        if rounds == 9:
            with double.lock:
                double.tokens.clear()
                double.refresh_tokens.clear()
        if rounds == 12:
            double.faults.status_500 = 3
        result = box.deliver(fronted, limit=7)
        if result.stopped_by is not None and result.stopped_by.code == "signed_out":
            fronted.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    recorded = Counter(r.key for r in double.records)
    assert box.counts() == {"pending": 0, "delivered": 60, "rejected": 0}
    assert set(recorded) == set(keys)  # lost: 0
    assert max(recorded.values()) == 1  # duplicated: 0 (retries carried the same key; the center replayed)
    assert double.replays >= 1
    box.close()
