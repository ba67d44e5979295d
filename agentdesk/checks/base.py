"""What every self-check shares: the result, the check interface and the context a run gets.

A check is a small Qt-free class. It measures, then returns a :class:`CheckResult`: a status, a short summary,
the measured details (JSON-able), a remedy the agent can act on, and, where no measurement can prove the rule,
a confirmation the agent must give (a fixed line without a cordless handset, a fiber connection).

Statuses: ``pass`` the rule is met; ``warn`` met with a reservation; ``fail`` not met; ``skipped`` the fact could
not be measured here (never a silent pass); ``error`` the check itself broke.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from agentdesk.i18n import Text

Status = Literal["pass", "warn", "fail", "skipped", "error"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skipped", "error")

# Worst first: the overall status of a run is the worst of its checks. A skipped check keeps a run from a
# clean pass (something could not be verified), so it counts as a warning overall.
_SEVERITY: dict[str, int] = {"pass": 0, "skipped": 1, "warn": 1, "error": 2, "fail": 3}

STATUS_TEXT: dict[str, Text] = {
    "pass": Text(ja="合格", en="Pass"),
    "warn": Text(ja="要注意", en="Warning"),
    "fail": Text(ja="不合格", en="Fail"),
    "skipped": Text(ja="未確認", en="Not checked"),
    "error": Text(ja="エラー", en="Error"),
}


@dataclass
class CheckResult:
    name: str
    status: Status
    summary: Text
    details: dict[str, Any] = field(default_factory=dict)
    remedy: Text | None = None
    confirmation: Text | None = None  # what the agent must still confirm (no measurement can prove it)
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "summary": self.summary.as_dict(),
            "details": self.details,
            "remedy": self.remedy.as_dict() if self.remedy else None,
        }
        if self.confirmation is not None:
            data["confirmation"] = self.confirmation.as_dict()
        data["duration_s"] = round(self.duration_s, 3)
        return data


def overall_status(results: list[CheckResult]) -> Status:
    """The worst status: fail > error > warn (and skipped) > pass. No results is ``skipped``."""
    if not results:
        return "skipped"
    worst = max(results, key=lambda r: _SEVERITY[r.status])
    if worst.status == "skipped":
        return "warn" if any(r.status == "pass" for r in results) else "skipped"
    return worst.status


def exit_code(status: str) -> int:
    """CLI exit status: 0 for pass, warn and skipped; 1 for fail and error."""
    return 1 if status in ("fail", "error") else 0


ProgressCallback = Callable[[str, float, Any], None]  # (check name, fraction 0..1, optional sample)
# (check name, question, seconds to wait) -> True (yes), False (no), None (no answer: no one to ask, or too late)
AskCallback = Callable[[str, Text, float], "bool | None"]


def by_platform(windows: Text, linux: Text, mac: Text | None = None, platform: str | None = None) -> Text:
    """Advice that fits the system the app runs on (no Windows settings on Linux and the reverse)."""
    p = platform or sys.platform
    if p == "win32":
        return windows
    if p == "darwin" and mac is not None:
        return mac
    return linux


@dataclass
class CheckContext:
    """What a run gives every check: the center to test against, the agent's declarations and inputs, progress
    reporting and cancellation. Fields left at None are "not configured" and the check says so."""

    center_host: str | None = None  # the SIP registrar's host (name or address)
    center_port: int = 5060
    center_transport: str = "udp"
    echo_target: str | None = None  # a SIP URI that echoes audio back (the 20-second test call)
    fiber_declared: bool | None = None  # the agent's declaration (fiber cannot be detected)
    line_number: str | None = None  # the agent's fixed-line number as typed
    line_confirmed: bool | None = None  # "no cordless handset, none of the prohibited services"
    noise_input: str | None = None  # WAV of the silent room (instead of the microphone)
    speech_input: str | None = None  # WAV of the agent reading aloud
    input_device: str | int | None = None  # microphone (name part or index); None = headset or default
    output_device: str | int | None = None
    quiet_seconds: float = 5.0
    speech_seconds: float = 5.0
    probe_count: int = 200  # agentdesk.checks.network.DEFAULT_PROBES: a 3 %-loss line cannot read 0 %
    probe_interval_s: float = 0.05
    on_progress: ProgressCallback | None = None
    on_ask: AskCallback | None = None  # the wizard's yes/no buttons; the CLI asks nothing
    cancel: threading.Event = field(default_factory=threading.Event)
    extra: dict[str, Any] = field(default_factory=dict)

    def ask(self, name: str, question: Text, timeout_s: float = 30.0) -> bool | None:
        """Ask the agent a yes/no question and wait for the answer (None: nobody to ask, cancelled, no answer)."""
        if self.on_ask is None or self.cancel.is_set():
            return None
        try:
            return self.on_ask(name, question, timeout_s)
        except Exception:  # a broken listener must not break the check
            return None

    def progress(self, name: str, fraction: float, sample: Any = None) -> None:
        if self.on_progress is not None:
            with contextlib.suppress(Exception):  # a broken listener must not break the measurement
                self.on_progress(name, max(0.0, min(1.0, fraction)), sample)


class Check(ABC):
    """One check. ``resource`` names a device the check holds (checks sharing one run one after another)."""

    name: str = ""
    title: Text = Text(ja="", en="")
    resource: str | None = None

    @abstractmethod
    def run(self, ctx: CheckContext) -> CheckResult: ...

    def result(self, status: Status, summary: Text, details: dict[str, Any] | None = None,
               remedy: Text | None = None, confirmation: Text | None = None) -> CheckResult:
        return CheckResult(self.name, status, summary, details or {}, remedy, confirmation)

    def execute(self, ctx: CheckContext) -> CheckResult:
        """Run, time, and turn an unexpected exception into an ``error`` result (never a traceback to the agent)."""
        t0 = time.perf_counter()
        try:
            res = self.run(ctx)
        except Exception as exc:
            res = self.result(
                "error",
                Text(ja="確認中に問題が発生しました: {e}", en="The check could not finish: {e}").format(e=exc),
                {"exception": type(exc).__name__, "message": str(exc)},
                Text(ja="もう一度実行してください。続く場合はサポートに連絡してください。",
                     en="Run the check again. If it keeps happening, contact support."),
            )
        res.duration_s = time.perf_counter() - t0
        ctx.progress(self.name, 1.0)
        return res
