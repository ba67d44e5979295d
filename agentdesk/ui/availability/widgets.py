"""Drawn widgets of the availability area: the week grid painted with mouse or keyboard, and the bar charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QLocale, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
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
        self.read_only = False  # a week past its entry deadline: shown, never painted
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
        if self.read_only or (cell in self.cells) == on:
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
        if self.read_only and self.rows:  # closed: greyed and hatched, so nobody tries to paint it
            area = QRect(self.TIME_COL, self.HEADER, self.width() - self.TIME_COL, self.height() - self.HEADER)
            p.fillRect(area, QColor(120, 120, 120, 70))
            p.fillRect(area, QBrush(QColor(90, 90, 90, 90), Qt.BrushStyle.BDiagPattern))
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
        if hit is None:
            return
        # A fast drag skips cells between two mouse events: fill the whole line from the last cell to this one.
        changed = False
        for col, row in cells_between(self.cursor, hit):
            changed |= self.set_cell((self.day(col), self.rows[row]), self._brush)
        self.cursor = hit
        if changed:
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


def cells_between(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (column, row) on the straight line from ``a`` to ``b``, both included, each a side-neighbour of the
    one before (a drag that crosses a corner fills a cell beside it: no gaps)."""
    (x, y), (x1, y1) = a, b
    dx, dy = abs(x1 - x), abs(y1 - y)
    sx, sy = (1 if x1 > x else -1), (1 if y1 > y else -1)
    out = [(x, y)]
    ix = iy = 0
    while ix < dx or iy < dy:
        if dy == 0 or (ix < dx and (0.5 + ix) / dx < (0.5 + iy) / dy):
            x += sx
            ix += 1
        else:
            y += sy
            iy += 1
        out.append((x, y))
    return out


@dataclass(frozen=True, slots=True)
class Part:
    """One segment of a stacked bar: its value and colour (the legend that names it is the view's)."""

    value: float
    color: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    target: float
    unit: str = ""
    parts: tuple[Part, ...] = ()  # stacked segments that add up to ``value``; empty: one plain bar
    text: str = ""  # the figures as words ("5 of 50 calls"); default "value / target unit"

    def numbers(self) -> str:
        return self.text or f"{self.value:g} / {self.target:g} {self.unit}".rstrip()


class BarChart(QWidget):
    """Horizontal bars, one per figure, each with its target marked; green when reached, orange when short, or
    stacked segments (entered, waiting to be sent, only marked...). The caption sits above each bar: the label
    left, the figures right; the widget asks for the width its captions need."""

    ROW = 40

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setMinimumHeight(8 + self.ROW * len(bars))
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.numbers()}" for b in bars))
        self.updateGeometry()
        self.update()

    def _caption_width(self, bar: Bar) -> int:
        fm = self.fontMetrics()
        return fm.horizontalAdvance(bar.label) + fm.horizontalAdvance("  ") + fm.horizontalAdvance(bar.numbers())

    def sizeHint(self) -> QSize:
        return QSize(max(320, self.minimumSizeHint().width()), 8 + self.ROW * max(1, len(self.bars)))

    def minimumSizeHint(self) -> QSize:
        need = max((self._caption_width(b) for b in self.bars), default=160)
        return QSize(need + 16, 8 + self.ROW * max(1, len(self.bars)))

    def text_overflow(self) -> list[str]:
        """Captions that do not fit the current width (the size test reads this)."""
        return [f"caption {b.label!r} needs {self._caption_width(b) + 16} px, has {self.width()}"
                for b in self.bars if self._caption_width(b) + 16 > self.width() + 1]

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        text = self.palette().text().color()
        width = self.width() - 16
        for i, bar in enumerate(self.bars):
            top = 4 + i * self.ROW
            p.setPen(text)
            p.drawText(QRect(8, top, width, 16), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       bar.label)
            p.drawText(QRect(8, top, width, 16), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       bar.numbers())
            scale = max(bar.target * 1.25, bar.value, 1e-9)
            track = QRect(8, top + 18, width, 14)
            p.fillRect(track, QColor("#e6e8eb"))
            if bar.parts:
                x = float(track.left())
                for part in bar.parts:
                    w = width * min(part.value, scale) / scale
                    p.fillRect(QRect(int(x), track.top(), max(0, round(x + w) - int(x)), track.height()),
                               QColor(part.color))
                    x += w
            else:
                filled = QRect(track.left(), track.top(), int(width * min(bar.value, scale) / scale),
                               track.height())
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
