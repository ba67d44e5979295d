"""The phone engine: one thread owns the pjsua2 Endpoint; commands arrive as JSON Lines, events leave as JSON Lines.

pjsua2's sharp edges (design.md) and how this module meets them:
- ``libInit(threadCnt=0, mainThreadOnly=True)``: every pjsua2 call and callback happens on the thread running
  :meth:`Engine.run` (``libHandleEvents`` and the command queue on ONE thread);
- pjlib prints to stdout from ``libCreate()`` on: :func:`main` keeps the protocol on a duplicate of the original
  stdout and points file descriptor 1 at stderr before pjsua2 is imported;
- SWIG temporaries are held (``ci = call.getInfo()`` before iterating ``ci.media``);
- every callback is wrapped (:func:`guarded`): an exception is logged, never swallowed silently;
- ``hangup()`` only on an active call; Call objects are kept referenced until their DISCONNECTED state and
  released on the next loop turn; no pjsua2 object is alive at ``libDestroy``;
- at most 4 calls per endpoint: a clear ``limit`` event, never a crash;
- ``audDevManager().setNullDev()`` gives the conference bridge its clock; the headset is the CallAudio's job.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import os
import queue
import random
import re
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from agentdesk import __version__, credentials
from agentdesk.sip import bounds, quality
from agentdesk.sip import configure as configure_plan
from agentdesk.sip import protocol as P
from agentdesk.sip.call_audio import CallAudio
from agentdesk.sip.guard import RequestGuard, header_value
from agentdesk.sip.headset.control import HeadsetControl
from agentdesk.sip.media_watch import MediaWatchSettings
from agentdesk.sip.nat import NatSettings
from agentdesk.sip.netpath import NetPath, failover_spread_setting
from agentdesk.sip.null_audio import NullCallAudio, make_backend
from agentdesk.sip.protocol import PROTOCOL_VERSION, CommandError, Emit
from agentdesk.sip.registrars import Backoff, Prober, Registrar, resolve
from agentdesk.sip.rtp_guard import RtpGuard
from agentdesk.sip.tls_relay import UNVERIFIED, PolicyError, TlsConfigError, TlsRelay, Upstream
from agentdesk.sip.training import CONTENT_TYPE as TRAINING_CONTENT_TYPE
from agentdesk.sip.training import HEADER as TRAINING_HEADER
from agentdesk.sip.training import TrainingConfig, TrainingMixer, parse_mode

log = logging.getLogger("agentdesk.sip.engine")
pjlog = logging.getLogger("agentdesk.sip.pjsip")

MAX_CALLS = 4  # compiled into the pjsua2 wheel
DEFAULT_CODECS = ("G722", "PCMU", "PCMA")
REPLACES_UNSUPPORTED = (420, 501, 488)  # answers of a target that cannot honour "Replaces"
DTMF_IS_UPDATE = 1  # pjmedia_stream_dtmf_event flags
DTMF_IS_END = 2
# How long one libHandleEvents waits for SIP traffic. SIP messages and timers wake it at once; commands from
# stdin do not (pjlib cannot wait on our queue), so while anything is happening the loop turns every 10 ms, and
# after QUIET_AFTER_S without a command or a call in transition every 50 ms. Each wake-up costs CPU even with
# nothing to do (~100 us of thread time on the test VM): 100 -> 20 wake-ups a second took the idle main loop
# from 1.2-1.6% to 0.3-0.6% of a core. A command after a quiet spell waits at most 50 ms.
BUSY_WAIT_MS = 10
QUIET_WAIT_MS = 50
QUIET_AFTER_S = 2.0
STEADY_CALL_STATES = ("connected", "held")
SELECTED_HEADERS = ("referred-by", "subject", "call-info", "p-asserted-identity", "diversion", "history-info",
                    "alert-info")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_DTMF = re.compile(r"^[0-9A-Da-d*#]+$")

def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """pjsua2 prints and swallows exceptions raised in callbacks: log them with their traceback instead."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("error in pjsua2 callback %s", fn.__qualname__)
            return None

    return wrapper


class PjLogWriter(pj.LogWriter):
    """pjsip's log lines into Python logging (and so through the redaction filter)."""

    @guarded
    def write(self, entry: Any) -> None:
        level = entry.level
        pjlog.log(logging.WARNING if level <= 1 else logging.INFO if level <= 3 else logging.DEBUG,
                  entry.msg.rstrip())


def _pj_error(exc: pj.Error) -> str:
    try:
        return f"{exc.title}: {exc.reason}" if exc.title else str(exc.reason)
    except Exception:
        return str(exc)


def parse_headers(message: str) -> dict[str, str]:
    """The selected headers of a SIP message (X-* and a few standard ones), first occurrence of each; text that
    is not valid UTF-8 arrives as U+FFFD, and at most 32 headers are kept (bounds.from_network)."""
    head = message.split("\r\n\r\n", 1)[0].replace("\r\n ", " ").replace("\r\n\t", " ")
    out: dict[str, str] = {}
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        name = bounds.from_network(name.strip(), bounds.MAX_HEADER_NAME)
        key = name.lower()
        if (key.startswith("x-") or key in SELECTED_HEADERS) and name not in out and len(out) < 32:
            out[name] = bounds.from_network(value.strip())
    return out


def _header_value(message: str, names: tuple[str, ...]) -> str | None:
    value = header_value(message, names)
    return None if value is None else bounds.from_network(value)


class EngineAccount(pj.Account):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    @guarded
    def onRegState(self, prm: Any) -> None:
        self.engine.path.reg_answer(int(prm.code), int(prm.expiration), str(prm.rdata.wholeMsg))  # NAT hook
        self.engine._on_reg_state(int(prm.code), str(prm.reason), int(prm.expiration))

    @guarded
    def onIncomingCall(self, prm: Any) -> None:
        self.engine._on_incoming_call(self, prm)

    @guarded
    def onIncomingSubscribe(self, prm: Any) -> None:
        # pjsua would answer 200 and send NOTIFYs to any Contact: the engine publishes no presence (guard.py)
        prm.code = 403
        prm.reason = "Forbidden"
        self.engine.guard.refuse("SUBSCRIBE", str(prm.rdata.srcAddress), "refused: the phone offers no presence")


class EngineCall(pj.Call):
    def __init__(self, engine: Engine, account: pj.Account, number: int, direction: str,
                 pj_call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, pj_call_id)
        self.engine = engine
        self.number = number  # the protocol's call id: unique for the life of the engine
        self.direction = direction
        self.state = "new"
        self.ended = False
        self.held_local = False
        self.held_remote = False
        self.attached_slot: int | None = None
        self.headers: dict[str, str] = {}
        self.remote = ""
        self.consult_of: int | None = None  # attended transfer: the call this one consults for
        self.transfer_pending = False
        self.attended_to: int | None = None  # complete_transfer: the consultation call being replaced
        self.secured = True  # False: rejected by the security policy, never reported
        # Call training (agentdesk/sip/training.py): "trainer" = a trainer's leg into this (trainee's) engine,
        # "join" = this (trainer's) engine's call into a trainee's engine; None = an ordinary call.
        self.training: str | None = None
        self.end_cause: str | None = None  # why the engine itself ended it (e.g. "media_timeout")

    @guarded
    def onCallState(self, prm: Any) -> None:
        self.engine._on_call_state(self)

    @guarded
    def onCallMediaState(self, prm: Any) -> None:
        self.engine._on_call_media_state(self)

    @guarded
    def onCallSdpCreated(self, prm: Any) -> None:
        self.engine.path.sdp_created(self, prm)  # behind the TLS relay: the public address (netpath.py)

    @guarded
    def onDtmfEvent(self, prm: Any) -> None:
        # pjsua reports an RFC 4733 digit at its start, on updates and at its end; SIP INFO once, as an end.
        info = prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO
        flags = int(prm.flags)
        if flags & DTMF_IS_UPDATE or (flags & DTMF_IS_END and not info):
            return
        if self.training == "trainer" and self.engine.training.dtmf(self.number, str(prm.digit)):
            return  # training hook: a trainer's 1/2/3 switches the mode
        self.engine.emit(P.DtmfReceived(call=self.number, digit=str(prm.digit),
                                        method="info" if info else "rfc4733"))

    @guarded
    def onStreamDestroyed(self, prm: Any) -> None:
        # A re-INVITE that re-creates the media (a new public address, an IP change) gives the call a new bridge
        # port, often with the old slot number: let go of the old one so onCallMediaState wires the new one.
        if self.attached_slot is not None and not self.ended:
            self.engine._detach(self)

    @guarded
    def onCallTsxState(self, prm: Any) -> None:
        self.engine.path.call_tsx(self, prm)  # DTMF by SIP INFO: the answer moves the digit queue on

    @guarded
    def onCallTransferStatus(self, prm: Any) -> None:
        self.engine._on_transfer_status(self, prm)

    @guarded
    def onCallTransferRequest(self, prm: Any) -> None:
        self.engine._on_transfer_request(self, prm)

    @guarded
    def onCallReplaceRequest(self, prm: Any) -> None:
        # An INVITE with Replaces does not pass onIncomingCall: apply the same source check here.
        src, msg = str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg)
        if not self.engine.guard.from_registrar(src, msg):
            self.engine.guard.refuse("INVITE", src, "with Replaces not through the account's registrar/proxy")
            prm.statusCode = 403
            prm.reason = "Forbidden"

    @guarded
    def onCallReplaced(self, prm: Any) -> None:
        self.engine._on_call_replaced(self, prm)

    @guarded
    def onInstantMessage(self, prm: Any) -> None:
        # training hook: a trainer's mode change or text hint (an in-dialog MESSAGE)
        if self.training == "trainer":
            self.engine.training.message(self.number, str(prm.contentType), str(prm.msgBody))

    @guarded
    def onInstantMessageStatus(self, prm: Any) -> None:
        # training hook: the trainee's engine took (or refused) our mode change / hint
        if self.training == "join":
            self.engine.emit(P.TrainingDelivered(call=self.number, code=int(prm.code), reason=str(prm.reason)))


