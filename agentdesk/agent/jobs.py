"""Background jobs for the desk core: slow work (network, keyring, disk) off the caller's thread.

The desk core never blocks its caller (on the desktop: the GUI thread). Anything that may wait on the center, the
OS keyring or the disk goes through :class:`Jobs`: ``work`` runs elsewhere, and ``done`` (or ``failed``) runs back
on the caller's thread, so the core's state is only ever touched from one thread.

- :class:`agentdesk.ui.jobs.UiJobs` is the desktop's: a small thread pool, results back through ``QtBridge``.
- :class:`InlineJobs` runs everything at once on the calling thread: unit tests with a fake clock.
- :class:`QueuedJobs` runs ``work`` when the test says so (``run_pending``): a test can hold a job in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Jobs(Protocol):
    def run(self, name: str, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[Exception], None] | None = None) -> None:
        """Run ``work`` in the background; then ``done(result)`` or ``failed(exception)`` on the caller's thread.
        A ``failed`` left out logs the exception."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the owner's thread, soon; safe from any thread (center events use it)."""


def finish[T](name: str, work: Callable[[], T], done: Callable[[T], None],
           failed: Callable[[Exception], None] | None) -> Callable[[], None]:
    """Run ``work`` now and return what to call on the owner's thread to hand the outcome over."""
    try:
        result = work()
    except Exception as exc:  # every failure reaches the owner: nothing is lost in a worker
        if failed is None:
            log.warning("background job %s failed: %s", name, exc, exc_info=exc)
            return lambda: None
        error = exc  # "exc" is unbound after the except block; the closure runs later
        return lambda: failed(error)
    return lambda: done(result)


def _guarded(name: str, step: Callable[[], None]) -> None:
    try:
        step()
    except Exception:
        log.exception("the handler of background job %s failed", name)


class InlineJobs:
    """Everything at once, on the calling thread."""

    def run(self, name: str, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[Exception], None] | None = None) -> None:
        _guarded(name, finish(name, work, done, failed))

    def call_soon(self, fn: Callable[[], None]) -> None:
        _guarded("call_soon", fn)


@dataclass
class _Pending:
    name: str
    work: Callable[[], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None] | None


class QueuedJobs:
    """Jobs wait until :meth:`run_pending`: a test sees the state while a job is still in flight."""

    def __init__(self) -> None:
        self.pending: list[_Pending] = []

    def run(self, name: str, work: Callable[[], T], done: Callable[[T], None],
            failed: Callable[[Exception], None] | None = None) -> None:
        self.pending.append(_Pending(name, work, done, failed))

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.pending.append(_Pending("call_soon", lambda: None, lambda _: fn(), None))

    def names(self) -> list[str]:
        return [p.name for p in self.pending]

    def run_next(self) -> str:
        """Run the oldest job only; returns its name."""
        job = self.pending.pop(0)
        _guarded(job.name, finish(job.name, job.work, job.done, job.failed))
        return job.name

    def run_pending(self) -> int:
        """Run every job queued so far (and those they queue); returns how many ran."""
        count = 0
        while self.pending and count < 1000:
            job = self.pending.pop(0)
            _guarded(job.name, finish(job.name, job.work, job.done, job.failed))
            count += 1
        return count
