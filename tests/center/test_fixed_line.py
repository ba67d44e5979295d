"""Fixed-line mode: number validation, sign-in, the center ringing the landline, call control through the API."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from agentdesk.center.api import CenterError, FixedLineStatus
from agentdesk.center.fixed_line import (
    ACTION_DONE,
    NO_CALL,
    FixedLineSession,
    Offer,
    validate_fixed_line,
)
from agentdesk.center.http import HttpCenterClient
from agentdesk.checks.line import classify
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("03-1234-5678", "+81312345678"),
        ("０３－１２３４－５６７８", "+81312345678"),
        ("+81 3 1234 5678", "+81312345678"),
        ("(0466) 12-3456", "+81466123456"),
        ("022 123 4567", "+81221234567"),
    ],
)
def test_fixed_lines_are_accepted_however_typed(typed: str, e164: str) -> None:
    check = validate_fixed_line(typed)
    assert check.ok and check.e164 == e164 and check.problem is None
    assert classify(typed)["line_type"] == "fixed_line"  # the self-check's rule: sign-in never disagrees


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("090-1234-5678", "携帯"),
        ("050-1234-5678", "IP 電話"),
        ("0120-123-456", "フリーダイヤル"),
        ("0570-123-456", "固定電話の番号ではありません"),
        ("1234", "読み取れません"),
        ("", "読み取れません"),
        ("+1 212 555 0100", "日本"),
    ],
)
def test_other_numbers_are_refused_with_the_reason(typed: str, word: str) -> None:
    check = validate_fixed_line(typed)
    assert not check.ok and check.problem is not None
    assert word in check.problem.ja and check.problem.en
    assert classify(typed)["line_type"] != "fixed_line"


def test_sign_in_with_a_mobile_number_is_refused_by_the_center(double: CenterDouble) -> None:
    c = HttpCenterClient(double.url, backoff_base=0.01)
    with pytest.raises(CenterError) as info:
        c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET, mode="fixed_line", fixed_line_number="090-1234-5678")
    assert info.value.status == 422 and info.value.code == "not_a_fixed_line"
    assert "携帯" in info.value.message.ja


class Watcher:
    def __init__(self) -> None:
        self.changes: list[tuple[FixedLineStatus, Offer | None]] = []
        self.cond = threading.Condition()

    def __call__(self, status: FixedLineStatus, offer: Offer | None) -> None:
        with self.cond:
            self.changes.append((status, offer))
            self.cond.notify_all()

    def wait_leg(self, session: FixedLineSession, leg: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while session.status.leg != leg:
                left = deadline - time.monotonic()
                assert left > 0, f"leg is {session.status.leg}, expected {leg}"
                self.cond.wait(left)


@pytest.fixture
def line(double: CenterDouble) -> Iterator[tuple[HttpCenterClient, FixedLineSession, Watcher]]:
    c = HttpCenterClient(double.url, backoff_base=0.01, backoff_cap=0.05)
    p = c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET, mode="fixed_line", fixed_line_number="０３－１２３４－５６７８")
    assert p.mode == "fixed_line" and p.sip is None
    watcher = Watcher()
    session = FixedLineSession(c, "+81312345678", on_change=watcher)
    stop = c.events(session.on_event)
    deadline = time.monotonic() + 5
    while double.sse_connections == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    yield c, session, watcher
    stop()
    c.close()


def test_a_call_rings_the_landline_and_is_controlled_through_the_api(double: CenterDouble, line) -> None:
    c, session, watcher = line
    assert c.fixed_line_status().number == "+81312345678"
    assert session.act("hangup") == NO_CALL
    double.offer_fixed_line_call(DEFAULT_AGENT, "call-77", "C-1001")
    watcher.wait_leg(session, "connected")  # the agent picked up the landline (the double answers for them)
    assert session.offer == Offer("call-77", "C-1001")
    assert any(s.leg == "ringing" for s, _ in watcher.changes)
    assert session.can_control and not session.can_reconnect
    assert session.hold() == ACTION_DONE["hold"]
    watcher.wait_leg(session, "held")
    assert session.leg_text.ja == "固定電話: 保留中"
    assert session.resume() == ACTION_DONE["resume"]
    watcher.wait_leg(session, "connected")
    assert session.escalate("tier2") == ACTION_DONE["escalate"]
    watcher.wait_leg(session, "idle")
    assert double.call_actions == [("call-77", "hold", ""), ("call-77", "resume", ""), ("call-77", "escalate", "tier2")]
    assert session.offer is None and not session.can_control


def test_reconnect_my_line_after_the_leg_drops(double: CenterDouble, line) -> None:
    _, session, watcher = line
    double.offer_fixed_line_call(DEFAULT_AGENT, "call-78")
    watcher.wait_leg(session, "connected")
    double.drop_leg(DEFAULT_AGENT)
    watcher.wait_leg(session, "dropped")
    assert session.can_reconnect and session.leg_text.en == "Landline: disconnected"
    message = session.reconnect()
    assert "かけ直して" in message.ja
    watcher.wait_leg(session, "connected")
    assert session.call_id == "call-78"  # the customer stayed with the center while the line was re-rung
    assert session.hang_up() == ACTION_DONE["hangup"]
    watcher.wait_leg(session, "idle")


def test_call_control_while_the_center_is_down_gives_a_message(double: CenterDouble, line) -> None:
    c, session, watcher = line
    double.offer_fixed_line_call(DEFAULT_AGENT, "call-79")
    watcher.wait_leg(session, "connected")
    double.stop()
    c.max_attempts = 2
    message = session.hold()
    assert "接続できません" in message.ja
    assert session.reconnect().ja  # a message, not an exception