class RefusingAccount(pj.Account):
    """Requests from outside the registrar are given to this account (guard.py): its forced Contact cannot be
    parsed, so pjsua cannot create a dialog for them and answers statelessly, before any media exists."""

    CONFIG_ID = "sip:refused@invalid"
    CONTACT = "<>"  # not a URI: pjsip_dlg_create_uas fails, the request is answered 500 (INVITE) / 400 (SUBSCRIBE)

    @classmethod
    def config(cls) -> Any:
        ac = pj.AccountConfig()
        ac.idUri = cls.CONFIG_ID
        ac.regConfig.registerOnAdd = False
        ac.sipConfig.contactForced = cls.CONTACT
        ac.natConfig.iceEnabled = False
        ac.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        ac.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
        return ac


class EngineEndpoint(pj.Endpoint):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    @guarded
    def onRejectedIncomingCall(self, prm: Any) -> None:
        self.engine._on_rejected_incoming(prm)

    @guarded
    def onSelectAccount(self, prm: Any) -> None:
        # Every new INVITE, SUBSCRIBE and MESSAGE passes here before pjsua creates a dialog or media: one from
        # outside the registrar goes to the refusing account and is answered statelessly (guard.py).
        if not self.engine.guard.admit(str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg)):
            refuser = self.engine.refuser
            if refuser is not None:
                prm.accountIndex = refuser.getId()


