"""A fake phone engine PROCESS that speaks the engine's protocol (agentdesk/sip/protocol.py) without pjsua2.

Commands arrive on stdin and are decoded by the same protocol module as the real engine's; events leave through
the same encoder, so the fake cannot say anything the real engine could not. Call ids are integers, unique for
the life of the process, as in the real engine. ``tests/engine/test_contract.py`` runs the behaviour both share
against this fake and the real engine.

Tests steer the far side with commands the real engine does not have (all prefixed ``fake_``; typed below):

- :class:`FakeIncoming` (``remote``, ``headers``): a customer calls the agent;
- :class:`FakeRemoteHangup` (``call``): the customer hangs up;
- :class:`FakeLastTransfer`: the reply's ``transfer`` holds the last transfer's call, target, headers;
- :class:`FakeCrash`: the process exits at once with status 3 (as a native abort would).

Transfers: a target containing ``noanswer`` answers ``480`` (the customer stays with the agent); any other target
accepts (``100`` then ``200`` final) and the call ends. A registrar containing ``down`` fails with 408.

    python -m tests.fakes.fake_engine
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from agentdesk import __version__
from agentdesk.sip import protocol as P


@dataclass(frozen=True, kw_only=True)
class FakeIncoming(P.Command):
    NAME = "fake_incoming"
    remote: str = "sip:center@127.0.0.1"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class FakeRemoteHangup(P.Command):
    NAME = "fake_remote_hangup"
    call: int | None = P.optional()


@dataclass(frozen=True, kw_only=True)
class FakeLastTransfer(P.Command):
    NAME = "fake_last_transfer"


@dataclass(frozen=True, kw_only=True)
class FakeCrash(P.Command):
    NAME = "fake_crash"


FAKE_COMMANDS: dict[str, type[P.Command]] = {c.NAME: c for c in (FakeIncoming, FakeRemoteHangup, FakeLastTransfer,
                                                                  FakeCrash)}
_out_lock = threading.Lock()


def emit(event: P.Event) -> None:
    with _out_lock:
        sys.stdout.write(P.encode(event))
        sys.stdout.flush()


@dataclass
class FakeCall:
    number: int
    direction: str
    remote: str
    headers: dict[str, str]
    state: P.CallStateName = "incoming"
    held: bool = False
    consult_of: int | None = None
    answered_at: float | None = None


class FakeEngine:
    def __init__(self) -> None:
        self.account: P.JsonObject = {}
        self.calls: dict[int, FakeCall] = {}
        self.next_id = 1
        self.last_transfer: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.running = True
        self.muted = False
        self.registered_at = ""

    # ---- calls ------------------------------------------------------------------------------------------------
    def new_call(self, direction: str, remote: str, headers: dict[str, str]) -> FakeCall:
        call = FakeCall(self.next_id, direction, remote, headers)
        self.next_id += 1
        self.calls[call.number] = call
        return call

    def call_event(self, call: FakeCall, state: P.CallStateName, **extra: Any) -> None:
        call.state = state
        emit(P.CallEvent(call=call.number, direction="incoming" if call.direction == "incoming" else "outgoing",
                         state=state, remote=call.remote, headers=call.headers, **extra))
        if state == "ended":
            self.calls.pop(call.number, None)

    def get_call(self, number: int | None) -> FakeCall:
        if number is None:
            if len(self.calls) == 1:
                return next(iter(self.calls.values()))
            raise P.CommandError('which call? give "call"' if self.calls else "there is no call")
        call = self.calls.get(number)
        if call is None:
            raise P.CommandError(f"no such call: {number}")
        return call

    # ---- commands ---------------------------------------------------------------------------------------------
    def handle(self, obj: P.JsonObject) -> None:
        name = str(obj.get("cmd"))
        cid = obj.get("id")
        try:
            cmd = P.decode_command(obj)
            if isinstance(cmd, P.UnknownCommand) and name in FAKE_COMMANDS:
                cmd = FAKE_COMMANDS[name].from_json(obj)
            handler = getattr(self, "do_" + name, None)
            if handler is None or cmd.AUDIO:
                raise P.CommandError("unknown command")
            result = handler(cmd) or {}
            reply = P.Reply(id=cid, cmd=name, ok=True, result=result)
        except (P.CommandError, ValueError) as exc:
            reply = P.Reply(id=cid, cmd=name, ok=False, error=str(exc))
        emit(reply)

    def do_configure(self, cmd: P.Configure) -> dict[str, Any]:
        account = cmd.account
        if not account.get("user") or not account.get("domain"):
            raise P.CommandError('the account needs "user" and "domain"')
        if not account.get("registrars"):
            raise P.CommandError("the account needs at least one registrar")
        self.account = dict(account)
        return {"port": 5060, "transport": str(account.get("transport") or "udp"),
                "audio": str((cmd.audio or {}).get("backend") or "null")}

    def do_register(self, cmd: P.Register) -> dict[str, Any]:
        registrars = self.account.get("registrars")
        if not isinstance(registrars, list) or not registrars:
            raise P.CommandError("not configured: send configure first")
        registrar = str(registrars[0])
        threading.Timer(0.05, self._register, args=(registrar,)).start()
        return {"registrar": registrar}

    def _register(self, registrar: str) -> None:
        with self.lock:
            if "down" in registrar:
                emit(P.Registration(state="failed", registrar=registrar, code=408, reason="Request Timeout"))
            else:
                self.registered_at = registrar
                emit(P.Registration(state="registered", registrar=registrar, code=200, reason="OK", expires=300,
                                    primary=True))

    def do_unregister(self, cmd: P.Unregister) -> dict[str, Any]:
        if not self.account:
            raise P.CommandError("not configured: send configure first")
        emit(P.Registration(state="unregistered", registrar=self.registered_at or None, code=200,
                            reason="not registered"))
        return {}

    def do_call(self, cmd: P.Dial) -> dict[str, Any]:
        if not self.account:
            raise P.CommandError("not configured: send configure first")
        call = self.new_call("outgoing", cmd.uri, dict(cmd.headers))
        self.call_event(call, "calling")
        threading.Timer(0.1, self._connect, args=(call.number,)).start()
        return {"call": call.number}

    def _connect(self, number: int) -> None:
        with self.lock:
            call = self.calls.get(number)
            if call is not None:
                call.answered_at = time.monotonic()
                self.call_event(call, "connected")

    def do_answer(self, cmd: P.Answer) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if call.direction != "incoming" or call.state != "incoming":
            raise P.CommandError(f"call {call.number} is not ringing")
        held = []
        for other in list(self.calls.values()):
            if other is not call and other.state == "connected":
                other.held = True
                self.call_event(other, "held", by="local")
                held.append(other.number)
        call.answered_at = time.monotonic()
        self.call_event(call, "connected")
        return {"call": call.number, "held": held}

    def do_reject(self, cmd: P.Reject) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if call.state != "incoming":
            raise P.CommandError(f"call {call.number} is not ringing")
        code = 486 if cmd.code is None else cmd.code
        if not 400 <= code <= 699:
            raise P.CommandError("reject code must be 400-699")
        self.call_event(call, "ended", code=code, reason="Busy Here", duration=0.0)
        return {"call": call.number}

    def _duration(self, call: FakeCall) -> float:
        return round(time.monotonic() - call.answered_at, 3) if call.answered_at else 0.0

    def do_hangup(self, cmd: P.Hangup) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        code = 603 if call.state == "incoming" else 200
        self.call_event(call, "ended", code=code, reason="Decline" if code == 603 else "Normal call clearing",
                        duration=self._duration(call))
        return {"call": call.number}

    def do_hold(self, cmd: P.Hold) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise P.CommandError(f"call {call.number} is not connected")
        if not call.held:
            call.held = True
            self.call_event(call, "held", by="local")
        return {"call": call.number}

    def do_unhold(self, cmd: P.Unhold) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if not call.held:
            raise P.CommandError(f"call {call.number} is not on hold")
        call.held = False
        self.call_event(call, "connected", resumed=True)
        return {"call": call.number}

    def do_mute(self, cmd: P.Mute) -> dict[str, Any]:
        self.muted = True
        emit(P.MuteChanged(muted=True))
        return {"muted": True}

    def do_unmute(self, cmd: P.Unmute) -> dict[str, Any]:
        self.muted = False
        emit(P.MuteChanged(muted=False))
        return {"muted": False}

    def do_dtmf(self, cmd: P.Dtmf) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if not cmd.digits or any(d not in "0123456789*#ABCDabcd" for d in cmd.digits):
            raise P.CommandError("DTMF digits are 0-9, *, #, A-D")
        return {"call": call.number}

    def stats_for(self, call: FakeCall) -> P.Stats:
        return P.Stats(call=call.number, codec="G722/16000", rtt_ms=12.0, jitter_ms=2.0, loss_percent=0.0,
                       rx_packets=250, tx_packets=250, rx_bytes=40000, tx_bytes=40000, mos=4.4, r=92.0,
                       quality="excellent", srtp=False)

    def do_stats(self, cmd: P.GetStats) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise P.CommandError(f"call {call.number} has no audio yet")
        stats = self.stats_for(call)
        emit(stats)
        return {k: v for k, v in stats.to_json().items() if k != "event"}

    def do_calls(self, cmd: P.ListCalls) -> dict[str, Any]:
        return {"calls": [{"call": c.number, "direction": c.direction, "state": c.state, "remote": c.remote}
                          for c in self.calls.values()],
                "registration": {"state": "registered" if self.registered_at else "unregistered",
                                 "registrar": self.registered_at or None},
                "muted": self.muted}

    def do_transfer(self, cmd: P.Transfer) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise P.CommandError(f"call {call.number} is not connected")
        self.last_transfer = {"call": call.number, "target": cmd.target, "headers": dict(cmd.headers)}
        threading.Timer(0.1, self._transfer_progress, args=(call.number, cmd.target)).start()
        return {"call": call.number, "target": f"<{cmd.target}>"}

    def _transfer_progress(self, number: int, target: str) -> None:
        with self.lock:
            if number not in self.calls:
                return
            emit(P.TransferProgress(call=number, code=100, reason="Trying", final=False))
        time.sleep(0.15)
        with self.lock:
            call = self.calls.get(number)
            if call is None:
                return
            if "noanswer" in target:
                emit(P.TransferProgress(call=number, code=480, reason="Temporarily Unavailable", final=True))
            else:
                emit(P.TransferProgress(call=number, code=200, reason="OK", final=True))
                self.call_event(call, "ended", code=200, reason="Normal call clearing", duration=self._duration(call))

    def do_consult(self, cmd: P.Consult) -> dict[str, Any]:
        """Attended (warm) escalation: the customer is held, a consultation call goes to the target."""
        call = self.get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise P.CommandError(f"call {call.number} is not connected")
        if not call.held:
            call.held = True
            self.call_event(call, "held", by="local")
        consult = self.new_call("outgoing", cmd.uri, {})
        consult.consult_of = call.number
        self.last_transfer = {"call": call.number, "target": cmd.uri, "headers": dict(cmd.headers), "mode": "warm"}
        self.call_event(consult, "calling", consult_for=call.number)
        threading.Timer(0.1, self._consult_progress, args=(consult.number, cmd.uri)).start()
        return {"call": consult.number, "consult_for": call.number}

    def _consult_progress(self, number: int, uri: str) -> None:
        with self.lock:
            consult = self.calls.get(number)
            if consult is None:
                return
            self.call_event(consult, "ringing", code=180)
        time.sleep(0.1)
        with self.lock:
            consult = self.calls.get(number)
            if consult is None:
                return
            if "noanswer" in uri:
                self.call_event(consult, "ended", code=480, reason="Temporarily Unavailable", duration=0.0)
            else:
                consult.answered_at = time.monotonic()
                self.call_event(consult, "connected")

    def _consult_pair(self, cmd: P.CompleteTransfer | P.CancelTransfer) -> tuple[FakeCall, FakeCall]:
        if cmd.consult is not None:
            consult = self.get_call(cmd.consult)
            call = self.get_call(cmd.call if cmd.call is not None else consult.consult_of)
        else:
            call = self.get_call(cmd.call)
            found = [c for c in self.calls.values() if c.consult_of == call.number]
            if not found:
                raise P.CommandError(f"call {call.number} has no consultation call")
            consult = found[-1]
        return call, consult

    def do_complete_transfer(self, cmd: P.CompleteTransfer) -> dict[str, Any]:
        call, consult = self._consult_pair(cmd)
        if consult.state != "connected":
            raise P.CommandError("the consultation call is not connected yet")
        emit(P.TransferProgress(call=call.number, code=200, reason="OK", final=True))
        for c in (call, consult):
            self.call_event(c, "ended", code=200, reason="Normal call clearing", duration=self._duration(c))
        return {"call": call.number, "consult": consult.number}

    def do_cancel_transfer(self, cmd: P.CancelTransfer) -> dict[str, Any]:
        call, consult = self._consult_pair(cmd)
        if consult.number in self.calls:
            self.call_event(consult, "ended", code=200, reason="Normal call clearing",
                            duration=self._duration(consult))
        if call.held:
            call.held = False
            self.call_event(call, "connected", resumed=True)
        return {"call": call.number, "consult": consult.number}

    def do_quit(self, cmd: P.Quit) -> dict[str, Any]:
        self.running = False
        return {}

    # ---- the far side (test-only commands) --------------------------------------------------------------------
    def do_fake_incoming(self, cmd: FakeIncoming) -> dict[str, Any]:
        call = self.new_call("incoming", cmd.remote, dict(cmd.headers))
        others = [c for c in self.calls if c != call.number]
        self.call_event(call, "incoming", others=others, local="sip:agent@127.0.0.1")
        return {"call": call.number}

    def do_fake_remote_hangup(self, cmd: FakeRemoteHangup) -> dict[str, Any]:
        call = self.get_call(cmd.call)
        self.call_event(call, "ended", code=200, reason="Normal call clearing", duration=self._duration(call))
        return {"call": call.number}

    def do_fake_last_transfer(self, cmd: FakeLastTransfer) -> dict[str, Any]:
        return {"transfer": self.last_transfer}

    def do_fake_crash(self, cmd: FakeCrash) -> dict[str, Any]:
        sys.stdout.flush()
        os._exit(3)

    def stats_loop(self) -> None:
        while self.running:
            time.sleep(1.0)
            with self.lock:
                for call in list(self.calls.values()):
                    if call.state == "connected":
                        emit(self.stats_for(call))


def main() -> int:
    engine = FakeEngine()
    emit(P.EngineState(state="ready", protocol=P.PROTOCOL_VERSION, version=__version__, pid=os.getpid(),
                       max_calls=4))
    threading.Thread(target=engine.stats_loop, daemon=True).start()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            obj = P.parse_line(line)
        except P.CommandError as exc:
            try:
                raw = json.loads(line)
                cid = raw.get("id") if isinstance(raw, dict) else None
            except ValueError:
                cid = None
            emit(P.Reply(id=cid, ok=False, error=str(exc)))
            continue
        with engine.lock:
            engine.handle(obj)
        if not engine.running:
            break
    engine.running = False
    emit(P.EngineState(state="stopped"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
