"""The engine's wire format, typed: every command and every event as a frozen dataclass (docs/engine-protocol.md).

JSON Lines, one command per line on stdin, one event per line on stdout. This module is the one definition of
that contract: the engine decodes commands and emits events through it, the supervisor and the desk send
commands and receive events through it, the tests' fake engine speaks it, and ``tests/unit/test_protocol_doc.py``
holds docs/engine-protocol.md to exactly the messages defined here.

    cmd = decode_command({"cmd": "answer", "id": 4, "call": 7})     # -> Answer(id=4, call=7)
    encode(CallEvent(call=7, direction="incoming", state="ringing", remote="...", code=180))
    decode_event(json.loads(line))                                   # -> CallEvent(...) or UnknownEvent(...)

Encoding keeps the shapes byte for byte: keys in field order after ``"cmd"``/``"event"``; a field marked
:func:`optional` is left out while it is ``None`` (a plain ``X | None`` field is written as ``null``); a field
marked :func:`optional_nonempty` is left out while empty. Decoding checks every field's type and names the
field in a :class:`ProtocolError` (a sentence fit to show); unknown fields are ignored (the protocol grows
compatibly) and unknown command or event names decode to :class:`UnknownCommand` / :class:`UnknownEvent`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, Literal, Self, TypeVar, Union, get_args, get_origin

from agentdesk.sip.bounds import escape_surrogates

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1

# A JSON value as the wire carries it. Used only where the protocol itself is open (a request id, the
# backend-specific "audio" section, a reply's extra fields): everything else is typed below.
# Sequence/Mapping (not list/dict) so that a producer's dict[str, str] is a Json value as it is.
Json = Union[None, bool, int, float, str, Sequence["Json"], Mapping[str, "Json"]]  # noqa: UP007 (a recursive alias)
JsonObject = dict[str, Json]


class ProtocolError(ValueError):
    """A message that does not fit the protocol; the text names the field and is fit to show."""


class CommandError(Exception):
    """A command that cannot be carried out; its message goes to the reply's ``error`` (agent-readable)."""


_OMIT = "omit"


def optional(default: Any = None) -> Any:
    """A field left out of the JSON while it is None."""
    return field(default=default, metadata={_OMIT: "none"})


def optional_nonempty(factory: Callable[[], Any] = dict) -> Any:
    """A field (a list or an object) left out of the JSON while it is empty."""
    return field(default_factory=factory, metadata={_OMIT: "empty"})


# ---- encoding and decoding ---------------------------------------------------------------------------------
_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = typing.get_type_hints(cls, globalns=globals())
        _HINTS[cls] = found
    return found


def _to_json(value: Any) -> Json:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_to_json(value)
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    return typing.cast(Json, value)


def _fields_to_json(obj: Any) -> JsonObject:
    out: JsonObject = {}
    for f in dataclasses.fields(obj):
        if f.name == "id" and isinstance(obj, Command):
            continue  # written first, by Command.to_json
        value = getattr(obj, f.name)
        omit = f.metadata.get(_OMIT)
        if (omit == "none" and value is None) or (omit == "empty" and not value):
            continue
        out[f.name] = _to_json(value)
    return out


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if origin is Literal:
        return " or ".join(json.dumps(a) for a in get_args(tp))
    if origin in (list, Sequence):
        return "a list"
    if origin in (dict, Mapping) or dataclasses.is_dataclass(tp):
        return "an object"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None)) + " (or null)"
    return "a JSON value"


