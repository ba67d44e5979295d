"""The engine loop's pace: libHandleEvents waits 10 ms while commands flow or a call changes state, 50 ms when
all is quiet (each wake-up costs CPU), never past the next timer. Qt-free and without an endpoint."""

from __future__ import annotations

import queue
import time
from types import SimpleNamespace

from agentdesk.sip.engine import BUSY_WAIT_MS, QUIET_AFTER_S, QUIET_WAIT_MS, Engine


def _engine() -> Engine:
    return Engine(lambda _ev: None, queue.Queue())


def test_quiet_engine_waits_long_and_a_command_makes_it_quick() -> None:
    eng = _engine()
    assert eng._wait_ms() == QUIET_WAIT_MS
    eng.queue.put(("cmd", {"cmd": "nothing_known"}))  # any command, even a bad one, is the agent at work
    eng._dispatch = lambda _cmd: None  # type: ignore[method-assign]
    eng._drain_queue()
    assert eng._wait_ms() == BUSY_WAIT_MS
    eng._last_command = time.monotonic() - QUIET_AFTER_S - 0.1
    assert eng._wait_ms() == QUIET_WAIT_MS


def test_prober_results_do_not_keep_the_loop_busy() -> None:
    eng = _engine()
    eng._on_probe = lambda *_args: None  # type: ignore[method-assign]
    eng.queue.put(("probe", 0, 0.004))
    eng._drain_queue()
    assert eng._wait_ms() == QUIET_WAIT_MS


def test_a_call_in_transition_keeps_the_loop_quick_a_steady_one_does_not() -> None:
    eng = _engine()
    call = SimpleNamespace(state="incoming", ended=False)
    eng.calls[1] = call  # type: ignore[assignment]
    assert eng._wait_ms() == BUSY_WAIT_MS
    call.state = "connected"
    assert eng._wait_ms() == QUIET_WAIT_MS
    call.state = "held"
    assert eng._wait_ms() == QUIET_WAIT_MS


def test_the_next_timer_bounds_the_wait() -> None:
    eng = _engine()
    eng._after(0.02, "soon", lambda: None)
    assert BUSY_WAIT_MS <= eng._wait_ms() <= 21
