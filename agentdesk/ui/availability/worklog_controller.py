"""The work-log view's logic: a month's hours and calls against the 65-hour minimum and the incentive; CSV."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QTableWidgetItem

from agentdesk.agent.worklog import WorkLog
from agentdesk.availability.calendar_jp import today as today_in_japan
from agentdesk.ui.availability.entry_controller import ui_language
from agentdesk.ui.availability.widgets import Bar
from agentdesk.ui.availability.worklog_view import WorkLogView

log = logging.getLogger(__name__)


def hm(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


class WorkLogController(QObject):
    def __init__(self, view: WorkLogView, worklog: WorkLog, first_month: date | None = None,
                 today: Callable[[], date] = today_in_japan) -> None:
        super().__init__(view)
        self.view = view
        self.worklog = worklog
        self.today = today
        self.first_month = first_month
        t = today()
        self.year, self.month = t.year, t.month
        # a hidden view is refreshed when it is shown again, not on every language change
        view.retranslated = lambda: self.refresh() if view.isVisible() else None
        view.shown = self.refresh
        view.prev_button.clicked.connect(lambda: self.step(-1))
        view.next_button.clicked.connect(lambda: self.step(1))
        view.export_button.clicked.connect(self.ask_export)
        # The desktop records calls and sessions while the view is open: keep the figures current.
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(lambda: self.refresh() if view.isVisible() else None)
        self.timer.start()
        self.refresh()

    def step(self, months: int) -> None:
        index = self.year * 12 + self.month - 1 + months
        self.year, self.month = divmod(index, 12)
        self.month += 1
        self.refresh()

    def refresh(self) -> None:
        v = self.view
        summary = self.worklog.month(self.year, self.month)
        v.month_label.setText(f"{self.year}-{self.month:02d}")
        minimum = summary.minimum_hours
        v.summary_label.setText(
            self.tr("Worked %1 of the %2 h minimum, %3 calls, talk time %4.")
            .replace("%1", hm(summary.worked_seconds)).replace("%2", f"{minimum:g}")
            .replace("%3", str(summary.calls)).replace("%4", hm(summary.talk_seconds)))
        bars = [Bar(self.tr("Hours worked"), round(summary.worked_hours, 1), minimum, self.tr("h"))]
        incentive_text = self.tr("No calls recorded yet: the incentive starts with your first month.")
        first = self.first_month or self.worklog.first_day()
        if first is not None:
            status = self.worklog.incentive(first, today=self.today())
            lines = []
            for i, m in enumerate(status.months):
                mark = "✔" if m.met else ("✖" if m.finished else "…")
                lines.append(self.tr("%1-%2: %3 of %4 calls %5").replace("%1", str(m.year))
                             .replace("%2", f"{m.month:02d}").replace("%3", str(m.actual))
                             .replace("%4", str(m.required)).replace("%5", mark))
                if (m.year, m.month) == (self.year, self.month):
                    bars.append(Bar(self.tr("Calls for the incentive (month %1)").replace("%1", str(i + 1)),
                                    m.actual, m.required, self.tr("calls")))
            incentive_text = "\n".join(lines)
            if status.met:
                incentive_text += "\n" + self.tr("Every month of the incentive is met.")
            elif status.lost:
                incentive_text += "\n" + self.tr("A finished month missed its count.")
        v.chart.set_bars(bars)
        v.day_bars.set_values([(d.date.day, d.worked_hours) for d in summary.days])
        v.incentive_label.setText(incentive_text)
        v.table.setRowCount(len(summary.days))
        for row, d in enumerate(summary.days):
            for col, text in enumerate((d.date.isoformat(), hm(d.worked_seconds), hm(d.break_seconds),
                                        str(d.calls), hm(d.talk_seconds))):
                v.table.setItem(row, col, QTableWidgetItem(text))

    def export_to(self, path: Path) -> bool:
        first = date(self.year, self.month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        lang = ui_language()
        try:
            self.worklog.export_csv(path, first, last, language=lang)
        except OSError as exc:
            log.warning("CSV export to %s failed: %s", path, exc)
            self.view.status_label.setText(self.tr("Could not write %1: %2").replace("%1", str(path))
                                           .replace("%2", exc.strerror or str(exc)))
            return False
        self.view.status_label.setText(self.tr("Saved %1").replace("%1", str(path)))
        return True

    def ask_export(self) -> None:
        name = f"worklog-{self.year}-{self.month:02d}.csv"
        path, _ = QFileDialog.getSaveFileName(self.view, self.tr("Export the work log"), str(Path.home() / name),
                                              self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(Path(path))
