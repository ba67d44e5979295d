"""Rendering the desk core's screen (agentdesk.agent.desk.Screen) onto the shift view: texts in the chosen
language, colours, the page for the state, focus. Nothing here decides anything; the controller calls
:meth:`ShiftRenderer.render` after every change."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QListWidgetItem

from agentdesk.agent.desk import DeskCore, Screen
from agentdesk.agent.numbers import format_duration as fmt
from agentdesk.agent.session import AgentState
from agentdesk.ui.desk.numbers_panel import render_numbers
from agentdesk.ui.desk.view import ShiftView

QUALITY_COLORS = {"good": "#2e7d32", "fair": "#ef6c00", "poor": "#c62828", "held": "#5f6368", "measuring": "#5f6368"}


class ShiftRenderer(QObject):
    def __init__(self, view: ShiftView, core: DeskCore, language: Callable[[], str], key: Callable[[str], str],
                 ring_visible: Callable[[float], None]) -> None:
        super().__init__(view)
        self.view, self.core, self.language, self.key, self.ring_visible = view, core, language, key, ring_visible
        self._provisioned: object = None  # the provisioning the lists were last filled from

    def state_text(self, state: AgentState) -> str:
        return {AgentState.OFFLINE: self.tr("Offline"), AgentState.NOT_READY: self.tr("Not ready"),
                AgentState.READY: self.tr("Ready"), AgentState.RINGING: self.tr("Ringing"),
                AgentState.ON_CALL: self.tr("On a call"), AgentState.AFTER_CALL_WORK: self.tr("After-call work"),
                AgentState.BREAK: self.tr("On break")}[state]

    def _fill_lists(self) -> None:
        """The center's reason codes, targets, wrap-up codes and practice scenarios, once per provisioning."""
        prov = self.core.provisioning
        if prov is self._provisioned:
            return
        self._provisioned = prov
        lang, v = self.language(), self.view
        for combo, kind in ((v.not_ready_reason, "not_ready"), (v.break_reason, "break")):
            combo.setSizeAdjustPolicy(combo.SizeAdjustPolicy.AdjustToContents)
            combo.clear()
            for r in self.core.session.reasons(kind):
                combo.addItem(r.label.pick(lang), r.code)
        v.escalation_target.clear()
        for t in prov.escalation_targets:
            v.escalation_target.addItem(t.label.pick(lang), t.name)
        v.wrap_up_codes.clear()
        for code in prov.wrap_up_codes:
            item = QListWidgetItem(code.label.pick(lang))
            item.setData(Qt.ItemDataRole.UserRole, code.code)
            v.wrap_up_codes.addItem(item)
        v.practice_scenario.clear()
        for choice in self.core.practice_choices():
            v.practice_scenario.addItem(choice.label.pick(lang), choice.id)

    def render(self, s: Screen) -> None:
        v, lang, k = self.view, self.language(), self.key
        self._fill_lists()
        v.state_label.setText(self.state_text(s.state))
        v.set_state_look(s.state.value, alert=s.break_overrun)
        v.phone_label.setText(s.phone.pick(lang))
        v.show_banners([(b.text.pick(lang), b.level) for b in s.banners])
        v.notice_label.setText(s.notice.pick(lang) if s.notice else "")
        idle = s.state in (AgentState.NOT_READY, AgentState.READY, AgentState.BREAK)
        v.work_button.setText((self.tr("End work") if s.working else self.tr("Start work")) + f"  [{k('work')}]")
        v.work_button.setEnabled(not s.working or idle)
        for button, text, name, allowed in (
                (v.ready_button, self.tr("Ready"), "ready", s.state != AgentState.READY),
                (v.not_ready_button, self.tr("Not ready"), "not_ready", True),
                (v.break_button, self.tr("Break"), "break", s.state != AgentState.BREAK)):
            button.setText(f"{text}  [{k(name)}]")
            button.setEnabled(s.working and idle and allowed)
        v.not_ready_reason.setEnabled(s.working and idle)
        v.break_reason.setEnabled(s.working and idle)
        v.reconnect_button.setVisible(s.can_reconnect_line)
        call = s.call
        v.answer_button.setText(self.tr("Answer") + f"  [{k('answer')}]")
        v.answer_button.setVisible(s.mode == "softphone")
        v.reject_button.setVisible(s.mode == "softphone")
        v.hangup_button.setText(self.tr("Hang up") + f"  [{k('hangup')}]")
        v.hold_button.setText((self.tr("Resume") if call and call.held else self.tr("Hold")) + f"  [{k('hold')}]")
        v.hold_button.setChecked(bool(call and call.held))
        v.mute_button.setText((self.tr("Unmute") if call and call.muted else self.tr("Mute")) + f"  [{k('mute')}]")
        v.mute_button.setChecked(bool(call and call.muted))
        v.mute_button.setVisible(s.mode == "softphone")
        v.dtmf_button.setVisible(s.mode == "softphone")
        v.dtmf_button.setText(self.tr("Dial pad") + f"  [{k('dtmf_pad')}]")
        v.escalate_button.setText(self.tr("Escalate to the center") + f"  [{k('escalate')}]")
        v.escalate_button.setEnabled(bool(call and call.can_escalate))
        v.raise_hand_button.setText(self.tr("Raise hand") + f"  [{k('raise_hand')}]")
        v.submit_ready_button.setText(self.tr("Done, go ready") + f"  [{k('submit_wrap_up')}]")
        v.submit_not_ready_button.setText(self.tr("Done, go not ready"))
        v.code_label.setText(self.tr("&Disposition code (required)") if self.core.provisioning.wrap_up_required
                             else self.tr("&Disposition code"))
        v.idle_hint.setText(self.tr("Press Start work to sign in and begin your shift.") if s.state == AgentState.OFFLINE
                            else self.tr("Waiting for a call.") if s.state == AgentState.READY else "")
        self._render_state_detail(s, lang)
        self._render_practice(s, lang)
        if call is not None:
            info = "\n".join(t.pick(lang) for t in call.contract_lines)
            v.caller_label.setText(info)
            v.call_info_label.setText(info)
            v.ring_timer_label.setText(self.tr("Ringing for %1").replace("%1", fmt(call.ring_seconds))
                                       if call.ring_seconds is not None else "")
            v.call_timer_label.setText(fmt(call.talk_seconds) if call.talk_seconds is not None else "")
            v.hold_timer_label.setText(self.tr("On hold for %1").replace("%1", fmt(call.hold_seconds))
                                       if call.hold_seconds is not None else "")
            v.quality_label.setText(call.quality.pick(lang))
            v.quality_label.setStyleSheet(f"color:{QUALITY_COLORS[call.quality_level]};font-weight:bold")
            v.escalation_status.setText(call.escalation.text.pick(lang) if call.escalation.text else "")
            v.captions_label.setText("\n".join(call.captions))
            v.captions_label.setVisible(bool(call.captions))
            if s.preselected_target and v.escalation_target.findData(s.preselected_target) >= 0:
                v.escalation_target.setCurrentIndex(v.escalation_target.findData(s.preselected_target))
        if s.wrap_up is not None:
            w = s.wrap_up
            text = self.tr("After-call work: %1").replace("%1", fmt(w.acw_seconds))
            if w.acw_left is not None:
                text += "  " + self.tr("(back to ready in %1)").replace("%1", fmt(w.acw_left))
            v.acw_timer_label.setText(text)
            v.escalation_done_label.setText(w.escalation.pick(lang) if w.escalation else "")
            v.escalation_done_label.setVisible(w.escalation is not None)
        render_numbers(v, s.numbers)
        self._set_page(s)

    def _render_state_detail(self, s: Screen, lang: str) -> None:
        reason = s.reason.pick(lang) if s.reason else ""
        detail = f"{reason}  {fmt(s.state_seconds)}".strip() if s.state != AgentState.OFFLINE else ""
        if s.break_limit is not None:
            detail = (self.tr("%1: over by %2").replace("%2", fmt(s.state_seconds - s.break_limit)) if s.break_overrun
                      else self.tr("%1: %2 of %3").replace("%2", fmt(s.state_seconds)).replace(
                          "%3", fmt(s.break_limit))).replace("%1", reason)
        if s.call is not None and s.call.talk_seconds is not None and s.state == AgentState.ON_CALL:
            detail = fmt(s.call.talk_seconds) + ("  " + self.tr("(on hold)") if s.call.held else "")
        self.view.state_detail.setText(detail)

    def _render_practice(self, s: Screen, lang: str) -> None:
        v = self.view
        v.practice_box.setVisible(bool(s.practice_choices))
        v.practice_offer.setText(s.practice_offer.pick(lang) if s.practice_offer else "")
        v.practice_offer.setVisible(s.practice_offer is not None)
        result = s.practice_result
        lines = [] if result is None else [result.headline.pick(lang)] + \
            ([result.missed.pick(lang)] if result.missed else []) + [f.pick(lang) for f in result.feedback]
        v.practice_result.setText("\n".join(lines))
        v.practice_result.setVisible(result is not None)
        v.dismiss_result_button.setVisible(result is not None)
        if result is not None:
            v.practice_box.setVisible(True)

    def _set_page(self, s: Screen) -> None:
        v = self.view
        page = {AgentState.RINGING: v.ringing_page, AgentState.ON_CALL: v.call_page,
                AgentState.AFTER_CALL_WORK: v.wrap_up_page}.get(s.state, v.idle_page)
        if v.pages.currentWidget() is page:
            return
        v.pages.setCurrentWidget(page)
        if page is v.ringing_page:
            v.ring_title.setText(self.tr("Incoming call") if s.mode == "softphone"
                                 else self.tr("The center is calling your phone"))
            v.answer_button.setFocus()
            self.ring_visible(time.perf_counter())
        elif page is v.call_page:
            v.call_notes.blockSignals(True)
            v.call_notes.setPlainText(self.core.session.call.note if self.core.session.call else "")
            v.call_notes.blockSignals(False)
            v.dtmf_button.setChecked(False)
            v.call_notes.setFocus()
        elif page is v.wrap_up_page and s.wrap_up is not None:
            v.wrap_up_notes.blockSignals(True)
            v.wrap_up_notes.setPlainText(s.wrap_up.note)
            v.wrap_up_notes.blockSignals(False)
            v.wrap_up_codes.clearSelection()
            for i in range(v.wrap_up_codes.count()):
                item = v.wrap_up_codes.item(i)
                if item.data(Qt.ItemDataRole.UserRole) == s.wrap_up.code:
                    v.wrap_up_codes.setCurrentRow(i)
                    item.setSelected(True)
            self.core.edit_wrap_up(code=s.wrap_up.code)  # the script's (or the escalation's) code is the choice
            v.wrap_up_problem.clear()
            v.wrap_up_codes.setFocus()
