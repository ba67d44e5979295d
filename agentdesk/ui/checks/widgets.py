"""Small painted widgets of the self-check wizard: a live microphone level meter and the network RTT chart."""

from __future__ import annotations

from typing import ClassVar

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
    """Network samples over time: round-trip times of the probes (blue) and, during the test call, the call's
    jitter from RTCP (orange); lost probes are red ticks on the axis. Legends are set by the view (translated)."""

    COLORS: ClassVar[dict[str, str]] = {"rtt": "#1a73e8", "jitter": "#ef6c00"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, dict[int, float | None]] = {"rtt": {}, "jitter": {}}
        self.legends: dict[str, str] = {"rtt": "RTT", "jitter": "jitter"}
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    @property
    def samples(self) -> dict[int, float | None]:
        return self.series["rtt"]

    def clear(self) -> None:
        for values in self.series.values():
            values.clear()
        self.update()

    def add_sample(self, seq: int, value: float | None, series: str = "rtt") -> None:
        self.series.setdefault(series, {})[seq] = value
        self.update()

    def set_samples(self, samples: list[float | None], series: str = "rtt", first: int = 0) -> None:
        self.series[series] = {first + i: v for i, v in enumerate(samples)}
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 110)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(40, 18, -6, -16)
        p.fillRect(self.rect(), QColor("#ffffff"))
        p.setPen(QColor("#90a4ae"))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        p.drawLine(r.bottomLeft(), r.topLeft())
        filled = {k: v for k, v in self.series.items() if v}
        values = [x for v in filled.values() for x in v.values() if x is not None]
        if filled:
            top = max(max(values) * 1.2 if values else 1.0, 1.0)
            n = max(max(v) for v in filled.values()) + 1
            step = r.width() / max(1, n - 1)
            p.drawText(QRectF(0, r.top() - 6, 38, 14), Qt.AlignmentFlag.AlignRight, f"{top / 1.2:.1f}ms")
            legend_x = r.left()
            for name, values_by_seq in filled.items():
                color = QColor(self.COLORS.get(name, "#455a64"))
                p.fillRect(QRectF(legend_x, 3, 10, 10), color)
                p.setPen(QColor("#37474f"))
                label = self.legends.get(name, name)
                p.drawText(QRectF(legend_x + 14, 0, 200, 16), Qt.AlignmentFlag.AlignLeft, label)
                legend_x += 24 + p.fontMetrics().horizontalAdvance(label)
                poly = QPolygonF()
                for seq in sorted(values_by_seq):
                    v = values_by_seq[seq]
                    x = r.left() + seq * step
                    if v is None:
                        if name == "rtt":
                            p.fillRect(QRectF(x - 2, r.bottom() - 6, 4, 6), QColor("#c62828"))
                        continue
                    poly.append(QPointF(x, r.bottom() - r.height() * v / top))
                p.setPen(QPen(color, 2))
                p.drawPolyline(poly)
        p.end()
