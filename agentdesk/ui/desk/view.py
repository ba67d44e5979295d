"""The shift screen: layout only. ``controller.py`` holds the logic.

Top: the agent's state, large and coloured, with its reason and timer; the phone's health below it; a bar of state
buttons. Middle: one page per phase (idle with the own numbers, ringing, on call, wrap-up). Bottom: notices
(center broadcasts, escalation results).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from agentdesk.ui.desk.charts import TargetBar
from agentdesk.ui.layout import scrolling

STATE_COLORS = {
    "offline": ("#5f6368", "#ffffff"),
    "not_ready": ("#c62828", "#ffffff"),
    "ready": ("#2e7d32", "#ffffff"),
    "ringing": ("#f9a825", "#000000"),
    "on_call": ("#1565c0", "#ffffff"),
    "after_call_work": ("#6a1b9a", "#ffffff"),
    "break": ("#ef6c00", "#000000"),
}

DTMF_KEYS = "123456789*0#"
BANNER_COLORS = {"alert": ("#b71c1c", "#ffffff"), "warning": ("#fff3cd", "#5d4200"), "info": ("#e3f2fd", "#0d3c61")}
# a disabled button must look disabled: grey, whatever colour it has when it can be pressed
DISABLED = "QPushButton:disabled{background:#bdbdbd;color:#616161}"


def _big(widget: QWidget, factor: float, bold: bool = True) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


class NotesEdit(QPlainTextEdit):
    """A plain text field whose Tab moves focus (keyboard-only agents must be able to leave it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def sizeHint(self) -> QSize:  # four lines, then it scrolls: the support script beside it gets the height
        return QSize(super().sizeHint().width(), self.fontMetrics().lineSpacing() * 4 + 12)


class NoticeLabel(QLabel):
    """Takes no room while there is nothing to say."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


class ShiftView(QWidget):
    languageChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shiftScreen")
        outer = QVBoxLayout(self)

        # -- state banner -------------------------------------------------------------------------------------
        self.banner = QFrame(self)
        self.banner.setObjectName("stateBanner")
        self.banner.setAutoFillBackground(True)
        banner_layout = QVBoxLayout(self.banner)
        self.state_label = QLabel(self.banner)
        self.state_label.setObjectName("deskState")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _big(self.state_label, 2.4)
        self.state_detail = QLabel(self.banner)
        self.state_detail.setObjectName("deskStateDetail")
        self.state_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _big(self.state_detail, 1.2, bold=False)
        banner_layout.addWidget(self.state_label)
        banner_layout.addWidget(self.state_detail)
        outer.addWidget(self.banner)

        self.phone_label = QLabel(self)
        self.phone_label.setObjectName("deskPhone")
        self.phone_label.setWordWrap(True)
        self.phone_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.phone_label)

        # -- banners: the headset, the room, mute, refusals, the landline (one line each, most urgent first) --
        self.banner_box = QWidget(self)
        self.banner_box.setObjectName("deskBanners")
        self.banner_layout = QVBoxLayout(self.banner_box)
        self.banner_layout.setContentsMargins(0, 0, 0, 0)
        self.banner_labels: list[QLabel] = []
        outer.addWidget(self.banner_box)

        # -- state buttons ------------------------------------------------------------------------------------
        bar = QHBoxLayout()
        self.work_button = QPushButton(self)
        self.work_button.setObjectName("workButton")
        self.ready_button = QPushButton(self)
        self.ready_button.setObjectName("readyButton")
        self.not_ready_button = QPushButton(self)
        self.not_ready_button.setObjectName("notReadyButton")
        self.not_ready_reason = QComboBox(self)
        self.not_ready_reason.setObjectName("notReadyReason")
        self.break_button = QPushButton(self)
        self.break_button.setObjectName("breakButton")
        self.break_reason = QComboBox(self)
        self.break_reason.setObjectName("breakReason")
        for w in (self.work_button, self.ready_button, self.not_ready_button, self.not_ready_reason,
                  self.break_button, self.break_reason):
            w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            bar.addWidget(w)
        self.reconnect_button = QPushButton(self)
        self.reconnect_button.setObjectName("reconnectButton")
        self.reconnect_button.hide()  # fixed-line mode, while the landline is down
        bar.addWidget(self.reconnect_button)
        bar.addStretch(1)
        self.settings_button = QPushButton(self)
        self.settings_button.setObjectName("settingsButton")
        bar.addWidget(self.settings_button)
        outer.addLayout(bar)

        # -- pages --------------------------------------------------------------------------------------------
        self.pages = QStackedWidget(self)
        self.idle_page = self._build_idle()
        self.ringing_page = self._build_ringing()
        self.call_page = self._build_call()
        self.wrap_up_page = self._build_wrap_up()
        for page in (self.idle_page, self.ringing_page, self.call_page, self.wrap_up_page):
            self.pages.addWidget(page)
        outer.addWidget(self.pages, 1)

        self.notice_label = NoticeLabel(self)
        self.notice_label.setObjectName("deskNotice")
        self.notice_label.hide()
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        outer.addWidget(self.notice_label)
        self.retranslate()

    # -- pages ------------------------------------------------------------------------------------------------
    def _build_idle(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.numbers_box = QGroupBox(page)
        grid = QGridLayout(self.numbers_box)
        self.calls_today_bar = TargetBar(self.numbers_box)
        self.talk_today_bar = TargetBar(self.numbers_box)
        self.calls_month_bar = TargetBar(self.numbers_box)
        self.talk_month_bar = TargetBar(self.numbers_box)
        self.hours_bar = TargetBar(self.numbers_box)
        self.incentive_bar = TargetBar(self.numbers_box)
        for i, bar in enumerate((self.calls_today_bar, self.talk_today_bar, self.calls_month_bar,
                                 self.talk_month_bar, self.hours_bar, self.incentive_bar)):
            grid.addWidget(bar, i // 2, i % 2)
        layout.addWidget(self.numbers_box)
        self.practice_box = QGroupBox(page)
        self.practice_box.setObjectName("practiceBox")
        practice = QVBoxLayout(self.practice_box)
        self.practice_scenario = QComboBox(self.practice_box)
        self.practice_scenario.setObjectName("practiceScenario")
        self.practice_scenario.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.practice_button = QPushButton(self.practice_box)
        self.practice_button.setObjectName("practiceButton")
        practice_row = QHBoxLayout()
        practice_row.addWidget(self.practice_scenario, 1)
        practice_row.addWidget(self.practice_button)
        self.practice_offer = QLabel(self.practice_box)
        self.practice_offer.setObjectName("practiceOffer")
        self.practice_offer.setWordWrap(True)
        self.practice_result = QLabel(self.practice_box)
        self.practice_result.setObjectName("practiceResult")
        self.practice_result.setWordWrap(True)
        self.practice_result.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.dismiss_result_button = QPushButton(self.practice_box)
        self.dismiss_result_button.setObjectName("dismissPracticeResult")
        practice.addWidget(self.practice_offer)
        practice.addLayout(practice_row)
        practice.addWidget(self.practice_result)
        practice.addWidget(self.dismiss_result_button)
        self.practice_box.hide()  # shown with the practice center only
        layout.addWidget(self.practice_box)
        self.idle_hint = QLabel(page)
        self.idle_hint.setWordWrap(True)
        self.idle_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.idle_hint)
        layout.addStretch(1)
        return page

    def _build_ringing(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.ring_title = QLabel(page)
        self.ring_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _big(self.ring_title, 1.8)
        self.caller_label = QLabel(page)
        self.caller_label.setObjectName("callerInfo")
        self.caller_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caller_label.setWordWrap(True)
        _big(self.caller_label, 1.3, bold=False)
        self.ring_timer_label = QLabel(page)
        self.ring_timer_label.setObjectName("ringTimer")
        self.ring_timer_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        self.answer_button = QPushButton(page)
        self.answer_button.setObjectName("answerButton")
        _big(self.answer_button, 1.5)
        self.answer_button.setMinimumHeight(56)
        self.answer_button.setStyleSheet("QPushButton{background:#2e7d32;color:white;padding:8px 24px}")
        self.reject_button = QPushButton(page)
        self.reject_button.setObjectName("rejectButton")
        buttons.addStretch(1)
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        layout.addStretch(1)
        layout.addWidget(self.ring_title)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.ring_timer_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _build_call(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        # The call's facts and controls scroll when the window is small (a laptop at 150 %), so neither they nor
        # the support script are squeezed over each other.
        left_box = QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 4, 0)
        self.call_info_label = QLabel(page)
        self.call_info_label.setObjectName("callInfo")
        self.call_info_label.setWordWrap(True)
        self.call_timer_label = QLabel(page)
        self.call_timer_label.setObjectName("callTimer")
        _big(self.call_timer_label, 1.8)
        self.quality_label = QLabel(page)
        self.quality_label.setObjectName("callQuality")
        self.quality_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.quality_label.setWordWrap(True)
        self.hold_timer_label = QLabel(page)
        self.hold_timer_label.setObjectName("holdTimer")
        self.captions_label = QLabel(page)
        self.captions_label.setObjectName("practiceCaptions")
        self.captions_label.setWordWrap(True)
        self.captions_label.setStyleSheet("background:#263238;color:#ffffff;padding:4px;border-radius:4px")
        left.addWidget(self.call_info_label)
        left.addWidget(self.call_timer_label)
        left.addWidget(self.hold_timer_label)
        left.addWidget(self.quality_label)
        left.addWidget(self.captions_label)

        controls = QGridLayout()
        self.hold_button = QPushButton(page)
        self.hold_button.setObjectName("holdButton")
        self.hold_button.setCheckable(True)
        self.mute_button = QPushButton(page)
        self.mute_button.setObjectName("muteButton")
        self.mute_button.setCheckable(True)
        self.dtmf_button = QPushButton(page)
        self.dtmf_button.setObjectName("dtmfButton")
        self.dtmf_button.setCheckable(True)
        self.hangup_button = QPushButton(page)
        self.hangup_button.setObjectName("hangupButton")
        self.hangup_button.setStyleSheet("QPushButton{background:#c62828;color:white;padding:6px 16px}" + DISABLED)
        controls.addWidget(self.hold_button, 0, 0)
        controls.addWidget(self.mute_button, 0, 1)
        controls.addWidget(self.dtmf_button, 1, 0)
        controls.addWidget(self.hangup_button, 1, 1)
        left.addLayout(controls)

        self.dtmf_pad = QWidget(page)
        self.dtmf_pad.setObjectName("dtmfPad")
        pad = QGridLayout(self.dtmf_pad)
        self.dtmf_keys: dict[str, QPushButton] = {}
        for i, key in enumerate(DTMF_KEYS):
            b = QPushButton(key, self.dtmf_pad)
            b.setObjectName(f"dtmf_{key}")
            b.setAutoDefault(False)
            self.dtmf_keys[key] = b
            pad.addWidget(b, i // 3, i % 3)
        self.dtmf_pad.setVisible(False)
        left.addWidget(self.dtmf_pad)

        esc = QGroupBox(page)
        self.escalation_box = esc
        esc_layout = QVBoxLayout(esc)
        self.escalation_target = QComboBox(esc)
        self.escalation_target.setObjectName("escalationTarget")
        self.escalate_button = QPushButton(esc)
        self.escalate_button.setObjectName("escalateButton")
        self.escalate_button.setStyleSheet("QPushButton{background:#6a1b9a;color:white;padding:6px 16px}" + DISABLED)
        self.escalation_status = QLabel(esc)
        self.escalation_status.setObjectName("escalationStatus")
        self.escalation_status.setWordWrap(True)
        self.raise_hand_button = QPushButton(esc)
        self.raise_hand_button.setObjectName("raiseHandButton")
        esc_layout.addWidget(self.escalation_target)
        esc_layout.addWidget(self.escalate_button)
        esc_layout.addWidget(self.escalation_status)
        esc_layout.addWidget(self.raise_hand_button)
        left.addWidget(esc)
        left.addStretch(1)

        right = QVBoxLayout()
        self.notes_label = QLabel(page)
        self.call_notes = NotesEdit(page)
        self.call_notes.setObjectName("callNotes")
        self.notes_label.setBuddy(self.call_notes)
        self.script_host = QGroupBox(page)
        self.script_host.setObjectName("scriptHost")
        self.script_host_layout = QVBoxLayout(self.script_host)
        self.script_placeholder = QLabel(self.script_host)
        self.script_placeholder.setWordWrap(True)
        self.script_host_layout.addWidget(self.script_placeholder)
        self.call_notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        right.addWidget(self.script_host, 5)
        right.addWidget(self.notes_label)
        right.addWidget(self.call_notes, 1)
        left_area = scrolling(left_box, page)
        left_area.setObjectName("callControls")
        layout.addWidget(left_area, 2)
        layout.addLayout(right, 3)
        return page

    def _build_wrap_up(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.wrap_up_title = QLabel(page)
        _big(self.wrap_up_title, 1.4)
        self.acw_timer_label = QLabel(page)
        self.acw_timer_label.setObjectName("acwTimer")
        self.escalation_done_label = QLabel(page)
        self.escalation_done_label.setObjectName("escalationConfirmation")
        self.escalation_done_label.setWordWrap(True)
        self.escalation_done_label.setStyleSheet("color:#1b5e20;font-weight:bold")
        self.code_label = QLabel(page)
        self.wrap_up_codes = QListWidget(page)
        self.wrap_up_codes.setObjectName("wrapUpCodes")
        self.code_label.setBuddy(self.wrap_up_codes)
        self.wrap_notes_label = QLabel(page)
        self.wrap_up_notes = NotesEdit(page)
        self.wrap_up_notes.setObjectName("wrapUpNotes")
        self.wrap_notes_label.setBuddy(self.wrap_up_notes)
        self.wrap_up_problem = QLabel(page)
        self.wrap_up_problem.setObjectName("wrapUpProblem")
        self.wrap_up_problem.setStyleSheet("color:#c62828")
        self.wrap_up_problem.setWordWrap(True)
        buttons = QHBoxLayout()
        self.submit_ready_button = QPushButton(page)
        self.submit_ready_button.setObjectName("submitReadyButton")
        self.submit_not_ready_button = QPushButton(page)
        self.submit_not_ready_button.setObjectName("submitNotReadyButton")
        buttons.addWidget(self.submit_ready_button)
        buttons.addWidget(self.submit_not_ready_button)
        buttons.addStretch(1)
        layout.addWidget(self.wrap_up_title)
        layout.addWidget(self.acw_timer_label)
        layout.addWidget(self.escalation_done_label)
        layout.addWidget(self.code_label)
        self.wrap_up_codes.setMinimumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.wrap_up_notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        layout.addWidget(self.wrap_up_codes, 1)
        layout.addWidget(self.wrap_notes_label)
        layout.addWidget(self.wrap_up_notes, 1)
        layout.addWidget(self.wrap_up_problem)
        layout.addLayout(buttons)
        return page

    # -- look -------------------------------------------------------------------------------------------------
    def set_state_look(self, state: str, alert: bool = False) -> None:
        back, fore = STATE_COLORS.get(state, STATE_COLORS["offline"])
        if alert:
            back, fore = "#b71c1c", "#ffffff"
        self.banner.setStyleSheet(f"#stateBanner{{background:{back};border-radius:6px}}"
                                  f"#stateBanner QLabel{{color:{fore}}}")

    def show_banners(self, banners: list[tuple[str, str]]) -> None:
        """(text, level) lines; an alert (mute) is large and red: it cannot be missed."""
        while len(self.banner_labels) < len(banners):
            label = QLabel(self.banner_box)
            label.setWordWrap(True)
            label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.banner_layout.addWidget(label)
            self.banner_labels.append(label)
        for i, label in enumerate(self.banner_labels):
            if i >= len(banners):
                label.hide()
                continue
            text, level = banners[i]
            back, fore = BANNER_COLORS.get(level, BANNER_COLORS["info"])
            size = "font-size:16pt;font-weight:bold;" if level == "alert" else ""
            label.setStyleSheet(f"background:{back};color:{fore};padding:6px;border-radius:4px;{size}")
            label.setText(text)
            label.setAccessibleName(text)
            label.show()
        self.banner_box.setVisible(bool(banners))

    def retranslate(self) -> None:
        self.state_label.setAccessibleName(self.tr("Agent state"))
        self.state_detail.setAccessibleName(self.tr("State details"))
        self.phone_label.setAccessibleName(self.tr("Phone status"))
        self.notice_label.setAccessibleName(self.tr("Notices"))
        self.not_ready_reason.setAccessibleName(self.tr("Not-ready reason"))
        self.break_reason.setAccessibleName(self.tr("Break type"))
        self.settings_button.setText(self.tr("Settings..."))
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.ready_button.setAccessibleName(self.tr("Go ready"))
        self.not_ready_button.setAccessibleName(self.tr("Go not ready"))
        self.break_button.setAccessibleName(self.tr("Take a break"))
        self.work_button.setAccessibleName(self.tr("Start or end work"))
        self.numbers_box.setTitle(self.tr("My numbers"))
        self.practice_box.setTitle(self.tr("Practice call (practice center)"))
        self.practice_scenario.setAccessibleName(self.tr("Practice scenario"))
        self.practice_button.setText(self.tr("Start a practice call"))
        self.practice_button.setAccessibleName(self.tr("Start a practice call"))
        self.ring_title.setText(self.tr("Incoming call"))
        self.answer_button.setAccessibleName(self.tr("Answer the call"))
        self.reject_button.setText(self.tr("Decline"))
        self.reject_button.setAccessibleName(self.tr("Decline the call"))
        self.caller_label.setAccessibleName(self.tr("Caller (contract and line)"))
        self.call_info_label.setAccessibleName(self.tr("Call information"))
        self.call_timer_label.setAccessibleName(self.tr("Call duration"))
        self.quality_label.setAccessibleName(self.tr("Call quality"))
        self.hold_button.setAccessibleName(self.tr("Hold"))
        self.mute_button.setAccessibleName(self.tr("Mute"))
        self.dtmf_button.setAccessibleName(self.tr("Dial pad"))
        self.hangup_button.setAccessibleName(self.tr("Hang up"))
        for key, b in self.dtmf_keys.items():
            b.setAccessibleName(self.tr("Send tone %1").replace("%1", key))
        self.escalation_box.setTitle(self.tr("Escalation"))
        self.escalation_target.setAccessibleName(self.tr("Escalation target"))
        self.escalate_button.setAccessibleName(self.tr("Escalate to the center"))
        self.escalation_status.setAccessibleName(self.tr("Escalation progress"))
        self.raise_hand_button.setAccessibleName(self.tr("Raise hand to a supervisor"))
        self.notes_label.setText(self.tr("&Notes (no personal data)"))
        self.call_notes.setAccessibleName(self.tr("Call notes"))
        self.script_host.setTitle(self.tr("Support script"))
        self.script_host.setAccessibleName(self.tr("Support script"))
        self.script_placeholder.setText(self.tr("The support script for this call appears here."))
        self.wrap_up_title.setText(self.tr("After-call work"))
        self.reconnect_button.setText(self.tr("&Reconnect my line"))
        self.reconnect_button.setAccessibleName(self.tr("Ask the center to call your landline again"))
        self.dismiss_result_button.setText(self.tr("Close the result"))
        self.dismiss_result_button.setAccessibleName(self.tr("Close the practice result"))
        self.practice_result.setAccessibleName(self.tr("Practice result"))
        self.captions_label.setAccessibleName(self.tr("What the customer says"))
        self.ring_timer_label.setAccessibleName(self.tr("Ringing for"))
        self.hold_timer_label.setAccessibleName(self.tr("On hold for"))
        self.escalation_done_label.setAccessibleName(self.tr("Escalation result"))
        self.acw_timer_label.setAccessibleName(self.tr("After-call work time"))
        self.wrap_up_codes.setAccessibleName(self.tr("Disposition code"))
        self.wrap_notes_label.setText(self.tr("N&otes"))
        self.wrap_up_notes.setAccessibleName(self.tr("Wrap-up notes"))
        self.wrap_up_problem.setAccessibleName(self.tr("Wrap-up problem"))
        self.submit_ready_button.setAccessibleName(self.tr("Finish wrap-up and go ready"))
        self.submit_not_ready_button.setAccessibleName(self.tr("Finish wrap-up and go not ready"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.languageChanged.emit()
        super().changeEvent(event)
