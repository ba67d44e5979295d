"""The availability entry screen: layout only (logic in ``entry_controller.py``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agentdesk.ui.availability.widgets import BarChart, WeekGrid


class AvailabilityView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("availabilityEntry")
        self.retranslated = None  # the controller's hook, called after the texts change language

        self.prev_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.week_label = QLabel(self)
        self.week_label.setObjectName("weekLabel")
        self.deadline_label = QLabel(self)
        self.deadline_label.setObjectName("deadlineLabel")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("weekStatus")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.week_label, 1)
        nav.addWidget(self.next_button)

        self.grid = WeekGrid(self)
        self.grid.setObjectName("weekGrid")
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)

        self.month_box = QGroupBox(self)
        self.chart = BarChart(self.month_box)
        self.chart.setObjectName("monthChart")
        self.legend_label = QLabel(self.month_box)
        self.legend_label.setObjectName("monthLegend")
        self.legend_label.setWordWrap(True)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        box = QVBoxLayout(self.month_box)
        box.addWidget(self.chart)
        box.addWidget(self.legend_label)

        self.problems_box = QGroupBox(self)
        self.problems = QListWidget(self.problems_box)
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        pbox = QVBoxLayout(self.problems_box)
        pbox.addWidget(self.problems)

        self.enter_button = QPushButton(self)
        self.enter_button.setObjectName("enterWeek")

        left = QVBoxLayout()
        left.addLayout(nav)
        left.addWidget(self.deadline_label)
        left.addWidget(self.grid, 1)
        left.addWidget(self.hint_label)
        right = QVBoxLayout()
        right.addWidget(self.month_box)
        right.addWidget(self.problems_box, 1)
        right.addWidget(self.status_label)
        right.addWidget(self.enter_button)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        self.setTabOrder(self.prev_button, self.next_button)
        self.setTabOrder(self.next_button, self.grid)
        self.setTabOrder(self.grid, self.problems)
        self.setTabOrder(self.problems, self.enter_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Availability entry"))
        self.prev_button.setText(self.tr("< Previous week"))
        self.next_button.setText(self.tr("Next week >"))
        self.prev_button.setAccessibleName(self.tr("Previous week"))
        self.next_button.setAccessibleName(self.tr("Next week"))
        self.week_label.setAccessibleName(self.tr("Week shown"))
        self.deadline_label.setAccessibleName(self.tr("Entry deadline"))
        self.grid.setAccessibleName(self.tr("Hours of the week"))
        self.paint_hint = self.tr("Click or drag to mark hours. Keyboard: arrow keys move, Space marks or "
                                  "clears, Shift+arrow keys mark while moving, Delete clears.")
        self.hint_label.setText(self.paint_hint)
        self.month_box.setTitle(self.tr("This month's progress"))
        self.chart.setAccessibleName(self.tr("Progress toward the monthly minimums"))
        self.legend_label.setAccessibleName(self.tr("What the bars show"))
        self.problems_box.setTitle(self.tr("Problems"))
        self.problems.setAccessibleName(self.tr("Problems with the plan"))
        self.status_label.setAccessibleName(self.tr("Entry status"))
        self.enter_button.setText(self.tr("&Enter this week"))
        self.enter_button.setAccessibleName(self.tr("Enter this week"))
        if self.retranslated is not None:
            self.retranslated()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
