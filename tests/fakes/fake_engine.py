"""A fake phone engine PROCESS that speaks the engine's JSON Lines protocol (issue 3, docs/engine-protocol.md).

It behaves like ``agentdesk engine`` on the wire, without pjsua2: commands on stdin, events on stdout, every
command answered by a ``reply``. Tests steer the far side with extra commands that the real engine does not have
(all prefixed ``fake_``):

- ``fake_incoming`` (``remote``, ``headers``): a customer calls the agent;
- ``fake_remote_hangup`` (``call``): the customer hangs up;
- ``fake_crash``: the process exits at once with status 3 (as a native abort would).

Transfers: a target containing ``noanswer`` answers ``480`` (the customer stays with the agent); any other target
accepts (``100`` then ``200`` final) and the call ends with reason ``transferred``. The last transfer's headers
are kept and reported by ``fake_last_transfer``. A registrar containing ``down`` fails with 408.

    python -m tests.fakes.fake_engine
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

_out_lock = threading.Lock()


def emit(event: dict[str, Any]) -> None:
    with _out_lock:
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stdout.flush()


class FakeEngine:
    def __init__(self) -> None:
        self.account: dict[str, Any] = {}
        self.calls: dict[str, dict[str, Any]] = {}
        self.next_id = 1
        self.last_transfer: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.running = True

    def new_call(self, direction: str, remote: str, headers: dict[str, str]) -> str:
        cid = str(self.next_id)
        self.next_id += 1
        self.calls[cid] = {"direction": direction, "remote": remote, "headers": headers, "state": "incoming",
                           "held": False, "muted": False, "answered_at": None}
        return cid

    def call_event(self, cid: str, state: str, **extra: Any) -> None:
        call = self.calls[cid]
        call["state"] = state
        emit({"event": "call", "call": cid, "direction": call["direction"], "state": state,
              "remote": call["remote"], "headers": call["headers"], **extra})

    def handle(self, cmd: dict[str, Any]) -> None:
        name = cmd.get("cmd")
        cid = str(cmd.get("call", "")) or next(iter(self.calls), "")
        ok, error, extra = True, "", {}
        try:
            if name == "configure":
                self.account = dict(cmd.get("account") or {})
            elif name == "register":
                registrars = self.account.get("registrars") or []
                if not registrars:
                    ok, error = False, "not configured"
                else:
                    reg = registrars[0]
                    threading.Timer(0.05, self._register, args=(reg,)).start()
            elif name == "unregister":
                emit({"event": "registration", "state": "unregistered", "registrar": "", "code": 200,
                      "reason": "OK"})
            elif name == "call":
                new = self.new_call("outgoing", str(cmd.get("uri", "")), dict(cmd.get("headers") or {}))
                extra = {"call": new}
                self.call_event(new, "calling")
                threading.Timer(0.1, self._connect, args=(new,)).start()
            elif name in ("answer", "reject", "hangup", "hold", "unhold", "mute", "unmute", "dtmf", "transfer",
                          "stats", "consult", "complete_transfer", "cancel_transfer"):
                if cid not in self.calls:
                    ok, error = False, "no such call"
                else:
                    extra = getattr(self, "do_" + name)(cid, cmd) or {}
            elif name == "fake_incoming":
                new = self.new_call("incoming", str(cmd.get("remote", "sip:center@127.0.0.1")),
                                    dict(cmd.get("headers") or {}))
                extra = {"call": new}
                self.call_event(new, "incoming")
            elif name == "fake_remote_hangup":
                if cid in self.calls:
                    self.call_event(cid, "ended", code=200, reason="remote hangup")
                    del self.calls[cid]
            elif name == "fake_last_transfer":
                extra = {"transfer": self.last_transfer}
            elif name == "fake_crash":
                sys.stdout.flush()
                import os
                os._exit(3)
            elif name == "quit":
                self.running = False
            else:
                ok, error = False, f"unknown command {name!r}"
        except Exception as exc:  # the fake never dies on a bad command, like the real engine
            ok, error = False, str(exc)
        reply: dict[str, Any] = {"event": "reply", "id": cmd.get("id"), "ok": ok, **extra}
        if not ok:
            reply["error"] = error
        emit(reply)

    def _register(self, registrar: str) -> None:
        if "down" in registrar:
            emit({"event": "registration", "state": "failed", "registrar": registrar, "code": 408,
                  "reason": "Request Timeout"})
        else:
            emit({"event": "registration", "state": "registered", "registrar": registrar, "code": 200,
                  "reason": "OK"})

    def _connect(self, cid: str) -> None:
        with self.lock:
            if cid in self.calls:
                self.calls[cid]["answered_at"] = time.time()
                self.call_event(cid, "connected")

    def do_answer(self, cid: str, cmd: dict[str, Any]) -> None:
        self.calls[cid]["answered_at"] = time.time()
        self.call_event(cid, "connected")

    def do_reject(self, cid: str, cmd: dict[str, Any]) -> None:
        self.call_event(cid, "ended", code=int(cmd.get("code", 486)), reason="rejected")
        del self.calls[cid]

    def do_hangup(self, cid: str, cmd: dict[str, Any]) -> None:
        self.call_event(cid, "ended", code=200, reason="local hangup")
        del self.calls[cid]

    def do_hold(self, cid: str, cmd: dict[str, Any]) -> None:
        self.calls[cid]["held"] = True
        self.call_event(cid, "held")

    def do_unhold(self, cid: str, cmd: dict[str, Any]) -> None:
        self.calls[cid]["held"] = False
        self.call_event(cid, "connected")

    def do_mute(self, cid: str, cmd: dict[str, Any]) -> None:
        self.calls[cid]["muted"] = True

    def do_unmute(self, cid: str, cmd: dict[str, Any]) -> None:
        self.calls[cid]["muted"] = False

    def do_dtmf(self, cid: str, cmd: dict[str, Any]) -> None:
        emit({"event": "dtmf", "call": cid, "digits": str(cmd.get("digits", "")), "direction": "sent"})

    def do_stats(self, cid: str, cmd: dict[str, Any]) -> None:
        emit({"event": "stats", "call": cid, "codec": "G722/16000", "rtt_ms": 12.0, "jitter_ms": 2.0,
              "loss_percent": 0.0, "mos": 4.4})

    def do_transfer(self, cid: str, cmd: dict[str, Any]) -> None:
        target = str(cmd.get("target", ""))
        self.last_transfer = {"call": cid, "target": target, "headers": dict(cmd.get("headers") or {})}
        threading.Timer(0.1, self._transfer_progress, args=(cid, target)).start()

    def do_consult(self, cid: str, cmd: dict[str, Any]) -> dict[str, Any]:
        """Attended (warm) escalation: the customer is held, a consultation call goes to the target."""
        uri = str(cmd.get("uri", ""))
        self.calls[cid]["held"] = True
        self.call_event(cid, "held")
        new = self.new_call("outgoing", uri, dict(cmd.get("headers") or {}))
        self.calls[new]["consult_of"] = cid
        self.last_transfer = {"call": cid, "target": uri, "headers": dict(cmd.get("headers") or {}),
                              "mode": "warm"}
        self.call_event(new, "calling", consult_for=cid)
        threading.Timer(0.1, self._consult_progress, args=(new, uri)).start()
        return {"call": new, "consult_for": cid}

    def _consult_progress(self, new: str, uri: str) -> None:
        with self.lock:
            if new not in self.calls:
                return
            self.call_event(new, "ringing")
        time.sleep(0.1)
        with self.lock:
            if new not in self.calls:
                return
            if "noanswer" in uri:
                self.call_event(new, "ended", code=480, reason="Temporarily Unavailable")
                del self.calls[new]
            else:
                self.call_event(new, "connected")

    def do_complete_transfer(self, cid: str, cmd: dict[str, Any]) -> None:
        consult = str(cmd.get("consult", ""))
        if consult not in self.calls:
            raise ValueError("the consultation call is not connected")
        emit({"event": "transfer", "call": cid, "code": 200, "final": True})
        for c in (cid, consult):
            self.call_event(c, "ended", code=200, reason="transferred")
            del self.calls[c]

    def do_cancel_transfer(self, cid: str, cmd: dict[str, Any]) -> None:
        for c, call in list(self.calls.items()):
            if call.get("consult_of") == cid:
                self.call_event(c, "ended", code=200, reason="cancelled")
                del self.calls[c]
        if self.calls[cid]["held"]:
            self.calls[cid]["held"] = False
            self.call_event(cid, "connected")

    def _transfer_progress(self, cid: str, target: str) -> None:
        with self.lock:
            if cid not in self.calls:
                return
            emit({"event": "transfer", "call": cid, "code": 100, "final": False})
        time.sleep(0.15)
        with self.lock:
            if cid not in self.calls:
                return
            if "noanswer" in target:
                emit({"event": "transfer", "call": cid, "code": 480, "final": True})
            else:
                emit({"event": "transfer", "call": cid, "code": 200, "final": True})
                self.call_event(cid, "ended", code=200, reason="transferred")
                del self.calls[cid]

    def stats_loop(self) -> None:
        while self.running:
            time.sleep(1.0)
            with self.lock:
                for cid, call in list(self.calls.items()):
                    if call["state"] == "connected":
                        self.do_stats(cid, {})


def main() -> int:
    engine = FakeEngine()
    emit({"event": "engine", "state": "ready", "protocol": 1})
    threading.Thread(target=engine.stats_loop, daemon=True).start()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            emit({"event": "reply", "id": None, "ok": False, "error": f"bad JSON: {exc}"})
            continue
        with engine.lock:
            engine.handle(cmd)
        if not engine.running:
            break
    engine.running = False
    return 0


if __name__ == "__main__":
    sys.exit(main())
