"""The work-log view's logic: a month's hours and calls against the 65-hour minimum and the incentive; CSV."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QTableWidgetItem

from agentdesk.agent.numbers import first_incentive_month, format_duration, incentive_target
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
        today = self.today()
        v.month_label.setText(f"{self.year}-{self.month:02d}")
        minimum = summary.minimum_hours
        v.summary_label.setText(
            self.tr("Worked %1 of the %2 h minimum, %3 calls, talk time %4.")
            .replace("%1", hm(summary.worked_seconds)).replace("%2", f"{minimum:g}")
            .replace("%3", str(summary.calls)).replace("%4", format_duration(summary.talk_seconds)))
        bars = [Bar(self.tr("Hours worked"), round(summary.worked_hours, 1), minimum, self.tr("h"))]
        # The incentive as the shift screen shows it: this month's calls against this month's target.
        target = incentive_target(self.worklog, self.year, self.month, today, self.first_month)
        if target is not None:
            required, _nth = target
            bars.append(Bar(self.tr("Calls toward the incentive"), summary.calls, required, self.tr("calls"),
                            text=self.tr("%1 of %2 calls").replace("%1", str(summary.calls))
                            .replace("%2", str(required))))
        first = first_incentive_month(self.worklog, today, self.first_month)
        status = self.worklog.incentive(first, today=today)
        lines = [self.tr("The first month needs at least %1 call; each of the next three months %2 calls.")
                 .replace("%1", str(self.worklog.rules.incentive_first_month_calls))
                 .replace("%2", str(self.worklog.rules.incentive_later_month_calls))]
        for i, m in enumerate(status.months):
            mark = "✔" if m.met else ("✖" if m.finished else "…")
            lines.append(self.tr("Month %1 (%2): %3 of %4 calls %5").replace("%1", str(i + 1))
                         .replace("%2", f"{m.year}-{m.month:02d}").replace("%3", str(m.actual))
                         .replace("%4", str(m.required)).replace("%5", mark))
        if status.met:
            lines.append(self.tr("Every month of the incentive is met."))
        elif status.lost:
            lines.append(self.tr("A finished month missed its count."))
        v.chart.set_bars(bars)
        # Days to come have nothing to show: the month so far (a past month whole, a future month nothing).
        days = [d for d in summary.days if d.date <= today]
        v.day_bars.set_values([(d.date.day, d.worked_hours) for d in summary.days])
        v.incentive_label.setText("\n".join(lines))
        locale = QLocale()
        date_format = locale.dateFormat(QLocale.FormatType.ShortFormat)
        v.table.setRowCount(len(days))
        for row, d in enumerate(days):
            label = f"{locale.toString(d.date, date_format)} ({locale.dayName(d.date.isoweekday(), QLocale.FormatType.ShortFormat)})"
            for col, text in enumerate((label, hm(d.worked_seconds), hm(d.break_seconds), str(d.calls),
                                        format_duration(d.talk_seconds))):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                v.table.setItem(row, col, item)
        v.table.resizeColumnsToContents()
        v.empty_label.setVisible(not days)

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
