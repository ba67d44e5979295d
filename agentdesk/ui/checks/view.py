"""The self-check wizard: layout only (logic in ``controller.py``). Three pages: before the run (declarations),
the run (progress, live microphone meter, network chart), and the results with remedies."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTextBrowser,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from agentdesk.ui.checks.widgets import LevelMeter, RttChart
from agentdesk.ui.layout import scrolling


class SelfCheckView(QWidget):
    PAGE_START, PAGE_RUN, PAGE_RESULTS = 0, 1, 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selfCheck")
        self.estimate_s = 30  # announced before the run; the controller computes it from the checks and settings
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages, 1)

        # Page 1: what the agent declares before the run.
        start = QWidget(self.pages)
        s = QVBoxLayout(start)
        self.intro = QLabel(start)
        self.intro.setWordWrap(True)
        s.addWidget(self.intro)
        form = QFormLayout()
        self.line_label = QLabel(start)
        self.line_edit = QLineEdit(start)
        self.line_edit.setObjectName("lineNumber")
        self.line_label.setBuddy(self.line_edit)
        form.addRow(self.line_label, self.line_edit)
        self.line_rules = QLabel(start)
        self.line_rules.setWordWrap(True)
        form.addRow("", self.line_rules)
        self.line_confirm = QCheckBox(start)
        self.line_confirm.setObjectName("lineConfirmed")
        form.addRow("", self.line_confirm)
        self.fiber_label = QLabel(start)
        self.fiber_combo = QComboBox(start)
        self.fiber_combo.setObjectName("fiber")
        self.fiber_label.setBuddy(self.fiber_combo)
        form.addRow(self.fiber_label, self.fiber_combo)
        s.addLayout(form)
        s.addStretch(1)
        self.start_button = QPushButton(start)
        self.start_button.setObjectName("startButton")
        self.start_button.setDefault(True)
        s.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(scrolling(start))

        # Page 2: the run.
        running = QWidget(self.pages)
        r = QVBoxLayout(running)
        self.progress = QProgressBar(running)
        self.progress.setRange(0, 100)
        r.addWidget(self.progress)
        self.check_list = QTreeWidget(running)
        self.check_list.setObjectName("checkProgress")
        self.check_list.setColumnCount(2)
        self.check_list.setRootIsDecorated(False)
        r.addWidget(self.check_list, 1)
        self.prompt = QLabel(running)
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        pf = QFont(self.prompt.font())
        pf.setBold(True)
        self.prompt.setFont(pf)
        r.addWidget(self.prompt)
        # A question only the agent can answer ("did you hear the tone?"): yes and no, by mouse or keyboard.
        self.question_box = QWidget(running)
        self.question_box.setObjectName("questionBox")
        q = QHBoxLayout(self.question_box)
        q.setContentsMargins(0, 0, 0, 0)
        self.yes_button = QPushButton(self.question_box)
        self.yes_button.setObjectName("answerYes")
        self.no_button = QPushButton(self.question_box)
        self.no_button.setObjectName("answerNo")
        q.addWidget(self.yes_button)
        q.addWidget(self.no_button)
        q.addStretch(1)
        self.question_box.hide()
        r.addWidget(self.question_box)
        self.meter_label = QLabel(running)
        r.addWidget(self.meter_label)
        self.meter = LevelMeter(running)
        r.addWidget(self.meter)
        self.chart_label = QLabel(running)
        r.addWidget(self.chart_label)
        self.chart = RttChart(running)
        r.addWidget(self.chart)
        self.cancel_button = QPushButton(running)
        self.cancel_button.setObjectName("cancelButton")
        r.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(scrolling(running))

        # Page 3: results.
        results = QWidget(self.pages)
        rr = QVBoxLayout(results)
        self.overall = QLabel(results)
        self.overall.setObjectName("overall")
        of = QFont(self.overall.font())
        of.setPointSizeF(of.pointSizeF() * 1.3)
        of.setBold(True)
        self.overall.setFont(of)
        rr.addWidget(self.overall)
        self.duration_label = QLabel(results)
        self.duration_label.setObjectName("duration")
        rr.addWidget(self.duration_label)
        # Every check's row, all of them in view (the details below scroll).
        self.summary_list = QTreeWidget(results)
        self.summary_list.setObjectName("resultSummary")
        self.summary_list.setColumnCount(2)
        self.summary_list.setRootIsDecorated(False)
        self.summary_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        rr.addWidget(self.summary_list)
        self.results_view = QTextBrowser(results)
        self.results_view.setObjectName("results")
        self.results_view.setOpenLinks(False)
        self.results_view.setMinimumHeight(self.fontMetrics().lineSpacing() * 7)
        rr.addWidget(self.results_view, 1)
        self.result_chart_label = QLabel(results)
        rr.addWidget(self.result_chart_label)
        self.result_chart = RttChart(results)
        rr.addWidget(self.result_chart)
        self.saved_label = QLabel(results)
        self.saved_label.setObjectName("savedReport")
        self.saved_label.setWordWrap(True)
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_label.hide()
        rr.addWidget(self.saved_label)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(results)
        self.save_button.setObjectName("saveButton")
        self.again_button = QPushButton(results)
        self.again_button.setObjectName("againButton")
        self.close_button = QPushButton(results)
        self.close_button.setObjectName("closeButton")
        buttons.addStretch(1)
        for b in (self.save_button, self.again_button, self.close_button):
            buttons.addWidget(b)
        rr.addLayout(buttons)
        self.pages.addWidget(scrolling(results))

        for w in (self.results_view, self.check_list):
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("AgentDesk self-check"))
        self.title.setText(self.tr("Environment self-check"))
        self.intro.setText(self.tr(
            "This check looks at your PC, your connection, your headset, your telephone line and the noise in your "
            "room, and tells you how to fix what does not meet the center's rules. It takes about %1 seconds. "
            "During the noise check, stay silent first, then read the sentence shown aloud.").replace(
            "%1", str(self.estimate_s)))
        self.line_label.setText(self.tr("Fixed-line &number:"))
        self.line_edit.setPlaceholderText(self.tr("e.g. 03-1234-5678"))
        self.line_edit.setAccessibleName(self.tr("Fixed-line number"))
        self.line_rules.setText(self.tr(
            "The line must be wired to your work room. Cordless handsets and the services the center prohibits "
            "are not allowed."))
        self.line_confirm.setText(self.tr("I &confirm that my line meets these conditions"))
        self.line_confirm.setAccessibleName(self.tr("Confirm the fixed line"))
        self.fiber_label.setText(self.tr("&Fiber connection:"))
        self.fiber_combo.setAccessibleName(self.tr("Fiber connection"))
        current = self.fiber_combo.currentIndex()
        self.fiber_combo.clear()
        self.fiber_combo.addItems([self.tr("Not answered"), self.tr("Yes, fiber (FTTH)"), self.tr("No")])
        self.fiber_combo.setCurrentIndex(max(0, current))
        self.start_button.setText(self.tr("&Start the check"))
        self.start_button.setAccessibleName(self.tr("Start the check"))
        self.check_list.setHeaderLabels([self.tr("Check"), self.tr("Status")])
        self.check_list.setAccessibleName(self.tr("Progress of each check"))
        self.progress.setAccessibleName(self.tr("Overall progress"))
        self.prompt.setAccessibleName(self.tr("What to do now"))
        self.meter_label.setText(self.tr("Microphone level:"))
        self.meter.setAccessibleName(self.tr("Microphone level"))
        self.chart_label.setText(self.tr("Network measurements over time:"))
        self.result_chart_label.setText(self.tr("Network measurements over time:"))
        for chart in (self.chart, self.result_chart):
            chart.legends = {"rtt": self.tr("Round trip (probes)"), "jitter": self.tr("Jitter (test call)")}
        self.chart.setAccessibleName(self.tr("Chart of the network measurements"))
        self.result_chart.setAccessibleName(self.tr("Chart of the network measurements"))
        self.yes_button.setText(self.tr("&Yes, I heard it"))
        self.no_button.setText(self.tr("&No, nothing"))
        self.yes_button.setAccessibleName(self.tr("Yes, I heard it"))
        self.no_button.setAccessibleName(self.tr("No, I heard nothing"))
        self.summary_list.setHeaderLabels([self.tr("Check"), self.tr("Result")])
        self.summary_list.setAccessibleName(self.tr("Result of each check"))
        self.duration_label.setAccessibleName(self.tr("How long the check took"))
        self.saved_label.setAccessibleName(self.tr("Where the report was saved"))
        self.cancel_button.setText(self.tr("C&ancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the check"))
        self.overall.setAccessibleName(self.tr("Overall result"))
        self.results_view.setAccessibleName(self.tr("Results and remedies"))
        self.save_button.setText(self.tr("&Save report..."))
        self.save_button.setAccessibleName(self.tr("Save the report"))
        self.again_button.setText(self.tr("&Run again"))
        self.again_button.setAccessibleName(self.tr("Run the check again"))
        self.close_button.setText(self.tr("C&lose"))
        self.close_button.setAccessibleName(self.tr("Close the self-check"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