def _convert(value: Any, tp: Any, where: str) -> Any:
    """``value`` (decoded JSON) as type ``tp``; ProtocolError naming ``where`` when it does not fit."""
    if tp is Any or tp == Json or (isinstance(tp, typing.ForwardRef) and tp.__forward_arg__ == "Json"):
        return value  # any JSON value (the open parts of the protocol)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, where)
            except ProtocolError:
                continue
        raise ProtocolError(f'"{where}" must be {_type_name(tp)}')
    if origin is Literal:
        if value in get_args(tp) and not (isinstance(value, bool) and bool not in map(type, get_args(tp))):
            return value
        raise ProtocolError(f'"{where}" must be {_type_name(tp)}')
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif origin in (list, Sequence):
        (item,) = get_args(tp)
        if isinstance(value, list):
            return [_convert(v, item, where) for v in value]
    elif origin in (dict, Mapping):
        _, item = get_args(tp)
        if isinstance(value, dict):
            return {str(k): _convert(v, item, f"{where}.{k}") for k, v in value.items()}
    elif isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if isinstance(value, dict):
            return _from_fields(tp, value, where + ".")
    elif tp is type(None):
        if value is None:
            return None
    else:  # pragma: no cover - a type this module does not use
        raise TypeError(f"protocol field type {tp!r} is not supported")
    raise ProtocolError(f'"{where}" must be {_type_name(tp)}')


def _from_fields(cls: type, obj: Mapping[str, Any], prefix: str = "") -> Any:
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name not in obj or (obj[f.name] is None and f.metadata.get(_OMIT)):
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError(f'"{prefix}{f.name}" is missing')
            continue
        kwargs[f.name] = _convert(obj[f.name], hints[f.name], prefix + f.name)
    return cls(**kwargs)


# ---- commands ---------------------------------------------------------------------------------------------
CommandT = TypeVar("CommandT", bound="Command")
COMMAND_TYPES: dict[str, type[Command]] = {}


def command(name: str) -> Callable[[type[CommandT]], type[CommandT]]:
    """Register a command class under its wire name (``"cmd"``)."""

    def register(cls: type[CommandT]) -> type[CommandT]:
        cls.NAME = name
        COMMAND_TYPES[name] = cls
        return cls

    return register


@dataclass(frozen=True, kw_only=True)
class Command:
    """A command; ``id`` (any JSON value) is echoed in its one reply."""

    NAME: ClassVar[str] = ""
    AUDIO: ClassVar[bool] = False  # handled by the audio backend (CallAudio.handle), not the engine itself
    id: Json = None

    def to_json(self) -> JsonObject:
        out: JsonObject = {"cmd": self.NAME}
        if self.id is not None:
            out["id"] = self.id
        out.update(_fields_to_json(self))
        return out

    def with_id(self, request_id: Json) -> Self:
        return dataclasses.replace(self, id=request_id)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        return typing.cast(Self, _from_fields(cls, obj))


@dataclass(frozen=True, kw_only=True)
class UnknownCommand(Command):
    """A command this protocol does not define: the engine hands it to the audio backend as it came."""

    name: str
    data: JsonObject = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        out: JsonObject = dict(self.data)
        out["cmd"] = self.name
        if self.id is not None:
            out["id"] = self.id
        return out


@command("configure")
@dataclass(frozen=True, kw_only=True)
class Configure(Command):
    """Account, SIP transport, audio backend and training list. The sections are objects whose keys are
    documented one by one in docs/engine-protocol.md and validated by the engine (which knows the context: the
    keyring, the transports, the backends); ``audio`` is open by design (other keys go to the backend)."""

    account: JsonObject
    sip: JsonObject = optional_nonempty()
    audio: JsonObject | None = optional()
    training: JsonObject | None = optional()
    headset: JsonObject | None = optional()  # {"enabled": true, "ringer": false}: the headset's call buttons


@command("register")
@dataclass(frozen=True, kw_only=True)
class Register(Command):
    pass


@command("unregister")
@dataclass(frozen=True, kw_only=True)
class Unregister(Command):
    pass


@command("call")
@dataclass(frozen=True, kw_only=True)
class Dial(Command):
    """Place a call (``uri`` may be a bare user); the reply carries the new call id."""

    uri: str
    headers: dict[str, str] = optional_nonempty()


@command("answer")
@dataclass(frozen=True, kw_only=True)
class Answer(Command):
    call: int | None = optional()  # may be left out when exactly one call exists (every call command)


@command("reject")
@dataclass(frozen=True, kw_only=True)
class Reject(Command):
    call: int | None = optional()
    code: int | None = optional()  # 400-699, 486 Busy Here when left out


@command("hangup")
@dataclass(frozen=True, kw_only=True)
class Hangup(Command):
    call: int | None = optional()


