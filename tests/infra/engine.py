"""A test driver for the real phone engine process (``python -m agentdesk engine``).

    eng = EngineProcess(workdir).start()
    rid = eng.send({"cmd": "configure", ...}); eng.reply(rid)          # or: eng.command({...}) -> reply, asserts ok
    ev = eng.wait_event({"event": "call", "state": "incoming"})          # dict subset, or a predicate
    mark = eng.mark(); ...; eng.wait_event({...}, after=mark)            # only events after the mark
    eng.stop()

The fixture ``engine_factory`` (tests/conftest.py) starts them and attaches each engine's log to a failing test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentdesk.sip import protocol as P
from tests.infra.kamailio import DOMAIN, PASSWORD, Kamailio

ROOT = Path(__file__).resolve().parents[2]
Match = dict[str, Any] | Callable[[dict[str, Any]], bool]


def matches(event: dict[str, Any], want: Match) -> bool:
    if callable(want):
        return bool(want(event))
    return all(event.get(k) == v for k, v in want.items())


def account_config(user: str, registrars: list[Kamailio] | Kamailio, password: str | None = None,
                   transport: str = "udp", **extra: Any) -> dict[str, Any]:
    """A ``configure`` command for ``user@agentdesk.test`` at the given Kamailio instance(s), on loopback."""
    regs = registrars if isinstance(registrars, list) else [registrars]
    account: dict[str, Any] = {"user": user, "domain": DOMAIN, "registrars": [k.uri_for(transport) for k in regs],
                               "transport": transport}
    if password is not None:
        account["password"] = password
    sip: dict[str, Any] = {"bind": "127.0.0.1", "port": 0}
    tls = regs[0].tls
    if transport == "tls" and tls is not None and tls.ca is not None:
        sip["tls"] = {"ca": str(tls.ca), "server_name": tls.server_name}  # the provisioned CA and host name
    sip.update(extra.pop("sip", {}))
    account.update(extra.pop("account", {}))
    cmd: dict[str, Any] = {"cmd": "configure", "account": account, "sip": sip}
    cmd.update(extra)
    return cmd


class EngineProcess:
    def __init__(self, workdir: Path, env: dict[str, str] | None = None, name: str = "engine",
                 argv: list[str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.name = name
        self.env = env
        self.argv = argv or [sys.executable, "-m", "agentdesk", "engine"]
        self.stderr_path = self.workdir / f"{name}-stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.events: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        self._next_id = 0
        self._reader: threading.Thread | None = None
        self.ready_event: dict[str, Any] | None = None
        self.port: int | None = None  # the engine's SIP port after configure

    # ---- process ----------------------------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> EngineProcess:
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.setdefault("AGENTDESK_DEBUG", "1")  # SIP messages in the log attached to a failing test
        # As on Windows, whose pjsua2 wheel has no TLS: TLS is the engine's own relay (Python's ssl) unless a test
        # asks for pjsip's TLS explicitly (env AGENTDESK_PJSIP_TLS=1 and sip.tls.stack "pjsip")
        env.setdefault("AGENTDESK_PJSIP_TLS", "0")
        self._stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=env, cwd=self.workdir, start_new_session=True)
        self._reader = threading.Thread(target=self._read, name=f"{self.name}-events", daemon=True)
        self._reader.start()
        self.ready_event = self.wait_event({"event": "engine", "state": "ready"}, timeout)
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"event": "garbage", "line": line}  # a test asserts none of these appear
            event["_t"] = time.monotonic()
            with self.cond:
                self.events.append(event)
                self.cond.notify_all()
        with self.cond:
            self.events.append({"event": "eof", "_t": time.monotonic()})
            self.cond.notify_all()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        """Quit politely, then kill; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.send({"cmd": "quit"})
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(Exception):
            self.proc.stdin.close()  # type: ignore[union-attr]
        if self._reader is not None:
            self._reader.join(2)
        self._stderr.close()
        return self.proc.returncode

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)

    # ---- commands and events ----------------------------------------------------------------------------------
    def send(self, cmd: dict[str, Any] | P.Command) -> Any:
        """Send a command (a dict as typed by hand, or a protocol command); returns its id."""
        assert self.proc is not None and self.proc.stdin is not None
        cmd = cmd.to_json() if isinstance(cmd, P.Command) else dict(cmd)
        if "id" not in cmd:
            self._next_id += 1
            cmd["id"] = f"{self.name}-{self._next_id}"
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        self.proc.stdin.flush()
        return cmd["id"]

    def reply(self, cid: Any, timeout: float = 10.0) -> dict[str, Any]:
        return self.wait_event(lambda e: e.get("event") == "reply" and e.get("id") == cid, timeout)

    def command(self, cmd: dict[str, Any], timeout: float = 10.0, ok: bool = True) -> dict[str, Any]:
        """Send and wait for the reply; asserts its ``ok`` is as expected."""
        rep = self.reply(self.send(cmd), timeout)
        assert rep.get("ok") is ok, f"{cmd.get('cmd')}: {rep}"
        if cmd.get("cmd") == "configure" and rep.get("ok"):
            self.port = rep.get("port")
        return rep

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def wait_event(self, want: Match, timeout: float = 10.0, after: int = 0) -> dict[str, Any]:
        """The first event (from index ``after``) matching ``want``; AssertionError naming what came instead."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events[after:]:
                    if matches(event, want):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: no event matching {want} within {timeout}s; "
                                         f"events: {self.events[after:][-15:]}")
                self.cond.wait(min(left, 0.2))

    def find(self, want: Match, after: int = 0) -> list[dict[str, Any]]:
        with self.cond:
            return [e for e in self.events[after:] if matches(e, want)]

    @staticmethod
    def typed(event: dict[str, Any]) -> P.Event:
        """A recorded event as the protocol decodes it (what the supervisor delivers to the desk)."""
        return P.decode_event({k: v for k, v in event.items() if k != "_t"})

    # ---- conveniences -----------------------------------------------------------------------------------------
    def register(self, user: str, registrars: list[Kamailio] | Kamailio, password: str | None = None,
                 timeout: float = 10.0, **extra: Any) -> dict[str, Any]:
        """configure + register; returns the ``registered`` event."""
        self.command(account_config(user, registrars, password, **extra))
        mark = self.mark()
        self.command({"cmd": "register"})
        return self.wait_event({"event": "registration", "state": "registered"}, timeout, after=mark)

    def log(self) -> str:
        parts = []
        with contextlib.suppress(OSError):
            parts.append(self.stderr_path.read_text(errors="replace")[-30000:])
        with self.cond:
            parts.append("events:\n" + "\n".join(json.dumps(e, default=str) for e in self.events[-60:]))
        return "\n".join(parts)


__all__ = ["DOMAIN", "PASSWORD", "EngineProcess", "account_config", "matches"]
