"""Packaging figures: bundle size (folder and zipped), build time, start of the frozen app to its window shown.

The bundle is packaging/build.py's (cached by source hash; built here if missing). Start-up is measured from
process start to the moment ``--benchmark-startup`` prints its JSON after the main window is exposed and painted
(QT_QPA_PLATFORM=offscreen), median of 5 runs, against the same command from the source tree. The first run after
a build is reported apart: it reads the bundle from disk rather than the page cache (the nearest to a cold start
we can get without dropping the machine's caches, which other work shares).

    python -m benchmarks.packaging        # prints the rows as JSON
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from tests.packaging import frozen

RUNS = 5


def _env(tmp: Path, python_path: str | None = None) -> dict[str, str]:
    env = frozen.frozen_env(QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    for name in ("CONFIG", "DATA", "LOG"):
        d = tmp / name.lower()
        d.mkdir(exist_ok=True)
        env[f"AGENTDESK_{name}_DIR"] = str(d)
    if python_path:
        env["PYTHONPATH"] = python_path
    return env


def _starts(argv: list[str], env: dict[str, str], runs: int) -> list[dict[str, Any]]:
    return [frozen.startup(argv, env=env, timeout=120) for _ in range(runs)]


def _engine_ready(argv: list[str], env: dict[str, str], timeout: float = 30.0) -> tuple[float, float]:
    """Seconds from process start to the engine's ``ready`` line, and its RSS (MB) then; it quits after."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*argv, "engine"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None and proc.stdin is not None
        line = proc.stdout.readline()
        ready = time.perf_counter() - t0
        if '"ready"' not in line:
            raise RuntimeError(f"{argv} engine did not say ready: {line!r}")
        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        proc.stdin.write('{"cmd": "quit"}\n')
        proc.stdin.flush()
        proc.wait(timeout)
    finally:
        watchdog.cancel()
    return ready, rss


def run() -> list[dict[str, Any]]:
    builder = frozen.load_builder()
    with open(os.devnull, "w") as log:
        info = builder.build(log=log)
    fresh = not info.cached
    info = builder.make_zip(info)
    rows: list[dict[str, Any]] = [
        {"name": "frozen bundle size", "value": info.size_mb, "unit": "MB", "peer": None, "peer_value": None,
         "note": f"PyInstaller one-folder, {sys.platform}, no UPX"},
        {"name": "frozen bundle zipped", "value": info.zip_mb, "unit": "MB", "peer": None, "peer_value": None,
         "note": "deflate level 6; the Windows installer (LZMA2) is smaller still"},
        {"name": "frozen build time", "value": info.build_s, "unit": "s", "peer": None, "peer_value": None,
         "note": "PyInstaller run, no UPX" + ("" if fresh else " (from the cached build's record)")},
    ]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = _env(tmp)
        first = frozen.startup([info.exe], env=env, timeout=120)
        frozen_runs = _starts([info.exe], env, RUNS)
        source_runs = _starts([sys.executable, "-m", "agentdesk"], _env(tmp, str(frozen.ROOT)), RUNS)
        engine_frozen = [_engine_ready([info.exe], env) for _ in range(RUNS)]
        engine_source = [_engine_ready([sys.executable, "-m", "agentdesk"], _env(tmp, str(frozen.ROOT)))
                         for _ in range(RUNS)]
    f_wall = statistics.median(r["wall_s"] for r in frozen_runs)
    s_wall = statistics.median(r["wall_s"] for r in source_runs)
    rows += [
        {"name": "frozen start to window shown", "value": round(f_wall, 3), "unit": "s",
         "peer": "source tree (python -m agentdesk)", "peer_value": round(s_wall, 3),
         "note": f"median of {RUNS}, process start to window painted, offscreen; target <= 0.5 s"},
        {"name": "frozen first start after build", "value": round(first["wall_s"], 3), "unit": "s",
         "peer": None, "peer_value": None,
         "note": "first run: " + ("bundle just written" if fresh else "bundle from an earlier build")},
        {"name": "frozen UI memory at start", "value": round(statistics.median(r["rss_mb"] for r in frozen_runs), 1),
         "unit": "MB RSS", "peer": "source tree",
         "peer_value": round(statistics.median(r["rss_mb"] for r in source_runs), 1), "note": "median of runs"},
        {"name": "frozen engine start to ready", "value": round(statistics.median(r for r, _ in engine_frozen), 3),
         "unit": "s", "peer": "source tree", "peer_value": round(statistics.median(r for r, _ in engine_source), 3),
         "note": f"AgentDesk engine, process start to its ready line, median of {RUNS}"},
        {"name": "frozen engine memory at ready", "value": round(statistics.median(m for _, m in engine_frozen), 1),
         "unit": "MB RSS", "peer": "source tree",
         "peer_value": round(statistics.median(m for _, m in engine_source), 1), "note": "Qt-free in both"},
    ]
    return rows


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
