"""What the outbox refuses, and the message the agent gets (agentdesk/center/outbox.py ``validate``): the field it
names, in Japanese and English, at each limit. Written against the survivors of mutation testing
(docs/testing.md, "Mutation testing")."""

from __future__ import annotations

from typing import Any

import pytest

from agentdesk.center.outbox import MAX_PAYLOAD_BYTES, MAX_TEXT, OutboxRefused, validate

WRAP = {"call_id": "call-1", "code": "resolved", "script_path": ["a"]}


def refusal(kind: str, payload: Any) -> tuple[str, str]:
    with pytest.raises(OutboxRefused) as err:
        validate(kind, payload)
    return err.value.message.ja, err.value.message.en


def test_unknown_kind_not_an_object_and_a_missing_field() -> None:
    assert refusal("chat", {}) == ("送信できない内容です（chat: この種類は送れません）。",
                                   "This entry cannot be sent (chat: unknown kind).")
    assert refusal("wrap_up", ["x"]) == ("送信できない内容です（wrap_up: 形式が違います）。",
                                         "This entry cannot be sent (wrap_up: expected an object).")
    assert refusal("wrap_up", {"code": "x"}) == ("送信できない内容です（call_id: 必須の項目です）。",
                                                 "This entry cannot be sent (call_id: required).")


def test_a_field_not_allowed_is_named_with_its_path() -> None:
    assert refusal("wrap_up", {**WRAP, "customer_name": "x"})[1] == \
        "This entry cannot be sent (customer_name: field not allowed)."
    slots = [{"date": "2026-12-07", "start": "10:00", "end": "11:00", "phone": "x"}]
    ja, en = refusal("availability", {"week_start": "2026-12-07", "slots": slots})
    assert en == "This entry cannot be sent (slots[0].phone: field not allowed)."
    assert ja == "送信できない内容です（slots[0].phone: 許可されていない項目です）。"


def test_a_required_value_given_as_null_inside_a_list_is_missing() -> None:
    slots = [{"date": "2026-12-07", "start": None, "end": "11:00"}]
    ja, en = refusal("availability", {"week_start": "2026-12-07", "slots": slots})
    assert (ja, en) == ("送信できない内容です（slots[0].start: 値がありません）。",
                        "This entry cannot be sent (slots[0].start: missing value).")


def test_lists_up_to_500_items() -> None:
    validate("wrap_up", {**WRAP, "script_path": ["s"] * 500})
    ja, en = refusal("wrap_up", {**WRAP, "script_path": ["s"] * 501})
    assert (ja, en) == ("送信できない内容です（script_path: 一覧ではありません）。",
                        "This entry cannot be sent (script_path: expected a list).")
    assert refusal("wrap_up", {**WRAP, "script_path": "a"})[1].endswith("(script_path: expected a list).")


def test_free_text_up_to_its_limit_and_labels_up_to_four_times_it() -> None:
    validate("wrap_up", {**WRAP, "note": "あ" * MAX_TEXT})
    assert refusal("wrap_up", {**WRAP, "note": "あ" * (MAX_TEXT + 1)})[1] == \
        "This entry cannot be sent (note: expected text)."
    check = {"name": "pc", "status": "pass", "summary": {"ja": "あ" * (4 * MAX_TEXT), "en": "ok"}}
    report = {"report_id": "r1", "overall": "pass", "checks": [check]}
    validate("self_check", report)
    check["summary"] = {"ja": "あ" * (4 * MAX_TEXT + 1), "en": "ok"}
    assert refusal("self_check", report)[1] == "This entry cannot be sent (checks[0].summary.ja: expected label)."


def test_numbers_are_not_booleans() -> None:
    validate("work_log", {"date": "2026-11-22", "calls": 3, "talk_seconds": 12.5})
    assert refusal("work_log", {"date": "2026-11-22", "calls": True})[1].endswith("(calls: expected int).")
    assert refusal("work_log", {"date": "2026-11-22", "talk_seconds": False})[1].endswith(
        "(talk_seconds: expected num).")
    assert refusal("work_log", {"date": "2026-11-22", "calls": 2.5})[1].endswith("(calls: expected int).")


