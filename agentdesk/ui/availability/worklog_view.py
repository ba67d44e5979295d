"""The work-log view: layout only (logic in ``worklog_controller.py``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from agentdesk.ui.availability.widgets import BarChart, DayBars


class WorkLogView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workLog")
        self.retranslated = None  # set by the controller: refresh texts it owns
        self.shown = None  # set by the controller: refresh the figures when the window is shown

        self.prev_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.month_label = QLabel(self)
        self.month_label.setObjectName("monthLabel")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportCsv")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.month_label, 1)
        nav.addWidget(self.next_button)
        nav.addWidget(self.export_button)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("monthSummary")
        self.summary_label.setWordWrap(True)
        self.chart_box = QGroupBox(self)
        self.chart = BarChart(self.chart_box)
        self.chart.setObjectName("workChart")
        self.day_bars = DayBars(self.chart_box)
        self.day_bars.setObjectName("dayBars")
        cbox = QVBoxLayout(self.chart_box)
        cbox.addWidget(self.chart)
        cbox.addWidget(self.day_bars)

        self.incentive_box = QGroupBox(self)
        self.incentive_label = QLabel(self.incentive_box)
        self.incentive_label.setObjectName("incentive")
        self.incentive_label.setWordWrap(True)
        self.incentive_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        ibox = QVBoxLayout(self.incentive_box)
        ibox.addWidget(self.incentive_label)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("days")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setVisible(False)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("workLogEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("workLogStatus")

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.empty_label)
        right = QVBoxLayout()
        right.addWidget(self.chart_box)
        right.addWidget(self.incentive_box)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(nav)
        layout.addWidget(self.summary_label)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_label)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Work log"))
        self.prev_button.setText(self.tr("< Previous month"))
        self.next_button.setText(self.tr("Next month >"))
        self.prev_button.setAccessibleName(self.tr("Previous month"))
        self.next_button.setAccessibleName(self.tr("Next month"))
        self.month_label.setAccessibleName(self.tr("Month shown"))
        self.export_button.setText(self.tr("E&xport CSV..."))
        self.export_button.setAccessibleName(self.tr("Export the work log as CSV"))
        self.summary_label.setAccessibleName(self.tr("Month summary"))
        self.chart_box.setTitle(self.tr("Against the contract"))
        self.chart.setAccessibleName(self.tr("Hours worked and calls against the minimums"))
        self.day_bars.setAccessibleName(self.tr("Hours worked per day"))
        self.incentive_box.setTitle(self.tr("New-agent incentive"))
        self.incentive_label.setAccessibleName(self.tr("New-agent incentive"))
        self.table.setAccessibleName(self.tr("Hours and calls per day"))
        self.table.setHorizontalHeaderLabels([self.tr("Date"), self.tr("Worked"), self.tr("Breaks"),
                                              self.tr("Calls"), self.tr("Talk time")])
        self.status_label.setAccessibleName(self.tr("Work log status"))
        self.empty_label.setText(self.tr("Nothing recorded for this month yet."))
        if self.retranslated is not None:
            self.retranslated()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.shown is not None:
            self.shown()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
