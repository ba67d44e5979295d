"""Drive tests/audio/harness.py: a subprocess speaking JSON Lines."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class HarnessProcess:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self._q: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stderr_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"audio-harness-{os.getpid()}-{id(self)}.log"
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.audio.harness"], cwd=ROOT,
                                     env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)},
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            self.events.append(ev)
            self._q.put(ev)

    def send(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                ev = self._q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if pred(ev):
                return ev
            if ev.get("event") == "error":
                raise AssertionError(f"harness error: {ev}")
        raise TimeoutError(f"no matching event in {timeout} s; last: {self.events[-5:]}\n{self.log()[-3000:]}")

    def request(self, cmd: str, timeout: float = 10.0, **args: Any) -> dict[str, Any]:
        self.send(cmd=cmd, **args)
        return self.wait_for(lambda e: e.get("event") in ("reply", "error") and e.get("cmd") == cmd, timeout)

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def close(self, timeout: float = 10.0) -> int | None:
        if self.proc.poll() is None:
            try:
                self.send(cmd="quit")
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        self._err.close()
        return self.proc.returncode
