"""The availability entry screen's logic: the draft, the rules, the chart, and handing weeks to the center."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QLocale, QObject, Qt
from PySide6.QtWidgets import QListWidgetItem

from agentdesk.availability import Plan, Rules, deadline_for, first_open_week, month_figures, validate
from agentdesk.availability.calendar_jp import today as today_in_japan
from agentdesk.availability.calendar_jp import week_monday
from agentdesk.availability.plan import Slot, parse_plan
from agentdesk.availability.store import EntryStore, slots_from_cells
from agentdesk.availability.validate import Problem, Report
from agentdesk.ui.availability.entry_view import AvailabilityView
from agentdesk.ui.availability.widgets import Bar, Cell, Part

# The month chart's segments: handed to the center, entered but waiting to be sent, only marked on this PC.
SENT_COLOR, WAITING_COLOR, MARKED_COLOR = "#2f7dd1", "#e0a21e", "#a9c9ec"

log = logging.getLogger(__name__)


def _week_of(problem: Problem) -> date | None:
    if problem.week is not None:
        return problem.week
    return None if problem.slot is None else week_monday(problem.slot.date)


def ui_language() -> str:
    return "en" if QLocale().language() == QLocale.Language.English else "ja"


class AvailabilityController(QObject):
    def __init__(self, view: AvailabilityView, store: EntryStore, submit: Callable[[dict[str, Any]], None] | None,
                 rules: Rules | None = None, today: Callable[[], date] = today_in_japan) -> None:
        super().__init__(view)
        self.view = view
        self.store = store
        self.submit = submit
        self.rules = rules or Rules()
        self.today = today
        self.report = Report()
        self.message_key: str | None = None  # the last status message, re-rendered on a language change
        self.cells: set[Cell] = set()
        for slot in store.draft().slots:
            m = slot.start_minutes
            while m < slot.end_minutes:
                self.cells.add((slot.date, m))
                m += self.rules.slot_minutes
        self.view.grid.cells = self.cells
        open_min, close_min = self.rules.service_minutes
        self.rows = list(range(open_min, close_min, self.rules.slot_minutes))
        self.monday = first_open_week(self.today(), self.rules)

        view.retranslated = self.refresh
        view.prev_button.clicked.connect(lambda: self.show_week(self.monday - timedelta(days=7)))
        view.next_button.clicked.connect(lambda: self.show_week(self.monday + timedelta(days=7)))
        view.grid.cellsChanged.connect(self.on_cells_changed)
        view.enter_button.clicked.connect(self.enter_week)
        view.problems.itemActivated.connect(self._go_to_problem)
        if store.pending() and submit is not None:
            store.flush(submit)
        self.show_week(self.monday)

    # ---- the model -------------------------------------------------------------------------------------------------
    def plan(self) -> Plan:
        return Plan(slots_from_cells(self.cells, self.rules.slot_minutes))

    def on_cells_changed(self) -> None:
        self.store.save_draft(self.plan())  # at once: nothing painted is lost if the app stops
        self.message_key = None
        self.refresh()

    def closed(self, monday: date) -> bool:
        """The week's entry deadline has passed: it is shown, never painted, and only what was entered counts."""
        return deadline_for(monday, self.rules) < self.today()

    def show_week(self, monday: date) -> None:
        self.monday = week_monday(monday)
        self.view.grid.set_week(self.monday, self.rows, self.rules.slot_minutes)
        self.view.grid.read_only = self.closed(self.monday)
        self.message_key = None
        self.refresh()

    def _entered(self) -> dict[str, tuple[str, list[Slot]]]:
        """week_start -> ("pending" | "sent", the slots entered for it)."""
        out: dict[str, tuple[str, list[Slot]]] = {}
        for week, payload in self.store.submitted().items():
            out[week] = ("sent", parse_plan({"slots": payload["slots"]}).slots)
        for payload in self.store.pending():
            out[payload["week_start"]] = ("pending", parse_plan({"slots": payload["slots"]}).slots)
        return out

    def counted_plan(self) -> Plan:
        """What counts toward the month and the rules: the marks of weeks still open, and for weeks past their
        deadline only what was entered in time (marks left there were never entered and can no longer be)."""
        slots = [s for s in self.plan().slots if not self.closed(week_monday(s.date))]
        for week, (_kind, entered) in self._entered().items():
            if self.closed(date.fromisoformat(week)):
                slots += entered
        return Plan(slots)

    # ---- the view ------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        v = self.view
        lang = ui_language()
        plan = self.counted_plan()
        today = self.today()
        self.report = validate(plan, today, self.rules)
        closed = self.closed(self.monday)
        sunday = self.monday + timedelta(days=6)
        locale = QLocale()
        fmt = locale.dateFormat(QLocale.FormatType.ShortFormat)
        v.week_label.setText(self.tr("Week %1 to %2").replace("%1", locale.toString(self.monday, fmt))
                             .replace("%2", locale.toString(sunday, fmt)))
        deadline = deadline_for(self.monday, self.rules)
        days_left = (deadline - today).days
        if days_left < 0:
            text = self.tr("Entry deadline: %1 (passed)")
        elif days_left == 0:
            text = self.tr("Entry deadline: %1 (today)")
        else:
            text = self.tr("Entry deadline: %1 (%2 days left)").replace("%2", str(days_left))
        v.deadline_label.setText(text.replace("%1", locale.toString(deadline, fmt)))
        v.deadline_label.setStyleSheet("color: #c0392b;" if days_left < 0 else "")

        # The problems of this week, where they are: cells and day headers in red, and the list.
        week_days = {self.monday + timedelta(days=i) for i in range(7)}
        mine: list[Problem] = []
        problem_cells: set[Cell] = set()
        problem_days: set[date] = set()
        for p in self.report.errors:
            if p.week == self.monday or (p.slot is not None and p.slot.date in week_days):
                mine.append(p)
                if p.code == "late_entry":
                    problem_days |= week_days
                    problem_cells |= {c for c in self.cells if c[0] in week_days}
                elif p.slot is not None:
                    problem_days.add(p.slot.date)
                    m = p.slot.start_minutes - p.slot.start_minutes % self.rules.slot_minutes
                    while m < p.slot.end_minutes:
                        problem_cells.add((p.slot.date, m))
                        m += self.rules.slot_minutes
        month = self._shown_month()
        mine += [p for p in self.report.warnings if p.month == month]
        v.grid.problem_cells, v.grid.problem_days = problem_cells, problem_days
        v.grid.update()
        v.problems.clear()
        for p in mine:
            item = QListWidgetItem(("⚠ " if p.code.startswith("month_") else "✖ ") + p.message.pick(lang))
            item.setData(Qt.ItemDataRole.UserRole, p.slot.date.isoformat() if p.slot else "")
            v.problems.addItem(item)
        if not any(p in self.report.errors for p in mine):
            v.problems.insertItem(0, QListWidgetItem(self.tr("No problems in this week.")))
        elsewhere = sorted({w for p in self.report.errors if p not in mine and (w := _week_of(p)) is not None})
        if elsewhere:
            item = QListWidgetItem(self.tr("Problems in other weeks: %1 (activate to go there)").replace(
                "%1", ", ".join(locale.toString(m, fmt) for m in elsewhere)))
            item.setData(Qt.ItemDataRole.UserRole, elsewhere[0].isoformat())
            v.problems.addItem(item)

        # The month's progress toward both minimums: sent, waiting to be sent, only marked.
        month = self._shown_month()
        sent, waiting, marked = self.month_progress(month)
        v.month_box.setTitle(self.tr("Progress for %1").replace("%1", month))
        h = self.tr("h")
        v.chart.set_bars([
            Bar(self.tr("Hours entered"), round(sent[0] + waiting[0] + marked[0], 2), self.rules.min_entry_hours, h,
                (Part(sent[0], SENT_COLOR), Part(waiting[0], WAITING_COLOR), Part(marked[0], MARKED_COLOR))),
            Bar(self.tr("Sat, Sun and holidays"), round(sent[1] + waiting[1] + marked[1], 2),
                self.rules.min_weekend_holiday_hours, h,
                (Part(sent[1], SENT_COLOR), Part(waiting[1], WAITING_COLOR), Part(marked[1], MARKED_COLOR)))])
        v.legend_label.setText(" ".join(
            f'<span style="color:{color}">■</span> {text} {value:g} {h}'
            for color, text, value in ((SENT_COLOR, self.tr("sent to the center"), sent[0]),
                                       (WAITING_COLOR, self.tr("entered, waiting to be sent"), waiting[0]),
                                       (MARKED_COLOR, self.tr("marked, not entered yet"), marked[0])))
            + "<br>" + self.tr("The line marks the monthly minimum: %1 h, of which %2 h on Saturdays, Sundays and "
                               "holidays.").replace("%1", f"{self.rules.min_entry_hours:g}")
            .replace("%2", f"{self.rules.min_weekend_holiday_hours:g}"))
        v.grid.update()
        v.enter_button.setEnabled(not closed)
        v.hint_label.setText(self.tr("The entry deadline of this week has passed: it can no longer be changed.")
                             if closed else v.paint_hint)
        self._show_status()

    def month_progress(self, month: str) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """(hours, weekend and holiday hours) of ``month`` sent to the center, entered but waiting to be sent,
        and only marked (open weeks not entered, or changed since)."""
        entered = self._entered()
        sent: list[Slot] = []
        waiting: list[Slot] = []
        marked: list[Slot] = []
        marked_sent: list[Slot] = []  # what a changed week had sent, to count only its difference as marked
        draft = self.plan()
        mondays = sorted({week_monday(s.date) for s in draft.slots} | {date.fromisoformat(w) for w in entered})
        for monday in mondays:
            kind, slots = entered.get(monday.isoformat(), ("", []))
            (waiting if kind == "pending" else sent).extend(slots)
            if not self.closed(monday) and self.store.status(monday, draft) in ("draft", "changed"):
                marked += draft.in_week(monday)
                marked_sent += slots if kind == "sent" else []

        def hours(slots: list[Slot]) -> tuple[float, float]:
            fig = next((f for f in month_figures(Plan(slots), self.rules) if f.month == month), None)
            return (fig.entry_hours, fig.weekend_holiday_hours) if fig else (0.0, 0.0)

        m_all, m_sent = hours(marked), hours(marked_sent)
        return hours(sent), hours(waiting), (max(0.0, m_all[0] - m_sent[0]), max(0.0, m_all[1] - m_sent[1]))

    def _shown_month(self) -> str:
        thursday = self.monday + timedelta(days=3)  # the month that holds most of the week
        return f"{thursday.year:04d}-{thursday.month:02d}"

    def _show_status(self) -> None:
        status = self.store.status(self.monday, self.plan())
        texts = {
            "draft": self.tr("Not entered yet: your marks are saved on this PC."),
            "pending": self.tr("Entered and saved on this PC; it will be sent when the center can be reached."),
            "submitted": self.tr("Entered and handed to the center."),
            "changed": self.tr("Changed since you entered it: enter the week again to send the changes."),
            "refused": self.tr("This week has problems: correct them before entering it."),
        }
        key = self.message_key or status
        self.view.status_label.setText(texts[key])

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        when = item.data(Qt.ItemDataRole.UserRole)
        if when:
            d = date.fromisoformat(when)
            if not 0 <= (d - self.monday).days < 7:
                self.show_week(d)
            self.view.grid.cursor = ((d - self.monday).days, self.view.grid.cursor[1])
            self.view.grid.setFocus()
            self.view.grid.update()

    # ---- entering ------------------------------------------------------------------------------------------------
    def week_errors(self) -> list[Problem]:
        days = {self.monday + timedelta(days=i) for i in range(7)}
        return [p for p in self.report.errors
                if p.week == self.monday or (p.slot is not None and p.slot.date in days)]

    def enter_week(self) -> bool:
        if self.closed(self.monday):
            return False
        self.refresh()
        if self.week_errors():
            self.message_key = "refused"
            self._show_status()
            return False
        accepted = self.store.enter_week(self.plan(), self.monday, self.submit)
        self.message_key = None
        self.refresh()  # the chart moves the week from "marked" to "sent" or "waiting"
        return accepted

