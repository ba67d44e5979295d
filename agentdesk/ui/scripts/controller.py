"""The script panel's logic: which flow, which step, search, copy, escalation. Layout is in view.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidgetItem, QWidget

from agentdesk.support_scripts.library import Library
from agentdesk.support_scripts.model import Flow, pick
from agentdesk.support_scripts.runner import FlowRunner, fill, variables_from_contract
from agentdesk.ui.scripts.view import ScriptPanelView

log = logging.getLogger(__name__)
_KIND_ROLE = Qt.ItemDataRole.UserRole
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_MAX_CRUMBS = 4


class ScriptPanelController(QObject):
    escalationRequested = Signal(dict)

    def __init__(self, view: ScriptPanelView, library: Library) -> None:
        super().__init__(view)
        self.view = view
        self.library = library
        self.runner: FlowRunner | None = None
        self.contract: Any | None = None
        self.queue: str | None = None
        self.suggested: list[Flow] = []
        self.language = "ja" if QLocale().language() == QLocale.Language.Japanese else "en"
        self._choice_buttons: list[Any] = []
        self._escalated_at: datetime | None = None

        v = view
        v.languageChanged = self._on_language_change  # type: ignore[method-assign]
        v.search_edit.textChanged.connect(self.search)
        v.search_edit.returnPressed.connect(self._open_first_result)
        v.results_list.itemActivated.connect(self._open_item)
        v.articles_list.itemActivated.connect(self._open_item)
        v.copy_button.clicked.connect(self.copy_phrase)
        v.escalate_button.clicked.connect(self.escalate)
        v.back_button.clicked.connect(self.back)
        v.restart_button.clicked.connect(self.restart)
        v.browse_button.clicked.connect(self.show_browse)
        v.article_close_button.clicked.connect(self.close_article)
        for n, sc in enumerate(v.number_shortcuts):
            sc.activated.connect(lambda n=n: self.number_key(n))
        for sc in v.back_shortcuts:
            sc.activated.connect(self.back)
        v.search_shortcut.activated.connect(self.focus_search)
        v.copy_shortcut.activated.connect(self.copy_phrase)
        v.escalate_shortcut.activated.connect(self.escalate)
        v.restart_shortcut.activated.connect(self.restart)
        v.escape_shortcut.activated.connect(self.escape)
        self.refresh_texts()
        self.show_browse()

    # ----- the call -----
    def start_for_call(self, contract: Any | None, queue: str | None) -> None:
        """A call arrived: forget the last call, suggest flows from the queue and the contract data."""
        self.reset()
        self.contract = contract
        self.queue = queue
        self.suggested = self.library.suggest(contract, queue)
        self.show_browse()
        if self.view.results_list.count():
            self.view.results_list.setCurrentRow(0)
        self.view.results_list.setFocus()

    def reset(self) -> None:
        self.runner = None
        self.contract = None
        self.queue = None
        self.suggested = []
        self._escalated_at = None
        self.view.search_edit.blockSignals(True)
        self.view.search_edit.clear()
        self.view.search_edit.blockSignals(False)
        self.show_browse()

    def escalation_context(self) -> dict[str, Any]:
        ctx: dict[str, Any]
        if self.runner is None:
            ctx = {"flow_id": None, "flow_version": None, "path": [], "path_log": [], "last_step": None, "escalation_reason": None}
        else:
            ctx = self.runner.escalation_context()
        ctx["contract_id"] = getattr(self.contract, "contract_id", None)
        ctx["queue"] = self.queue
        ctx["escalated_at"] = self._escalated_at.isoformat(timespec="seconds") if self._escalated_at else None
        return ctx

    def wrap_up(self) -> dict[str, Any] | None:
        return self.runner.wrap_up() if self.runner else None

    # ----- browse and search -----
    def show_browse(self) -> None:
        self.view.pages.setCurrentIndex(ScriptPanelView.PAGE_BROWSE)
        self.search(self.view.search_edit.text())

    def search(self, text: str) -> None:
        lst = self.view.results_list
        lst.clear()
        if text.strip():
            hits = self.library.search(text, limit=9)
            self.view.browse_label.setText(self.tr("Results for \u201c%1\u201d (%2)").replace("%1", text.strip())
                                           .replace("%2", str(len(hits))) if hits else self.tr("Nothing found"))
            for n, h in enumerate(hits, 1):
                kind = self.tr("Flow") if h.kind == "flow" else self.tr("Article")
                where = f" › {pick(h.step_title, self.language)}" if h.step_title and h.kind == "flow" else ""
                self._add_item(f"{n}. [{kind}] {pick(h.title, self.language)}{where}", h.kind, h.id)
            if self.view.pages.currentIndex() != ScriptPanelView.PAGE_BROWSE:
                self.view.pages.setCurrentIndex(ScriptPanelView.PAGE_BROWSE)
            return
        flows = self.suggested or sorted(self.library.flows.values(), key=lambda f: pick(f.title, self.language))
        suggested_ids = {f.id for f in self.suggested}
        others = [f for f in sorted(self.library.flows.values(), key=lambda f: pick(f.title, self.language))
                  if f.id not in suggested_ids] if self.suggested else []
        self.view.browse_label.setText(self.tr("Suggested for this call") if self.suggested
                                       else self.tr("All flows"))
        for n, f in enumerate([*flows, *others], 1):
            prefix = f"{n}. " if n <= 9 else ""
            mark = " ★" if f.id in suggested_ids else ""
            self._add_item(f"{prefix}{pick(f.title, self.language)}{mark}", "flow", f.id)

    def _add_item(self, text: str, kind: str, item_id: str) -> None:
        item = QListWidgetItem(text)
        item.setData(_KIND_ROLE, kind)
        item.setData(_ID_ROLE, item_id)
        self.view.results_list.addItem(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        kind, item_id = item.data(_KIND_ROLE), item.data(_ID_ROLE)
        if kind == "flow":
            self.start_flow(item_id)
        elif kind == "article":
            self.open_article(item_id)

    def _open_first_result(self) -> None:
        item = self.view.results_list.currentItem() or self.view.results_list.item(0)
        if item is not None:
            self._open_item(item)

    def focus_search(self) -> None:
        self.view.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.view.search_edit.selectAll()

    def escape(self) -> None:
        page = self.view.pages.currentIndex()
        if page == ScriptPanelView.PAGE_ARTICLE:
            self.close_article()
        elif page == ScriptPanelView.PAGE_BROWSE and self.runner is not None:
            self.view.search_edit.clear()
            self.show_flow()

    # ----- the flow -----
    def start_flow(self, flow_id: str) -> None:
        flow = self.library.flows.get(flow_id)
        if flow is None:
            return
        if self.runner is not None and self.runner.flow.id == flow_id:
            self.show_flow()  # back to the flow in progress, path kept
            return
        self.runner = FlowRunner(flow, variables_from_contract(self.contract))
        self.runner.start()
        self.view.search_edit.blockSignals(True)
        self.view.search_edit.clear()
        self.view.search_edit.blockSignals(False)
        self.show_flow()

    def show_flow(self) -> None:
        if self.runner is None:
            self.show_browse()
            return
        self.view.pages.setCurrentIndex(ScriptPanelView.PAGE_FLOW)
        self.render_step()

    def number_key(self, n: int) -> None:
        page = self.view.pages.currentIndex()
        if page == ScriptPanelView.PAGE_FLOW:
            self.choose(n)
        elif page == ScriptPanelView.PAGE_BROWSE:
            item = self.view.results_list.item(n)
            if item is not None:
                self._open_item(item)

    def choose(self, index: int) -> None:
        if self.runner is None or not 0 <= index < len(self.runner.current.choices):
            return
        self.runner.choose(index)
        self.render_step()

    def back(self) -> None:
        if self.view.pages.currentIndex() == ScriptPanelView.PAGE_ARTICLE:
            self.close_article()
            return
        if self.runner is None or self.view.pages.currentIndex() != ScriptPanelView.PAGE_FLOW:
            return
        self.runner.back()
        self.render_step()

    def restart(self) -> None:
        if self.runner is None:
            return
        self.runner.restart()
        self._escalated_at = None
        self.show_flow()

    def escalate(self) -> None:
        if self.runner is None or not self.runner.at_escalation_point:
            return
        self.runner.mark_escalated()
        self._escalated_at = datetime.now(UTC)
        context = self.escalation_context()
        self.render_step()
        self.escalationRequested.emit(context)

    def copy_phrase(self) -> None:
        if self.runner is None or not self.runner.current.say:
            return
        row = max(self.view.say_list.currentRow(), 0)
        text = self.runner.render(self.runner.current.say[row], self.language)
        QGuiApplication.clipboard().setText(text)
        self.view.progress_label.setText(self.tr("Phrase copied"))

    def open_article(self, article_id: str) -> None:
        article = self.library.articles.get(article_id)
        if article is None:
            return
        self.view.article_title_label.setText(pick(article.title, self.language))
        self.view.article_view.setPlainText(fill(pick(article.body, self.language),
                                                 self.runner.variables if self.runner else {}, self.language))
        self.view.pages.setCurrentIndex(ScriptPanelView.PAGE_ARTICLE)
        self.view.article_view.setFocus()

    def close_article(self) -> None:
        if self.runner is not None and self.view.search_edit.text() == "":
            self.show_flow()
        else:
            self.show_browse()

    def _on_toggle(self, item: int, checked: bool) -> None:
        if self.runner is not None:
            self.runner.toggle(item, checked)

    # ----- drawing -----
    def render_step(self) -> None:
        r = self.runner
        if r is None:
            return
        v = self.view
        lang = self.language
        step = r.current
        v.flow_title_label.setText(f"{pick(r.flow.title, lang)}  (v{r.flow.version})")
        crumbs = [pick(s.title, lang) for s in r.trail]
        shown = crumbs if len(crumbs) <= _MAX_CRUMBS else ["…", *crumbs[-_MAX_CRUMBS:]]
        v.breadcrumb_label.setText(" › ".join(shown))
        v.breadcrumb_label.setAccessibleName(self.tr("Where you are: %1").replace("%1", " › ".join(crumbs)))
        where = self.tr("Step %1 of %2").replace("%1", str(r.step_number)).replace("%2", str(r.steps_total))
        if step.is_end:
            progress = self.tr("%1 · end of the flow").replace("%1", where)
        elif step.escalation is not None:
            progress = self.tr("%1 · escalation point").replace("%1", where)
        else:
            progress = where
        v.progress_label.setText(progress)
        v.step_title_label.setText(pick(step.title, lang))
        v.step_title_label.setAccessibleName(self.tr("Step: %1").replace("%1", pick(step.title, lang)))

        v.say_list.clear()
        for t in step.say:
            v.say_list.addItem(r.render(t, lang))
        if step.say:
            v.say_list.setCurrentRow(0)
            v.fit_height(v.say_list)
        for w in (v.say_label, v.say_list, v.copy_button):
            w.setVisible(bool(step.say))
        checks = [r.render(t, lang) for t in step.check]
        v.check_label.setText("\n".join(f"• {c}" for c in checks))
        v.check_label.setVisible(bool(checks))

        v.clear_layout(v.checklist_layout)
        done = r.checked.get(step.id, set())
        for i, t in enumerate(step.checklist):
            box = v.add_check(r.render(t, lang))
            box.setChecked(i in done)
            box.toggled.connect(lambda checked, i=i: self._on_toggle(i, checked))
        v.checklist_box.setVisible(bool(step.checklist))

        v.note_label.setText(r.render(step.note, lang) if step.note else "")
        v.note_label.setVisible(step.note is not None)

        v.articles_list.clear()
        for aid in step.articles:
            a = self.library.articles.get(aid)
            if a is not None:
                item = QListWidgetItem(pick(a.title, lang))
                item.setData(_KIND_ROLE, "article")
                item.setData(_ID_ROLE, aid)
                v.articles_list.addItem(item)
        for w in (v.articles_label, v.articles_list):
            w.setVisible(v.articles_list.count() > 0)
        v.fit_height(v.articles_list, max_rows=4)

        v.clear_layout(v.choices_layout)
        self._choice_buttons = []
        for n, c in enumerate(step.choices, 1):
            label = r.render(c.label, lang)
            button = v.add_choice(f"{n}. {label}", self.tr("Choice %1: %2").replace("%1", str(n)).replace("%2", label))
            button.clicked.connect(lambda _=False, i=n - 1: self.choose(i))
            self._choice_buttons.append(button)

        esc = step.escalation
        at_point = esc is not None
        v.escalation_label.setVisible(at_point)
        v.escalate_button.setVisible(at_point)
        v.escalate_button.setEnabled(at_point and self._escalated_at is None)
        if esc is not None:
            v.escalation_label.setText(self.tr("Escalation reason: %1").replace("%1", r.render(esc.reason, lang)))
            v.escalate_button.setText(self.tr("Escalate to %1 (Ctrl+E)").replace("%1", self._target_name(esc.target))
                                      if self._escalated_at is None else self.tr("Escalation requested"))
        v.outcome_label.setVisible(step.is_end)
        if step.end:
            v.outcome_label.setText(self.tr("Flow finished: %1").replace("%1", self._outcome_name(step.end)))
        v.back_button.setEnabled(r.can_go_back())

        focus: QWidget | None = self._choice_buttons[0] if self._choice_buttons else None
        if focus is None:
            focus = v.escalate_button if at_point and v.escalate_button.isEnabled() else v.restart_button
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        v.flow_scroll.verticalScrollBar().setValue(0)  # a new step is read from its top (1-9 choose from anywhere)

    def _target_name(self, target: str) -> str:
        names = {"tier2": self.tr("the center (tier 2)"), "security": self.tr("the security team"),
                 "billing": self.tr("the billing team"), "onsite": self.tr("on-site support"),
                 "supervisor": self.tr("the supervisor")}
        return names.get(target, target)

    def _outcome_name(self, outcome: str) -> str:
        names = {"resolved": self.tr("resolved"), "escalated": self.tr("escalated"),
                 "callback": self.tr("callback"), "unresolved": self.tr("continue with another flow")}
        return names.get(outcome, outcome)

    # ----- language -----
    def set_language(self, language: str) -> None:
        self.language = language
        self.refresh_texts()

    def _on_language_change(self) -> None:
        self.language = "ja" if QLocale().language() == QLocale.Language.Japanese else "en"
        self.refresh_texts()

    def refresh_texts(self) -> None:
        v = self.view
        v.setAccessibleName(self.tr("Support script"))
        v.search_edit.setPlaceholderText(self.tr("Search flows and articles (Ctrl+F)"))
        v.search_edit.setAccessibleName(self.tr("Search support scripts"))
        v.results_list.setAccessibleName(self.tr("Flows and articles: press a number or Enter to open"))
        v.say_label.setText(self.tr("Say:"))
        v.say_list.setAccessibleName(self.tr("Phrases to say"))
        v.copy_button.setText(self.tr("Copy phrase (Ctrl+Shift+C)"))
        v.copy_button.setAccessibleName(self.tr("Copy the selected phrase"))
        v.check_label.setAccessibleName(self.tr("What to check"))
        v.note_label.setAccessibleName(self.tr("Note for the agent"))
        v.articles_label.setText(self.tr("Reference articles:"))
        v.articles_list.setAccessibleName(self.tr("Reference articles: press Enter to open"))
        v.escalate_button.setAccessibleName(self.tr("Escalate this call"))
        v.escalation_label.setAccessibleName(self.tr("Escalation reason"))
        v.progress_label.setAccessibleName(self.tr("Progress"))
        v.flow_scroll.setAccessibleName(self.tr("The current step (arrow keys scroll)"))
        v.outcome_label.setAccessibleName(self.tr("Outcome"))
        v.back_button.setText(self.tr("Back (Backspace)"))
        v.back_button.setAccessibleName(self.tr("Back to the previous step"))
        v.restart_button.setText(self.tr("Restart (Ctrl+Shift+R)"))
        v.restart_button.setAccessibleName(self.tr("Restart the flow"))
        v.browse_button.setText(self.tr("Other flows"))
        v.browse_button.setAccessibleName(self.tr("Show other flows"))
        v.article_close_button.setText(self.tr("Back to the flow (Esc)"))
        v.article_close_button.setAccessibleName(self.tr("Close the article"))
        v.article_view.setAccessibleName(self.tr("Article text"))
        v.notice_label.setAccessibleName(self.tr("Script loading notices"))
        notices = [n.pick(self.language) for n in self.library.notices]
        v.notice_label.setText("\n".join(f"⚠ {n}" for n in notices))
        v.notice_label.setVisible(bool(notices))
        if v.pages.currentIndex() == ScriptPanelView.PAGE_FLOW:
            self.render_step()
        elif v.pages.currentIndex() == ScriptPanelView.PAGE_BROWSE:
            self.search(v.search_edit.text())