class Engine:
    """Owns the Endpoint; :meth:`run` is the endpoint thread's whole life."""

    def __init__(self, emit: Emit, commands: queue.Queue[tuple[Any, ...]]) -> None:
        self.headset = HeadsetControl(emit, commands.put)  # headset buttons and lights (agentdesk/sip/headset)
        emit = self.headset.tap(emit)  # it follows the calls, mute and call device in the events everyone sees
        self.emit = emit
        self.queue = commands
        self.ep: Any = None
        self.log_writer: PjLogWriter | None = None
        self.account: EngineAccount | None = None
        self.refuser: RefusingAccount | None = None  # takes what did not come through the registrar (guard.py)
        self.guard = RequestGuard(emit)
        self.rtp_guard = RtpGuard(self._rtp_stranger)  # RTP only from the negotiated address (rtp_guard.py)
        self._next_rtp_look = 0.0
        self.transfer_requests = "refuse"  # REFER from the far end: "accept" only where the center allows it
        self.transport_id: int | None = None
        self.transport_key: tuple[Any, ...] | None = None
        self.local_port: int | None = None
        self.audio: CallAudio = NullCallAudio(emit)
        self.training = TrainingMixer(emit, self._agent_media)  # call training (agentdesk/sip/training.py)
        self.calls: dict[int, EngineCall] = {}
        self.rejected: list[EngineCall] = []  # refused by policy: kept referenced until they end
        self._released: list[EngineCall] = []
        self._next_call = 1
        self.muted = False
        self.config: dict[str, Any] = {}
        self.registrars: list[Registrar] = []
        self.reg_index = 0
        self.want_registered = False
        self.reg_state = "unregistered"
        self.backoff = Backoff()
        self.prober: Prober | None = None
        self.timers: list[tuple[float, str, Callable[[], None]]] = []
        self.trusted: set[tuple[str, int]] = set()
        self.quitting = False
        self.stats_interval = 5.0
        self._next_stats = 0.0
        self._switching = False
        self._switch_grace_until = 0.0
        self._last_command = 0.0  # monotonic time of the last command: the loop turns faster after one
        self.path = NetPath(self)  # NAT, keep-alives, RTP ports, media watch, INFO digits (agentdesk/sip/netpath.py)
        # SIP over TLS through Python's ssl (agentdesk/sip/tls_relay.py): the relay and each registrar's hop
        self.tls_relay: TlsRelay | None = None
        self.relay_hops: list[str] = []

    # ---- life cycle -------------------------------------------------------------------------------------------
    def run(self) -> int:
        self._create_endpoint()
        self.emit(P.EngineState(state="ready", protocol=PROTOCOL_VERSION, version=__version__, pid=os.getpid(),
                                max_calls=MAX_CALLS))
        try:
            while not self.quitting:
                self.ep.libHandleEvents(self._wait_ms())
                self._drain_queue()
                self._run_timers()
                self._released.clear()
                self._poll_audio()
                self._periodic_stats()
                self.path.watch_media()
                self.guard.poll()
                self._watch_rtp()
        finally:
            self._shutdown()
        return 0

    def _wait_ms(self) -> int:
        """The next libHandleEvents timeout: short while commands are flowing or a call is changing state, long
        when all is quiet, never past the next Python timer."""
        now = time.monotonic()
        if now - self._last_command < QUIET_AFTER_S:
            return BUSY_WAIT_MS
        if any(c.state not in STEADY_CALL_STATES for c in self._live_calls()):
            return BUSY_WAIT_MS
        wait = QUIET_WAIT_MS
        if self.timers:
            wait = min(wait, int((min(t[0] for t in self.timers) - now) * 1000) + 1)
        return max(BUSY_WAIT_MS, wait)

    def _create_endpoint(self) -> None:
        ep = EngineEndpoint(self)
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = MAX_CALLS
        cfg.uaConfig.userAgent = f"AgentDesk/{__version__}"
        self.log_writer = PjLogWriter()
        cfg.logConfig.writer = self.log_writer
        cfg.logConfig.level = int(os.environ.get("AGENTDESK_PJ_LOG_LEVEL", "5" if os.environ.get("AGENTDESK_DEBUG") else "3"))
        cfg.logConfig.consoleLevel = cfg.logConfig.level
        cfg.logConfig.msgLogging = True
        cfg.logConfig.decor = 0
        cfg.medConfig.noVad = True  # RTP flows with silence: the far end and the stats see a live stream
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.sndAutoCloseTime = -1  # the null device is the bridge clock: never let it stop
        # The jitter buffer stays pjmedia's adaptive default: a 60 ms floor won on a 20 ms-jitter line but took the
        # clean practice echo's PESQ from 4.45 to 3.78 (docs/engine.md, "Benchmarks").
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()  # the conference bridge's clock; headset audio is CallAudio's job
        ep.libStart()
        self.ep = ep
        self.audio.start()

    def _shutdown(self) -> None:
        """Hang up, unregister (briefly), release every pjsua2 object, then libDestroy: within about 1 s."""
        ep = self.ep
        if ep is None:
            return
        if self.prober is not None:
            self.prober.stop()
        if self.tls_relay is not None:
            self.tls_relay.stop()  # after the unregistration below would be nicer, but it never blocks on TLS
        try:
            if any(not c.ended for c in self.calls.values()):
                ep.hangupAllCalls()
                self._pump(0.3, lambda: all(c.ended for c in self.calls.values()))
            if self.account is not None and self.reg_state == "registered":
                self.want_registered = False
                try:
                    self.account.setRegistration(False)
                    self._pump(0.5, lambda: self.reg_state != "registered")
                except pj.Error:
                    pass
            for call in list(self.calls.values()):
                if call.attached_slot is not None:
                    self._detach(call)
            self.training.stop()
            self.headset.stop()  # lights off, device closed
            self.audio.stop()
        except Exception:
            log.exception("error while shutting down")
        self.calls.clear()
        self.rejected.clear()
        self._released.clear()
        self.account = None
        self.refuser = None
        self.audio = NullCallAudio(self.emit)
        gc.collect()
        try:
            ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)  # hangups and unregistration were done above
        except Exception:
            log.exception("libDestroy")
        self.ep = None
        self.emit(P.EngineState(state="stopped"))

    def _pump(self, seconds: float, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not done():
            self.ep.libHandleEvents(10)

    # ---- the command queue ------------------------------------------------------------------------------------
    def _drain_queue(self) -> None:
        for _ in range(100):
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return
            kind = item[0]
            if kind in ("cmd", "bad"):  # the registrar prober's results (every second) are not the agent's doing
                self._last_command = time.monotonic()
            if kind == "cmd":
                self._dispatch(item[1])
            elif kind == "bad":
                self.emit(P.Reply(id=item[1], ok=False, error=item[2]))
            elif kind == "eof":
                log.info("stdin closed: the parent has gone, quitting")
                self.quitting = True
            else:
                try:
                    if kind == "probe":
                        self._on_probe(item[1], item[2])
                    elif kind == "ipchange":
                        self._on_ip_change(item[1], item[2])
                    elif kind == "tls":
                        self._on_tls(item[1])
                    elif kind == "headset":
                        self.headset.on_queue(item[1])
                except Exception:  # a failed failover step must never take the engine down
                    log.exception("handling %s", kind)

    def _dispatch(self, obj: P.JsonObject) -> None:
        """One command object: decoded by the protocol (a field that does not fit is refused with its name),
        carried out by its ``cmd_<name>`` handler, or by the audio backend (which gets the object as it came)."""
        name = str(obj["cmd"])
        cid = obj.get("id")
        try:
            cmd = P.decode_command(obj)
            handler = None if cmd.AUDIO or isinstance(cmd, P.UnknownCommand) else \
                getattr(self, "cmd_" + cmd.NAME, None)
            if handler is not None:
                extra = handler(cmd)
            else:
                extra = self.audio.handle(dict(obj))
                if extra is None:
                    raise CommandError("unknown command")  # exactly this text: a contract (the reply has "cmd")
            reply = P.Reply(id=cid, cmd=name, ok=True, result=extra or {})
        except (CommandError, ValueError) as exc:  # ProtocolError is a ValueError
            # a PolicyError (tls_relay.py) carries the agent's words (ja, en) as the reply's "message"
            reply = P.Reply(id=cid, cmd=name, ok=False, error=str(exc),
                            result={"message": exc.text.as_dict()} if isinstance(exc, PolicyError) else {})
        except pj.Error as exc:
            log.warning("command %s: %s", name, exc.info())
            reply = P.Reply(id=cid, cmd=name, ok=False, error=f"SIP error: {_pj_error(exc)}")
        except Exception as exc:
            log.exception("command %s failed", name)
            reply = P.Reply(id=cid, cmd=name, ok=False, error=f"internal error: {type(exc).__name__}: {exc}")
        self.emit(reply)

    # ---- timers -----------------------------------------------------------------------------------------------
    def _after(self, seconds: float, name: str, fn: Callable[[], None]) -> None:
        self.timers = [t for t in self.timers if t[1] != name]
        self.timers.append((time.monotonic() + seconds, name, fn))

    def _cancel(self, name: str) -> None:
        self.timers = [t for t in self.timers if t[1] != name]

    def _run_timers(self) -> None:
        if not self.timers:
            return
        now = time.monotonic()
        due = [t for t in self.timers if t[0] <= now]
        if not due:
            return
        self.timers = [t for t in self.timers if t[0] > now]
        for _, name, fn in due:
            try:
                fn()
            except Exception:
                log.exception("timer %s", name)

    def _poll_audio(self) -> None:
        try:
            self.audio.poll()
        except Exception:
            log.exception("audio poll")

    # ---- configure --------------------------------------------------------------------------------------------
    def cmd_configure(self, cmd: P.Configure) -> dict[str, Any]:
        # The whole command is checked first (configure.py): a bad configure never drops a working account.
        plan = configure_plan.plan(cmd.account, cmd.sip, cmd.audio)
        account, sip = plan.account, plan.sip
        password = self._password(account)
        training = TrainingConfig.parse(cmd.training) if cmd.training is not None else None
        nat = NatSettings.parse(sip)
        media_watch = MediaWatchSettings.parse(sip)
        failover_spread = failover_spread_setting(sip)
        for uri in [f"sip:{plan.user}@{plan.domain}"] + [r.uri for r in plan.registrars]:
            if self.ep.utilVerifySipUri(uri) != 0:  # bounded lengths (configure.py): safe to ask pjsua
                raise CommandError(f"not a valid SIP address: {uri}")
        audio_cfg = plan.audio
        in_call = any(not c.ended for c in self.calls.values())
        if audio_cfg is not None and in_call:
            raise CommandError("cannot change the audio backend during a call")
        new_audio = make_backend(self.emit, audio_cfg) if (audio_cfg is not None or self.config == {}) else None
        # a new transport first: the old one goes only if it works
        self._ensure_transport(plan.transport, sip, plan.tls_settings.stack)

        # Everything checked: apply. Calls in progress keep their account object until they end.
        self._apply_codecs(plan.codecs)
        if training is not None:
            self.training.configure(training)
        if new_audio is not None:
            self.training.stop()  # no call exists here: nothing is mixed, only the tone generator goes
            self.audio.stop()
            self.audio = new_audio
            self.audio.start()
            self.audio.set_mute(self.muted)
        if self.prober is not None:
            self.prober.stop()
            self.prober = None
        was_registered = self.want_registered
        if self.account is not None:
            if self.reg_state == "registered":
                with contextlib.suppress(pj.Error):
                    self.account.setRegistration(False)
            # Drop it now, before the new account takes the same pjsua id: its destructor deletes "its" id.
            self.account = None
            gc.collect()
        self.reg_state = "unregistered"
        self.config = {"account": dict(account, password=None), "sip": dict(sip), "transport": plan.transport,
                       "srtp": plan.srtp, "user": plan.user, "domain": plan.domain, "password": password,
                       "auth_user": plan.auth_user, "expires": plan.expires}
        self.registrars = plan.registrars
        self.reg_index = 0
        self.backoff = Backoff(base=plan.retry_base, cap=plan.retry_max)
        self.trusted = plan.trusted
        for reg in self.registrars:
            reg.address = resolve(reg.host)  # the prober keeps it current
        self.guard.configure(self.registrars, self.trusted, plan.transport)
        self._configure_relay(plan)
        self.stats_interval = plan.stats_interval
        self.path.configure(nat, media_watch, failover_spread)
        self.transfer_requests = plan.transfer_requests
        self.rtp_guard.policy = plan.rtp_latch
        self.rtp_guard.latch_hosts = {r.address for r in self.registrars if r.address}
        self.account = EngineAccount(self)
        self.account.create(self._account_config(self.registrars[0]), True)
        if plan.probe:
            self.prober = Prober(self.registrars, self.queue.put, interval=plan.probe_interval,
                                 timeout=plan.probe_timeout)
            self.prober.start()
        self.headset.configure(cmd.headset)
        if was_registered:
            self.want_registered = False
            self.cmd_register(P.Register())
        reply: dict[str, Any] = {"port": self.local_port, "transport": plan.transport, "srtp": plan.srtp,
                                 "audio": (audio_cfg or {}).get("backend", "null")}
        tls = plan.tls_settings
        if plan.transport == "tls":
            reply["tls"] = {"stack": tls.stack, "trust": tls.trust, "relay_ports": self.tls_relay_ports()}
        unverified = UNVERIFIED if plan.transport == "tls" and not tls.verify else None
        warnings = [w.as_dict() for w in (plan.srtp_warning, unverified) if w is not None]
        if warnings:
            reply["warnings"] = warnings
        return reply

    def _password(self, account: dict[str, Any]) -> str:
        if account.get("password") is not None:
            return str(account["password"])
        ref = account.get("credential")
        if ref:
            secret = credentials.get_secret(str(ref))
            if secret is None:
                raise CommandError(f"no password stored in the keyring under {ref!r}")
            return secret
        return ""

    def _ensure_transport(self, transport: str, sip: dict[str, Any], tls_stack: str = "python") -> None:
        bind = str(sip.get("bind", "0.0.0.0"))
        port = int(sip.get("port", 0))
        tls = sip.get("tls") or {}
        if transport == "tls" and tls_stack == "python":
            # TLS in the relay: pjsip speaks plain TCP on loopback only (no firewall prompt, nothing outside)
            transport, bind, tls = "tcp", "127.0.0.1", {}
        elif transport == "tls" and os.environ.get("AGENTDESK_PJSIP_TLS", "1") == "0":
            raise CommandError("this phone engine has no TLS of its own (as on Windows): use the built-in TLS "
                               '(leave out "sip.tls.stack" or set it to "python")')
        key = (transport, bind, port, tuple(sorted((str(k), str(v)) for k, v in tls.items())))
        if self.transport_key == key and self.transport_id is not None:
            return
        if self.transport_id is not None and any(not c.ended for c in self.calls.values()):
            raise CommandError("cannot change the SIP transport during a call")
        tc = pj.TransportConfig()
        tc.port = port
        if bind not in ("0.0.0.0", ""):
            tc.boundAddress = bind
        kind = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}[transport]
        if transport == "tls":
            tc.tlsConfig.verifyServer = bool(tls.get("verify", True))  # verified by default
            ca = tls.get("ca") or _system_ca_file()
            if ca:
                tc.tlsConfig.CaListFile = str(ca)
            tc.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD  # the wheel's OpenSSL 1.0.2k has nothing newer
        old = self.transport_id
        try:
            new = self.ep.transportCreate(kind, tc)  # the old transport stays until the new one exists
        except pj.Error:
            if old is None or port == 0 or port != self.local_port:
                raise
            # the same port again (other TLS settings): the old transport must go first
            with contextlib.suppress(pj.Error):
                self.ep.transportClose(old)
            self.transport_id = self.transport_key = None
            old = None
            new = self.ep.transportCreate(kind, tc)
        if old is not None:
            with contextlib.suppress(pj.Error):
                self.ep.transportClose(old)
        self.transport_id = new
        if self.refuser is None:  # pjsua accepts accounts only once a transport exists
            self.refuser = RefusingAccount()
            self.refuser.create(RefusingAccount.config(), False)
        info = self.ep.transportGetInfo(self.transport_id)
        self.local_port = int(str(info.localName).rsplit(":", 1)[1])
        self.transport_key = key
        log.info("SIP transport %s on %s", transport, info.localName)

    def _apply_codecs(self, order: list[Any]) -> None:
        """An explicit order enables only the codecs listed; without one, G.722 then G.711 lead and the rest
        follow at low priority."""
        explicit = bool(order)
        wanted = [str(c).lower() for c in (order or DEFAULT_CODECS)]
        ci_list = self.ep.codecEnum2()
        for ci in ci_list:
            cid = ci.codecId
            name = cid.split("/")[0].lower()
            matches = [i for i, w in enumerate(wanted) if w in (name, cid.lower()) or cid.lower().startswith(w + "/")]
            if matches:
                prio = 254 - matches[0]
            elif explicit:
                prio = 0
            else:
                prio = min(int(ci.priority), 100)
            self.ep.codecSetPriority(cid, prio)

    def _account_config(self, reg: Registrar) -> Any:
        c = self.config
        ac = pj.AccountConfig()
        ac.idUri = f"sip:{c['user']}@{c['domain']}"
        if c["transport"] == "tls":
            ac.idUri += ";transport=tls"
        ac.regConfig.registrarUri = reg.uri
        ac.regConfig.registerOnAdd = False
        ac.regConfig.timeoutSec = c["expires"]
        ac.regConfig.retryIntervalSec = 0  # retries are this engine's (backoff with jitter, failover)
        ac.regConfig.firstRetryIntervalSec = 0
        ac.regConfig.dropCallsOnFail = False
        ac.regConfig.unregWaitMsec = 500
        proxies = pj.StringVector()
        hop = self._relay_hop(reg)
        proxies.append(hop or reg.uri + ";lr")
        ac.sipConfig.proxies = proxies
        ac.sipConfig.transportId = self.transport_id
        if c["password"]:
            ac.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", c["auth_user"], 0, c["password"]))
        ac.mediaConfig.srtpUse = {"off": pj.PJMEDIA_SRTP_DISABLED, "optional": pj.PJMEDIA_SRTP_OPTIONAL,
                                  "mandatory": pj.PJMEDIA_SRTP_MANDATORY}[c["srtp"]]
        # SRTP keys only over TLS: tls_relay.srtp_policy() (configure.py) enforces it for both TLS stacks
        # (pjsip's own rule cannot: behind the relay it sees plain loopback TCP)
        ac.mediaConfig.srtpSecureSignaling = 0
        self.path.account_config(ac, str(c["sip"].get("bind", "0.0.0.0")))  # SDP address, STUN, RTP ports
        if hop:
            # the relay writes the TLS connection's address (the public one the center reports) into Via/Contact
            # itself (tls_relay.py); pjsip sees only its loopback connection and must not "correct" them
            ac.natConfig.contactRewriteUse = 0
            ac.natConfig.viaRewriteUse = 0
            ac.natConfig.sdpNatRewriteUse = 0
        return ac

    # ---- registration and failover ----------------------------------------------------------------------------
    def _require_account(self) -> EngineAccount:
        if self.account is None:
            raise CommandError("not configured: send configure first")
        return self.account

    def cmd_register(self, cmd: P.Register) -> dict[str, Any]:
        acc = self._require_account()
        self.want_registered = True
        self.backoff.reset()
        self._cancel("retry")
        try:
            acc.setRegistration(True)
        except pj.Error as exc:
            # A REGISTER is already on its way (configure re-registers a registered account by itself): its
            # outcome arrives as the registration event, so this command succeeded too.
            if "EBUSY" not in _pj_error(exc):
                raise
            return {"registrar": self.registrars[self.reg_index].given, "pending": True}
        return {"registrar": self.registrars[self.reg_index].given}

    def cmd_unregister(self, cmd: P.Unregister) -> dict[str, Any]:
        acc = self._require_account()
        self.want_registered = False
        self._cancel("retry")
        self._cancel("failback")
        if self.reg_state in ("registered",):
            acc.setRegistration(False)
        else:
            self._set_reg_state("unregistered", 200, "not registered")
        return {}

    def _set_reg_state(self, state: P.RegistrationStateName, code: int, reason: str, **extra: Any) -> None:
        self.reg_state = state
        refusal = self.tls_relay.refusal(self.reg_index) if self.tls_relay and state == "failed" else None
        if refusal is not None:  # the certificate, not the network: say so in the agent's words
            extra.update(tls=refusal.kind, message=refusal.message.as_dict())
        self.emit(P.Registration(state=state, registrar=self.registrars[self.reg_index].given
                                 if self.registrars else None, code=code, reason=reason, **extra))

    def _on_reg_state(self, code: int, reason: str, expiration: int) -> None:
        if self._switching:
            return
        if 200 <= code < 300 and expiration > 0:
            self.backoff.reset()
            self._cancel("retry")
            self._set_reg_state("registered", code, reason, expires=expiration,
                                primary=self.reg_index == 0)
            return
        if 200 <= code < 300 and self.want_registered and time.monotonic() < self._switch_grace_until:
            log.info("left the previous registrar (%s %s)", code, reason)  # the switch's goodbye, not news
            return
        if 200 <= code < 300 or (not self.want_registered and self.reg_state != "registered"):
            self._set_reg_state("unregistered", code, reason)
            return
        if not self.want_registered:
            self._set_reg_state("unregistered", code, reason)
            return
        if time.monotonic() < self._switch_grace_until and code in (408, 502, 503, 504):
            # Most likely the goodbye to the registrar we just left (it is down); the new registration's own
            # result follows. If it never succeeds, the check below retries.
            log.info("ignoring registration failure %s %s right after a registrar switch", code, reason)
            return
        # A failure while the agent wants to be registered: another registrar, or retry later.
        self._set_reg_state("failed", code, reason)
        self.registrars[self.reg_index].alive = False if code in (408, 502, 503, 504) else \
            self.registrars[self.reg_index].alive
        nxt = self._best_alive(exclude=self.reg_index)
        if nxt is not None and code not in (401, 403, 407):
            self._switch_to(nxt, "failover")
        else:
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        delay = self.backoff.next_delay()
        self._set_reg_state("retrying", 0, "retry after failure", retry_in=round(delay, 2))
        self._after(delay, "retry", self._retry)

    def _retry(self) -> None:
        if not self.want_registered or self.account is None:
            return
        best = self._best_alive(exclude=None)
        if best is not None and best != self.reg_index:
            self._switch_to(best, "retry")
        else:
            self.account.setRegistration(True)

    def _best_alive(self, exclude: int | None) -> int | None:
        for i, reg in enumerate(self.registrars):
            if i != exclude and reg.alive:
                return i
        return None

    def _switch_to(self, index: int, why: str) -> None:
        if self.account is None:
            return
        old = self.registrars[self.reg_index].given
        self.reg_index = index
        new = self.registrars[index]
        log.info("registrar %s -> %s (%s)", old, new.uri, why)
        self._set_reg_state("retrying", 0, why, previous=old)
        self._switching = True
        try:
            # modify() leaves the old registrar (an unregister it may never answer) and registers at the new one
            self.account.modify(self._account_config(new))
        finally:
            self._switching = False
        self._switch_grace_until = time.monotonic() + 3.0
        self._after(0.3, "switch-register", self._register_if_idle)
        self._after(3.5, "switch-check", self._check_after_switch)

    def _register_if_idle(self) -> None:
        """modify() registers only when the account was registered: make sure a REGISTER goes out."""
        if self.want_registered and self.reg_state != "registered" and self.account is not None:
            try:
                self.account.setRegistration(True)
            except pj.Error as exc:  # PJSIP_EBUSY: one is already on its way
                log.debug("register after switch: %s", exc.info())

    def _check_after_switch(self) -> None:
        if self.want_registered and self.reg_state != "registered" and \
                not any(name == "retry" for _, name, _ in self.timers):
            self._schedule_retry()

    def _on_probe(self, index: int, rtt: float | None) -> None:
        if index >= len(self.registrars):
            return
        reg = self.registrars[index]
        was = reg.alive
        if rtt is not None and self.tls_relay is not None and self.tls_relay.refused(index):
            rtt = None  # it answers, but its certificate was refused: never fail back to it until it verifies
        if rtt is None:
            reg.misses += 1
            reg.hits = 0
            if reg.misses >= 2 or was is None:
                reg.alive = False
        else:
            reg.misses = 0
            reg.hits += 1
            reg.alive = True
            reg.last_rtt_ms = rtt
        if not self.want_registered or self.account is None:
            return
        current = self.registrars[self.reg_index]
        if index == self.reg_index and was and reg.alive is False:
            # The registrar we rely on stopped answering: the next one now, not at the re-register interval.
            nxt = self._best_alive(exclude=self.reg_index)
            if nxt is not None:
                self.path.spread_failover(nxt)  # after a random pause: every agent of a center at once (netpath)
            else:
                self._set_reg_state("failed", 408, "registrar not answering")
                if not any(name == "retry" for _, name, _ in self.timers):
                    self._schedule_retry()
        elif index < self.reg_index and reg.alive and reg.hits >= 3 and current.alive is not False:
            # A higher-priority registrar is back: return to it after a random pause (no stampede).
            if not any(name == "failback" for _, name, _ in self.timers):
                self._after(self.path.failback_pause(), "failback", functools.partial(self._failback, index))
        elif index < self.reg_index and reg.alive and current.alive is False:
            self._switch_to(index, "failover")
        elif self.reg_state in ("failed", "retrying") and reg.alive and was is False and \
                not self.path.registrar_back(index):
            # A registrar came back while nothing worked: try it soon, with jitter (netpath: the one in use gets
            # a fresh REGISTER and its calls re-INVITEd, also when a REGISTER was stuck retransmitting).
            self._after(random.uniform(0.0, 1.0), "retry", self._retry)
        if rtt is not None:
            self.path.probe_seen(index)  # NAT hook: the public address the registrar's answers show

    def _failback(self, index: int) -> None:
        if self.want_registered and index < self.reg_index and self.registrars[index].alive:
            self._switch_to(index, "primary back")

    def cmd_network_changed(self, cmd: P.NetworkChanged) -> dict[str, Any]:
        """The UI learnt of a network change (resume from sleep, new Wi-Fi): re-register at once."""
        self._on_ip_change(cmd.previous or "", cmd.address or "")
        return {}

    def _on_ip_change(self, old: str, new: str) -> None:
        log.info("local address changed %s -> %s: re-registering", old, new)
        self.emit(P.NetworkEvent(state="changed", previous=old, address=new))
        prm = pj.IpChangeParam()
        if self.relay_path_changed():
            prm.restartListener = False  # pjsip's listener is on loopback: a restart would move it to the LAN
        self.ep.handleIpChange(prm)

    # ---- calls ------------------------------------------------------------------------------------------------
    def _live_calls(self) -> list[EngineCall]:
        return [c for c in self.calls.values() if not c.ended]

    def _new_number(self) -> int:
        n = self._next_call
        self._next_call += 1
        return n

    def _call_event(self, call: EngineCall, state: P.CallStateName, **extra: Any) -> None:
        call.state = state
        if call.training == "trainer":
            # training hook: a trainer's leg is reported as "training" events, never as a call the agent handles
            if state == "ended":
                self.training.leg_ended(call.number, int(extra.get("code", 0)), str(extra.get("reason", "")),
                                        float(extra.get("duration", 0.0)))
            return
        hook = getattr(self.audio, "on_call_state", None)  # optional: the headset backend starts its streams on ring
        if hook is not None:
            hook(call.number, state)
        self.emit(P.CallEvent(call=call.number, direction="incoming" if call.direction == "incoming" else "outgoing",
                              state=state, remote=call.remote, headers=call.headers, **extra))

    def _get_call(self, number: int | None, key: str = "call") -> EngineCall:
        if number is None:
            live = self._live_calls()
            if len(live) == 1 and key == "call":
                return live[0]
            raise CommandError(f'which call? give "{key}"' if live else "there is no call")
        try:
            call = self.calls[int(number)]
        except (KeyError, ValueError, TypeError):
            raise CommandError(f"no such call: {number}") from None
        if call.ended:
            raise CommandError(f"call {number} has ended")
        return call

    def _limit_reached(self) -> bool:
        if len(self._live_calls()) >= MAX_CALLS:
            self.emit(P.Limit(what="calls", max=MAX_CALLS, reason=f"at most {MAX_CALLS} calls at a time"))
            return True
        return False

    def _normalize_uri(self, target: str) -> str:
        target = str(target).strip()
        if not target:
            raise CommandError("empty SIP address")
        bounds.check_uri(target)  # before pjsua sees it: ~900 characters abort pjsua's URI check
        inner = target[1:-1] if target.startswith("<") and target.endswith(">") else target
        if not inner.startswith(("sip:", "sips:", "tel:")):
            domain = self.config.get("domain", "")
            inner = f"sip:{inner}" if "@" in inner else f"sip:{inner}@{domain}"
        bounds.check_uri(inner)
        if self.ep.utilVerifySipUri(inner) != 0 and not inner.startswith("tel:"):
            raise CommandError(f"not a valid SIP address: {target}")
        return inner

    @staticmethod
    def _header_vector(headers: Any) -> Any:
        vec = pj.SipHeaderVector()
        for name, value in bounds.check_headers(headers).items():
            if not _HEADER_NAME.match(str(name)) or "\r" in str(value) or "\n" in str(value):
                raise CommandError(f"bad header {name!r}")
            h = pj.SipHeader()
            h.hName = str(name)
            h.hValue = str(value)
            vec.append(h)
        return vec

    def cmd_call(self, cmd: P.Dial) -> dict[str, Any]:
        acc = self._require_account()
        uri = self._normalize_uri(cmd.uri)
        if self._limit_reached():
            raise CommandError(f"call limit reached: at most {MAX_CALLS} calls")
        call = EngineCall(self, acc, self._new_number(), "outgoing")
        call.remote = uri
        op = pj.CallOpParam(True)
        op.txOption.headers = self._header_vector(cmd.headers)
        self._make_call(call, uri, op)
        self.calls[call.number] = call
        if call.state == "new":
            self._call_event(call, "calling")
        return {"call": call.number}

    def _on_incoming_call(self, acc: EngineAccount, prm: Any) -> None:
        rdata = prm.rdata
        src = str(rdata.srcAddress)
        msg = str(rdata.wholeMsg)
        if not self.guard.from_registrar(src, msg):
            # onSelectAccount refuses these before pjsua allocates anything; should one still get here, it is
            # answered 403 on the next loop turn (a hangup inside this callback aborts pjsua for an INVITE
            # without SDP: pjsip_rx_data_free_cloned)
            call = EngineCall(self, acc, 0, "incoming", prm.callId)
            call.secured = False
            self.rejected.append(call)
            self.guard.refuse("INVITE", src, "not through the account's registrar/proxy")
            self._after(0.0, f"refuse-{prm.callId}", lambda: self._refuse_now(call))
            return
        if self._training_incoming(acc, prm, msg):
            return  # training hook: a trainer's leg (answered at once) or a refused one; it never rings
        call = EngineCall(self, acc, self._new_number(), "incoming", prm.callId)
        self.calls[call.number] = call
        ci = call.getInfo()
        call.remote = bounds.from_network(ci.remoteUri)
        call.headers = parse_headers(msg)
        others = [c.number for c in self._live_calls() if c is not call]
        op = pj.CallOpParam()
        op.statusCode = 180
        call.answer(op)
        self._call_event(call, "incoming", others=others, local=bounds.from_network(ci.localUri))

    def _refuse_now(self, call: EngineCall) -> None:
        if not call.ended and call.isActive():
            op = pj.CallOpParam()
            op.statusCode = 403
            op.reason = "Forbidden"
            call.hangup(op)

    def _make_call(self, call: EngineCall, uri: str, op: Any) -> None:
        """makeCall, with pjsua's own slot exhaustion as a ``limit`` event: calls hung up before any answer (the
        registrar unreachable) keep their pjsua slots until their INVITE times out (~32 s)."""
        try:
            call.makeCall(uri, op)
        except pj.Error as exc:
            if "Address already in use" in _pj_error(exc):  # every RTP port of the range is taken
                raise CommandError(self.path.no_rtp_port_text()) from None
            if "ETOOMANY" not in _pj_error(exc):
                raise
            closing = max(0, MAX_CALLS - len(self._live_calls()))
            self.emit(P.Limit(what="calls", max=MAX_CALLS, closing=closing,
                              reason="calls that were just hung up are still closing (up to 32 s)"))
            raise CommandError(f"call limit reached: {closing} call(s) just hung up are still closing; "
                               "try again in a few seconds") from None

    def _on_rejected_incoming(self, prm: Any) -> None:
        """pjsua refused a call before the engine saw it (the 4-call limit, or no acceptable media such as plain
        RTP under srtp: mandatory)."""
        code = int(prm.statusCode)
        remote = bounds.from_network(prm.remoteInfo)
        with contextlib.suppress(Exception):
            if not self.guard.from_registrar(str(prm.rdata.srcAddress), str(prm.rdata.wholeMsg)):
                return  # refused by the guard (onSelectAccount), already counted and reported
        log.info("incoming call refused by pjsua: %s %s", code, prm.reason)
        if len(self._live_calls()) >= MAX_CALLS:
            self.emit(P.Limit(what="calls", max=MAX_CALLS, remote=remote, code=code,
                              reason=f"a call was refused: at most {MAX_CALLS} calls at a time"))
        else:
            self.emit(P.CallRefused(remote=remote, code=code, reason=str(prm.reason)))

    def _on_call_state(self, call: EngineCall) -> None:
        ci = call.getInfo()
        st = ci.state
        if not call.secured:
            if st == pj.PJSIP_INV_STATE_DISCONNECTED:
                call.ended = True
                self.rejected.remove(call) if call in self.rejected else None
                self._released.append(call)
            return
        if st == pj.PJSIP_INV_STATE_EARLY and call.direction == "outgoing" and call.state in ("new", "calling"):
            self._call_event(call, "ringing", code=int(ci.lastStatusCode))
        elif st == pj.PJSIP_INV_STATE_CONFIRMED and call.state not in ("connected", "held"):
            self._call_event(call, "connected")
        elif st == pj.PJSIP_INV_STATE_DISCONNECTED and not call.ended:
            call.ended = True
            if call.attached_slot is not None:
                self._detach(call)
            self.path.call_ended(call.number)
            self.rtp_guard.forget(call.number)
            cause = {"cause": call.end_cause} if call.end_cause else {}
            self._call_event(call, "ended", code=int(ci.lastStatusCode), reason=bounds.from_network(ci.lastReason),
                             duration=round(ci.connectDuration.sec + ci.connectDuration.msec / 1000, 3), **cause)
            self.calls.pop(call.number, None)
            self._released.append(call)  # dropped on the next loop turn, outside its own callback
            if call.consult_of is not None:
                orig = self.calls.get(call.consult_of)
                if orig is not None and not orig.ended and orig.transfer_pending is False and orig.held_local:
                    pass  # the agent decides: cancel_transfer resumes the customer

    def _on_call_media_state(self, call: EngineCall) -> None:
        if not call.secured or call.ended:
            return
        ci = call.getInfo()
        media_list = ci.media
        for i in range(len(media_list)):
            m = media_list[i]
            if m.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            status = m.status
            if status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                self._pin_rtp(call, i)
                aud = call.getAudioMedia(i)
                slot = aud.getPortId()
                if call.attached_slot != slot:
                    if call.attached_slot is not None:
                        self._detach(call)
                    if call.training == "trainer":
                        call.attached_slot = slot
                        self.training.leg_media(call.number, aud)  # training hook: the mixer wires it
                    else:
                        self.audio.attach(call.number, aud)
                        call.attached_slot = slot
                        self.training.customer_media(call.number, aud)  # training hook: trainers hear it
                remote_hold = status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD
                if remote_hold and not call.held_remote:
                    call.held_remote = True
                    self._call_event(call, "held", by="remote")
                elif not remote_hold:
                    call.held_remote = False
                    call.held_local = False
                    if call.state == "held":
                        self._call_event(call, "connected", resumed=True)
            elif status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD:
                if call.attached_slot is not None:
                    self._detach(call)
                if call.state != "held":
                    call.held_local = True
                    self._call_event(call, "held", by="local")
            elif status in (pj.PJSUA_CALL_MEDIA_NONE, pj.PJSUA_CALL_MEDIA_ERROR) and call.attached_slot is not None:
                self._detach(call)
            break

    def _detach(self, call: EngineCall) -> None:
        try:
            if call.training == "trainer":
                self.training.leg_media(call.number, None)  # training hook
            else:
                self.training.customer_media(call.number, None)  # training hook (before the backend lets go)
                self.audio.detach(call.number)
        except Exception:
            log.exception("audio detach")
        call.attached_slot = None

    # ---- call training (agentdesk/sip/training.py; docs/engine-protocol.md "Call training") ------------------
    def _agent_media(self) -> tuple[Any, Any]:
        """The backend's (microphone, ear) ports for the training mix; (None, None) if it has none."""
        fn = getattr(self.audio, "agent_media", None)  # optional in the CallAudio protocol
        return fn() if fn is not None else (None, None)

    def _training_incoming(self, acc: EngineAccount, prm: Any, msg: str) -> bool:
        """A trainer joining (X-AgentDesk-Training header, or a listed trainer's call while the trainee is on a
        call): answer it at once as a trainer's leg, or refuse it. False: an ordinary call, let it ring."""
        headers = parse_headers(msg)
        wanted = next((v for k, v in headers.items() if k.lower() == TRAINING_HEADER.lower()), None)
        remote = _header_value(msg, ("from", "f")) or ""
        listed = self.training.authorised(remote)
        on_call = any(c.state in ("connected", "held") and c.training is None for c in self._live_calls())
        if wanted is None and not (listed and on_call):
            return False
        call = EngineCall(self, acc, 0, "incoming", prm.callId)
        code, reason = 0, ""
        try:
            mode = parse_mode(wanted or "monitor")
        except ValueError:
            code, reason, mode = 400, "unknown training mode", "monitor"
        if not code and not listed:
            code, reason = 403, "not an authorised trainer"
        elif not code and len(self.training.legs) >= self.training.config.max_trainers:
            code, reason = 486, "a trainer is already on this call"
        elif not code and len(self._live_calls()) > MAX_CALLS - 2:
            code, reason = 486, "no room for a trainer: one call must stay free for an escalation"
        if code:
            call.secured = False  # never reported as a call; dropped when it ends
            self.rejected.append(call)
            log.warning("training call from %s refused: %s %s", remote, code, reason)
            self.emit(P.TrainerRefused(remote=remote, code=code, reason=reason))
            op = pj.CallOpParam()
            op.statusCode = code
            op.reason = "Forbidden" if code == 403 else reason
            call.hangup(op)
            return True
        call.number = self._new_number()
        call.training = "trainer"
        call.remote = str(call.getInfo().remoteUri)
        call.headers = headers
        self.calls[call.number] = call
        self.training.add_leg(call.number, call.remote, mode)
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)  # never holds the customer (cmd_answer would)
        log.info("trainer %s joins as call %s (%s)", call.remote, call.number, mode)
        return True

    def cmd_training(self, cmd: P.TrainingStatus) -> dict[str, Any]:
        """The training status: the trainer list and the trainers' legs with their modes."""
        return self.training.status()

    def cmd_training_join(self, cmd: P.TrainingJoin) -> dict[str, Any]:
        """Trainer's side: call a trainee's engine to join the trainee's live call in a mode."""
        mode = parse_mode(cmd.mode)
        acc = self._require_account()
        uri = self._normalize_uri(cmd.uri)
        if self._limit_reached():
            raise CommandError(f"call limit reached: at most {MAX_CALLS} calls")
        call = EngineCall(self, acc, self._new_number(), "outgoing")
        call.remote = uri
        call.training = "join"
        op = pj.CallOpParam(True)
        op.txOption.headers = self._header_vector({TRAINING_HEADER: mode})
        self._make_call(call, uri, op)
        self.calls[call.number] = call
        if call.state == "new":
            self._call_event(call, "calling", training=mode)
        return {"call": call.number, "mode": mode}

    def _training_message(self, call: EngineCall, body: dict[str, Any]) -> None:
        if call.state != "connected":
            raise CommandError(f"call {call.number} is not connected")
        prm = pj.SendInstantMessageParam()
        prm.contentType = TRAINING_CONTENT_TYPE
        prm.content = json.dumps(body, ensure_ascii=False)
        call.sendInstantMessage(prm)

    def cmd_training_mode(self, cmd: P.TrainingMode) -> dict[str, Any]:
        """On the trainee's engine (a trainer's leg): switch the mix now. On the trainer's engine (a call made
        with training_join): ask the trainee's engine to switch (an in-dialog MESSAGE)."""
        call = self._get_call(cmd.call)
        mode = parse_mode(cmd.mode)
        if call.training == "trainer":
            return self.training.set_mode(call.number, mode, "local")
        if call.training == "join":
            self._training_message(call, {"mode": mode})
            return {"call": call.number, "mode": mode, "sent": True}
        raise CommandError(f"call {call.number} is not a training call")

    def cmd_practice_record(self, cmd: P.PracticeRecord) -> dict[str, Any]:
        """Practice calls only (X-AgentDesk-Practice on the incoming INVITE): record the agent's voice and the
        simulated customer's to two WAVs for the score sheet, until the call's audio stops."""
        call = self._get_call(cmd.call)
        if not any(k.lower() == "x-agentdesk-practice" for k in call.headers) or call.training:
            raise CommandError("only practice calls can be recorded")
        paths = {}
        for key, value in (("agent", cmd.agent), ("customer", cmd.customer)):
            if value is not None:
                if not os.path.isdir(os.path.dirname(os.path.abspath(value))):
                    raise CommandError(f'"{key}" must be a WAV path in an existing folder')
                paths[key] = value
        if not paths:
            raise CommandError('give "agent" and/or "customer": WAV paths')
        return self.training.record_practice(call.number, paths.get("agent"), paths.get("customer"))

    def cmd_training_hint(self, cmd: P.TrainingHint) -> dict[str, Any]:
        """Trainer's side: a text hint that appears on the trainee's screen."""
        call = self._get_call(cmd.call)
        text = cmd.text.strip()
        if not text:
            raise CommandError("the hint is empty")
        if len(text) > 500:
            raise CommandError("the hint is too long (at most 500 characters)")
        if call.training != "join":
            raise CommandError(f"call {call.number} is not a call into a trainee's engine")
        body: dict[str, Any] = {"hint": text}
        if cmd.mode is not None:
            body["mode"] = parse_mode(cmd.mode)
        self._training_message(call, body)
        return {"call": call.number, "sent": True}

    def cmd_answer(self, cmd: P.Answer) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if call.direction != "incoming" or call.state != "incoming":
            raise CommandError(f"call {call.number} is not ringing")
        held = []
        for other in self._live_calls():
            if other is not call and other.state == "connected" and other.training != "trainer":
                other.setHold(pj.CallOpParam(True))
                other.held_local = True
                held.append(other.number)
        op = pj.CallOpParam(True)
        op.statusCode = 200
        call.answer(op)
        return {"call": call.number, "held": held}

    def cmd_reject(self, cmd: P.Reject) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if call.state != "incoming":
            raise CommandError(f"call {call.number} is not ringing")
        code = 486 if cmd.code is None else cmd.code
        if not 400 <= code <= 699:
            raise CommandError("reject code must be 400-699")
        op = pj.CallOpParam()
        op.statusCode = code
        call.hangup(op)
        return {"call": call.number}

    def cmd_hangup(self, cmd: P.Hangup) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if not call.isActive():  # hangup on a dead call aborts the process (design.md)
            raise CommandError(f"call {call.number} has ended")
        op = pj.CallOpParam()
        if call.state == "incoming":
            op.statusCode = 603
        call.hangup(op)
        return {"call": call.number}

    def cmd_hold(self, cmd: P.Hold) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise CommandError(f"call {call.number} is not connected")
        if call.held_local:
            return {"call": call.number}
        call.setHold(pj.CallOpParam(True))
        call.held_local = True
        return {"call": call.number}

    def cmd_unhold(self, cmd: P.Unhold) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if not call.held_local:
            raise CommandError(f"call {call.number} is not on hold")
        op = pj.CallOpParam(True)
        op.opt.flag = pj.PJSUA_CALL_UNHOLD
        call.reinvite(op)
        call.held_local = False
        return {"call": call.number}

    def cmd_mute(self, cmd: P.Mute) -> dict[str, Any]:
        self.muted = True
        self.audio.set_mute(True)
        self.emit(P.MuteChanged(muted=True))
        return {"muted": True}

    def cmd_unmute(self, cmd: P.Unmute) -> dict[str, Any]:
        self.muted = False
        self.audio.set_mute(False)
        self.emit(P.MuteChanged(muted=False))
        return {"muted": False}

    def cmd_dtmf(self, cmd: P.Dtmf) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        digits = cmd.digits
        if len(digits) > bounds.MAX_DIGITS or not _DTMF.match(digits):
            raise CommandError("DTMF digits are 0-9, *, #, A-D")
        method = cmd.method or "rfc4733"
        if method == "info":  # one INFO transaction at a time, in order (agentdesk/sip/dtmf.py)
            queued = self.path.info_dtmf.add(call.number, digits, cmd.duration or 160)
            return {"call": call.number, "queued": queued}
        p = pj.CallSendDtmfParam()
        p.digits = digits
        if method in ("rfc4733", "rfc2833"):
            p.method = pj.PJSUA_DTMF_METHOD_RFC2833
        else:
            raise CommandError("DTMF method must be rfc4733 or info")
        if cmd.duration is not None:
            p.duration = cmd.duration
        call.sendDtmf(p)
        return {"call": call.number}

    # ---- transfer ---------------------------------------------------------------------------------------------
    def _refer_target(self, target: str, headers: Any) -> str:
        uri = self._normalize_uri(target)
        checked = bounds.check_headers(headers)
        if checked:
            parts = []
            for name, value in checked.items():
                if not _HEADER_NAME.match(str(name)):
                    raise CommandError(f"bad header name {name!r}")
                parts.append(f"{name}={urllib.parse.quote(str(value), safe='')}")
            uri += ("&" if "?" in uri else "?") + "&".join(parts)
        if len(uri) > bounds.MAX_REFER_TO:
            raise CommandError(f"the transfer target with its headers is too long (at most {bounds.MAX_REFER_TO} "
                               "characters)")
        return f"<{uri}>"

    def cmd_transfer(self, cmd: P.Transfer) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise CommandError(f"call {call.number} is not connected")
        dest = self._refer_target(cmd.target, cmd.headers)
        call.transfer_pending = True
        call.xfer(dest, pj.CallOpParam(True))
        return {"call": call.number, "target": dest}

    def cmd_consult(self, cmd: P.Consult) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        if call.state not in ("connected", "held"):
            raise CommandError(f"call {call.number} is not connected")
        acc = self._require_account()
        uri = self._normalize_uri(cmd.uri)
        if self._limit_reached():
            raise CommandError(f"call limit reached: at most {MAX_CALLS} calls")
        if not call.held_local:
            call.setHold(pj.CallOpParam(True))
            call.held_local = True
        consult = EngineCall(self, acc, self._new_number(), "outgoing")
        consult.remote = uri
        consult.consult_of = call.number
        op = pj.CallOpParam(True)
        op.txOption.headers = self._header_vector(cmd.headers)
        self._make_call(consult, uri, op)
        self.calls[consult.number] = consult
        if consult.state == "new":
            self._call_event(consult, "calling", consult_for=call.number)
        return {"call": consult.number, "consult_for": call.number}

    def _consult_pair(self, cmd: P.CompleteTransfer | P.CancelTransfer) -> tuple[EngineCall, EngineCall]:
        if cmd.consult is not None:
            consult = self._get_call(cmd.consult, "consult")
            call = self._get_call(cmd.call if cmd.call is not None else consult.consult_of)
        else:
            call = self._get_call(cmd.call)
            found = [c for c in self._live_calls() if c.consult_of == call.number]
            if not found:
                raise CommandError(f"call {call.number} has no consultation call")
            consult = found[-1]
        return call, consult

    def cmd_complete_transfer(self, cmd: P.CompleteTransfer) -> dict[str, Any]:
        call, consult = self._consult_pair(cmd)
        if consult.state != "connected":
            raise CommandError("the consultation call is not connected yet")
        call.transfer_pending = True
        call.attended_to = consult.number
        call.xferReplaces(consult, pj.CallOpParam(True))
        return {"call": call.number, "consult": consult.number}

    def cmd_cancel_transfer(self, cmd: P.CancelTransfer) -> dict[str, Any]:
        call, consult = self._consult_pair(cmd)
        if consult.isActive():
            consult.hangup(pj.CallOpParam())
        if call.held_local:
            self.cmd_unhold(P.Unhold(call=call.number))
        return {"call": call.number, "consult": consult.number}

    def _on_transfer_status(self, call: EngineCall, prm: Any) -> None:
        code = int(prm.statusCode)
        final = bool(prm.finalNotify)
        self.emit(P.TransferProgress(call=call.number, code=code, reason=str(prm.reason), final=final))
        if final:
            call.transfer_pending = False
            if code in REPLACES_UNSUPPORTED and call.attended_to is not None and not call.ended:
                # The target cannot take a call that replaces another (baresip 1.0 answers 420): end the
                # consultation and send the customer to the same target as a blind transfer.
                consult = self.calls.get(call.attended_to)
                call.attended_to = None
                if consult is not None and not consult.ended:
                    self._after(0.0, f"fallback-{call.number}", lambda: self._blind_fallback(call, consult))
                    prm.cont = False
                    return
            if 200 <= code < 300:
                # Done: the customer is with the target; the agent is free.
                for c in [call] + [x for x in self._live_calls() if x.consult_of == call.number]:
                    if not c.ended and c.isActive():
                        c.hangup(pj.CallOpParam())
            prm.cont = False

    def _blind_fallback(self, call: EngineCall, consult: EngineCall) -> None:
        target = consult.remote
        if consult.isActive():
            consult.hangup(pj.CallOpParam())
        if call.ended or not call.isActive():
            return
        log.info("attended transfer of call %s: target refused Replaces, blind transfer to %s", call.number, target)
        self.emit(P.TransferFallback(call=call.number, target=target))
        call.transfer_pending = True
        call.xfer(f"<{target}>", pj.CallOpParam(True))

    def _on_transfer_request(self, call: EngineCall, prm: Any) -> None:
        # The far end asks us (as transferee) to call someone else. An agent's engine never dials on a
        # customer's say-so: only where the center's policy allows it (sip.transfer_requests: accept).
        acc = self.account
        if acc is None or self.transfer_requests != "accept" or call.training is not None:
            prm.statusCode = 603
            self.guard.refuse("REFER", call.remote, "refused: transfer requests are not accepted here",
                              logged=False, call=call.number)
            return
        new = EngineCall(self, acc, self._new_number(), "outgoing")
        new.remote = bounds.from_network(prm.dstUri)
        self.calls[new.number] = new
        prm.newCall = new
        self._call_event(new, "calling", transferred_from=call.number)

    def _on_call_replaced(self, call: EngineCall, prm: Any) -> None:
        acc = self.account
        if acc is None:
            return
        new = EngineCall(self, acc, self._new_number(), call.direction, prm.newCallId)
        new.remote = str(new.getInfo().remoteUri)
        self.calls[new.number] = new
        prm.newCall = new
        self._call_event(new, "connected", replaces=call.number)

    # ---- stats ------------------------------------------------------------------------------------------------
    def call_stats(self, call: EngineCall) -> P.Stats | None:
        ci = call.getInfo()
        media_list = ci.media
        idx = None
        for i in range(len(media_list)):
            m = media_list[i]
            if m.type == pj.PJMEDIA_TYPE_AUDIO and m.status != pj.PJSUA_CALL_MEDIA_NONE:
                idx = i
                break
        if idx is None:
            return None
        ss = call.getStreamStat(idx)
        si = call.getStreamInfo(idx)
        rtcp = ss.rtcp
        rx = rtcp.rxStat
        tx = rtcp.txStat
        rtt_ms = rtcp.rttUsec.mean / 1000 if rtcp.rttUsec.n else 0.0
        jitter_ms = rx.jitterUsec.mean / 1000 if rx.jitterUsec.n else 0.0
        expected = rx.pkt + rx.loss
        loss = 100.0 * rx.loss / expected if expected else 0.0
        codec = str(si.codecName)
        q = quality.estimate(rtt_ms, jitter_ms, loss, codec)
        return P.Stats(call=call.number, codec=f"{codec}/{si.codecClockRate}", rtt_ms=round(rtt_ms, 2),
                       jitter_ms=round(jitter_ms, 2), loss_percent=round(loss, 3), rx_packets=int(rx.pkt),
                       tx_packets=int(tx.pkt), rx_bytes=int(rx.bytes), tx_bytes=int(tx.bytes), mos=round(q.mos, 2),
                       r=round(q.r, 1), quality=q.bucket,
                       srtp=bool(int(si.proto) & 0x4000),  # the SRTP profile bit of pjmedia_tp_proto
                       **self.path.rtp_addresses(call, idx))

    def cmd_stats(self, cmd: P.GetStats) -> dict[str, Any]:
        call = self._get_call(cmd.call)
        st = self.call_stats(call)
        if st is None:
            raise CommandError(f"call {call.number} has no audio yet")
        self.emit(st)
        return {k: v for k, v in st.to_json().items() if k != "event"}

    def _periodic_stats(self) -> None:
        if self.stats_interval <= 0:
            return
        now = time.monotonic()
        if now < self._next_stats:
            return
        self._next_stats = now + self.stats_interval
        for call in self._live_calls():
            if call.state in ("connected", "held"):
                try:
                    st = self.call_stats(call)
                except pj.Error:
                    continue
                if st is not None:
                    self.emit(st)

    def _pin_rtp(self, call: EngineCall, idx: int) -> None:
        """rtp_guard.py: the call's RTP/RTCP sockets take packets only from the far end the SDP named."""
        try:
            si = call.getStreamInfo(idx)
            ti = call.getMedTransportInfo(idx)
            self.rtp_guard.media(call.number, str(ti.localRtpName), str(ti.localRtcpName),
                                 str(si.remoteRtpAddress), str(si.remoteRtcpAddress))
        except pj.Error as exc:
            log.info("call %s: RTP addresses not available: %s", call.number, exc.info())

    def _watch_rtp(self) -> None:
        now = time.monotonic()
        if now < self._next_rtp_look or not self.rtp_guard.pins:
            return
        self._next_rtp_look = now + 0.1
        for call in self._live_calls():
            if call.number not in self.rtp_guard.pins:
                continue
            try:
                ci = call.getInfo()
                media_list = ci.media
                for i in range(len(media_list)):
                    if media_list[i].type == pj.PJMEDIA_TYPE_AUDIO:
                        self.rtp_guard.observe(call.number, str(call.getMedTransportInfo(i).srcRtpName))
                        break
            except pj.Error:
                continue

    def _rtp_stranger(self, call: int, src: tuple[str, int]) -> None:
        self.guard.refuse("RTP", f"{src[0]}:{src[1]}", "from an address the call did not negotiate: ignored",
                          what="rtp_stranger", call=call)

    def cmd_calls(self, cmd: P.ListCalls) -> dict[str, Any]:
        return {"calls": [dict({"call": c.number, "direction": c.direction, "state": c.state, "remote": c.remote},
                               **({"training": c.training} if c.training else {}))
                          for c in self._live_calls()],
                "registration": {"state": self.reg_state,
                                 "registrar": self.registrars[self.reg_index].given if self.registrars else None},
                "muted": self.muted}

    def cmd_headset(self, cmd: P.HeadsetStatus) -> dict[str, Any]:
        return self.headset.command(bool(cmd.rescan))  # docs/engine-protocol.md, "Headset buttons and lights"

    # ---- SIP over TLS (agentdesk/sip/tls_relay.py) ----------------------------------------------------------
    def _configure_relay(self, plan: configure_plan.ConfigurePlan) -> None:
        tls, registrars = plan.tls_settings, plan.registrars
        if plan.transport != "tls" or tls.stack != "python":
            self.relay_hops = []
            self.guard.relay_source = None
            if self.tls_relay is not None:
                self.tls_relay.configure([], tls)
            return
        if self.tls_relay is None:
            self.tls_relay = TlsRelay(self.queue.put)
        ups = [Upstream(i, r.given, r.host, r.port, tls.server_name or r.host) for i, r in enumerate(registrars)]
        try:
            ports = self.tls_relay.configure(ups, tls)
        except TlsConfigError as exc:
            raise CommandError(str(exc)) from None
        self.relay_hops = [f"sip:127.0.0.1:{p};transport=tcp;lr" for p in ports]
        # only the relay's registrar connections reach pjsip legitimately (the ghost-call rule over TLS)
        self.guard.relay_source = self.tls_relay.is_registrar_source

    def tls_relay_ports(self) -> list[int]:
        return [int(h.split(":")[2].split(";")[0]) for h in self.relay_hops]

    def _relay_hop(self, reg: Registrar) -> str | None:
        for i, r in enumerate(self.registrars):
            if r is reg and i < len(self.relay_hops):
                return self.relay_hops[i]
        return None

    def _on_tls(self, event: dict[str, Any]) -> None:
        """The relay's news (its thread posts, this thread emits): connected, refused, closed, unreachable."""
        index = int(event.pop("index", -1))
        self.emit(P.decode_event(dict({"event": "tls"}, **event)))
        state = event.get("state")
        if state == "connected":
            self.path.relay_connected(index, event.get("local_address"), event.get("contact_address"))
        if state == "refused":
            self.emit(P.Security(what="tls_refused", source=str(event.get("registrar")),
                                 reason=str(event.get("reason")), kind=event.get("kind"),
                                 message=event.get("message")))
        elif state == "closed" and index == self.reg_index and self.want_registered and \
                self.reg_state == "registered":
            # The center's end of our TLS connection went away (restart, a NAT that forgot us): register again
            # soon over a new connection (jittered: many agents lose theirs at once). A dead registrar fails over.
            self._after(random.uniform(0.2, 1.0), "reregister", self._reregister)

    def relay_path_changed(self) -> bool:
        """The path to the center changed (network change, recovery): TLS through the relay gets new connections
        from the new address, and a REGISTER over them (pjsua does not re-register over a connection the relay
        closed). False without the relay."""
        if not self.relay_hops or self.tls_relay is None:
            return False
        self.tls_relay.reconnect()
        self._after(0.3, "reregister", self._reregister)
        return True

    def _reregister(self) -> None:
        if self.want_registered and self.account is not None:
            try:
                self.account.setRegistration(True)
            except pj.Error as exc:  # PJSIP_EBUSY: one is already on its way
                log.debug("re-register: %s", exc.info())

    def cmd_tls(self, cmd: P.TlsStatus) -> dict[str, Any]:
        """The TLS connections to the registrars: protocol, cipher, trust, refusals; the relay thread's CPU."""
        if self.tls_relay is not None and self.relay_hops:
            return self.tls_relay.status()
        transport = self.config.get("transport")
        return {"stack": "pjsip" if transport == "tls" else None, "registrars": []}

    def cmd_quit(self, cmd: P.Quit) -> dict[str, Any]:
        self.quitting = True
        return {}


