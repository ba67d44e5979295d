"""Starts the phone engine process, talks to it, and restarts it when it dies (Qt-free; the UI wraps it).

    sup = EngineSupervisor(on_event)          # on_event runs on the supervisor's reader thread
    sup.start()
    sup.send({"cmd": "configure", ...})       # -> id; the reply arrives through on_event
    reply = sup.request({"cmd": "calls"})     # blocks (never on a GUI thread)
    sup.stop()

Besides the engine's own events, on_event receives {"event": "engine", "state": "died", "code": ...},
{"event": "engine", "state": "restarted", "lost_calls": [...]} (after the last configure and register were sent
again) and {"event": "engine", "state": "failed"} when it died more than ``max_restarts`` times within a minute.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

RESTART_WINDOW_S = 60.0
BACKOFF_START_S = 0.2
BACKOFF_MAX_S = 5.0


class EngineSupervisor:
    def __init__(self, on_event: Callable[[dict], None], argv: list[str] | None = None,
                 env: dict[str, str] | None = None, restart: bool = True, max_restarts: int = 5) -> None:
        self.on_event = on_event
        if argv is None:
            # a frozen app (PyInstaller) is its own interpreter: "AgentDesk.exe engine"
            argv = [sys.executable, "engine"] if getattr(sys, "frozen", False) else \
                [sys.executable, "-m", "agentdesk", "engine"]
        self.argv = argv
        self.env = env
        self.restart = restart
        self.max_restarts = max_restarts
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[str, tuple[threading.Event, list[dict]]] = {}
        self._last_configure: dict | None = None
        self._last_port: int | None = None  # reused after a restart: the registrar's old contact stays valid
        self._want_registered = False
        self._live_calls: set[Any] = set()
        self._stopping = threading.Event()
        self._restarts: deque[float] = deque()
        self._monitor: threading.Thread | None = None
        self._ready = threading.Event()
        self.stderr_tail: deque[str] = deque(maxlen=200)
        self.generation = 0

    # ---- public API -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the engine and the reader thread; returns at once (the ready event arrives through on_event)."""
        if self._monitor is not None:
            raise RuntimeError("already started")
        self._stopping.clear()
        self._spawn()
        self._monitor = threading.Thread(target=self._run, name="engine-supervisor", daemon=True)
        self._monitor.start()

    def send(self, cmd: dict) -> str:
        """Send a command (an ``id`` is added when missing) and return its id; never blocks on the engine."""
        cmd = dict(cmd)
        if cmd.get("id") is None:
            cmd["id"] = f"s{next(self._ids)}"
        cid = str(cmd["id"]) if not isinstance(cmd["id"], str) else cmd["id"]
        name = cmd.get("cmd")
        if name == "configure":
            self._last_configure = dict(cmd)
        elif name == "register":
            self._want_registered = True
        elif name == "unregister":
            self._want_registered = False
        if not self._write(cmd):
            self._deliver({"event": "reply", "id": cmd["id"], "cmd": name, "ok": False,
                           "error": "the phone engine is not running"})
        return cid

    def request(self, cmd: dict, timeout: float = 5.0) -> dict:
        """Send and wait for the reply (raises TimeoutError). Never call this on a GUI thread."""
        cmd = dict(cmd)
        if cmd.get("id") is None:
            cmd["id"] = f"s{next(self._ids)}"
        return self._await_reply(str(cmd["id"]), lambda: self.send(cmd) is not None, timeout,
                                 f"no reply from the phone engine to {cmd.get('cmd')} within {timeout} s")

    def _request_raw(self, cmd: dict, timeout: float = 5.0) -> dict:
        """Like request() but without remembering the command (used for re-applying after a restart)."""
        return self._await_reply(str(cmd["id"]), lambda: self._write(cmd), timeout, str(cmd["id"]))

    def _await_reply(self, cid: str, write: Callable[[], bool], timeout: float, what: str) -> dict:
        """Register for the reply to ``cid``, write the command, and wait for the reply (TimeoutError)."""
        done = threading.Event()
        box: list[dict] = []
        with self._state_lock:
            self._pending[cid] = (done, box)
        try:
            if not write() or not done.wait(timeout):
                raise TimeoutError(what)
            return box[0]
        finally:
            with self._state_lock:
                self._pending.pop(cid, None)

    def stop(self, timeout: float = 2.0) -> None:
        """Quit the engine (quit, then close stdin, then kill) and stop supervising."""
        self._stopping.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self._write({"cmd": "quit", "id": "supervisor-quit"})
            with contextlib.suppress(Exception):
                proc.wait(timeout)
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # type: ignore[union-attr]
                with contextlib.suppress(Exception):
                    proc.wait(0.5)
            if proc.poll() is None:
                proc.kill()
                with contextlib.suppress(Exception):
                    proc.wait(2)
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout + 1)
        self._monitor = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # ---- internals --------------------------------------------------------------------------------------------
    def _spawn(self) -> None:
        self._ready.clear()
        self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=self.env, bufsize=0)
        self.generation += 1
        threading.Thread(target=self._drain_stderr, args=(self._proc.stderr,), name="engine-stderr",
                         daemon=True).start()

    def _write(self, cmd: dict) -> bool:
        proc = self._proc
        if proc is None or proc.poll() is not None or proc.stdin is None:
            return False
        data = (json.dumps(cmd, ensure_ascii=False) + "\n").encode("utf-8")
        with self._write_lock:
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def _drain_stderr(self, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        with contextlib.suppress(Exception):
            for raw in stream:
                self.stderr_tail.append(raw.decode("utf-8", errors="replace").rstrip())

    def _deliver(self, event: dict) -> None:
        if event.get("event") == "reply" and event.get("id") is not None:
            with self._state_lock:
                waiter = self._pending.get(str(event["id"]))
            if waiter is not None:
                waiter[1].append(event)
                waiter[0].set()
        try:
            self.on_event(event)
        except Exception:
            log.exception("engine event handler failed on %s", event.get("event"))

    def _track(self, event: dict) -> None:
        if event.get("event") == "call" and "call" in event:
            if event.get("state") == "ended":
                self._live_calls.discard(event["call"])
            else:
                self._live_calls.add(event["call"])
        elif event.get("event") == "engine" and event.get("state") == "ready":
            self._ready.set()
        elif event.get("event") == "reply" and event.get("cmd") == "configure" and event.get("ok"):
            self._last_port = event.get("port")

    def _read_until_eof(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.warning("engine wrote a non-JSON line: %r", line[:200])
                continue
            if not isinstance(event, dict):
                continue
            self._track(event)
            self._deliver(event)

    def _run(self) -> None:
        while True:
            proc = self._proc
            assert proc is not None
            self._read_until_eof(proc)
            try:
                code = proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait(5)
            if self._stopping.is_set():
                return
            lost = sorted(self._live_calls, key=str)
            self._live_calls.clear()
            log.error("phone engine died (exit %s); calls lost: %s", code, lost)
            self._deliver({"event": "engine", "state": "died", "code": code, "lost_calls": lost})
            # fail any request still waiting for this engine
            with self._state_lock:
                pending = list(self._pending.items())
            for cid, (_, box) in pending:
                if not box:
                    self._deliver({"event": "reply", "id": cid, "ok": False, "error": "the phone engine died"})
            if not self.restart:
                return
            now = time.monotonic()
            while self._restarts and now - self._restarts[0] > RESTART_WINDOW_S:
                self._restarts.popleft()
            if len(self._restarts) >= self.max_restarts:
                self._deliver({"event": "engine", "state": "failed", "restarts": len(self._restarts),
                               "reason": "the phone engine keeps dying"})
                return
            delay = min(BACKOFF_MAX_S, BACKOFF_START_S * (2 ** len(self._restarts)))
            self._restarts.append(now)
            if self._stopping.wait(delay):
                return
            try:
                self._spawn()
            except OSError as exc:
                self._deliver({"event": "engine", "state": "failed", "reason": f"cannot start: {exc}"})
                return
            threading.Thread(target=self._reapply, args=(lost, self.generation), name="engine-reapply",
                             daemon=True).start()

    def _reapply(self, lost: list[Any], generation: int) -> None:
        """After a restart: wait for ready, send the last configure and register again, then report."""
        if not self._ready.wait(15) or generation != self.generation or self._stopping.is_set():
            return
        if self._last_configure is not None:
            cmd = dict(self._last_configure)
            cmd["id"] = f"restart-configure-{generation}"
            sip = dict(cmd.get("sip") or {})
            reply: dict = {}
            if not sip.get("port") and self._last_port:
                cmd["sip"] = dict(sip, port=self._last_port)
                with contextlib.suppress(TimeoutError):
                    reply = self._request_raw(cmd)
            if not reply.get("ok"):  # the old port is taken: any port will do
                cmd = dict(self._last_configure, id=f"restart-configure2-{generation}")
                with contextlib.suppress(TimeoutError):
                    self._request_raw(cmd)
            if self._want_registered:
                self._write({"cmd": "register", "id": f"restart-register-{generation}"})
        self._deliver({"event": "engine", "state": "restarted", "lost_calls": lost})