@command("hold")
@dataclass(frozen=True, kw_only=True)
class Hold(Command):
    call: int | None = optional()


@command("unhold")
@dataclass(frozen=True, kw_only=True)
class Unhold(Command):
    call: int | None = optional()


@command("mute")
@dataclass(frozen=True, kw_only=True)
class Mute(Command):
    pass


@command("unmute")
@dataclass(frozen=True, kw_only=True)
class Unmute(Command):
    pass


@command("dtmf")
@dataclass(frozen=True, kw_only=True)
class Dtmf(Command):
    digits: str
    call: int | None = optional()
    method: Literal["rfc4733", "rfc2833", "info"] | None = optional()  # rfc4733 when left out
    duration: int | None = optional()  # ms


@command("transfer")
@dataclass(frozen=True, kw_only=True)
class Transfer(Command):
    """Blind transfer (the escalation button): REFER with the headers in the Refer-To URI."""

    target: str
    call: int | None = optional()
    headers: dict[str, str] = optional_nonempty()


@command("consult")
@dataclass(frozen=True, kw_only=True)
class Consult(Command):
    """Attended transfer, first step: hold the customer and call the colleague."""

    uri: str
    call: int | None = optional()
    headers: dict[str, str] = optional_nonempty()


@command("complete_transfer")
@dataclass(frozen=True, kw_only=True)
class CompleteTransfer(Command):
    call: int | None = optional()
    consult: int | None = optional()


@command("cancel_transfer")
@dataclass(frozen=True, kw_only=True)
class CancelTransfer(Command):
    call: int | None = optional()
    consult: int | None = optional()


@command("stats")
@dataclass(frozen=True, kw_only=True)
class GetStats(Command):
    call: int | None = optional()


@command("calls")
@dataclass(frozen=True, kw_only=True)
class ListCalls(Command):
    pass


@command("network_changed")
@dataclass(frozen=True, kw_only=True)
class NetworkChanged(Command):
    previous: str | None = optional()
    address: str | None = optional()


@command("tls")
@dataclass(frozen=True, kw_only=True)
class TlsStatus(Command):
    """The TLS connections to the registrars: protocol, cipher, trust, refusals (agentdesk/sip/tls_relay.py)."""


@command("quit")
@dataclass(frozen=True, kw_only=True)
class Quit(Command):
    pass


@command("training")
@dataclass(frozen=True, kw_only=True)
class TrainingStatus(Command):
    pass


TrainingModeName = Literal["monitor", "whisper", "barge"]


@command("training_join")
@dataclass(frozen=True, kw_only=True)
class TrainingJoin(Command):
    uri: str
    mode: str = "monitor"  # checked by the engine (its message lists the modes)


@command("training_mode")
@dataclass(frozen=True, kw_only=True)
class TrainingMode(Command):
    mode: str
    call: int | None = optional()


@command("training_hint")
@dataclass(frozen=True, kw_only=True)
class TrainingHint(Command):
    text: str
    call: int | None = optional()
    mode: str | None = optional()


@command("practice_record")
@dataclass(frozen=True, kw_only=True)
class PracticeRecord(Command):
    call: int | None = optional()
    agent: str | None = optional()  # WAV paths
    customer: str | None = optional()


# Audio backend commands: the engine hands them to its backend (agentdesk/sip/call_audio.py) as JSON.
@command("headset")
@dataclass(frozen=True, kw_only=True)
class HeadsetStatus(Command):
    """The headset call controls' status; ``rescan``: look for headsets now."""

    rescan: bool | None = optional()


@command("audio_files")
@dataclass(frozen=True, kw_only=True)
class AudioFiles(Command):
    AUDIO: ClassVar[bool] = True


@command("devices")
@dataclass(frozen=True, kw_only=True)
class Devices(Command):
    AUDIO: ClassVar[bool] = True
    rescan: bool | None = optional()


@command("select_device")
@dataclass(frozen=True, kw_only=True)
class SelectDevice(Command):
    """The device travels in the command's ``id`` (as the protocol has it since version 1; the reply echoes it)."""

    AUDIO: ClassVar[bool] = True
    role: Literal["call", "ring"] = "call"


