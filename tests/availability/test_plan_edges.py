"""Edges of the availability plan's parsing and arithmetic (agentdesk/availability/plan.py, validate.py,
store.py), written against the survivors of mutation testing (docs/testing.md, "Mutation testing")."""

from __future__ import annotations

from datetime import date, time

import pytest

from agentdesk.availability import plan as plan_mod
from agentdesk.availability.plan import PlanFormatError, Slot
from agentdesk.availability.store import slots_from_cells
from agentdesk.availability.validate import _union_minutes

DAY = date(2027, 1, 12)


@pytest.mark.parametrize("text, expected", [("00:00", time(0, 0)), ("23:59", time(23, 59)), ("09:05", time(9, 5)),
                                            ("２３:００", time(23, 0))])  # full-width digits, as an IME types them
def test_times_of_day_at_the_edges(text: str, expected: time) -> None:
    assert plan_mod._parse_time(text, "slot 1") == expected


@pytest.mark.parametrize("text", ["24:00", "23:60", "9:00", "09:5", "0900", "09:00:00", "ab:cd", ""])
def test_times_outside_hh_mm_are_refused_with_the_value_as_typed(text: str) -> None:
    with pytest.raises(PlanFormatError) as err:
        plan_mod._parse_time(text, "slot 1")
    assert f'"{text}"' in err.value.message.ja and f'"{text}"' in err.value.message.en


def test_a_japanese_value_is_quoted_as_typed() -> None:
    with pytest.raises(PlanFormatError) as err:
        plan_mod._parse_time("十時", "slot 2")
    assert '"十時"' in err.value.message.ja and "slot 2" in err.value.message.ja
    with pytest.raises(PlanFormatError) as err:
        plan_mod._parse_time(10, "slot 3")  # not text at all
    assert "10" in err.value.message.ja


def _slot(start: str, end: str) -> Slot:
    (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
    return Slot(DAY, time(sh, sm), time(eh, em))


def test_minutes_on_a_day_count_overlaps_once_in_any_order() -> None:
    assert _union_minutes([]) == 0
    assert _union_minutes([_slot("10:00", "12:00")]) == 120
    assert _union_minutes([_slot("13:00", "15:00"), _slot("10:00", "12:00")]) == 240  # unsorted, disjoint
    assert _union_minutes([_slot("10:00", "12:00"), _slot("11:00", "13:00")]) == 180  # overlap
    assert _union_minutes([_slot("10:00", "12:00"), _slot("12:00", "13:00")]) == 180  # touching
    assert _union_minutes([_slot("10:00", "14:00"), _slot("11:00", "12:00")]) == 240  # contained
    # empty and reversed slots count nothing, and do not stop the count of what follows
    assert _union_minutes([_slot("09:00", "09:00"), _slot("08:00", "07:00"), _slot("10:00", "11:00"),
                           _slot("13:00", "14:30")]) == 150
    assert _union_minutes([_slot("00:00", "00:30"), _slot("00:10", "01:00")]) == 60  # from midnight


def test_painted_cells_merge_into_slots_and_the_day_ends_at_23_59() -> None:
    cells = {(DAY, 9 * 60), (DAY, 9 * 60 + 30), (DAY, 11 * 60), (DAY, 23 * 60 + 30)}
    slots = slots_from_cells(cells, 30)
    assert [(s.start, s.end, s.index) for s in slots] == [
        (time(9, 0), time(10, 0), 0), (time(11, 0), time(11, 30), 1), (time(23, 30), time(23, 59), 2)]
