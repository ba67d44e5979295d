from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from agentdesk.ui.qt_bridge import QtBridge


def test_events_from_a_worker_thread_run_on_the_gui_thread(qtbot) -> None:
    bridge = QtBridge()
    seen: list[tuple[object, bool]] = []
    gui_thread = QApplication.instance().thread()

    def handler(payload: object) -> None:
        seen.append((payload, QThread.currentThread() is gui_thread))

    workers = [threading.Thread(target=bridge.post, args=(handler, i)) for i in range(20)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(5)
    qtbot.waitUntil(lambda: len(seen) == 20, timeout=3000)
    assert sorted(p for p, _ in seen) == list(range(20))
    assert all(on_gui for _, on_gui in seen)


def test_a_failing_handler_does_not_stop_later_events(qtbot) -> None:
    bridge = QtBridge()
    seen: list[int] = []

    def bad(_: object) -> None:
        raise RuntimeError("boom")

    bridge.post(bad, None)
    bridge.post(seen.append, 1)
    qtbot.waitUntil(lambda: seen == [1], timeout=2000)


def test_a_late_event_after_the_bridge_is_gone_is_dropped_quietly(qtbot) -> None:
    """The frozen app's CI run: a sign-in answered while the window closed raised in the worker thread."""
    import shiboken6

    bridge = QtBridge()
    seen: list[int] = []
    shiboken6.delete(bridge)
    assert not shiboken6.isValid(bridge)
    errors: list[BaseException] = []

    def late() -> None:
        try:
            bridge.post(seen.append, 1)
        except BaseException as exc:  # the test records whatever escapes
            errors.append(exc)

    worker = threading.Thread(target=late)
    worker.start()
    worker.join(5)
    qtbot.wait(50)
    assert errors == []
    assert seen == []