@command("ring")
@dataclass(frozen=True, kw_only=True)
class Ring(Command):
    AUDIO: ClassVar[bool] = True
    action: Literal["start", "stop"] = "start"
    tone: str | None = optional()  # ring, call_waiting, busy, ... (agentdesk.sip.audio.tones)
    loop: bool | None = optional()
    on_headset: bool | None = optional()


@command("tone")
@dataclass(frozen=True, kw_only=True)
class Tone(Command):
    AUDIO: ClassVar[bool] = True
    name: str
    digit: str | None = optional()
    gain: float | None = optional()


@command("audio_processing")
@dataclass(frozen=True, kw_only=True)
class AudioProcessing(Command):
    AUDIO: ClassVar[bool] = True
    echo_cancellation: bool | Literal["auto"] | None = optional()
    noise_suppression: bool | None = optional()
    auto_gain: bool | None = optional()


@command("audio_stats")
@dataclass(frozen=True, kw_only=True)
class AudioStats(Command):
    AUDIO: ClassVar[bool] = True


def decode_command(obj: Mapping[str, Any]) -> Command:
    """A parsed command object -> its typed command (UnknownCommand for a name this protocol does not define).
    Raises ProtocolError naming the field that does not fit."""
    name = obj.get("cmd")
    if not isinstance(name, str) or not name:
        raise ProtocolError('a command needs a "cmd" string')
    cls = COMMAND_TYPES.get(name)
    if cls is None:
        data = {k: v for k, v in obj.items() if k not in ("cmd", "id")}
        return UnknownCommand(id=obj.get("id"), name=name, data=data)
    return cls.from_json(obj)


# ---- events -----------------------------------------------------------------------------------------------
EventT = TypeVar("EventT", bound="Event")
EVENT_TYPES: dict[str, list[type[Event]]] = {}


def event(name: str, states: tuple[str, ...] = ()) -> Callable[[type[EventT]], type[EventT]]:
    """Register an event class under its wire name; ``states``: only for events whose ``"state"`` is one of these
    (one event name, several shapes)."""

    def register(cls: type[EventT]) -> type[EventT]:
        cls.NAME = name
        cls.STATES = states
        EVENT_TYPES.setdefault(name, []).append(cls)
        return cls

    return register


@dataclass(frozen=True, kw_only=True)
class Event:
    NAME: ClassVar[str] = ""
    STATES: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> JsonObject:
        out: JsonObject = {"event": self.NAME}
        out.update(_fields_to_json(self))
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        return typing.cast(Self, _from_fields(cls, obj))


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(Event):
    """An event this protocol does not define (a newer engine): clients ignore it."""

    name: str
    data: JsonObject = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        return {"event": self.name, **self.data}


@event("reply")
@dataclass(frozen=True, kw_only=True)
class Reply(Event):
    """Exactly one per command. ``error`` (a sentence, never a traceback) when ``ok`` is false; ``cmd`` is absent
    for a line that was not a command at all; ``result``: the command's extra fields (listed per command)."""

    id: Json
    ok: bool
    cmd: str | None = optional()
    error: str | None = optional()
    result: JsonObject = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        out: JsonObject = {"event": "reply", "id": self.id}
        if self.cmd is not None:
            out["cmd"] = self.cmd
        out["ok"] = self.ok
        if self.error is not None:
            out["error"] = self.error
        for key, value in self.result.items():
            out.setdefault(key, _to_json(value))
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        base = _from_fields(cls, {k: obj[k] for k in ("id", "ok", "cmd", "error") if k in obj})
        if "id" not in obj:
            base = dataclasses.replace(base, id=None)
        result = {k: v for k, v in obj.items() if k not in ("event", "id", "ok", "cmd", "error")}
        return typing.cast(Self, dataclasses.replace(base, result=result))

    def result_as(self, cls: type[EventT]) -> EventT:
        """The result fields as a typed record (e.g. ``reply.result_as(Stats)``, ``reply.result_as(CallPlaced)``);
        ProtocolError when they do not fit."""
        return cls.from_json(self.result)

    @property
    def call(self) -> int | None:
        """The call id most commands' replies carry (call, answer, consult, transfer...)."""
        value = self.result.get("call")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