def test_codes_may_not_be_e_mail_addresses_but_ids_may() -> None:
    validate("wrap_up", {**WRAP, "call_id": "a84b4c76e66710@pc33.atlanta.example.com"})  # a SIP Call-ID
    ja, en = refusal("wrap_up", {**WRAP, "code": "taro@example.com"})
    assert en.startswith("This entry cannot be sent (code: customer personal data") and "個人情報" in ja


def test_state_changes_name_a_known_state_and_the_size_is_bounded() -> None:
    validate("state_change", {"state": "ready", "at": "2026-11-22T10:00:00+09:00"})
    assert refusal("state_change", {"state": "asleep", "at": "2026-11-22T10:00:00+09:00"}) == (
        "送信できない内容です（state: 状態が正しくありません）。", "This entry cannot be sent (state: unknown state).")
    big = {"date": "2026-11-22", "note": "ok"}
    validate("work_log", big)
    checks = [{"name": "pc", "status": "pass", "details": {"x": "a" * 4000}} for _ in range(20)]
    assert len(str(checks)) > MAX_PAYLOAD_BYTES
    assert refusal("self_check", {"report_id": "r", "overall": "pass", "checks": checks})[1] == \
        "This entry cannot be sent (self_check: too large)."


class _Client:
    """A center that answers each submit from a script: None accepts, an exception is raised."""

    def __init__(self, *answers: BaseException | None) -> None:
        self.answers = list(answers)
        self.sent: list[str] = []

    def submit(self, kind: str, payload: dict[str, Any], key: str) -> None:
        self.sent.append(key)
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer


def _box(tmp_path: Any) -> tuple[Any, list[str]]:
    from agentdesk.center.outbox import Outbox

    box = Outbox(tmp_path / "outbox.sqlite3")
    keys = [box.enqueue("wrap_up", {**WRAP, "call_id": f"call-{i}"}) for i in range(3)]
    return box, keys


def test_a_client_bug_stops_the_round_and_keeps_the_entry(tmp_path: Any) -> None:
    from agentdesk.center.outbox import UNEXPECTED

    box, keys = _box(tmp_path)
    try:
        result = box.deliver(_Client(None, RuntimeError("boom")))  # type: ignore[arg-type]
        assert (result.delivered, result.rejected) == (1, 0)
        # the agent reads the outbox's own words, never the exception's text
        assert result.stopped_by is not None and result.stopped_by.message == UNEXPECTED
        assert result.stopped_by.code == "unexpected" and "boom" not in result.stopped_by.message.en
        second = box.entry(keys[1])
        assert second is not None and (second.status, second.attempts) == ("pending", 1)
        assert box.counts() == {"pending": 2, "delivered": 1, "rejected": 0}
    finally:
        box.close()


def test_refused_for_good_keeps_both_languages_and_the_queue_goes_on(tmp_path: Any) -> None:
    import json

    from agentdesk.center.api import CenterError
    from agentdesk.i18n import Text

    box, keys = _box(tmp_path)
    try:
        refused = CenterError(Text(ja="通話IDが不明です", en="unknown call id"), retryable=False, status=422)
        result = box.deliver(_Client(refused, None, None))  # type: ignore[arg-type]
        assert (result.delivered, result.rejected, result.stopped_by) == (2, 1, None)
        first = box.entry(keys[0])
        assert first is not None and first.status == "rejected"
        assert json.loads(first.last_error or "") == {"ja": "通話IDが不明です", "en": "unknown call id"}
        assert "通話ID" in (first.last_error or "")  # stored as typed, for the agent's screen
        # a failure that may pass stops the queue and keeps its English reason for the log
        box2_keys = [box.enqueue("wrap_up", {**WRAP, "call_id": "call-9"})]
        away = CenterError(Text(ja="センターに接続できません", en="center unreachable"), retryable=True)
        result = box.deliver(_Client(away))  # type: ignore[arg-type]
        assert (result.delivered, result.rejected, result.stopped_by) == (0, 0, away)
        later = box.entry(box2_keys[0])
        assert later is not None and later.status == "pending" and later.last_error == "center unreachable"
    finally:
        box.close()
