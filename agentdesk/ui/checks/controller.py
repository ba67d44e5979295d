"""The self-check wizard's logic: build the run from settings and the agent's answers, run the checks on a worker
thread, show progress (live microphone meter, network chart), then the results with remedies, and save the
report. Progress crosses into Qt only through :class:`agentdesk.ui.qt_bridge.QtBridge`."""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QFileDialog, QTreeWidgetItem

from agentdesk.checks import report as report_mod
from agentdesk.checks.base import STATUS_TEXT, CheckContext, CheckResult
from agentdesk.checks.config import context_from_settings
from agentdesk.checks.runner import CHECKS, Report, create, estimated_seconds, run_checks
from agentdesk.i18n import Text
from agentdesk.ui.checks.view import SelfCheckView
from agentdesk.ui.qt_bridge import QtBridge

log = logging.getLogger(__name__)

STATUS_COLORS = {"pass": "#1b7f3b", "warn": "#a86400", "fail": "#b3261e", "skipped": "#5f6368",
                 "error": "#6a1b9a"}


class SelfCheckController(QObject):
    finished = Signal(object)  # the report as JSON data

    def __init__(
        self,
        view: SelfCheckView,
        language: str = "ja",
        checks: list[str] | None = None,
        context_factory: Callable[..., CheckContext] = context_from_settings,
        ask_save_path: Callable[[], str | None] | None = None,
        initial_number: str = "",
        remember_number: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.language = language
        self.check_names = checks or list(CHECKS)
        self.context_factory = context_factory
        self.ask_save_path = ask_save_path or self._ask_save_path
        self.bridge = QtBridge(self)
        self.report_json: dict[str, Any] | None = None
        self._ctx: CheckContext | None = None
        self._thread: threading.Thread | None = None
        self._fractions: dict[str, float] = {}
        self._rows: dict[str, QTreeWidgetItem] = {}
        self.remember_number = remember_number or _remember_in_settings
        self._question: tuple[threading.Event, list[bool | None]] | None = None
        self.estimate_s = 0.0
        view.line_edit.setText(initial_number)
        view.yes_button.clicked.connect(lambda: self.answer(True))
        view.no_button.clicked.connect(lambda: self.answer(False))
        self._announce_duration()
        view.start_button.clicked.connect(self.start)
        view.line_edit.returnPressed.connect(self.start)
        view.cancel_button.clicked.connect(self.cancel)
        view.save_button.clicked.connect(self.save)
        view.again_button.clicked.connect(self.restart)
        view.close_button.clicked.connect(self.close)
        view.pages.setCurrentIndex(view.PAGE_START)

    # --- running ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        v = self.view
        fiber = {0: None, 1: True, 2: False}[v.fiber_combo.currentIndex()]
        number = v.line_edit.text().strip() or None
        try:
            ctx = self.context_factory(line_number=number, line_confirmed=True if v.line_confirm.isChecked() else None,
                                       fiber_declared=fiber)
        except Exception as exc:
            log.warning("could not prepare the self-check: %s", exc)
            v.intro.setText(self.tr("The self-check could not start: %1").replace("%1", str(exc)))
            return
        ctx.extra.setdefault("screen_size", self._screen_size())
        ctx.on_progress = lambda name, fraction, sample: self.bridge.post(self._on_progress, (name, fraction, sample))
        ctx.on_ask = self._ask_from_worker
        self._ctx = ctx
        if number:
            try:
                self.remember_number(number)  # the landline is asked once, not at every self-check
            except Exception:
                log.exception("the fixed-line number could not be remembered")
        self.estimate_s = estimated_seconds(self.check_names, ctx)
        checks = self.show_run_page(self.check_names)

        def work() -> None:
            try:
                rep = run_checks(checks, ctx, on_result=lambda r: self.bridge.post(self._on_result, r))
            except Exception as exc:  # the runner itself: never a traceback to the agent
                log.exception("self-check run failed")
                rep = Report([CheckResult("runner", "error", Text(ja=f"実行できませんでした: {exc}",
                                                                  en=f"The run failed: {exc}"))],
                             __import__("datetime").datetime.now(), 0.0)
            self.bridge.post(self._on_done, rep)

        self._thread = threading.Thread(target=work, name="self-check-wizard", daemon=True)
        self._thread.start()

    def show_run_page(self, names: list[str]) -> list[Any]:
        """The run page with a row per check, before the worker starts (also used by the screen catalog)."""
        v = self.view
        checks = [create(n) for n in names]
        v.check_list.clear()
        self._rows.clear()
        self._fractions = {c.name: 0.0 for c in checks}
        for c in checks:
            item = QTreeWidgetItem([c.title.pick(self.language), self.tr("Waiting")])
            v.check_list.addTopLevelItem(item)
            self._rows[c.name] = item
        v.check_list.resizeColumnToContents(0)
        v.progress.setValue(0)
        v.prompt.setText("")
        v.question_box.hide()
        v.meter.set_level(-80)
        v.chart.clear()
        v.pages.setCurrentIndex(v.PAGE_RUN)
        v.cancel_button.setEnabled(True)
        v.cancel_button.setFocus()
        return checks

    # --- questions only the agent can answer -------------------------------------------------------------
    def _ask_from_worker(self, name: str, question: Text, timeout_s: float) -> bool | None:
        """Runs on the check's thread: show the question with yes/no buttons and wait for the answer."""
        done = threading.Event()
        box: list[bool | None] = [None]
        self.bridge.post(self._show_question, (question, done, box))
        deadline = time.monotonic() + timeout_s
        while not done.wait(0.1):
            if time.monotonic() > deadline or (self._ctx is not None and self._ctx.cancel.is_set()):
                self.bridge.post(lambda _=None: self._hide_question(done), None)
                return None
        return box[0]

    def _show_question(self, payload: tuple[Text, threading.Event, list[bool | None]]) -> None:
        question, done, box = payload
        v = self.view
        self._question = (done, box)
        v.prompt.setText(question.pick(self.language))
        v.question_box.show()
        v.yes_button.setFocus()

    def _hide_question(self, done: threading.Event) -> None:
        if self._question is not None and self._question[0] is done:
            self._question = None
            self.view.question_box.hide()
            self.view.cancel_button.setFocus()

    def answer(self, yes: bool) -> None:
        if self._question is None:
            return
        done, box = self._question
        box[0] = yes
        done.set()
        self._hide_question(done)
        self.view.prompt.setText("")

    def cancel(self) -> None:
        if self._question is not None:
            self._hide_question(self._question[0])
        if self._ctx is not None:
            self._ctx.cancel.set()
        self.view.cancel_button.setEnabled(False)
        self.view.prompt.setText(self.tr("Cancelling..."))

    def _on_progress(self, payload: tuple[str, float, Any]) -> None:
        name, fraction, sample = payload
        v = self.view
        if name in self._fractions:
            self._fractions[name] = max(self._fractions[name], fraction)
            row = self._rows.get(name)
            if row is not None and fraction < 1.0:
                row.setText(1, self.tr("Running... %1%").replace("%1", str(int(fraction * 100))))
            v.progress.setValue(int(100 * sum(self._fractions.values()) / max(1, len(self._fractions))))
        if isinstance(sample, dict):
            if "level_dbfs" in sample:
                v.meter.set_level(float(sample["level_dbfs"]))
            if "seq" in sample and sample.get("echo"):
                if sample.get("jitter_ms") is not None:
                    v.chart.add_sample(int(sample["seq"]), float(sample["jitter_ms"]), "jitter")
            elif "seq" in sample and "rtt_ms" in sample:
                rtt = sample.get("rtt_ms")
                v.chart.add_sample(int(sample["seq"]), None if rtt is None else float(rtt))
            prompt = sample.get("prompt")
            if isinstance(prompt, Text):
                v.prompt.setText(prompt.pick(self.language))

    def _on_result(self, result: CheckResult) -> None:
        row = self._rows.get(result.name)
        if row is not None:
            row.setText(1, STATUS_TEXT[result.status].pick(self.language))

    def _on_done(self, rep: Report) -> None:
        v = self.view
        self.report_json = report_mod.to_json(rep)
        data = self.report_json
        status = STATUS_TEXT[data["overall"]].pick(self.language)
        v.overall.setText(self.tr("Overall result: %1").replace("%1", status))
        v.overall.setStyleSheet(f"color: {STATUS_COLORS[data['overall']]}")
        v.results_view.setHtml(self.results_html(data))
        v.summary_list.clear()
        for c in data["checks"]:
            title = create(c["name"]).title.pick(self.language) if c["name"] in CHECKS else c["name"]
            item = QTreeWidgetItem([title, STATUS_TEXT[c["status"]].pick(self.language)])
            item.setForeground(1, QBrush(QColor(STATUS_COLORS[c["status"]])))
            v.summary_list.addTopLevelItem(item)
        v.summary_list.resizeColumnToContents(0)
        rows = v.summary_list.topLevelItemCount()
        row_h = v.summary_list.sizeHintForRow(0) if rows else 0
        v.summary_list.setFixedHeight(v.summary_list.header().sizeHint().height() + rows * row_h
                                      + 2 * v.summary_list.frameWidth() + 2)
        took = float(data.get("duration_s") or 0.0)
        v.duration_label.setText(self.tr("The check took %1 s (announced: about %2 s).")
                                 .replace("%1", f"{took:.0f}").replace("%2", f"{self.estimate_s:.0f}"))
        v.saved_label.hide()
        network = next((c["details"] for c in data["checks"] if c["name"] == "network"), {})
        samples = network.get("samples_ms") or []
        echo_jitter = [s.get("jitter_ms") for s in (network.get("echo") or {}).get("samples", [])]
        v.result_chart.clear()
        v.result_chart.setVisible(bool(samples))
        v.result_chart_label.setVisible(bool(samples))
        if samples:
            v.result_chart.set_samples(samples)
            if echo_jitter:
                v.result_chart.set_samples(echo_jitter, "jitter", first=len(samples))
        v.progress.setValue(100)
        v.pages.setCurrentIndex(v.PAGE_RESULTS)
        v.results_view.setFocus()
        self.finished.emit(data)

    def results_html(self, data: dict[str, Any]) -> str:
        lang = self.language
        what_to_do = html.escape(self.tr("What to do:"))
        please_confirm = html.escape(self.tr("Please confirm:"))
        parts = []
        for c in data["checks"]:
            title = create(c["name"]).title.pick(lang) if c["name"] in CHECKS else c["name"]
            st = STATUS_TEXT[c["status"]].pick(lang)
            block = (f'<h3><span style="color:{STATUS_COLORS[c["status"]]}">[{html.escape(st)}]</span> '
                     f'{html.escape(title)}</h3><p>{html.escape(c["summary"][lang])}</p>')
            if c.get("remedy"):
                block += f'<p><b>{what_to_do}</b> {html.escape(c["remedy"][lang])}</p>'
            if c.get("confirmation"):
                block += f'<p><b>{please_confirm}</b> {html.escape(c["confirmation"][lang])}</p>'
            parts.append(block)
        return "".join(parts)

    # --- results page ----------------------------------------------------------------------------------
    def _ask_save_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.view, self.tr("Save the self-check report"),
                                              str(Path.home() / "agentdesk-self-check.html"),
                                              self.tr("Web page (*.html)"))
        return path or None

    def save(self) -> Path | None:
        if self.report_json is None:
            return None
        chosen = self.ask_save_path()
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".html", ".htm"):
            path = path.with_suffix(".html")
        try:
            report_mod.write_html(self.report_json, path)
            path.with_suffix(".json").write_text(json.dumps(self.report_json, ensure_ascii=False, indent=2),
                                                 encoding="utf-8")
        except OSError as exc:
            self._saved(self.tr("The report could not be saved: %1").replace("%1", str(exc)), ok=False)
            return None
        self._saved(self.tr("Report saved: %1").replace("%1", str(path)), ok=True)
        return path

    def _saved(self, text: str, ok: bool) -> None:
        """Saving is its own success or failure, in its own colour, whatever the check's result was."""
        label = self.view.saved_label
        label.setText(("✔ " if ok else "✖ ") + text)
        label.setStyleSheet(f"color: {STATUS_COLORS['pass'] if ok else STATUS_COLORS['fail']}")
        label.show()

    def _announce_duration(self) -> None:
        """The intro says how long this run will take, from the checks and the context they will get."""
        try:
            ctx = self.context_factory(line_number=None, line_confirmed=None, fiber_declared=None)
            self.estimate_s = estimated_seconds(self.check_names, ctx)
        except Exception:
            log.exception("could not estimate the self-check's duration")
            self.estimate_s = estimated_seconds(self.check_names, CheckContext())
        self.view.estimate_s = max(5, 5 * round(self.estimate_s / 5))
        self.view.retranslate()

    def restart(self) -> None:
        self.view.pages.setCurrentIndex(self.view.PAGE_START)
        self.view.line_edit.setFocus()

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.cancel.set()
        window = self.view.window()
        window.close()

    def wait(self, timeout: float = 60.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _screen_size(self) -> tuple[int, int] | None:
        from PySide6.QtGui import QGuiApplication

        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return None  # no real display: the size would be made up
        screen = self.view.screen()
        if screen is None:
            return None
        size = screen.size()
        return (size.width(), size.height()) if size.width() > 0 else None


def _remember_in_settings(number: str) -> None:
    """The landline the agent typed, kept in settings for the next self-check and the fixed-line mode."""
    from agentdesk import settings

    loaded = settings.load()
    if not loaded.writable or loaded.settings.center.fixed_line_number == number:
        return
    loaded.settings.center.fixed_line_number = number
    settings.save(loaded.settings)
