"""The support-script panel in the agent desktop.

``ScriptPanel`` is what the desktop embeds: it opens with the call (:meth:`ScriptPanel.start_for_call`),
suggests a flow from the queue and the contract data, is used entirely from the keyboard, and emits
``escalationRequested(dict)`` with the path taken when the agent escalates at an escalation point.

Keys: 1-9 choose (or open a result), Backspace / Alt+Left back, Ctrl+F search, Ctrl+Shift+C copy the phrase,
Ctrl+E escalate, Ctrl+Shift+R restart, Esc close the article or the search.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from agentdesk.support_scripts.library import Library
from agentdesk.ui.scripts.controller import ScriptPanelController
from agentdesk.ui.scripts.view import ScriptPanelView


def default_library() -> Library:
    """The center's cached packages when there are any, else the bundled scripts."""
    from agentdesk.support_scripts.packages import PackageStore

    return PackageStore().load()


class ScriptPanel(QWidget):
    escalationRequested = Signal(dict)

    def __init__(self, library: Library | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = ScriptPanelView(self)
        layout.addWidget(self.view)
        self.controller = ScriptPanelController(self.view, library if library is not None else default_library())
        self.controller.escalationRequested.connect(self.escalationRequested)
        self.setFocusProxy(self.view)

    def start_for_call(self, contract: Any | None, queue: str | None) -> None:
        self.controller.start_for_call(contract, queue)

    def escalation_context(self) -> dict[str, Any]:
        return self.controller.escalation_context()

    def wrap_up(self) -> dict[str, Any] | None:
        return self.controller.wrap_up()

    def reset(self) -> None:
        self.controller.reset()

    def set_library(self, library: Library) -> None:
        self.controller.library = library
        self.controller.reset()
        self.controller.refresh_texts()
