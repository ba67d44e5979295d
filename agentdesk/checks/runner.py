"""Running the checks: independent checks in parallel threads, checks that share a device one after another.

Progress is reported through ``CheckContext.on_progress`` (worker threads: a Qt listener must hop through
``agentdesk.ui.qt_bridge``) and through ``on_result`` as each check finishes.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
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
    "encryption": "agentdesk.checks.encryption:EncryptionCheck",
    "line": "agentdesk.checks.line:LineCheck",
    "headset": "agentdesk.checks.headset:HeadsetCheck",
    "noise": "agentdesk.checks.noise:NoiseCheck",
}

_CANCELLED = Text(ja="中止されました", en="Cancelled")


def _network_seconds(ctx: CheckContext) -> float:
    probes = ctx.probe_count * ctx.probe_interval_s + 0.5
    if not ctx.echo_target:
        return probes
    # the test call runs beside the probes: the engine starts (about 2.5 s), then the call, its hang-up and engine
    # stop (0.5 s), then the score of 4 s of returned audio: PESQ (development installs) under 1 s, ViSQOL in pure
    # Python (shipped) about 1.4 s per second of audio on a slow PC (measured: tests/center/test_practice_echo.py);
    # the longer of the two decides
    scoring = 1.0 if importlib.util.find_spec("pesq") is not None else 6.0
    return max(probes, 2.5 + float(ctx.extra.get("echo_seconds", 20.0)) + 0.5 + scoring)


# name -> seconds the check itself takes with this context (answers to its questions not counted)
_ESTIMATES: dict[str, Callable[[CheckContext], float]] = {
    "pc": lambda ctx: 1.5,
    "wired": lambda ctx: 0.5,
    "network": _network_seconds,
    "line": lambda ctx: 0.2,
    "headset": lambda ctx: 2.5,
    "noise": lambda ctx: 1.0 if ctx.noise_input else ctx.quiet_seconds + ctx.speech_seconds + 1.5,
}


def estimated_seconds(names: Sequence[str], ctx: CheckContext) -> float:
    """How long a run of ``names`` takes: checks that share a device run one after another, the rest in
    parallel, so the longest lane decides (what the wizard announces before the run)."""
    lanes: dict[str, float] = {}
    for i, name in enumerate(names):
        resource = create(name).resource if name in CHECKS else None
        lane = resource or f"#{i}"
        estimate = _ESTIMATES.get(name)
        lanes[lane] = lanes.get(lane, 0.0) + (estimate(ctx) if estimate is not None else 1.0)
    return max(lanes.values(), default=0.0)


def check_names() -> list[str]:
    return list(CHECKS)


def create(name: str) -> Check:
    module_name, cls_name = CHECKS[name].split(":")
    cls: type[Check] = getattr(importlib.import_module(module_name), cls_name)
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
