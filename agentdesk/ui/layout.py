"""Layout pieces every screen shares, so that it fits a laptop at 150 % (tests/ui/test_screen_sizes.py)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    """Scrolls up and down only, and is never narrower than what it holds (nothing is cut off at the side)."""

    def minimumSizeHint(self) -> QSize:
        inner = self.widget()
        width = inner.minimumSizeHint().width() if inner is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth(), 60)


def scrolling(page: QWidget, parent: QWidget | None = None) -> VerticalScrollArea:
    """``page`` scrolls as a whole when its window is smaller than it; its parts keep their size instead of being
    squeezed over each other. The area itself takes no focus (Tab goes to the page's controls)."""
    area = VerticalScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)
    return area
