"""The trainee's side of call training on the shift screen: who is on the line, in which mode, and their hints.

The engine plays the join tone into the trainee's headset itself (agentdesk/sip/training.py); this widget is what
the trainee sees. It listens to the engine's ``training`` events through the desk controller's
``engine_listeners`` (already on the Qt thread: the desk wraps engine events with QtBridge).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from agentdesk.sip import protocol as P
from agentdesk.ui.desk.view import ShiftView

MODE_COLORS = {"monitor": "#1f5fa8", "whisper": "#b86e00", "barge": "#b3261e"}


class TraineeIndicatorView(QFrame):
    """Layout only: a coloured strip with the trainer and the mode, and the latest hint under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("traineeIndicator")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 4)
        row = QHBoxLayout()
        self.badge = QLabel(self)
        self.badge.setObjectName("traineeIndicatorBadge")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("traineeIndicatorStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row.addWidget(self.badge)
        row.addWidget(self.status_label, 1)
        outer.addLayout(row)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("traineeIndicatorHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint_label.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.hint_label.hide()
        outer.addWidget(self.hint_label)
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Trainer on the line"))
        self.status_label.setAccessibleName(self.tr("Training status"))
        self.hint_label.setAccessibleName(self.tr("Hint from the trainer"))

    def set_color(self, color: str) -> None:
        self.setStyleSheet(f"#traineeIndicator {{ border: 2px solid {color}; border-radius: 4px; }}"
                           f"#traineeIndicatorBadge {{ background: {color}; color: white; padding: 2px 8px;"
                           " border-radius: 3px; font-weight: bold; }")


class TraineeIndicator(QObject):
    """Logic: keeps the trainers' legs from ``training`` events and renders them into the view."""

    changed = Signal()

    def __init__(self, view: TraineeIndicatorView) -> None:
        super().__init__(view)
        self.view = view
        self.legs: dict[int, dict[str, str]] = {}
        self.hint = ""

    def mode_text(self, mode: str) -> str:
        return {"monitor": self.tr("Monitoring"), "whisper": self.tr("Whisper (only you hear the trainer)"),
                "barge": self.tr("Barge-in (the customer hears the trainer)")}.get(mode, mode)

    def on_engine_event(self, event: P.Event) -> None:
        if isinstance(event, P.EngineState) and event.state in ("died", "restarted", "failed", "stopped"):
            self.legs.clear()
            self.hint = ""
            self.render()
            return
        if isinstance(event, P.TrainerJoined):
            self.legs[event.call] = {"trainer": _name(event.trainer), "mode": event.mode}
        elif isinstance(event, P.TrainerMode) and event.call in self.legs:
            self.legs[event.call]["mode"] = event.mode
        elif isinstance(event, P.TrainerHint):
            self.hint = event.text
        elif isinstance(event, P.TrainerLeft):
            self.legs.pop(event.call, None)
            if not self.legs:
                self.hint = ""
        else:
            return
        self.render()

    def render(self) -> None:
        v = self.view
        if not self.legs:
            v.hide()
            self.changed.emit()
            return
        leg = next(reversed(self.legs.values()))
        mode = leg["mode"]
        v.badge.setText(self.tr("Training"))
        v.status_label.setText(self.tr("Trainer %1 is on the line: %2").replace("%1", leg["trainer"])
                               .replace("%2", self.mode_text(mode)))
        v.set_color(MODE_COLORS.get(mode, "#555555"))
        if self.hint:
            v.hint_label.setText(self.tr("Hint: %1").replace("%1", self.hint))
            v.hint_label.show()
        else:
            v.hint_label.hide()
        v.show()
        self.changed.emit()


def _name(uri: str) -> str:
    """``"Sato" <sip:trainer1@center.jp>`` -> ``Sato``; without a display name, the user part."""
    text = uri.strip()
    if text.startswith('"') and '"' in text[1:]:
        return text[1:text.index('"', 1)]
    inner = text[text.find("<") + 1:text.find(">")] if "<" in text and ">" in text else text
    inner = inner.split(":", 1)[1] if ":" in inner else inner
    return inner.split("@", 1)[0] or uri


class TraineeDesk(Protocol):
    """What the indicator needs of the shift screen (agentdesk.ui.desk.controller.DeskController)."""

    view: ShiftView

    @property
    def engine_listeners(self) -> list[Callable[[P.Event], None]]: ...


def attach_trainee_indicator(desk: TraineeDesk) -> TraineeIndicator:
    """Put the indicator on the desk's shift screen above the notices and feed it the engine's events."""
    view = TraineeIndicatorView(desk.view)
    layout = desk.view.layout()
    index = layout.indexOf(desk.view.notice_label)
    layout.insertWidget(index if index >= 0 else 0, view)  # type: ignore[attr-defined]
    indicator = TraineeIndicator(view)
    desk.engine_listeners.append(indicator.on_engine_event)
    desk.view.languageChanged.connect(lambda *_: (view.retranslate(), indicator.render()))
    return indicator
