"""The script panel's layout (no logic: see controller.py).

Three pages: browse (suggestions and search results), flow (the current step), article (a reference article).
Every control has an accessible name and is reachable with Tab; shortcuts are created here and connected by
the controller.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


def _wrap(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ScriptPanelView(QWidget):
    PAGE_BROWSE, PAGE_FLOW, PAGE_ARTICLE = 0, 1, 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)  # the host's frame is margin enough: the step gets the height
        outer.setSpacing(4)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("scriptSearch")
        self.search_edit.setClearButtonEnabled(True)
        outer.addWidget(self.search_edit)
        self.notice_label = _wrap(QLabel(self))
        self.notice_label.setObjectName("scriptNotice")
        self.notice_label.setStyleSheet("color: #8a4b00;")
        self.notice_label.hide()
        outer.addWidget(self.notice_label)

        self.pages = QStackedWidget(self)
        outer.addWidget(self.pages, 1)

        # browse page
        browse = QWidget(self.pages)
        bl = QVBoxLayout(browse)
        bl.setContentsMargins(0, 0, 0, 0)
        self.browse_label = QLabel(browse)
        self.results_list = QListWidget(browse)
        self.results_list.setObjectName("scriptResults")
        self.results_list.setWordWrap(True)
        bl.addWidget(self.browse_label)
        bl.addWidget(self.results_list, 1)
        self.pages.addWidget(browse)

        # flow page: the step scrolls (a long step on a small screen never overlaps); the way back stays in view
        page = QWidget(self.pages)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        self.flow_scroll = QScrollArea(page)
        self.flow_scroll.setObjectName("scriptStepScroll")
        self.flow_scroll.setWidgetResizable(True)
        self.flow_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.flow_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        flow = QWidget()
        flow.setObjectName("scriptStep")
        fl = QVBoxLayout(flow)
        fl.setContentsMargins(0, 0, 4, 0)
        self.flow_title_label = _wrap(QLabel(flow))
        self.flow_title_label.setObjectName("scriptFlowTitle")
        self.breadcrumb_label = _wrap(QLabel(flow))
        self.breadcrumb_label.setObjectName("scriptBreadcrumb")
        self.progress_label = QLabel(flow)
        self.progress_label.setObjectName("scriptProgress")
        self.step_title_label = _wrap(QLabel(flow))
        self.step_title_label.setObjectName("scriptStepTitle")
        font = QFont(self.step_title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.step_title_label.setFont(font)
        self.say_label = QLabel(flow)
        self.say_list = QListWidget(flow)
        self.say_list.setObjectName("scriptPhrases")
        self.say_list.setWordWrap(True)
        self.copy_button = QPushButton(flow)
        self.copy_button.setObjectName("scriptCopyPhrase")
        self.check_label = _wrap(QLabel(flow))
        self.check_label.setObjectName("scriptCheck")
        self.checklist_box = QWidget(flow)
        self.checklist_layout = QVBoxLayout(self.checklist_box)
        self.checklist_layout.setContentsMargins(0, 0, 0, 0)
        self.note_label = _wrap(QLabel(flow))
        self.note_label.setObjectName("scriptNote")
        self.note_label.setStyleSheet("color: #555;")
        self.articles_label = QLabel(flow)
        self.articles_list = QListWidget(flow)
        self.articles_list.setObjectName("scriptArticles")
        self.choices_box = QWidget(flow)
        self.choices_layout = QVBoxLayout(self.choices_box)
        self.choices_layout.setContentsMargins(0, 0, 0, 0)
        self.escalation_label = _wrap(QLabel(flow))
        self.escalation_label.setObjectName("scriptEscalationReason")
        self.escalate_button = QPushButton(flow)
        self.escalate_button.setObjectName("scriptEscalate")
        self.escalate_button.setStyleSheet("font-weight: bold;")
        self.outcome_label = _wrap(QLabel(flow))
        self.outcome_label.setObjectName("scriptOutcome")
        nav = QHBoxLayout()
        self.back_button = QPushButton(flow)
        self.back_button.setObjectName("scriptBack")
        self.restart_button = QPushButton(flow)
        self.restart_button.setObjectName("scriptRestart")
        self.browse_button = QPushButton(flow)
        self.browse_button.setObjectName("scriptBrowse")
        nav.addWidget(self.back_button)
        nav.addWidget(self.restart_button)
        nav.addStretch(1)
        nav.addWidget(self.browse_button)
        for w in (self.flow_title_label, self.breadcrumb_label, self.progress_label, self.step_title_label,
                  self.say_label, self.say_list, self.copy_button, self.check_label, self.checklist_box,
                  self.note_label, self.articles_label, self.articles_list, self.choices_box,
                  self.escalation_label, self.escalate_button, self.outcome_label):
            fl.addWidget(w)
        fl.addStretch(1)
        self.flow_scroll.setWidget(flow)
        pl.addWidget(self.flow_scroll, 1)
        pl.addLayout(nav)
        self.pages.addWidget(page)

        # article page
        article = QWidget(self.pages)
        al = QVBoxLayout(article)
        al.setContentsMargins(0, 0, 0, 0)
        self.article_title_label = _wrap(QLabel(article))
        bold = QFont(self.article_title_label.font())
        bold.setBold(True)
        self.article_title_label.setFont(bold)
        self.article_view = QTextBrowser(article)
        self.article_view.setObjectName("scriptArticleText")
        self.article_close_button = QPushButton(article)
        self.article_close_button.setObjectName("scriptArticleClose")
        al.addWidget(self.article_title_label)
        al.addWidget(self.article_view, 1)
        al.addWidget(self.article_close_button)
        self.pages.addWidget(article)

        # keyboard
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.number_shortcuts = [QShortcut(QKeySequence(str(n)), self, context=ctx) for n in range(1, 10)]
        self.back_shortcuts = [QShortcut(QKeySequence(Qt.Key.Key_Backspace), self, context=ctx),
                               QShortcut(QKeySequence("Alt+Left"), self, context=ctx)]
        self.search_shortcut = QShortcut(QKeySequence("Ctrl+F"), self, context=ctx)
        self.copy_shortcut = QShortcut(QKeySequence("Ctrl+Shift+C"), self, context=ctx)
        self.escalate_shortcut = QShortcut(QKeySequence("Ctrl+E"), self, context=ctx)
        self.restart_shortcut = QShortcut(QKeySequence("Ctrl+Shift+R"), self, context=ctx)
        self.escape_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=ctx)
        self.languageChanged = lambda: None

    def add_choice(self, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text, self.choices_box)
        button.setAccessibleName(accessible)
        button.setStyleSheet("text-align: left; padding: 4px 8px;")
        self.choices_layout.addWidget(button)
        button.setVisible(self.choices_box.isVisible())  # at once, so that it can take the focus now
        return button

    def add_check(self, text: str) -> QCheckBox:
        box = QCheckBox(text, self.checklist_box)
        box.setAccessibleName(text)
        self.checklist_layout.addWidget(box)
        box.setVisible(True)
        return box

    @staticmethod
    def fit_height(lst: QListWidget, max_rows: int = 6) -> None:
        """Make a short list as tall as its (word-wrapped) rows, so that the choices stay in view."""
        metrics = lst.fontMetrics()
        width = max(lst.viewport().width(), lst.width() - 2 * lst.frameWidth(), 200) - 12
        height = 0
        for i in range(min(lst.count(), max_rows)):
            rect = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, lst.item(i).text())
            height += rect.height() + 6
        lst.setFixedHeight(max(height + 2 * lst.frameWidth() + 4, 28))

    def clear_layout(self, layout: QVBoxLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            w = item.widget()
            if w is not None:
                w.hide()
                w.deleteLater()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.say_list.count():
            self.fit_height(self.say_list)
        if self.articles_list.count():
            self.fit_height(self.articles_list, max_rows=4)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.languageChanged()
        super().changeEvent(event)