@event("engine")
@dataclass(frozen=True, kw_only=True)
class EngineState(Event):
    """``ready`` (first line), ``stopped`` (last line), ``error``; the supervisor adds ``died``, ``restarted``,
    ``failed``."""

    state: Literal["ready", "stopped", "error", "died", "restarted", "failed"]
    protocol: int | None = optional()
    version: str | None = optional()
    pid: int | None = optional()
    max_calls: int | None = optional()
    error: str | None = optional()
    code: int | None = optional()  # died: the exit status, negative for a signal
    lost_calls: list[int] | None = optional()  # died, restarted
    restarts: int | None = optional()  # failed
    reason: str | None = optional()  # failed


RegistrationStateName = Literal["registered", "unregistered", "failed", "retrying"]


@event("registration")
@dataclass(frozen=True, kw_only=True)
class Registration(Event):
    state: RegistrationStateName
    registrar: str | None
    code: int
    reason: str
    expires: int | None = optional()  # registered
    primary: bool | None = optional()  # registered: on the first registrar
    retry_in: float | None = optional()  # retrying after a failure
    previous: str | None = optional()  # retrying: failover, primary back, retry
    tls: str | None = optional()  # failed: the registrar's certificate was refused (a TlsRefused kind)
    message: dict[str, str] | None = optional()  # failed: why, in the agent's words ({"ja": ..., "en": ...})


CallStateName = Literal["incoming", "calling", "ringing", "connected", "held", "ended"]


@event("call")
@dataclass(frozen=True, kw_only=True)
class CallEvent(Event):
    call: int
    direction: Literal["incoming", "outgoing"]
    state: CallStateName
    remote: str
    headers: dict[str, str] = optional_nonempty()  # the incoming INVITE's X-* and selected headers
    others: list[int] | None = optional()  # incoming: the other live calls
    local: str | None = optional()  # incoming
    transferred_from: int | None = optional()  # calling
    consult_for: int | None = optional()  # calling: a consultation for that call
    training: str | None = optional()  # calling: a training_join call, its mode
    code: int | None = optional()  # ringing (180/183), ended (the final SIP status)
    resumed: bool | None = optional()  # connected after hold
    replaces: int | None = optional()  # connected: this call replaced that one
    by: Literal["local", "remote"] | None = optional()  # held
    reason: str | None = optional()  # ended
    duration: float | None = optional()  # ended: seconds connected
    cause: str | None = optional()  # ended by the engine itself: "media_timeout" (agentdesk/sip/media_watch.py)


@event("transfer")
@dataclass(frozen=True, kw_only=True)
class TransferProgress(Event):
    """NOTIFY progress of a transfer: 100 Trying, 180, then a final code."""

    call: int
    code: int
    reason: str = ""
    final: bool = False


@event("transfer", states=("fallback",))
@dataclass(frozen=True, kw_only=True)
class TransferFallback(Event):
    """The target refused Replaces: the engine transfers the customer blind to the same target."""

    call: int
    state: Literal["fallback"] = "fallback"
    method: Literal["blind"] = "blind"
    target: str = ""
    final: bool = False
    code: int = 0


@event("dtmf")
@dataclass(frozen=True, kw_only=True)
class DtmfReceived(Event):
    call: int
    digit: str
    method: Literal["rfc4733", "info"]


QualityBucket = Literal["excellent", "good", "fair", "degraded"]


@event("stats")
@dataclass(frozen=True, kw_only=True)
class Stats(Event):
    call: int
    codec: str
    rtt_ms: float
    jitter_ms: float
    loss_percent: float
    rx_packets: int
    tx_packets: int
    rx_bytes: int
    tx_bytes: int
    mos: float
    r: float
    quality: QualityBucket
    srtp: bool
    local_rtp: str | None = optional()  # the address our SDP gave (behind NAT: the public one)
    remote_rtp: str | None = optional()  # where we send
    rtp_source: str | None = optional()  # where the far end's packets come from


