"""Drawn widgets of the availability area: the week grid painted with mouse or keyboard, and the bar charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QLocale, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from agentdesk.availability.calendar_jp import holiday_name, is_weekend_or_holiday

Cell = tuple[date, int]  # (day, minute of the day at which the cell starts)

FILLED = QColor("#2f7dd1")
FILLED_PROBLEM = QColor("#c0392b")
WEEKEND_BG = QColor("#fdf1e6")
GRID_LINE = QColor("#c9cdd2")
CURSOR = QColor("#111111")
OK = QColor("#2e8b57")
SHORT = QColor("#e08a1e")


class WeekGrid(QWidget):
    """Seven day columns (Monday to Sunday) by service-hour rows. Paint with the mouse (press and drag) or the
    keyboard: arrows move, Space toggles the cell, Shift+arrows paint as they move, Delete clears."""

    cellsChanged = Signal()

    HEADER = 52
    TIME_COL = 52

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 260)
        self.monday = date(2026, 1, 5)
        self.rows: list[int] = []  # minute of the day at which each row starts
        self.step = 30
        self.cells: set[Cell] = set()
        self.problem_cells: set[Cell] = set()
        self.problem_days: set[date] = set()
        self.read_only_days: set[date] = set()
        self.cursor = (0, 0)  # (column, row)
        self._brush: bool | None = None  # value being painted while the mouse button is down

    # ---- model ---------------------------------------------------------------------------------------------------
    def set_week(self, monday: date, rows: list[int], step: int) -> None:
        self.monday, self.rows, self.step = monday, rows, step
        self.cursor = (min(self.cursor[0], 6), min(self.cursor[1], max(0, len(rows) - 1)))
        self.update()

    def day(self, column: int) -> date:
        return self.monday + timedelta(days=column)

    def cell_at_cursor(self) -> Cell:
        return self.day(self.cursor[0]), self.rows[self.cursor[1]]

    def set_cell(self, cell: Cell, on: bool) -> bool:
        if (cell in self.cells) == on:
            return False
        if on:
            self.cells.add(cell)
        else:
            self.cells.discard(cell)
        self.update()
        return True

    # ---- geometry ------------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(640, 420)

    def _cell_size(self) -> tuple[float, float]:
        w = (self.width() - self.TIME_COL - 1) / 7
        h = (self.height() - self.HEADER - 1) / max(1, len(self.rows))
        return w, h

    def cell_rect(self, column: int, row: int) -> QRect:
        w, h = self._cell_size()
        return QRect(int(self.TIME_COL + column * w), int(self.HEADER + row * h), int(w), int(h))

    def hit(self, pos: QPoint) -> tuple[int, int] | None:
        w, h = self._cell_size()
        x, y = pos.x() - self.TIME_COL, pos.y() - self.HEADER
        if x < 0 or y < 0:
            return None
        col, row = int(x // w), int(y // h)
        if 0 <= col < 7 and 0 <= row < len(self.rows):
            return col, row
        return None

    # ---- painting ------------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        locale = QLocale()
        text_pen = QPen(self.palette().text().color())
        for col in range(7):
            d = self.day(col)
            head = self.cell_rect(col, 0)
            head = QRect(head.left(), 0, head.width(), self.HEADER)
            if is_weekend_or_holiday(d):
                p.fillRect(QRect(head.left(), 0, head.width(), self.height()), WEEKEND_BG)
            p.setPen(QPen(FILLED_PROBLEM) if d in self.problem_days else text_pen)
            name = locale.dayName(d.isoweekday(), QLocale.FormatType.ShortFormat)
            holiday = holiday_name(d, "en" if locale.language() == QLocale.Language.English else "ja")
            p.drawText(head.adjusted(0, 0, 0, -14), int(Qt.AlignmentFlag.AlignCenter), f"{d.month}/{d.day}\n{name}")
            if holiday:
                small = QFont(p.font())
                small.setPointSizeF(max(6.0, small.pointSizeF() * 0.75))
                p.save()
                p.setFont(small)
                p.drawText(QRect(head.left(), head.bottom() - 15, head.width(), 15),
                           int(Qt.AlignmentFlag.AlignCenter), p.fontMetrics().elidedText(
                               holiday, Qt.TextElideMode.ElideRight, head.width() - 2))
                p.restore()
        p.setPen(text_pen)
        for row, minute in enumerate(self.rows):
            r = self.cell_rect(0, row)
            if minute % 60 == 0 or len(self.rows) <= 16:
                p.drawText(QRect(0, r.top(), self.TIME_COL - 4, r.height()),
                           int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                           f"{minute // 60}:{minute % 60:02d}")
        for col in range(7):
            d = self.day(col)
            for row, minute in enumerate(self.rows):
                r = self.cell_rect(col, row)
                cell = (d, minute)
                if cell in self.cells:
                    p.fillRect(r.adjusted(1, 1, 0, 0), FILLED_PROBLEM if cell in self.problem_cells else FILLED)
                elif cell in self.problem_cells:
                    p.fillRect(r.adjusted(1, 1, 0, 0), QColor(192, 57, 43, 60))
                p.setPen(QPen(GRID_LINE))
                p.drawRect(r)
        if self.rows:
            pen = QPen(CURSOR if self.hasFocus() else GRID_LINE.darker(130))
            pen.setWidth(3 if self.hasFocus() else 1)
            pen.setStyle(Qt.PenStyle.SolidLine if self.hasFocus() else Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(self.cell_rect(*self.cursor).adjusted(1, 1, -1, -1))
        p.end()

    # ---- mouse ---------------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self.hit(event.position().toPoint())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.cursor = hit
        cell = self.cell_at_cursor()
        self._brush = cell not in self.cells
        self.set_cell(cell, self._brush)
        self.cellsChanged.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._brush is None:
            return
        hit = self.hit(event.position().toPoint())
        if hit is not None:
            self.cursor = hit
            if self.set_cell(self.cell_at_cursor(), self._brush):
                self.cellsChanged.emit()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._brush = None

    # ---- keyboard ------------------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        moves = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
                 Qt.Key.Key_Down: (0, 1)}
        if key in moves and self.rows:
            dc, dr = moves[Qt.Key(key)]
            painting = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            value = self.cell_at_cursor() in self.cells
            col = min(6, max(0, self.cursor[0] + dc))
            row = min(len(self.rows) - 1, max(0, self.cursor[1] + dr))
            self.cursor = (col, row)
            if painting and self.set_cell(self.cell_at_cursor(), value):
                self.cellsChanged.emit()
            self.update()
            self._announce()
            return
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.rows:
            cell = self.cell_at_cursor()
            self.set_cell(cell, cell not in self.cells)
            self.cellsChanged.emit()
            self._announce()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.rows:
            if self.set_cell(self.cell_at_cursor(), False):
                self.cellsChanged.emit()
            self._announce()
            return
        super().keyPressEvent(event)

    def _announce(self) -> None:
        """Keep the accessible description on the focused cell (screen readers read it)."""
        if not self.rows:
            return
        d, minute = self.cell_at_cursor()
        name = holiday_name(d, "en" if QLocale().language() == QLocale.Language.English else "ja") or ""
        state = "■" if (d, minute) in self.cells else "□"
        self.setAccessibleDescription(f"{d.isoformat()} {minute // 60}:{minute % 60:02d} {state} {name}".strip())

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._announce()
        super().focusInEvent(event)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    target: float
    unit: str = ""


class BarChart(QWidget):
    """Horizontal bars, one per figure, each with its target marked; green when reached, orange when short."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setMinimumSize(240, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setMinimumHeight(24 + 40 * len(bars))
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.value:g}/{b.target:g} {b.unit}".strip()
                                                for b in bars))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 24 + 40 * max(1, len(self.bars)))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        text = self.palette().text().color()
        width = self.width() - 16
        for i, bar in enumerate(self.bars):
            top = 4 + i * 40
            p.setPen(text)
            p.drawText(QRect(8, top, width, 16), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       f"{bar.label}  {bar.value:g} / {bar.target:g} {bar.unit}".rstrip())
            scale = max(bar.target * 1.25, bar.value, 1e-9)
            track = QRect(8, top + 18, width, 14)
            p.fillRect(track, QColor("#e6e8eb"))
            filled = QRect(track.left(), track.top(), int(width * min(bar.value, scale) / scale), track.height())
            p.fillRect(filled, OK if bar.value >= bar.target else SHORT)
            x = track.left() + int(width * bar.target / scale)
            p.setPen(QPen(text, 2))
            p.drawLine(x, track.top() - 3, x, track.bottom() + 3)
        p.end()


class DayBars(QWidget):
    """Hours worked per day of a month as vertical bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[tuple[int, float]] = []  # (day of month, hours)
        self.setMinimumSize(240, 110)

    def set_values(self, values: list[tuple[int, float]]) -> None:
        self.values = values
        self.setAccessibleDescription(", ".join(f"{d}: {h:.1f}" for d, h in values if h))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        n = max(1, len(self.values))
        top = max([7.0, *(h for _, h in self.values)])
        w = (self.width() - 16) / n
        base = self.height() - 16
        p.setPen(self.palette().text().color())
        for i, (day, hours) in enumerate(self.values):
            h = int((base - 6) * hours / top)
            x = int(8 + i * w)
            p.fillRect(QRect(x + 1, base - h, max(1, int(w) - 2), h), FILLED)
            if day == 1 or day % 5 == 0:
                p.drawText(QRect(x - 6, base + 1, int(w) + 12, 14), int(Qt.AlignmentFlag.AlignCenter), str(day))
        p.end()