def _system_ca_file() -> str | None:
    for path in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"):
        if os.path.exists(path):
            return path
    try:
        import certifi

        return str(certifi.where())
    except ImportError:
        return None


def _read_commands(stream: Any, commands: queue.Queue[tuple[Any, ...]]) -> None:
    """stdin lines -> the command queue. Any line gets an answer (a command, or a "bad" reply), a line too long or
    too deeply nested included; only the end of stdin ends this thread (bounds.py)."""
    too_deep = f"too deeply nested (at most {bounds.MAX_DEPTH} levels)"
    try:
        for item in bounds.read_lines(stream):
            if isinstance(item, bounds.LineTooLong):
                commands.put(("bad", None, str(item)))
                continue
            line = item.strip()
            if not line:
                continue
            try:
                cmd = P.parse_line(line)
                if bounds.depth(cmd) > bounds.MAX_DEPTH:
                    commands.put(("bad", None, too_deep))  # not even its id is echoed back
                    continue
                commands.put(("cmd", cmd))
            except RecursionError:
                commands.put(("bad", None, too_deep))
            except CommandError as exc:
                commands.put(("bad", _command_id(line), str(exc)))
            except Exception:
                log.exception("reading a command line")
                commands.put(("bad", None, "the command could not be read"))
    except Exception:
        log.exception("reading commands")
    commands.put(("eof",))