@event("limit")
@dataclass(frozen=True, kw_only=True)
class Limit(Event):
    what: Literal["calls"]
    max: int
    remote: str | None = optional()  # an incoming call was refused
    code: int | None = optional()
    reason: str = ""
    closing: int | None = optional()  # pjsua still holds this many slots of calls hung up before any answer


@event("call_refused")
@dataclass(frozen=True, kw_only=True)
class CallRefused(Event):
    remote: str
    code: int
    reason: str


SecurityWhat = Literal["invite_refused", "subscribe_refused", "message_refused", "refer_refused",
                       "request_refused", "rate_limited", "rtp_stranger", "tls_refused"]


@event("security")
@dataclass(frozen=True, kw_only=True)
class Security(Event):
    """A request or packet from the network that the engine refused or dropped (agentdesk/sip/guard.py); the
    first few per 10 s window, then one ``rate_limited`` summary."""

    what: SecurityWhat
    source: str | None = optional()  # ip:port (left out of a summary)
    reason: str = ""
    method: str | None = optional()  # request_refused: the SIP method
    call: int | None = optional()  # refer_refused, rtp_stranger: the call it concerned
    refused: int | None = optional()  # rate_limited: how many were refused without an event of their own
    sources: int | None = optional()  # rate_limited: from how many addresses
    seconds: float | None = optional()  # rate_limited: over how long
    kind: str | None = optional()  # tls_refused: a TlsRefused kind
    message: dict[str, str] | None = optional()  # tls_refused: the agent's words ({"ja": ..., "en": ...})


@event("mute")
@dataclass(frozen=True, kw_only=True)
class MuteChanged(Event):
    muted: bool


@event("network")
@dataclass(frozen=True, kw_only=True)
class NetworkEvent(Event):
    state: Literal["changed"]
    previous: str
    address: str


# the path to the center (agentdesk/sip/netpath.py)
@event("network", states=("public_address",))
@dataclass(frozen=True, kw_only=True)
class PublicAddressChanged(Event):
    """The registrar sees us at another address: the home router restarted, or forgot the idle mapping (then
    ``keepalive_interval``: the new, shorter keep-alive interval)."""

    state: Literal["public_address"] = "public_address"
    previous: str
    address: str
    keepalive_interval: int | None = optional()


@event("network", states=("recovering",))
@dataclass(frozen=True, kw_only=True)
class PathRecovering(Event):
    """A fresh REGISTER and re-INVITEd calls: the registrar answers again after an outage, or shows a new public
    address."""

    state: Literal["recovering"] = "recovering"
    reason: str


@event("media")
@dataclass(frozen=True, kw_only=True)
class MediaEvent(Event):
    """A connected call's audio from the far end: ``interrupted`` (none for ``silent_s``), ``restored`` (after
    ``gap_s``), ``lost`` (none for the media timeout: the engine ends the call)."""

    call: int
    state: Literal["interrupted", "restored", "lost"]
    silent_s: float | None = optional()
    gap_s: float | None = optional()


# SIP over TLS (agentdesk/sip/tls_relay.py)
TlsTrust = Literal["system", "ca", "pin", "none"]
TlsRefusalKind = Literal["expired", "not_yet_valid", "untrusted", "hostname", "pin", "protocol", "certificate",
                         "handshake"]


@event("tls", states=("connected",))
@dataclass(frozen=True, kw_only=True)
class TlsConnected(Event):
    """A verified TLS connection to a registrar (one per connection pjsip opens to the relay)."""

    state: Literal["connected"] = "connected"
    registrar: str
    protocol: str  # "TLSv1.3", "TLSv1.2"
    cipher: str
    server_name: str  # the name the certificate was verified for
    trust: TlsTrust
    pinned: bool
    handshake_ms: float  # TCP connect and TLS handshake
    local_address: str  # the TLS socket's address
    contact_address: str  # what the center is told (the address it reported seeing, behind a NAT)


@event("tls", states=("refused",))
@dataclass(frozen=True, kw_only=True)
class TlsRefused(Event):
    """The registrar's certificate (or protocol) failed: nothing was sent, nothing falls back to plain text."""

    state: Literal["refused"] = "refused"
    registrar: str
    kind: TlsRefusalKind
    reason: str  # English
    message: dict[str, str]  # {"ja": ..., "en": ...}
    detail: str  # OpenSSL's words


