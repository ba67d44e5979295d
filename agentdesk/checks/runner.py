"""Running the checks: independent checks in parallel threads, checks that share a device one after another.

Progress is reported through ``CheckContext.on_progress`` (worker threads: a Qt listener must hop through
``agentdesk.ui.qt_bridge``) and through ``on_result`` as each check finishes.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentdesk.checks.base import Check, CheckContext, CheckResult, Status, overall_status
from agentdesk.i18n import Text

# name -> "module:Class"; the order is the order of the report and of the wizard.
CHECKS: dict[str, str] = {
    "pc": "agentdesk.checks.pc:PcCheck",
    "wired": "agentdesk.checks.wired:WiredCheck",
    "network": "agentdesk.checks.network:NetworkCheck",
    "line": "agentdesk.checks.line:LineCheck",
    "headset": "agentdesk.checks.headset:HeadsetCheck",
    "noise": "agentdesk.checks.noise:NoiseCheck",
}

_CANCELLED = Text(ja="中止されました", en="Cancelled")


def check_names() -> list[str]:
    return list(CHECKS)


def create(name: str) -> Check:
    module_name, cls_name = CHECKS[name].split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls()


@dataclass
class Report:
    results: list[CheckResult]
    started: datetime
    duration_s: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> Status:
        return overall_status(self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "checks": [r.to_json() for r in self.results],
            "started": self.started.isoformat(timespec="seconds"),
            "duration_s": round(self.duration_s, 3),
            **self.meta,
        }


def run_checks(
    checks: Sequence[Check],
    ctx: CheckContext,
    on_result: Callable[[CheckResult], None] | None = None,
    max_workers: int = 4,
) -> Report:
    """Run ``checks``; results come back in the given order whatever order they finish in."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    lanes: dict[str, list[int]] = {}
    for i, check in enumerate(checks):
        lanes.setdefault(check.resource or f"#{i}", []).append(i)
    results: list[CheckResult | None] = [None] * len(checks)

    def run_lane(indices: list[int]) -> None:
        for i in indices:
            if ctx.cancel.is_set():
                res = checks[i].result("skipped", _CANCELLED)
            else:
                ctx.progress(checks[i].name, 0.0)
                res = checks[i].execute(ctx)
            results[i] = res
            if on_result is not None:
                with contextlib.suppress(Exception):
                    on_result(res)

    if lanes:
        with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(lanes))),
                                thread_name_prefix="self-check") as pool:
            for future in [pool.submit(run_lane, idx) for idx in lanes.values()]:
                future.result()
    return Report([r for r in results if r is not None], started, time.perf_counter() - t0)
