"""Small painted widgets of the self-check wizard: a live microphone level meter and the network RTT chart."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

METER_MIN_DBFS = -80.0


class LevelMeter(QWidget):
    """A horizontal bar of the microphone level in dBFS (-80..0), green, amber above -20, red above -6."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level_dbfs = METER_MIN_DBFS
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_level(self, dbfs: float) -> None:
        self.level_dbfs = max(METER_MIN_DBFS, min(0.0, float(dbfs)))
        self.setAccessibleDescription(f"{self.level_dbfs:.0f} dBFS")
        self.update()

    def fraction(self) -> float:
        return (self.level_dbfs - METER_MIN_DBFS) / -METER_MIN_DBFS

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        r = self.rect().adjusted(0, 0, -1, -1)
        p.fillRect(r, QColor("#eceff1"))
        color = "#2e7d32" if self.level_dbfs < -20 else "#f9a825" if self.level_dbfs < -6 else "#c62828"
        p.fillRect(QRectF(r.x(), r.y(), r.width() * self.fraction(), r.height()), QColor(color))
        p.setPen(QColor("#90a4ae"))
        p.drawRect(r)
        p.end()


class RttChart(QWidget):
    """Round-trip times of the network probes over time; lost probes are red ticks on the axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples: dict[int, float | None] = {}
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def clear(self) -> None:
        self.samples.clear()
        self.update()

    def add_sample(self, seq: int, rtt_ms: float | None) -> None:
        self.samples[seq] = rtt_ms
        self.update()

    def set_samples(self, samples: list[float | None]) -> None:
        self.samples = dict(enumerate(samples))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 110)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(36, 6, -6, -16)
        p.fillRect(self.rect(), QColor("#ffffff"))
        p.setPen(QColor("#90a4ae"))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        p.drawLine(r.bottomLeft(), r.topLeft())
        values = [v for v in self.samples.values() if v is not None]
        if self.samples:
            top = max(values) * 1.2 if values else 1.0
            top = max(top, 1.0)
            n = max(self.samples) + 1
            step = r.width() / max(1, n - 1)
            p.drawText(QRectF(0, r.top() - 6, 34, 14), Qt.AlignmentFlag.AlignRight, f"{top / 1.2:.0f}ms")
            poly = QPolygonF()
            for seq in sorted(self.samples):
                v = self.samples[seq]
                x = r.left() + seq * step
                if v is None:
                    p.fillRect(QRectF(x - 2, r.bottom() - 6, 4, 6), QColor("#c62828"))
                    continue
                poly.append(QPointF(x, r.bottom() - r.height() * v / top))
            p.setPen(QPen(QColor("#1a73e8"), 2))
            p.drawPolyline(poly)
        p.end()