@event("tls", states=("closed",))
@dataclass(frozen=True, kw_only=True)
class TlsClosed(Event):
    """A TLS connection ended by the center, a missing keep-alive answer, or bad data (the engine re-registers)."""

    state: Literal["closed"] = "closed"
    registrar: str
    by: Literal["center", "keepalive", "error"]


@event("tls", states=("unreachable",))
@dataclass(frozen=True, kw_only=True)
class TlsUnreachable(Event):
    state: Literal["unreachable"] = "unreachable"
    registrar: str
    reason: str


@event("tls", states=("verified",))
@dataclass(frozen=True, kw_only=True)
class TlsVerified(Event):
    """A refused registrar's certificate verifies again (checked once a minute): it may be used again."""

    state: Literal["verified"] = "verified"
    registrar: str


# headset audio (the devices backend)
@event("audio_level")
@dataclass(frozen=True, kw_only=True)
class AudioLevel(Event):
    mic_dbfs: float
    mic_peak_dbfs: float
    speaker_dbfs: float
    speaker_peak_dbfs: float
    muted: bool


@event("audio_device")
@dataclass(frozen=True, kw_only=True)
class AudioDevice(Event):
    role: Literal["call"]
    state: Literal["active", "fallback", "restored"]
    id: str = ""  # fallback: the lost device; active/restored: the device in use ("" = the default)
    to: str | None = optional()  # fallback: the default device now in use
    reason: str | None = optional()  # fallback
    name: str | None = optional()  # active, restored


@dataclass(frozen=True, kw_only=True)
class DeviceInfo:
    id: str
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


@event("audio_devices")
@dataclass(frozen=True, kw_only=True)
class AudioDevices(Event):
    devices: list[DeviceInfo]


@event("room_noise")
@dataclass(frozen=True, kw_only=True)
class RoomNoise(Event):
    state: Literal["voice", "noise", "quiet"]
    level_dbfs: float
    below_agent_db: float | None  # null on the all-clear


@event("audio_error")
@dataclass(frozen=True, kw_only=True)
class AudioError(Event):
    message: str


# call training (agentdesk/sip/training.py)
@event("training", states=("joined",))
@dataclass(frozen=True, kw_only=True)
class TrainerJoined(Event):
    state: Literal["joined"] = "joined"
    call: int
    trainer: str
    mode: str
    customer_calls: list[int] = field(default_factory=list)


@event("training", states=("mode",))
@dataclass(frozen=True, kw_only=True)
class TrainerMode(Event):
    state: Literal["mode"] = "mode"
    call: int
    trainer: str
    mode: str
    by: Literal["trainer", "local"]


@event("training", states=("hint",))
@dataclass(frozen=True, kw_only=True)
class TrainerHint(Event):
    state: Literal["hint"] = "hint"
    call: int
    trainer: str
    text: str


@event("training", states=("left",))
@dataclass(frozen=True, kw_only=True)
class TrainerLeft(Event):
    state: Literal["left"] = "left"
    call: int
    trainer: str
    code: int
    reason: str
    duration: float


@event("training", states=("refused",))
@dataclass(frozen=True, kw_only=True)
class TrainerRefused(Event):
    state: Literal["refused"] = "refused"
    remote: str
    code: int
    reason: str


@event("training", states=("delivered",))
@dataclass(frozen=True, kw_only=True)
class TrainingDelivered(Event):
    state: Literal["delivered"] = "delivered"
    call: int
    code: int
    reason: str


# headset buttons and lights (agentdesk/sip/headset)
HeadsetButtonName = Literal["hook_switch", "flash", "hold", "redial", "drop", "phone_mute", "line_busy_tone",
                            "programmable"]
HeadsetRequest = Literal["answer", "hangup", "mute", "unmute", "hold", "unhold", "redial"]


@dataclass(frozen=True, kw_only=True)
class HeadsetDevice:
    id: str
    name: str
    manufacturer: str
    vendor_id: int
    product_id: int
    buttons: list[str]
    lights: list[str]
    collections: list[str]


