"""What the app needs from its center, as plain data and one interface (docs/center-api.yaml is the wire contract).

Every implementation (the HTTPS client, the practice center, the test double) provides :class:`CenterClient`.
Contract data only: nothing here carries a customer's personal data (name, address, phone number).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Literal, Protocol

from agentdesk.i18n import Text

AgentStateName = Literal["offline", "not_ready", "ready", "ringing", "on_call", "after_call_work", "break"]


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: Text
    kind: Literal["not_ready", "break"] = "not_ready"
    max_minutes: int | None = None  # a break longer than this is an overrun


@dataclass(frozen=True)
class WrapUpCode:
    code: str
    label: Text


@dataclass(frozen=True)
class EscalationTarget:
    name: str
    label: Text
    uri: str  # SIP URI of the center's escalation queue
    mode: Literal["blind", "warm"] = "blind"
    no_answer_seconds: int = 30  # then the customer comes back to the agent


@dataclass(frozen=True)
class SipTls:
    """How the phone verifies the center's TLS certificate (docs/security.md); empty: the OS trust store and each
    registrar's own host name."""

    server_name: str = ""  # the host name the certificate must name
    ca_pem: str = ""  # the center's CA (PEM): then only it is trusted
    pins: list[str] = field(default_factory=list)  # sha256 of the center's SubjectPublicKeyInfo (base64)


@dataclass(frozen=True)
class SipAccount:
    user: str
    domain: str
    registrars: list[str]
    auth_user: str = ""
    transport: Literal["udp", "tcp", "tls"] = "udp"
    srtp: Literal["off", "optional", "mandatory"] = "optional"
    credential_ref: str = ""  # keyring reference; the secret never travels in provisioning files
    tls: SipTls = field(default_factory=SipTls)  # transport "tls": how the center's certificate is verified
    # the path from the agent's home (docs/engine-protocol.md, configure "sip"): the center's firewall rule for RTP,
    # STUN servers, keep-alives shorter than its agents' routers' UDP timeouts. Empty/0: the engine's defaults.
    rtp_ports: str = ""  # "10000-10999"
    stun_servers: tuple[str, ...] = ()
    keepalive_interval: int = 0


@dataclass(frozen=True)
class ScriptPackage:
    """A support-script package the app fetches from the center (checked against sha256 before use)."""

    name: str
    version: str
    url: str
    sha256: str = ""


@dataclass(frozen=True)
class Provisioning:
    center_name: str
    sip: SipAccount | None
    service_hours: tuple[time, time] = (time(10, 0), time(17, 0))
    reason_codes: list[ReasonCode] = field(default_factory=list)
    wrap_up_codes: list[WrapUpCode] = field(default_factory=list)
    wrap_up_required: bool = False
    after_call_work_seconds: int | None = None  # None: the agent returns to ready by hand
    escalation_targets: list[EscalationTarget] = field(default_factory=list)
    trainers: list[str] = field(default_factory=list)  # SIP URIs allowed to monitor/whisper/barge
    mode: Literal["softphone", "fixed_line"] = "softphone"
    practice: bool = False  # the embedded practice center (agentdesk.center.practice), not a real one
    script_packages: list[ScriptPackage] = field(default_factory=list)
    agent_name: str = ""  # how the center names this agent (the trainer's screens show it); "" = the agent id
    trainer: bool = False  # this user trains others: the app offers trainer mode
    echo_target: str = ""  # the center's echo service for the self-check's 20-second test call (a SIP URI)
    auto_answer: bool = False  # the center's calls (they carry X-Call-Ref or X-Queue) open by themselves
    auto_answer_seconds: float = 0.0  # after this long, with a short tone in the headset first


@dataclass(frozen=True)
class ContractInfo:
    """What the agent may see about the caller: the contract, never the person."""

    contract_id: str
    plan: str = ""
    line_type: str = ""
    equipment: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CenterEvent:
    """A server-sent event: broadcast, fixed_line_offer, trainer_join, config_changed..."""

    kind: str
    data: dict[str, Any]
    id: str = ""
    at: datetime | None = None


class CenterError(Exception):
    """Any failure talking to the center, with a message the agent can read."""

    def __init__(
        self, message: Text, *, retryable: bool = True, status: int | None = None, code: str = ""
    ) -> None:
        super().__init__(message.en)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.code = code  # the center's error code (docs/center-api.yaml), "" when none came


class CenterClient(Protocol):
    def sign_in(self, agent_id: str, secret: str) -> Provisioning: ...

    def provisioning(self) -> Provisioning: ...

    def set_state(self, state: AgentStateName, reason: str | None = None) -> None: ...

    def contract(self, contract_id: str) -> ContractInfo: ...

    def open_escalation_ticket(self, context: dict[str, Any]) -> str:
        """Returns the ticket id the escalated call carries."""
        ...

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None:
        """A write (wrap_up, availability, work_log, self_check, state_change). Callers use the outbox."""
        ...

    def events(self, on_event: Callable[[CenterEvent], None], last_event_id: str | None = None) -> Callable[[], None]:
        """Start the event stream on its own thread; returns a function that stops it."""
        ...


VoiceLegState = Literal["idle", "ringing", "connected", "held", "dropped", "reconnecting"]
CallAction = Literal["hold", "resume", "escalate", "hangup"]


@dataclass(frozen=True)
class FixedLineStatus:
    """Fixed-line mode: the center rings the agent's landline; this is the voice leg as the center sees it."""

    number: str  # the agent's own landline in E.164 (not customer data)
    leg: VoiceLegState = "idle"
    call_id: str = ""  # the customer call the leg is bridged to, "" when none


class FixedLineControl(Protocol):
    """What fixed-line mode adds to :class:`CenterClient`: call control goes through the center, not SIP."""

    def fixed_line_status(self) -> FixedLineStatus: ...

    def reconnect_line(self) -> FixedLineStatus:
        """Ask the center to ring the agent's landline again (the "reconnect my line" button)."""
        ...

    def call_control(self, call_id: str, action: CallAction, idempotency_key: str, target: str = "") -> None:
        """hold, resume, escalate (to ``target``, an escalation target name) or hang up the customer call."""
        ...


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2**attempt)]. Shared by the HTTPS client
    and the outbox (here, so the outbox does not import httpx in a process that talks to no real center)."""
    r = rng or random
    return r.uniform(0, min(cap, base * (2**attempt)))
