"""Helpers for the frozen-app tests and benchmarks/packaging.py: build the bundle, run it, read its stderr.

The builder is packaging/build.py, loaded from its file: a ``packaging`` package would clash with the PyPI
``packaging`` library, so packaging/ is deliberately not an importable package.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "packaging" / "build.py"

# What a frozen app prints when something was left out of the bundle.
MISSING_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"ModuleNotFoundError",
        r"\bImportError\b",
        r"No module named",
        r"cannot open shared object",
        r"Could not (?:load|find) the Qt platform plugin",
        r"qt\.qpa\.plugin",
        r"Cannot load library",
        r"Failed to load (?:platform plugin|library|translation)",
        r"could not load translation",
        r"PortAudio library not found",
        r"PJSUA2 binary bindings are not staged",
        r"Traceback \(most recent call last\)",
        r"\[PYI-\d+:ERROR\]",
    )
]


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agentdesk_packaging_build", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def problems(text: str) -> list[str]:
    """Lines of ``text`` that show a missing module, library, plugin or translation."""
    return [line for line in text.splitlines() if any(p.search(line) for p in MISSING_PATTERNS)]


def frozen_env(**extra: str) -> dict[str, str]:
    """The environment for the frozen app: this one minus the Python variables a frozen app must not need."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    env.update(extra)
    return env


def run(exe: str, args: list[str], timeout: float = 60.0, env: dict[str, str] | None = None,
        cwd: Path | None = None, wrapper: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(wrapper or []), exe, *args], capture_output=True, text=True, timeout=timeout,
                          env=env or frozen_env(), cwd=cwd, check=False)


def startup(exe: str | list[str], env: dict[str, str], timeout: float = 60.0) -> dict[str, Any]:
    """Start the app with ``--benchmark-startup``; returns its JSON plus ``wall_s``: process start to the moment
    its JSON line arrives (what the agent waits for, including the bootloader and the imports that the app's own
    ``shown_s`` does not see), and its ``stderr``."""
    argv = [exe] if isinstance(exe, str) else list(exe)
    t0 = time.perf_counter()
    proc = subprocess.Popen([*argv, "--benchmark-startup"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout is not None
    watchdog = threading.Timer(timeout, proc.kill)  # bounds the read below if the app hangs silently
    watchdog.start()
    line, wall = None, None
    try:
        for raw in proc.stdout:
            if raw.startswith("{"):
                wall = time.perf_counter() - t0
                line = raw
                break
        rest, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, stderr = proc.communicate()
        raise RuntimeError(f"{argv} --benchmark-startup did not finish in {timeout}s:\n{stderr[-4000:]}") from None
    finally:
        watchdog.cancel()
    if proc.returncode != 0 or line is None or wall is None:
        raise RuntimeError(f"{argv} --benchmark-startup exited {proc.returncode} (JSON line: {line!r}):\n"
                           f"{rest}\n{stderr[-4000:]}")
    result: dict[str, Any] = json.loads(line)
    result["wall_s"] = wall
    result["stderr"] = stderr
    return result
