"""Starts the phone engine process, talks to it, and restarts it when it dies (Qt-free; the UI wraps it).

    sup = EngineSupervisor(on_event)          # on_event(Event) runs on the supervisor's reader thread
    sup.start()
    sup.send(Configure(account={...}))        # -> the request id; the Reply arrives through on_event
    reply = sup.request(ListCalls())          # -> Reply; blocks (never on a GUI thread)
    sup.stop()

Commands and events are agentdesk.sip.protocol's typed messages. Besides the engine's own events, on_event
receives ``EngineState`` ``died`` (``code``, ``lost_calls``), ``restarted`` (``lost_calls``; after the last
configure and register were sent again) and ``failed`` (more than ``max_restarts`` deaths within a minute).
A line that does not fit the protocol is logged and dropped; an event of a newer engine arrives as UnknownEvent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO

from agentdesk.sip import protocol as P

log = logging.getLogger(__name__)

RESTART_WINDOW_S = 60.0
BACKOFF_START_S = 0.2
BACKOFF_MAX_S = 5.0


class EngineSupervisor:
    def __init__(self, on_event: Callable[[P.Event], None], argv: list[str] | None = None,
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
        self._pending: dict[str, tuple[threading.Event, list[P.Reply]]] = {}
        self._last_configure: P.Configure | None = None
        self._last_port: int | None = None  # reused after a restart: the registrar's old contact stays valid
        self._want_registered = False
        self._live_calls: set[int] = set()
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

    def _with_id(self, cmd: P.Command) -> P.Command:
        return cmd if cmd.id is not None else cmd.with_id(f"s{next(self._ids)}")

    def send(self, cmd: P.Command) -> str:
        """Send a command (an ``id`` is added when it has none) and return its id; never blocks on the engine."""
        cmd = self._with_id(cmd)
        cid = str(cmd.id)
        if isinstance(cmd, P.Configure):
            self._last_configure = cmd
        elif isinstance(cmd, P.Register):
            self._want_registered = True
        elif isinstance(cmd, P.Unregister):
            self._want_registered = False
        if not self._write(cmd):
            self._deliver(P.Reply(id=cmd.id, cmd=cmd.NAME or None, ok=False,
                                  error="the phone engine is not running"))
        return cid

    def request(self, cmd: P.Command, timeout: float = 5.0) -> P.Reply:
        """Send and wait for the reply (raises TimeoutError). Never call this on a GUI thread."""
        cmd = self._with_id(cmd)
        return self._await_reply(str(cmd.id), lambda: self.send(cmd) is not None, timeout,
                                 f"no reply from the phone engine to {cmd.NAME} within {timeout} s")

    def _request_raw(self, cmd: P.Command, timeout: float = 5.0) -> P.Reply:
        """Like request() but without remembering the command (used for re-applying after a restart)."""
        return self._await_reply(str(cmd.id), lambda: self._write(cmd), timeout, str(cmd.id))

    def _await_reply(self, cid: str, write: Callable[[], bool], timeout: float, what: str) -> P.Reply:
        """Register for the reply to ``cid``, write the command, and wait for the reply (TimeoutError)."""
        done = threading.Event()
        box: list[P.Reply] = []
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
            self._write(P.Quit(id="supervisor-quit"))
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

    def _write(self, cmd: P.Command) -> bool:
        proc = self._proc
        if proc is None or proc.poll() is not None or proc.stdin is None:
            return False
        data = P.encode(cmd).encode("utf-8")
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

    def _deliver(self, event: P.Event) -> None:
        if isinstance(event, P.Reply) and event.id is not None:
            with self._state_lock:
                waiter = self._pending.get(str(event.id))
            if waiter is not None:
                waiter[1].append(event)
                waiter[0].set()
        try:
            self.on_event(event)
        except Exception:
            log.exception("engine event handler failed on %s", event.NAME)

    def _track(self, event: P.Event) -> None:
        if isinstance(event, P.CallEvent):
            if event.state == "ended":
                self._live_calls.discard(event.call)
            else:
                self._live_calls.add(event.call)
        elif isinstance(event, P.EngineState) and event.state == "ready":
            self._ready.set()
        elif isinstance(event, P.Reply) and event.cmd == "configure" and event.ok:
            port = event.result.get("port")
            self._last_port = port if isinstance(port, int) else None

    def _read_until_eof(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise P.ProtocolError("not an object")
                event = P.decode_event(obj)
            except (json.JSONDecodeError, P.ProtocolError) as exc:
                log.warning("engine wrote a line outside the protocol (%s): %r", exc, line[:200])
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
            lost = sorted(self._live_calls)
            self._live_calls.clear()
            log.error("phone engine died (exit %s); calls lost: %s", code, lost)
            self._deliver(P.EngineState(state="died", code=code, lost_calls=lost))
            # fail any request still waiting for this engine
            with self._state_lock:
                pending = list(self._pending.items())
            for cid, (_, box) in pending:
                if not box:
                    self._deliver(P.Reply(id=cid, ok=False, error="the phone engine died"))
            if not self.restart:
                return
            now = time.monotonic()
            while self._restarts and now - self._restarts[0] > RESTART_WINDOW_S:
                self._restarts.popleft()
            if len(self._restarts) >= self.max_restarts:
                self._deliver(P.EngineState(state="failed", restarts=len(self._restarts),
                                            reason="the phone engine keeps dying"))
                return
            delay = min(BACKOFF_MAX_S, BACKOFF_START_S * (2 ** len(self._restarts)))
            self._restarts.append(now)
            if self._stopping.wait(delay):
                return
            try:
                self._spawn()
            except OSError as exc:
                self._deliver(P.EngineState(state="failed", reason=f"cannot start: {exc}"))
                return
            threading.Thread(target=self._reapply, args=(lost, self.generation), name="engine-reapply",
                             daemon=True).start()

    def _reapply(self, lost: list[int], generation: int) -> None:
        """After a restart: wait for ready, send the last configure and register again, then report."""
        if not self._ready.wait(15) or generation != self.generation or self._stopping.is_set():
            return
        last = self._last_configure
        if last is not None:
            ok = False
            if not last.sip.get("port") and self._last_port:
                same_port = dataclasses.replace(last, id=f"restart-configure-{generation}",
                                                sip={**last.sip, "port": self._last_port})
                with contextlib.suppress(TimeoutError):
                    ok = self._request_raw(same_port).ok
            if not ok:  # the old port is taken: any port will do
                with contextlib.suppress(TimeoutError):
                    self._request_raw(last.with_id(f"restart-configure2-{generation}"))
            if self._want_registered:
                self._write(P.Register(id=f"restart-register-{generation}"))
        self._deliver(P.EngineState(state="restarted", lost_calls=lost))
