"""The UI's one background-job helper: slow work on a small thread pool, the outcome back on the GUI thread.

No network, keyring or slow disk call runs on the GUI thread (docs/architecture.md). The desk core hands such work
to :class:`UiJobs` (it implements :class:`agentdesk.agent.jobs.Jobs`); the result or the exception comes back
through the one :class:`~agentdesk.ui.qt_bridge.QtBridge`, so every handler runs on the GUI thread. A center that
never answers keeps a worker waiting, never the window (tests/ui/desk/test_responsiveness.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from agentdesk.agent.jobs import finish
from agentdesk.ui.qt_bridge import QtBridge

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKERS = 4  # sign-in, a contract look-up, an escalation ticket and one more can wait on the center at once


class UiJobs:
    def __init__(self, bridge: QtBridge, workers: int = WORKERS) -> None:
        self.bridge = bridge
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="desk-job")
        self._closed = False

    def run(self, name: str, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[Exception], None] | None = None) -> None:
        if self._closed:
            log.info("job %s not started: the desk is closing", name)
            return

        def job() -> None:
            outcome = finish(name, work, done, failed)
            self.bridge.post(lambda _=None: outcome(), None)

        self._pool.submit(job)

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.bridge.post(lambda _=None: fn(), None)

    def close(self) -> None:
        """No new jobs; the ones running finish on their own (a late result finds no window and is dropped)."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
