"""The one place where events from other threads cross into Qt.

Engine events arrive on a reader thread, center events on the event-stream thread, check progress on worker
threads. None of them may touch a widget. They call :meth:`QtBridge.post` (thread-safe, never blocks on the GUI),
and the bridge calls the handler on the GUI thread through a queued signal. Nothing else in the UI creates
cross-thread connections, so there is exactly one hop to reason about.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class QtBridge(QObject):
    _deliver = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False  # set by the first post that finds the Qt object deleted
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    def post(self, handler: Callable[[Any], None], payload: Any = None) -> None:
        """Call ``handler(payload)`` on the GUI thread, soon. Safe from any thread.

        After the window (and with it the bridge) is gone, a late worker (a sign-in that answers while the app
        quits, the last engine event) has nobody to tell: its event is dropped, never raised in the worker."""
        if not self._closed:
            try:
                self._deliver.emit(handler, payload)
                return
            except RuntimeError:  # PySide6: "Signal source has been deleted"
                self._closed = True
        log.debug("dropped %r: the GUI is gone", handler)

    def wrap(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """A callable for a worker thread that forwards its one argument to ``handler`` on the GUI thread."""
        return lambda payload=None: self.post(handler, payload)

    @Slot(object, object)
    def _on_deliver(self, handler: Callable[[Any], None], payload: Any) -> None:
        try:
            handler(payload)
        except Exception:  # a bug in one handler must not take the agent's screen down
            log.exception("handler %r failed on the GUI thread", handler)
