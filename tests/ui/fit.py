"""Does every visible text of a window fit? The checker behind tests/ui/test_screen_sizes.py.

A text does not fit when its widget is smaller than the text needs and nothing shows the rest:
- a label or button narrower than its size hint (one line), or a word-wrapped label shorter than its
  height-for-width: Qt clips the rest without a mark;
- a group box title, a tab bar whose tabs need scroll buttons, a menu bar whose menus need the extension button;
- a table or tree whose header section or cell is narrower than its text (Qt elides it: "2026-1...");
- a widget cut off by an ancestor that does not scroll (a scroll area's viewport scrolls: that is allowed, as long
  as the area shows at least MIN_SCROLL_LINES lines while it has more to show);
- a painted widget that says so itself: ``text_overflow() -> list[str]`` (charts that draw their own captions).

A widget elided on purpose (it shows "..." and the whole text in its tool tip or accessible description) sets the
dynamic property ``elided`` to True and is skipped.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QGroupBox,
    QLabel,
    QMenuBar,
    QStyle,
    QTabBar,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

SLACK = 1  # rounding of fractional metrics at 150 %
MIN_SCROLL_LINES = 4  # a scrolling area smaller than this is a slit, not a place to read


def _name(w: QWidget) -> str:
    cls = type(w).__name__
    ident = w.objectName() or w.accessibleName()
    return f"{cls}({ident})" if ident else cls


def _path(w: QWidget, top: QWidget) -> str:
    parts = []
    p: QWidget | None = w
    while p is not None and p is not top:
        if p.objectName():
            parts.append(p.objectName())
        p = p.parentWidget()
    return "/".join(reversed(parts[1:])) or "-"


def _text(w: QWidget) -> str:
    if isinstance(w, QLabel):
        return w.text()
    if isinstance(w, QAbstractButton):
        return w.text()
    return ""


def _clipped_by(w: QWidget, top: QWidget) -> str | None:
    """The ancestor that cuts ``w`` off (None when whole, or when the cut is a scrolling viewport)."""
    rect = QRect(w.mapTo(top, w.rect().topLeft()), w.size())
    p = w.parentWidget()
    while p is not None:
        area_widget = p.parentWidget()
        if isinstance(area_widget, QAbstractScrollArea) and p is area_widget.viewport():
            # content of a scroll area: cut along an axis it scrolls is fine, along one it does not is cut off
            view = QRect(p.mapTo(top, p.rect().topLeft()), p.size())
            if area_widget.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff and (
                    rect.left() < view.left() - SLACK or rect.right() > view.right() + SLACK):
                return f"{_name(area_widget)}, which does not scroll sideways"
            return None
        area = QRect(p.mapTo(top, p.rect().topLeft()), p.size()) if p is not top else top.rect()
        if not area.contains(rect):
            cut = rect.intersected(area)
            lost_w = rect.width() - cut.width()
            lost_h = rect.height() - cut.height()
            if lost_w > SLACK or lost_h > SLACK:
                return f"{_name(p)} (loses {lost_w}x{lost_h} px)"
        if p is top:
            return None
        p = p.parentWidget()
    return None


def _item_views(view: QAbstractItemView, top: QWidget) -> list[str]:
    out: list[str] = []
    header = view.header() if isinstance(view, QTreeWidget) else getattr(view, "horizontalHeader", lambda: None)()
    if header is None or not isinstance(view, (QTableWidget, QTreeWidget)):
        return out
    fm = view.fontMetrics()
    # an item view lays text out inside the focus frame's margin on both sides (QCommonStyle's item text rect)
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    columns = view.columnCount()
    for col in range(columns):
        if header.isSectionHidden(col):
            continue
        size = header.sectionSize(col)
        if header.isVisible():
            need = header.sectionSizeFromContents(col).width()
            if need > size + SLACK:
                label = (view.headerItem().text(col) if isinstance(view, QTreeWidget)
                         else (view.horizontalHeaderItem(col).text() if view.horizontalHeaderItem(col) else ""))
                out.append(f"{_name(view)}: header {label!r} needs {need} px, has {size}")
        rows = view.topLevelItemCount() if isinstance(view, QTreeWidget) else view.rowCount()
        for row in range(min(rows, 60)):
            item = view.topLevelItem(row) if isinstance(view, QTreeWidget) else view.item(row, col)
            if item is None:
                continue
            text = item.text(col) if isinstance(view, QTreeWidget) else item.text()
            if not text:
                continue
            index = view.indexFromItem(item, col) if isinstance(view, QTreeWidget) else view.indexFromItem(item)
            need = max(view.sizeHintForIndex(index).width(), fm.horizontalAdvance(text) + margin)
            if need > size + SLACK:
                out.append(f"{_name(view)}: cell {text!r} needs {need} px, column has {size}")
                break
    return out


def settle_layouts(top: QWidget) -> None:
    """Lay everything out now: a text that changed a moment ago (a live figure) has its layout request queued."""
    for _ in range(2):
        for w in [top, *top.findChildren(QWidget)]:
            layout = w.layout()
            if layout is not None:
                layout.activate()


def problems(top: QWidget) -> list[str]:
    """Every text in ``top`` (a shown window) that does not fit, as readable lines."""
    settle_layouts(top)
    out: list[str] = []
    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top):
            continue
        if w.property("elided"):
            continue
        where = _path(w, top)
        overflow = getattr(w, "text_overflow", None)
        if callable(overflow):
            out += [f"{_name(w)} at {where}: {line}" for line in overflow()]
        text = _text(w)
        if text:
            if isinstance(w, QLabel) and w.wordWrap():
                need_h = w.heightForWidth(w.width())
                if need_h > w.height() + SLACK:
                    out.append(f"{_name(w)} at {where}: {text[:40]!r} needs {need_h} px of height, has {w.height()}")
            else:
                need = w.sizeHint().width()
                if need > w.width() + SLACK:
                    out.append(f"{_name(w)} at {where}: {text[:40]!r} needs {need} px, has {w.width()}")
            if w is not top:
                cut = _clipped_by(w, top)
                if cut:
                    out.append(f"{_name(w)} at {where}: {text[:40]!r} is cut off by {cut}")
        if isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title().replace("&", "")) + 24
            if need > w.width() + SLACK:
                out.append(f"{_name(w)} at {where}: title {w.title()!r} needs {need} px, has {w.width()}")
        if isinstance(w, QTabBar) and w.count():
            need = sum(w.tabSizeHint(i).width() for i in range(w.count()))
            if need > w.width() + SLACK:
                out.append(f"{_name(w)} at {where}: tabs need {need} px, have {w.width()}")
        if isinstance(w, QMenuBar) and w.actions():
            need = w.sizeHint().width()
            if need > w.width() + SLACK:
                out.append(f"{_name(w)}: menus need {need} px, have {w.width()}")
        if isinstance(w, QAbstractScrollArea) and w is not top:
            bar = w.verticalScrollBar()
            lines = w.viewport().height() / max(1, w.fontMetrics().lineSpacing())
            if bar.maximum() > 0 and lines < MIN_SCROLL_LINES:
                out.append(f"{_name(w)} at {where}: scrolls but shows only {lines:.1f} lines "
                           f"(at least {MIN_SCROLL_LINES} to be read)")
        if isinstance(w, (QTableWidget, QTreeWidget)):
            out += [f"{line} at {where}" for line in _item_views(w, top)]
    return out


def _mnemonic(text: str) -> str | None:
    """The access key of a Qt text ("&File" -> "f"; "&&" is a literal ampersand)."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def access_keys(top: QWidget) -> dict[str, list[str]]:
    """Access key -> the texts that use it, among everything the agent can reach with Alt in ``top`` now: visible
    labels with a buddy, buttons, group box titles and the tabs of visible tab bars."""
    keys: dict[str, list[str]] = {}

    def add(text: str) -> None:
        key = _mnemonic(text)
        if key:
            keys.setdefault(key, []).append(text.replace("&", ""))

    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top):
            continue
        if (isinstance(w, QLabel) and w.buddy() is not None) or isinstance(w, QAbstractButton):
            add(w.text())
        elif isinstance(w, QGroupBox) and w.isCheckable():
            add(w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(w.tabText(i))
        elif isinstance(w, QMenuBar):
            for action in w.actions():
                add(action.text())
    return keys


def duplicate_access_keys(top: QWidget) -> list[str]:
    return [f"access key Alt+{key.upper()} is used by {len(texts)}: " + ", ".join(repr(t) for t in texts)
            for key, texts in sorted(access_keys(top).items()) if len(texts) > 1]


def duplicate_menu_keys(menu_bar: QMenuBar) -> list[str]:
    """Within each menu of the menu bar, every item's access key is unique."""
    out = []
    for action in menu_bar.actions():
        menu = action.menu()
        if menu is None:
            continue
        seen: dict[str, list[str]] = {}
        for item in menu.actions():
            key = _mnemonic(item.text())
            if key and item.isVisible():
                seen.setdefault(key, []).append(item.text().replace("&", ""))
        out += [f"menu {action.text().replace('&', '')!r}: Alt+{k.upper()} is used by " + ", ".join(v)
                for k, v in seen.items() if len(v) > 1]
    return out