@event("headset", states=("found",))
@dataclass(frozen=True, kw_only=True)
class HeadsetFound(Event):
    state: Literal["found"] = "found"
    device: HeadsetDevice
    paired: Literal["usb", "container", "name", "only"]


@event("headset", states=("lost",))
@dataclass(frozen=True, kw_only=True)
class HeadsetLost(Event):
    state: Literal["lost"] = "lost"
    device: HeadsetDevice | None = None
    reason: str


@event("headset", states=("button",))
@dataclass(frozen=True, kw_only=True)
class HeadsetButton(Event):
    state: Literal["button"] = "button"
    button: HeadsetButtonName
    value: int
    pressed: bool
    number: int | None = optional()  # programmable buttons
    request: HeadsetRequest | None = optional()  # what the press asks the client to do
    call: int | None = optional()  # the call it is about


@event("headset", states=("lights",))
@dataclass(frozen=True, kw_only=True)
class HeadsetLights(Event):
    state: Literal["lights"] = "lights"
    lights: dict[str, bool]


@event("headset", states=("candidates",))
@dataclass(frozen=True, kw_only=True)
class HeadsetCandidates(Event):
    state: Literal["candidates"] = "candidates"
    paired: Literal["ambiguous", "other_device"]
    candidates: list[HeadsetDevice]


@event("headset", states=("unavailable",))
@dataclass(frozen=True, kw_only=True)
class HeadsetUnavailable(Event):
    state: Literal["unavailable"] = "unavailable"
    reason: str
    device: HeadsetDevice | None = optional()


def decode_event(obj: Mapping[str, Any]) -> Event:
    """A parsed event object -> its typed event (UnknownEvent for a name or state this protocol does not define).
    Raises ProtocolError when a known event does not fit its definition."""
    name = obj.get("event")
    if not isinstance(name, str):
        raise ProtocolError('an event needs an "event" string')
    classes = EVENT_TYPES.get(name, [])
    state = obj.get("state")
    chosen = next((c for c in classes if c.STATES and state in c.STATES), None)
    if chosen is None:
        chosen = next((c for c in classes if not c.STATES), None)
    if chosen is None:
        return UnknownEvent(name=name, data={k: v for k, v in obj.items() if k != "event"})
    return chosen.from_json(obj)


# ---- lines ------------------------------------------------------------------------------------------------
def parse_line(line: str) -> JsonObject:
    """One command line -> the command object (decode it with :func:`decode_command`). Raises CommandError with a
    clear message for a line that is not a command at all."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise CommandError("a command must be a JSON object")
    if not isinstance(obj.get("cmd"), str) or not obj["cmd"]:
        raise CommandError('a command needs a "cmd" string')
    return obj


def encode(message: Event | Command) -> str:
    """One JSON line (compact separators, UTF-8 kept) for an event or a command."""
    return json.dumps(message.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"


Emit = Callable[[Event], None]  # writes one event to the engine's protocol stream


class EventWriter:
    """Writes events to the protocol stream; thread-safe; remembers when the reader has gone away."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.broken = False

    def __call__(self, event: Event) -> None:
        if not isinstance(event, Event):
            raise TypeError(f"the engine emits protocol events, not {type(event).__name__}")
        try:
            # lone surrogates (bytes from the network that were not UTF-8, a command id "\ud800") are written as
            # \uXXXX escapes: the line stays valid UTF-8 and the writer never stops over one event (bounds.py)
            line = escape_surrogates(encode(event))
        except (ValueError, TypeError, RecursionError):
            log.exception("an event could not be encoded: %s", event.NAME)
            if not isinstance(event, Reply):
                return
            line = encode(Reply(id=None, cmd=event.cmd, ok=False, error="the reply could not be encoded"))
        with self._lock:
            if self.broken:
                return
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True


def command_names() -> list[str]:
    return sorted(COMMAND_TYPES)


def event_shapes() -> list[tuple[str, tuple[str, ...]]]:
    """Every (event name, states) this protocol defines; states empty for a one-shape event."""
    return sorted((name, cls.STATES) for name, classes in EVENT_TYPES.items() for cls in classes)