def _command_id(line: str) -> Any:
    try:
        obj = json.loads(line)
        return obj.get("id") if isinstance(obj, dict) else None
    except Exception:
        return None


def main() -> int:
    """Entry point of ``agentdesk engine``: protocol on a duplicate of stdout, fd 1 to stderr, then pjsua2."""
    from agentdesk import log as logsetup

    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # pjlib prints to fd 1 from libCreate on: those lines must never reach the protocol
    proto = os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n", buffering=1)
    sys.stdout = sys.stderr
    logsetup.setup(file_name="engine.log", level=logging.DEBUG if os.environ.get("AGENTDESK_DEBUG") else
                   logging.INFO)
    emit = P.EventWriter(proto)
    commands: queue.Queue[tuple[Any, ...]] = queue.Queue()
    reader = threading.Thread(target=_read_commands, args=(sys.stdin.buffer, commands), name="stdin", daemon=True)
    engine = Engine(emit, commands)
    reader.start()
    code = 1
    try:
        code = engine.run()
    except Exception:
        log.exception("engine failed")
        emit(P.EngineState(state="error", error="the phone engine failed; see the log"))
    with contextlib.suppress(OSError):
        proto.close()
    logging.shutdown()
    sys.stderr.flush()
    # The stdin reader may still block in read(): leave without interpreter finalization (which would wait on it).
    os._exit(code)
