"""The entry screen and the work-log view, driven with pytest-qt (mouse and keyboard) on real files."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from agentdesk.agent.worklog import WorkLog
from agentdesk.availability.calendar_jp import JST
from agentdesk.availability.plan import parse_plan
from agentdesk.availability.store import EntryStore
from agentdesk.ui.availability import open_availability, open_work_log
from agentdesk.ui.translation import LanguageSwitcher

TODAY = date(2026, 11, 22)  # a Sunday: the first week still open is the one of Mon 2026-12-07 (deadline 11-23)


@pytest.fixture
def english(qapp: QApplication):
    switcher = LanguageSwitcher(qapp)
    switcher.set_language("en")
    yield switcher
    switcher.set_language("en")


def screen(qtbot, submit=None, store: EntryStore | None = None):
    view = open_availability(None, submit, store=store, today=lambda: TODAY)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    return view, view.controller


def slots(store_path: Path) -> list[dict[str, str]]:
    return EntryStore(store_path).draft().as_dict()["slots"]


def center(view, col: int, row: int) -> QPoint:
    return view.grid.cell_rect(col, row).center()


def test_opens_on_the_first_open_week_with_its_deadline(qtbot, english) -> None:
    view, ctl = screen(qtbot)
    assert ctl.monday == date(2026, 12, 7)
    assert view.week_label.text() == "Week 12/7/26 to 12/13/26"
    assert "1 days left" in view.deadline_label.text() and "11/23" in view.deadline_label.text()
    assert view.grid.rows[0] == 600 and view.grid.rows[-1] == 16 * 60 + 30 and len(view.grid.rows) == 14
    view.prev_button.click()
    assert ctl.monday == date(2026, 11, 30) and "passed" in view.deadline_label.text()


def test_keyboard_painting(qtbot, english, isolated_user_dirs: Path) -> None:
    view, _ctl = screen(qtbot)
    view.grid.setFocus()
    qtbot.waitUntil(view.grid.hasFocus, timeout=2000)
    qtbot.keyClick(view.grid, Qt.Key.Key_Space)  # Mon 10:00
    for _ in range(3):
        qtbot.keyClick(view.grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # paints 10:30..11:30
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)  # Tue 11:30, not painted
    qtbot.keyClick(view.grid, Qt.Key.Key_Space)
    qtbot.keyClick(view.grid, Qt.Key.Key_Space)  # toggled twice: empty again
    for _ in range(6):
        qtbot.keyClick(view.grid, Qt.Key.Key_Right)  # clamped at Sunday
    qtbot.keyClick(view.grid, Qt.Key.Key_Left)
    qtbot.keyClick(view.grid, Qt.Key.Key_Enter)  # Sat 11:30
    assert view.grid.accessibleDescription().startswith("2026-12-12 11:30 ■")
    store = isolated_user_dirs / "data" / "availability.json"
    assert slots(store) == [{"date": "2026-12-07", "start": "10:00", "end": "12:00"},
                            {"date": "2026-12-12", "start": "11:30", "end": "12:00"}]
    bars = view.chart.bars
    assert (bars[0].value, bars[0].target, bars[1].value, bars[1].target) == (2.5, 80.0, 0.5, 20.0)
    qtbot.keyClick(view.grid, Qt.Key.Key_Delete)
    assert len(slots(store)) == 1


def test_mouse_painting_and_erasing(qtbot, english, isolated_user_dirs: Path) -> None:
    view, _ctl = screen(qtbot)
    grid = view.grid
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=center(view, 5, 0))  # Saturday 10:00
    for row in range(1, 6):
        qtbot.mouseMove(grid, center(view, 5, row))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=center(view, 5, 5))
    store = isolated_user_dirs / "data" / "availability.json"
    assert slots(store) == [{"date": "2026-12-12", "start": "10:00", "end": "13:00"}]
    assert view.chart.bars[1].value == 3.0
    # pressing on a painted cell erases while dragging
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=center(view, 5, 4))
    qtbot.mouseMove(grid, center(view, 5, 5))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=center(view, 5, 5))
    assert slots(store) == [{"date": "2026-12-12", "start": "10:00", "end": "12:00"}]


def test_a_week_past_its_deadline_cannot_be_painted_and_does_not_count(qtbot, english,
                                                                      isolated_user_dirs: Path) -> None:
    """Marks left in a week whose deadline passed were never entered: they are kept (nothing is deleted) but not
    counted, not judged, and the week cannot be painted; a problem in another open week is still found."""
    path = isolated_user_dirs / "data" / "availability.json"
    store = EntryStore(path)
    store.save_draft(parse_plan({"slots": [
        {"date": "2026-12-01", "start": "10:00", "end": "11:00"},  # week of 11-30: deadline 11-16 passed
        {"date": "2026-12-08", "start": "10:00", "end": "12:00"},  # week of 12-07: open
        {"date": "2026-12-15", "start": "08:00", "end": "09:00"},  # week of 12-14: outside service hours
    ]}))
    view, ctl = screen(qtbot, store=EntryStore(path))
    assert ctl.monday == date(2026, 12, 7) and not view.grid.read_only
    assert view.chart.bars[0].value == 3.0  # 12-08 and 12-15: the mark of 12-01 does not count
    texts = [view.problems.item(i).text() for i in range(view.problems.count())]
    assert texts[0] == "No problems in this week."
    assert not any("2026-11-16" in t for t in texts)  # no "late entry" for a week nobody can enter any more
    other = view.problems.item(view.problems.count() - 1)
    assert other.text().startswith("Problems in other weeks: 12/14/26")
    view.problems.itemActivated.emit(other)
    assert ctl.monday == date(2026, 12, 14) and view.grid.cursor[0] == 0
    assert date(2026, 12, 15) in view.grid.problem_days

    ctl.show_week(date(2026, 11, 30))
    assert view.grid.read_only and not view.enter_button.isEnabled()
    assert "passed" in view.deadline_label.text() and "can no longer be changed" in view.hint_label.text()
    qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=center(view, 3, 2))  # nothing is painted...
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_Space)
    qtbot.keyClick(view.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert not ctl.enter_week()
    assert slots(path)[0] == {"date": "2026-12-01", "start": "10:00", "end": "11:00"}  # ...and nothing is lost
    assert len(slots(path)) == 3


def test_an_entered_week_counts_as_sent_or_waiting_after_its_deadline(qtbot, english,
                                                                      isolated_user_dirs: Path) -> None:
    path = isolated_user_dirs / "data" / "availability.json"
    sent: list[dict] = []
    view, ctl = screen(qtbot, submit=sent.append, store=EntryStore(path))
    for row in range(4):  # Tue 12-08, 10:00-12:00
        view.grid.set_cell((date(2026, 12, 8), view.grid.rows[row]), True)
    view.grid.cellsChanged.emit()
    assert ctl.month_progress("2026-12") == ((0.0, 0.0), (0.0, 0.0), (2.0, 0.0))  # only marked
    assert ctl.enter_week() and sent
    assert ctl.month_progress("2026-12") == ((2.0, 0.0), (0.0, 0.0), (0.0, 0.0))  # sent to the center
    assert view.chart.bars[0].parts[0].color == "#2f7dd1"
    assert "sent to the center 2" in view.legend_label.text()
    ctl.today = lambda: date(2026, 12, 1)  # later: the week's deadline (11-23) has passed
    ctl.show_week(date(2026, 12, 7))
    assert view.grid.read_only and view.chart.bars[0].value == 2.0  # what was entered in time still counts


def test_month_warning_and_holidays_in_the_chart(qtbot, english) -> None:
    view, ctl = screen(qtbot)
    for _ in range(4):
        view.next_button.click()  # week of 2027-01-04; Mon 01-11 is 成人の日 the week after
    view.next_button.click()
    assert ctl.monday == date(2027, 1, 11)
    qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=center(view, 0, 0))  # a holiday counts as weekend
    assert view.chart.bars[1].value == 0.5 and "2027-01" in view.month_box.title()
    texts = [view.problems.item(i).text() for i in range(view.problems.count())]
    assert any("only partly covered" in t for t in texts)


def test_entering_offline_keeps_the_week_and_sends_it_later(qtbot, english, isolated_user_dirs: Path) -> None:
    view, _ctl = screen(qtbot)
    qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=center(view, 2, 0))
    assert "Not entered yet" in view.status_label.text()
    qtbot.mouseClick(view.enter_button, Qt.MouseButton.LeftButton)
    assert "saved on this PC" in view.status_label.text()
    path = isolated_user_dirs / "data" / "availability.json"
    pending = EntryStore(path).pending()
    assert [p["week_start"] for p in pending] == ["2026-12-07"] and pending[0]["kind"] == "availability"
    assert pending[0]["slots"] == [{"date": "2026-12-09", "start": "10:00", "end": "10:30"}]
    view.close()

    # The outbox refuses first (e.g. its disk is full): nothing is lost.
    def refusing(payload: dict[str, Any]) -> None:
        raise OSError("outbox unavailable")

    view2, _ctl2 = screen(qtbot, submit=refusing)
    assert len(EntryStore(path).pending()) == 1
    assert view2.grid.cells == {(date(2026, 12, 9), 600)}  # the draft survived the restart
    view2.close()

    sent: list[dict[str, Any]] = []
    view3, ctl3 = screen(qtbot, submit=sent.append)
    assert [p["week_start"] for p in sent] == ["2026-12-07"]
    assert EntryStore(path).pending() == []
    assert "handed to the center" in view3.status_label.text()
    qtbot.mouseClick(view3.grid, Qt.MouseButton.LeftButton, pos=center(view3, 2, 1))
    assert "Changed since" in view3.status_label.text()
    assert ctl3.enter_week()
    assert sent[-1] == {"kind": "availability", "week_start": "2026-12-07",
                        "slots": [{"date": "2026-12-09", "start": "10:00", "end": "11:00"}]}


def test_a_damaged_store_is_kept_aside(qtbot, english, isolated_user_dirs: Path) -> None:
    path = isolated_user_dirs / "data" / "availability.json"
    path.write_text("{oops", encoding="utf-8")
    store = EntryStore(path)
    assert store.problem and list(path.parent.glob("availability.damaged-*.json"))
    view, _ctl = screen(qtbot, store=store)
    assert view.grid.cells == set()


def test_japanese_screen(qtbot, qapp: QApplication) -> None:
    switcher = LanguageSwitcher(qapp)
    switcher.set_language("ja")
    try:
        view, _ctl = screen(qtbot)
        assert view.enter_button.text() == "この週をエントリー(&E)"
        assert "締切" in view.deadline_label.text()
        view.prev_button.click()
        assert "締切" in view.hint_label.text() and "変更できません" in view.hint_label.text()
        assert "未エントリー" in view.legend_label.text()
        switcher.set_language("en")
        qtbot.waitUntil(lambda: view.enter_button.text() == "&Enter this week", timeout=2000)
        assert "can no longer be changed" in view.hint_label.text()  # the controller's texts follow too
        assert "marked, not entered yet" in view.legend_label.text()
    finally:
        switcher.set_language("en")


def test_controls_are_keyboard_reachable_with_names(qtbot, english) -> None:
    view, _ctl = screen(qtbot)
    for w in (view.prev_button, view.next_button, view.grid, view.problems, view.enter_button):
        assert w.accessibleName()
        assert w.focusPolicy() & Qt.FocusPolicy.TabFocus


# ---- the work log view ---------------------------------------------------------------------------------------
def t(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=JST)


@pytest.fixture
def worklog(tmp_path: Path) -> WorkLog:
    wl = WorkLog(tmp_path / "wl.sqlite3")
    wl.start_work(t(20, 10, month=10))
    wl.record_call(t(20, 10, 5, month=10), t(20, 10, 6, month=10), t(20, 10, 10, month=10))
    wl.end_work(t(20, 11, month=10))
    for day in (2, 3, 4):
        wl.start_work(t(day, 10))
        wl.start_break(t(day, 12))
        wl.end_break(t(day, 12, 30))
        for i in range(3):
            wl.record_call(t(day, 13, i * 10), t(day, 13, i * 10), t(day, 13, i * 10 + 5))
        wl.end_work(t(day, 16))
    yield wl
    wl.close()


def work_view(qtbot, worklog: WorkLog):
    view = open_work_log(None, worklog, today=lambda: date(2026, 11, 22))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view, view.controller


def test_work_log_view(qtbot, english, worklog: WorkLog) -> None:
    view, ctl = work_view(qtbot, worklog)
    assert view.month_label.text() == "2026-11"
    # talk time in the shift screen's format (agentdesk.agent.numbers.format_duration)
    assert view.summary_label.text() == "Worked 16:30 of the 65 h minimum, 9 calls, talk time 45:00."
    assert view.table.rowCount() == 22  # up to today (11-22): no rows of zeros for the days to come
    assert [view.table.item(1, c).text() for c in range(5)] == ["11/2/26 (Mon)", "5:30", "0:30", "3", "15:00"]
    header = view.table.horizontalHeader()
    assert header.sectionSize(0) >= view.table.fontMetrics().horizontalAdvance("11/22/26 (Sun)")  # not "11/2…"
    hours, calls = view.chart.bars
    assert (hours.value, hours.target) == (16.5, 65.0)
    # the incentive as on the shift screen: this month's calls of this month's target
    assert (calls.label, calls.numbers(), calls.target) == ("Calls toward the incentive", "9 of 50 calls", 50)
    assert view.day_bars.values[1] == (2, 5.5)
    lines = view.incentive_label.text().splitlines()
    assert "at least 1 call" in lines[0] and "50 calls" in lines[0]
    assert lines[1] == "Month 1 (2026-10): 1 of 1 calls ✔" and lines[2] == "Month 2 (2026-11): 9 of 50 calls …"
    view.prev_button.click()
    assert view.month_label.text() == "2026-10" and view.chart.bars[1].target == 1  # the first month: 1 call
    assert view.table.rowCount() == 31  # a past month whole
    view.next_button.click()
    view.next_button.click()
    assert view.month_label.text() == "2026-12" and view.summary_label.text().startswith("Worked 0:00")
    assert view.table.rowCount() == 0 and view.empty_label.isVisible()
    worklog.start_work(t(1, 10, month=12))  # the desktop records while the view is open
    worklog.end_work(t(1, 11, month=12))
    ctl.timer.timeout.emit()
    assert view.summary_label.text().startswith("Worked 1:00")


def test_work_log_csv_export(qtbot, english, worklog: WorkLog, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    view, ctl = work_view(qtbot, worklog)
    target = tmp_path / "mine.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert rows[0][0] == "date" and rows[2][:5] == ["2026-11-02", "5.50", "19800", "1800", "3"]
    assert len(rows) == 32 and "Saved" in view.status_label.text()
    assert not ctl.export_to(tmp_path / "no-such-dir" / "x.csv")
    assert "Could not write" in view.status_label.text()


def test_work_log_with_nothing_recorded(qtbot, english, tmp_path: Path) -> None:
    with WorkLog(tmp_path / "empty.sqlite3") as wl:
        view, _ctl = work_view(qtbot, wl)
        # nothing recorded yet: this is the first month, which needs one call
        assert "Month 1 (2026-11): 0 of 1 calls …" in view.incentive_label.text()
        assert view.chart.bars[1].numbers() == "0 of 1 calls"
        assert view.table.rowCount() == 22


def test_default_work_log_and_store_live_in_the_data_dir(qtbot, english, isolated_user_dirs: Path) -> None:
    view = open_work_log(None, today=lambda: date(2026, 11, 22))
    qtbot.addWidget(view)
    assert view.controller.worklog.path == isolated_user_dirs / "data" / "worklog.sqlite3"
    view.controller.worklog.close()
    _entry, ctl = screen(qtbot)
    assert ctl.store.path == isolated_user_dirs / "data" / "availability.json"


def test_a_fast_drag_fills_every_cell_it_crosses(qtbot, english, isolated_user_dirs: Path) -> None:
    """The mouse reports a few positions of a quick drag; every cell on the way between them is painted."""
    from agentdesk.ui.availability.widgets import cells_between

    view, _ctl = screen(qtbot)
    grid = view.grid
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=center(view, 0, 0))
    qtbot.mouseMove(grid, center(view, 4, 6))  # one jump across four days and six rows
    qtbot.mouseMove(grid, center(view, 4, 11))  # and straight down
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=center(view, 4, 11))
    expected = {(grid.day(c), grid.rows[r]) for c, r in [*cells_between((0, 0), (4, 6)), *cells_between((4, 6), (4, 11))]}
    assert grid.cells == expected and len(expected) == 16
    assert len(EntryStore(isolated_user_dirs / "data" / "availability.json").draft().slots) == 5  # saved at once
