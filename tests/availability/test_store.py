"""The entry screen's local store: cells to slots, the draft, pending weeks handed to the outbox later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from agentdesk.availability import Plan, Rules, parse_plan
from agentdesk.availability.store import EntryStore, slots_from_cells


def test_cells_merge_into_slots() -> None:
    d1, d2 = date(2026, 12, 7), date(2026, 12, 8)
    cells = {(d1, 600), (d1, 630), (d1, 660), (d1, 780), (d2, 990)}
    got = [(s.date, s.start, s.end) for s in slots_from_cells(cells, 30)]
    assert got == [(d1, time(10), time(11, 30)), (d1, time(13), time(13, 30)), (d2, time(16, 30), time(17))]
    assert slots_from_cells(set(), 30) == []


def test_draft_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    store = EntryStore(path)
    plan = parse_plan({"slots": [{"date": "2026-12-09", "start": "10:00", "end": "12:00"}]})
    store.save_draft(plan)
    assert EntryStore(path).draft().as_dict() == plan.as_dict()
    assert not list(tmp_path.glob("*.part"))


def test_pending_until_the_outbox_accepts(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    plan = parse_plan({"slots": [{"date": "2026-12-09", "start": "10:00", "end": "12:00"},
                                 {"date": "2026-12-14", "start": "10:00", "end": "11:00"}]})
    store = EntryStore(path)
    assert store.status(date(2026, 12, 7), plan) == "draft"
    assert store.enter_week(plan, date(2026, 12, 7), None) is False
    assert store.status(date(2026, 12, 7), plan) == "pending"
    payload = EntryStore(path).pending()[0]
    assert payload["kind"] == "availability" and payload["week_start"] == "2026-12-07"
    assert payload["slots"] == [{"date": "2026-12-09", "start": "10:00", "end": "12:00"}]  # only that week
    assert payload["entered_at"].endswith("+09:00") and payload["idempotency_key"]

    calls: list[dict[str, Any]] = []

    def flaky(p: dict[str, Any]) -> None:
        calls.append(p)
        if len(calls) == 1:
            raise ConnectionError("outbox busy")

    again = EntryStore(path)
    assert again.flush(flaky) == 1 and again.pending()
    assert again.flush(flaky) == 0
    assert calls[0] == calls[1] == {"kind": "availability", "week_start": "2026-12-07",
                                    "slots": [{"date": "2026-12-09", "start": "10:00", "end": "12:00"}]}
    assert EntryStore(path).status(date(2026, 12, 7), plan) == "submitted"
    changed = Plan(plan.slots[:1] + parse_plan({"slots": [{"date": "2026-12-10", "start": "10:00",
                                                           "end": "11:00"}]}).slots)
    assert EntryStore(path).status(date(2026, 12, 7), changed) == "changed"


def test_re_entering_a_week_replaces_its_pending_copy(tmp_path: Path) -> None:
    store = EntryStore(tmp_path / "a.json")
    plan = parse_plan({"slots": [{"date": "2026-12-09", "start": "10:00", "end": "12:00"}]})
    store.enter_week(plan, date(2026, 12, 7), None)
    store.enter_week(plan, date(2026, 12, 7), None)
    assert len(store.pending()) == 1


@pytest.mark.parametrize("content", ["{", '{"draft": {"slots": [1]}, "pending": [], "submitted": {}}', "[]"])
def test_damaged_file_is_kept_aside(tmp_path: Path, content: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(content, encoding="utf-8")
    store = EntryStore(path)
    assert store.problem and store.draft().slots == []
    aside = list(tmp_path.glob("a.damaged-*.json"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == content


@dataclass
class FutureProvisioning:
    service_hours: tuple[time, time] = (time(9, 0), time(18, 0))
    availability_rules: dict[str, Any] = field(default_factory=lambda: {
        "entry_lead_days": 7, "min_entry_hours": 60, "min_weekend_holiday_hours": 10, "min_worked_hours": 50})


def test_rules_from_a_center_that_sends_every_figure() -> None:
    rules = Rules.from_provisioning(FutureProvisioning())
    assert rules.service_minutes == (540, 1080)
    assert (rules.entry_lead_days, rules.min_entry_hours, rules.min_weekend_holiday_hours,
            rules.min_worked_hours) == (7, 60.0, 10.0, 50.0)
    assert Rules.from_provisioning(object()) == Rules()


class OutboxDouble:
    """The center outbox's enqueue(kind, payload, idempotency_key) with its allow-list for availability."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any], str | None]] = []
        self.fail_next = False

    def enqueue(self, kind: str, payload: dict[str, Any], idempotency_key: str | None = None) -> str:
        if kind != "availability" or set(payload) - {"week_start", "slots", "note"}:
            raise ValueError(f"refused: {kind} {sorted(payload)}")
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk full")
        self.entries.append((kind, payload, idempotency_key))
        return idempotency_key or "generated"


def test_the_outbox_enqueue_can_be_passed_directly(tmp_path: Path) -> None:
    outbox = OutboxDouble()
    outbox.fail_next = True
    store = EntryStore(tmp_path / "a.json")
    plan = parse_plan({"slots": [{"date": "2026-12-09", "start": "10:00", "end": "12:00"}]})
    assert store.enter_week(plan, date(2026, 12, 7), outbox.enqueue) is False  # the outbox failed: kept
    assert store.flush(outbox.enqueue) == 0
    kind, payload, key = outbox.entries[0]
    assert kind == "availability" and payload == {"week_start": "2026-12-07", "slots": plan.as_dict()["slots"]}
    assert key == store.submitted()["2026-12-07"]["idempotency_key"]
