"""Trainer mode: the trainees' live calls, join one with one click, switch the mode with one click, send a hint.

The trainer's own phone engine makes the call into the trainee's engine (``training_join``); the mixing happens in
the trainee's engine (agentdesk/sip/training.py, docs/training.md). The list of live calls comes from the center's
``trainee_call`` events or is entered by hand (practice: a trainee's SIP address).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agentdesk.sip import protocol as P
from agentdesk.ui.training.names import TrainingNames, local_time

log = logging.getLogger(__name__)
MODES = ("monitor", "whisper", "barge")


@dataclass
class LiveCall:
    """A trainee's live call as the trainer sees it: no customer data, only the trainee and the call's id."""

    trainee: str  # display name or agent id
    uri: str  # the trainee's SIP address (the trainer's engine calls it)
    call_id: str = ""  # the center's call id, "" when entered by hand
    since: str = ""


class TrainerView(QWidget):
    """Layout only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainerView")
        outer = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("trainerTitle")
        outer.addWidget(self.title)
        self.calls_table = QTableWidget(0, 3, self)
        self.calls_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.calls_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calls_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calls_table.verticalHeader().hide()
        outer.addWidget(self.calls_table, 1)
        manual = QHBoxLayout()
        self.manual_label = QLabel(self)
        self.manual_edit = QLineEdit(self)
        self.manual_edit.setObjectName("trainerManualAddress")
        self.manual_label.setBuddy(self.manual_edit)
        self.add_button = QPushButton(self)
        manual.addWidget(self.manual_label)
        manual.addWidget(self.manual_edit, 1)
        manual.addWidget(self.add_button)
        outer.addLayout(manual)
        grid = QGridLayout()
        self.mode_buttons: dict[str, QPushButton] = {}
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        for i, mode in enumerate(MODES):
            button = QPushButton(self)
            button.setCheckable(True)
            button.setObjectName(f"trainerMode_{mode}")
            self.mode_group.addButton(button, i)
            self.mode_buttons[mode] = button
            grid.addWidget(button, 0, i)
        self.mode_buttons["monitor"].setChecked(True)
        self.join_button = QPushButton(self)
        self.join_button.setObjectName("trainerJoin")
        self.leave_button = QPushButton(self)
        self.leave_button.setObjectName("trainerLeave")
        grid.addWidget(self.join_button, 1, 0, 1, 2)
        grid.addWidget(self.leave_button, 1, 2)
        outer.addLayout(grid)
        hint = QHBoxLayout()
        self.hint_label = QLabel(self)
        self.hint_edit = QLineEdit(self)
        self.hint_edit.setObjectName("trainerHint")
        self.hint_edit.setMaxLength(500)
        self.hint_label.setBuddy(self.hint_edit)
        self.send_hint_button = QPushButton(self)
        hint.addWidget(self.hint_label)
        hint.addWidget(self.hint_edit, 1)
        hint.addWidget(self.send_hint_button)
        outer.addLayout(hint)
        sheets_row = QHBoxLayout()
        self.sheets_title = QLabel(self)
        self.refresh_sheets_button = QPushButton(self)
        self.refresh_sheets_button.setObjectName("trainerRefreshSheets")
        sheets_row.addWidget(self.sheets_title, 1)
        sheets_row.addWidget(self.refresh_sheets_button)
        outer.addLayout(sheets_row)
        self.sheets_table = QTableWidget(0, 8, self)
        self.sheets_table.setObjectName("trainerSheets")
        self.sheets_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sheets_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sheets_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sheets_table.verticalHeader().hide()
        outer.addWidget(self.sheets_table, 1)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("trainerStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        outer.addWidget(self.status_label)
        self.languageChanged = lambda: None  # the controller re-renders its lists (names in the new language)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.languageChanged()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("AgentDesk - Trainer mode"))
        self.title.setText(self.tr("Trainees' live calls"))
        self.calls_table.setHorizontalHeaderLabels([self.tr("Trainee"), self.tr("Address"), self.tr("Since")])
        self.calls_table.setAccessibleName(self.tr("Trainees' live calls"))
        self.manual_label.setText(self.tr("&Trainee's address:"))
        self.manual_edit.setPlaceholderText(self.tr("e.g. sip:agent1@center.example.jp"))
        self.manual_edit.setAccessibleName(self.tr("Trainee's address"))
        self.add_button.setText(self.tr("Add"))
        self.add_button.setAccessibleName(self.tr("Add the trainee to the list"))
        texts = {"monitor": self.tr("&Monitor"), "whisper": self.tr("&Whisper"), "barge": self.tr("&Barge in")}
        tips = {"monitor": self.tr("Listen: nobody hears you"),
                "whisper": self.tr("Only the trainee hears you"),
                "barge": self.tr("Three-way: the customer hears you too")}
        for mode, button in self.mode_buttons.items():
            button.setText(texts[mode])
            button.setToolTip(tips[mode])
            button.setAccessibleName(texts[mode].replace("&", ""))
            button.setAccessibleDescription(tips[mode])
        self.join_button.setText(self.tr("&Join the selected call"))
        self.join_button.setAccessibleName(self.tr("Join the selected call"))
        self.leave_button.setText(self.tr("&Leave"))
        self.leave_button.setAccessibleName(self.tr("Leave the call"))
        self.hint_label.setText(self.tr("H&int:"))
        self.hint_edit.setAccessibleName(self.tr("Hint for the trainee"))
        self.send_hint_button.setText(self.tr("Send hint"))
        self.send_hint_button.setAccessibleName(self.tr("Send the hint to the trainee's screen"))
        self.status_label.setAccessibleName(self.tr("Training status"))
        self.sheets_title.setText(self.tr("Practice call score sheets"))
        self.refresh_sheets_button.setText(self.tr("&Refresh"))
        self.refresh_sheets_button.setAccessibleName(self.tr("Refresh the score sheets"))
        self.sheets_table.setAccessibleName(self.tr("Practice call score sheets"))
        self.sheets_table.setHorizontalHeaderLabels([
            self.tr("Scored at"), self.tr("Trainee"), self.tr("Scenario"), self.tr("Answer (s)"),
            self.tr("Longest silence (s)"), self.tr("Script match"), self.tr("Steps missed"), self.tr("Escalation")])


class TrainerController(QObject):
    """Logic: the list, joining, mode switches and hints through the trainer's own phone engine.

    ``engine`` has ``send(cmd) -> id`` (EngineSupervisor); engine events come in through :meth:`on_engine_event`
    and center events through :meth:`on_center_event`, both on the Qt thread (QtBridge).
    """

    statusChanged = Signal(str)

    def __init__(self, view: TrainerView, engine: Any, sheets_base: Any = None,
                 names: TrainingNames | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.engine = engine
        self.sheets_base = sheets_base  # data_dir() by default (agentdesk.training.score)
        self.names = names or TrainingNames()
        self.sheets: list[dict[str, Any]] = []
        self.calls: list[LiveCall] = []
        self.joined_call: int | str | None = None  # the trainer engine's call id while joined ("pending": joining)
        self.joined_uri = ""
        self.connected = False
        self.mode = "monitor"
        v = view
        v.add_button.clicked.connect(self.add_by_hand)
        v.manual_edit.returnPressed.connect(self.add_by_hand)
        v.join_button.clicked.connect(self.join_selected)
        v.calls_table.cellDoubleClicked.connect(lambda row, _col: self.join_row(row))
        v.leave_button.clicked.connect(self.leave)
        for mode, button in v.mode_buttons.items():
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
        v.refresh_sheets_button.clicked.connect(self.load_sheets)
        v.send_hint_button.clicked.connect(self.send_hint)
        v.hint_edit.returnPressed.connect(self.send_hint)
        v.languageChanged = self._rerender
        self._status(self.tr("Choose a trainee's call and join it."))
        self._update_buttons()
        self.load_sheets()  # the score sheets are there when the window opens

    def _language(self) -> str:
        return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"

    def _rerender(self) -> None:
        self._render_list()
        self._render_sheets()

    # ---- the list -----------------------------------------------------------------------------------------------
    def add_by_hand(self) -> None:
        text = self.view.manual_edit.text().strip()
        if not text or any(c in text for c in " <>\"") or text.count("@") > 1:
            self._status(self.tr("Enter a trainee's address such as agent1 or sip:agent1@center.example.jp."))
            return
        uri = text if text.startswith(("sip:", "sips:")) or "@" not in text else f"sip:{text}"
        name = uri.split(":", 1)[-1].split("@", 1)[0] if uri.startswith("sip") else uri
        self.add_call(LiveCall(trainee=name, uri=uri))
        self.view.manual_edit.clear()

    def add_call(self, call: LiveCall) -> None:
        self.calls = [c for c in self.calls if not (c.uri == call.uri and (c.call_id == call.call_id or
                                                                             not c.call_id))]
        self.calls.append(call)
        self._render_list()
        self.view.calls_table.selectRow(len(self.calls) - 1)

    def on_center_event(self, event: Any) -> None:
        """``trainee_call`` {agent, uri, call_id, state: started|ended, since} from the center's event stream."""
        if getattr(event, "kind", "") != "trainee_call":
            return
        data = event.data or {}
        uri = str(data.get("uri") or "")
        if not uri:
            return
        if data.get("state") == "ended":
            self.calls = [c for c in self.calls if c.call_id != str(data.get("call_id", ""))]
            self._render_list()
            return
        self.add_call(LiveCall(trainee=str(data.get("agent") or uri), uri=uri,
                               call_id=str(data.get("call_id") or ""), since=str(data.get("since") or "")))

    def _render_list(self) -> None:
        table = self.view.calls_table
        table.setRowCount(len(self.calls))
        for row, call in enumerate(self.calls):
            for col, text in enumerate((call.trainee, call.uri, local_time(call.since) if call.since else "")):
                table.setItem(row, col, QTableWidgetItem(text))
        self._update_buttons()

    # ---- practice score sheets --------------------------------------------------------------------------------
    def load_sheets(self) -> None:
        from agentdesk.training.score import load_sheets

        try:
            self.sheets = load_sheets(self.sheets_base)
        except OSError as exc:
            self._status(self.tr("Could not read the score sheets: %1").replace("%1", str(exc)))
            return
        self._render_sheets()

    def _render_sheets(self) -> None:
        lang = self._language()
        table = self.view.sheets_table
        table.setRowCount(len(self.sheets))
        for row, sh in enumerate(self.sheets):
            talk = sh.get("talk") or {}
            esc = sh.get("escalation") or {}
            script = sh.get("script") or {}
            score = script.get("path_score")
            scenario = str(sh.get("scenario", ""))
            missed = [self.names.step(scenario, str(step), lang) for step in script.get("missed") or []]
            cells = [local_time(str(sh.get("scored_at", ""))),
                     str(sh.get("trainee_name") or sh.get("trainee") or "-"),
                     self.names.scenario(scenario, lang), _num(sh.get("time_to_answer_s")),
                     _num(talk.get("longest_silence_s")),
                     f"{100 * score:.0f}%" if isinstance(score, (int, float)) else "-",
                     ("、" if lang == "ja" else ", ").join(missed) or "-",
                     self.tr("OK") if esc.get("ok") else self.tr("Check")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text or "-")
                item.setToolTip(text)
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        if not self.sheets:
            self.view.sheets_title.setText(self.tr("Practice call score sheets: none yet"))
        else:
            self.view.sheets_title.setText(self.tr("Practice call score sheets (%1)").replace(
                "%1", str(len(self.sheets))))

    # ---- joining and modes ------------------------------------------------------------------------------------
    def join_selected(self) -> None:
        rows = self.view.calls_table.selectionModel().selectedRows()
        if not rows:
            self._status(self.tr("Select a trainee's call first."))
            return
        self.join_row(rows[0].row())

    def join_row(self, row: int) -> None:
        if not 0 <= row < len(self.calls):
            return
        if self.joined_call is not None:
            self._status(self.tr("Leave the current call before joining another."))
            return
        call = self.calls[row]
        if not self._send(P.TrainingJoin(uri=call.uri, mode=self.mode)):
            return
        self.joined_call = "pending"
        self.joined_uri = call.uri
        self.connected = False
        self._status(self.tr("Joining %1...").replace("%1", call.trainee))
        self._update_buttons()

    def set_mode(self, mode: str) -> None:
        """One click: before joining it chooses the join mode; while joined it switches at once."""
        self.mode = mode
        self.view.mode_buttons[mode].setChecked(True)
        if self.connected and isinstance(self.joined_call, int):
            self._send(P.TrainingMode(call=self.joined_call, mode=mode))
            self._status(self.tr("Switching to %1...").replace("%1", self.mode_name(mode)))

    def leave(self) -> None:
        if isinstance(self.joined_call, int):
            self._send(P.Hangup(call=self.joined_call))

    def send_hint(self) -> None:
        text = self.view.hint_edit.text().strip()
        if not text:
            return
        if not self.connected:
            self._status(self.tr("Join a call before sending a hint."))
            return
        if isinstance(self.joined_call, int) and self._send(P.TrainingHint(call=self.joined_call, text=text)):
            self.view.hint_edit.clear()
            self._status(self.tr("Hint sent: %1").replace("%1", text))

    def mode_name(self, mode: str) -> str:
        return {"monitor": self.tr("monitor"), "whisper": self.tr("whisper"), "barge": self.tr("barge-in")}[mode]

    # ---- engine events ----------------------------------------------------------------------------------------
    def on_engine_event(self, event: P.Event) -> None:
        if isinstance(event, P.CallEvent):
            state = event.state
            if self.joined_call == "pending" and state == "calling" and event.training:
                self.joined_call = event.call
                return
            if event.call != self.joined_call:
                return
            if state == "connected":
                self.connected = True
                self._status(self.tr("Joined in %1 mode.").replace("%1", self.mode_name(self.mode)))
            elif state == "ended":
                code = event.code or 0
                was = self.connected
                self.joined_call = None
                self.connected = False
                if code == 403:
                    self._status(self.tr("Refused: you are not on this trainee's trainer list."))
                elif code == 486:
                    self._status(self.tr("Refused: another trainer is already on this call."))
                elif was:
                    self._status(self.tr("You left the call."))
                else:
                    self._status(self.tr("Could not join (%1).").replace("%1", str(code)))
            self._update_buttons()
        elif isinstance(event, P.TrainingDelivered) and event.call == self.joined_call:
            if 200 <= event.code < 300:
                self._status(self.tr("Mode: %1").replace("%1", self.mode_name(self.mode)))
            else:
                self._status(self.tr("The trainee's phone did not take the change (%1).")
                             .replace("%1", str(event.code)))
        elif isinstance(event, P.Reply) and not event.ok and (event.cmd or "").startswith("training"):
            if event.cmd == "training_join":
                self.joined_call = None
                self._update_buttons()
            self._status(self.tr("The phone engine refused: %1").replace("%1", event.error or ""))

    # ---- helpers ----------------------------------------------------------------------------------------------
    def _send(self, cmd: P.Command) -> bool:
        try:
            self.engine.send(cmd)
            return True
        except RuntimeError as exc:
            self._status(self.tr("Could not reach the phone engine: %1").replace("%1", str(exc)))
            return False

    def _status(self, text: str) -> None:
        self.view.status_label.setText(text)
        self.statusChanged.emit(text)

    def _update_buttons(self) -> None:
        v = self.view
        v.join_button.setEnabled(self.joined_call is None and bool(self.calls))
        v.leave_button.setEnabled(self.joined_call not in (None, "pending"))
        v.send_hint_button.setEnabled(self.connected)


def _num(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "-"
