"""Small chart widgets for the agent's own numbers: a labelled progress bar against a target."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

GOOD = QColor("#2e7d32")
BAR = QColor("#1565c0")
BACK = QColor("#d0d7de")


class TargetBar(QWidget):
    """One horizontal bar: ``value`` of ``target`` (a vertical tick marks the target), the caption above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = ""
        self.value_text = ""
        self.value = 0.0
        self.target: float | None = None
        self.scale: float | None = None
        self.series: list[float] = []  # when set: one small column per day instead of the bar
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable by keyboard, read by screen readers

    def set_data(self, caption: str, value: float, target: float | None, value_text: str,
                 scale: float | None = None) -> None:
        """``target``: a tick the agent aims at; ``scale``: the full width (default: the larger of the two)."""
        self.caption, self.value, self.target, self.value_text = caption, value, target, value_text
        self.scale = scale
        self.series = []
        self.setAccessibleName(caption)
        self.setAccessibleDescription(value_text)
        self.setToolTip(f"{caption}: {value_text}")
        self.updateGeometry()
        self.update()

    def set_series(self, caption: str, values: list[float], value_text: str) -> None:
        """Small columns (one per day of the month so far), the total as text."""
        self.set_data(caption, sum(values), None, value_text)
        self.series = list(values)
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(220, fm.height() * 2 + 14)

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(120, fm.height() * 2 + 14)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        p.setPen(text_color)
        w = self.width()
        p.drawText(QRectF(0, 0, w * 0.62, fm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(self.caption, Qt.TextElideMode.ElideRight, int(w * 0.62)))
        p.drawText(QRectF(w * 0.62, 0, w * 0.38, fm.height()),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(self.value_text, Qt.TextElideMode.ElideLeft, int(w * 0.38)))
        top = fm.height() + 4
        height = max(8, self.height() - top - 4)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(BACK)
        p.drawRoundedRect(QRectF(0, top, w, height), 3, 3)
        if self.series:
            self._paint_series(p, top, height, w)
            p.end()
            return
        scale = self.scale or max(self.value, self.target or 0.0, 1e-9) * (1.1 if self.target else 1.0)
        scale = max(scale, self.value, 1e-9)
        filled = w * min(1.0, self.value / scale) if scale else 0.0
        reached = self.target is not None and self.value >= self.target
        p.setBrush(GOOD if reached else BAR)
        if filled > 0:
            p.drawRoundedRect(QRectF(0, top, filled, height), 3, 3)
        if self.target:
            x = w * self.target / scale
            p.setPen(text_color)
            p.drawLine(int(x), top - 2, int(x), top + height + 2)
        self._paint_focus(p)
        p.end()

    def _paint_series(self, p: QPainter, top: float, height: float, w: float) -> None:
        n = max(len(self.series), 1)
        peak = max(max(self.series, default=0.0), 1e-9)
        gap = 2.0
        col = max(2.0, (w - gap * (n - 1)) / n)
        p.setPen(Qt.PenStyle.NoPen)
        for i, v in enumerate(self.series):
            h = max(1.0, height * v / peak) if v > 0 else 1.0
            p.setBrush(BAR if i < n - 1 else GOOD)  # today in green
            p.drawRect(QRectF(i * (col + gap), top + height - h, col, h))
        self._paint_focus(p)

    def _paint_focus(self, p: QPainter) -> None:
        if self.hasFocus():
            p.setPen(self.palette().color(QPalette.ColorRole.Highlight))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.rect().adjusted(0, 0, -1, -1))
