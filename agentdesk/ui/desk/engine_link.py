"""The desk's link to the phone engine process (Qt-free; events reach Qt through QtBridge in the controller).

The desk drives anything with the supervisor interface of issue 3::

    sup = EngineSupervisor(on_event, argv=None, env=None, restart=True)
    sup.start(); sup.send(cmd) -> id; sup.request(cmd, timeout) -> reply; sup.stop()

``on_event`` runs on a reader thread and also receives synthetic ``{"event": "engine", "state": "died" |
"restarted" | "failed", "lost_calls": [...]}``. :func:`make_engine` returns ``agentdesk.sip.supervisor.
EngineSupervisor`` when the engine package provides it, otherwise :class:`EngineProcess`, a small supervisor with
the same interface (it is also what tests use to run the fake engine process).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)
EventHandler = Callable[[dict[str, Any]], None]


class EngineLike(Protocol):
    def start(self) -> Any: ...
    def send(self, cmd: dict[str, Any]) -> Any: ...
    def request(self, cmd: dict[str, Any], timeout: float = ...) -> dict[str, Any]: ...
    def stop(self) -> Any: ...


def default_argv() -> list[str]:
    return [sys.executable, "-m", "agentdesk", "engine"]


class EngineProcess:
    """Start the engine with pipes, read its events on a thread, restart it (at most 3 times) if it dies."""

    MAX_RESTARTS = 3

    def __init__(self, on_event: EventHandler, argv: list[str] | None = None, env: dict[str, str] | None = None,
                 restart: bool = True) -> None:
        self.on_event = on_event
        self.argv = argv or default_argv()
        self.env = env
        self.restart = restart
        self.proc: subprocess.Popen[str] | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[Any, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self._restarts = 0
        self._configure: dict[str, Any] | None = None
        self._registered = False
        self._calls: set[str] = set()

    def start(self) -> EngineProcess:
        self._stopping = False
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                     text=True, encoding="utf-8", bufsize=1, env=self.env)
        threading.Thread(target=self._read, args=(self.proc,), name="engine-reader", daemon=True).start()
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def send(self, cmd: dict[str, Any]) -> Any:
        cmd = dict(cmd)
        cmd.setdefault("id", next(self._ids))
        if cmd.get("cmd") == "configure":
            self._configure = cmd
        elif cmd.get("cmd") == "register":
            self._registered = True
        elif cmd.get("cmd") == "unregister":
            self._registered = False
        self._write(cmd)
        return cmd["id"]

    def _write(self, cmd: dict[str, Any]) -> None:
        proc = self.proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            raise RuntimeError("the phone engine is not running")
        with self._lock:
            proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
            proc.stdin.flush()

    def request(self, cmd: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        cmd = dict(cmd)
        cmd.setdefault("id", next(self._ids))
        done = threading.Event()
        box: list[dict[str, Any]] = []
        self._waiting[cmd["id"]] = (done, box)
        try:
            self.send(cmd)
            if not done.wait(timeout):
                raise TimeoutError(f"no reply to {cmd.get('cmd')} within {timeout} s")
            return box[0]
        finally:
            self._waiting.pop(cmd["id"], None)

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                log.warning("engine wrote a non-JSON line: %.200s", line)
                continue
            if not isinstance(event, dict):
                continue
            if event.get("event") == "reply" and event.get("id") in self._waiting:
                done, box = self._waiting[event["id"]]
                box.append(event)
                done.set()
            if event.get("event") == "call":
                cid = str(event.get("call"))
                if event.get("state") == "ended":
                    self._calls.discard(cid)
                else:
                    self._calls.add(cid)
            self._deliver(event)
        proc.wait()
        if self._stopping or proc is not self.proc:
            return
        lost = sorted(self._calls)
        self._calls.clear()
        self._deliver({"event": "engine", "state": "died", "code": proc.returncode, "lost_calls": lost})
        if not self.restart or self._restarts >= self.MAX_RESTARTS:
            self._deliver({"event": "engine", "state": "failed", "lost_calls": lost})
            return
        self._restarts += 1
        try:
            self.start()
            if self._configure:
                self._write({**self._configure, "id": next(self._ids)})
            if self._registered:
                self._write({"cmd": "register", "id": next(self._ids)})
            self._deliver({"event": "engine", "state": "restarted", "lost_calls": lost})
        except (OSError, RuntimeError) as exc:
            log.error("could not restart the engine: %s", exc)
            self._deliver({"event": "engine", "state": "failed", "lost_calls": lost})

    def _deliver(self, event: dict[str, Any]) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("engine event handler failed")

    def stop(self, timeout: float = 3.0) -> None:
        self._stopping = True
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(Exception):
                self._write({"cmd": "quit", "id": next(self._ids)})
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]


def make_engine(on_event: EventHandler, argv: list[str] | None = None,
                env: dict[str, str] | None = None) -> EngineLike:
    try:
        from agentdesk.sip.supervisor import EngineSupervisor  # the engine package's, once it exists
    except ImportError:
        return EngineProcess(on_event, argv=argv, env=env)
    return EngineSupervisor(on_event, argv=argv, env=env, restart=True)
