"""``configure`` checked whole before the engine changes anything (pure Python, no pjsua2).

A bad ``configure`` after a good one used to drop the working account: values such as ``expires`` or
``stats_interval`` were converted only after the old account had been let go. :func:`plan` turns the command
into a :class:`ConfigurePlan` of typed values or raises ``ValueError`` with a sentence naming the field; the
engine applies a plan only once it exists, and creates a new SIP transport before closing the old one.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, field
from typing import Any

from agentdesk.i18n import Text
from agentdesk.sip.bounds import MAX_URI
from agentdesk.sip.registrars import Registrar, parse_registrar
from agentdesk.sip.rtp_guard import LATCH_POLICIES
from agentdesk.sip.tls_relay import TlsConfigError, TlsSettings, srtp_policy

_USER = re.compile(r"^[A-Za-z0-9\-_.!~*'()&=+$,%]{1,64}$")  # RFC 3261 user part (unreserved, escaped, ...)
_DOMAIN = re.compile(r"^[A-Za-z0-9.\-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$")
TRANSFER_POLICIES = ("refuse", "accept")


@dataclass
class ConfigurePlan:
    user: str
    domain: str
    auth_user: str
    transport: str
    srtp: str
    registrars: list[Registrar]
    codecs: list[str]
    expires: int
    bind: str
    port: int
    rtp_port: int
    tls: dict[str, Any]
    probe: bool
    probe_interval: float
    probe_timeout: float
    retry_base: float
    retry_max: float
    stats_interval: float
    transfer_requests: str
    rtp_latch: str
    trusted: set[tuple[str, int]] = field(default_factory=set)
    tls_settings: TlsSettings = field(default_factory=TlsSettings)
    srtp_warning: Text | None = None  # SRTP asked for over plain signalling: not offered, and why
    account: dict[str, Any] = field(default_factory=dict)
    sip: dict[str, Any] = field(default_factory=dict)
    audio: dict[str, Any] | None = None


def _number(sip: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = sip.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f'"sip.{key}" must be a number of seconds')
    if not low <= value <= high:
        raise ValueError(f'"sip.{key}" must be between {low:g} and {high:g}')
    return float(value)


def _port(value: Any, what: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError(f'"{what}" must be a port number (0-65535)')
    return value


def plan(account: Any, sip: Any, audio: Any = None) -> ConfigurePlan:
    """Check the whole ``configure`` command (its sections as they came); ValueError names the first field that
    is wrong."""
    sip = sip or {}
    if not isinstance(account, dict):
        raise ValueError('configure needs an "account" object')
    if not isinstance(sip, dict):
        raise ValueError('"sip" must be an object')
    user, domain = account.get("user"), account.get("domain")
    if not user or not domain:
        raise ValueError('the account needs "user" and "domain"')
    if not isinstance(user, str) or not _USER.match(user):
        raise ValueError('"account.user" must be a SIP user name (at most 64 characters, no spaces)')
    if not isinstance(domain, str) or not _DOMAIN.match(domain):
        raise ValueError('"account.domain" must be a host name or IP address')
    auth_user = account.get("auth_user") or user
    if not isinstance(auth_user, str) or not 0 < len(auth_user) <= 128 or any(c in auth_user for c in "\r\n\0"):
        raise ValueError('"account.auth_user" must be a user name (at most 128 characters)')
    transport = str(account.get("transport", "udp")).lower()
    if transport not in ("udp", "tcp", "tls"):
        raise ValueError("transport must be udp, tcp or tls")
    srtp, srtp_warning = srtp_policy(transport, account.get("srtp"))  # SRTP keys only over TLS (PolicyError)
    regs = account.get("registrars") or []
    if isinstance(regs, str):
        regs = [regs]
    if not isinstance(regs, list) or not regs:
        raise ValueError("the account needs at least one registrar")
    if len(regs) > 8:
        raise ValueError("at most 8 registrars")
    for r in regs:
        if not isinstance(r, str) or len(r) > MAX_URI:
            raise ValueError(f"a registrar must be a SIP URI of at most {MAX_URI} characters")
    registrars = [parse_registrar(r, transport) for r in regs]
    codecs = account.get("codecs") or []
    if not isinstance(codecs, list) or not all(isinstance(c, str) and 0 < len(c) <= 32 for c in codecs):
        raise ValueError("codecs must be a list such as [\"G722\", \"PCMU\"]")
    expires = account.get("expires", 300)
    if isinstance(expires, bool) or not isinstance(expires, int) or not 10 <= expires <= 86400:
        raise ValueError('"account.expires" must be a whole number of seconds (10-86400)')
    password = account.get("password")
    if password is not None and (not isinstance(password, str) or len(password) > 256):
        raise ValueError('"account.password" must be a string')
    cred = account.get("credential")
    if cred is not None and (not isinstance(cred, str) or len(cred) > 256):
        raise ValueError('"account.credential" must be a keyring reference')
    bind = sip.get("bind", "0.0.0.0")
    if not isinstance(bind, str):
        raise ValueError('"sip.bind" must be an IP address')
    if bind:
        try:
            ipaddress.ip_address(bind)
        except ValueError:
            raise ValueError('"sip.bind" must be an IP address') from None
    tls = sip.get("tls") or {}
    if not isinstance(tls, dict):
        raise ValueError('"sip.tls" must be an object')
    try:
        tls_settings = TlsSettings.parse(tls)
    except TlsConfigError as exc:
        raise ValueError(str(exc)) from None
    trusted: set[tuple[str, int]] = set()
    sources = sip.get("trusted_sources", []) or []
    if not isinstance(sources, list) or len(sources) > 32:
        raise ValueError('"sip.trusted_sources" must be a list of "ip:port"')
    for src in sources:
        host, _, port_s = str(src).rpartition(":")
        if not host or not port_s.isdigit() or not 0 < int(port_s) <= 65535:
            raise ValueError(f'"sip.trusted_sources" must list "ip:port" addresses ({str(src)[:64]!r} is not one)')
        trusted.add((host.strip("[]"), int(port_s)))
    policy = sip.get("transfer_requests", "refuse")
    if policy not in TRANSFER_POLICIES:
        raise ValueError('"sip.transfer_requests" must be "refuse" or "accept"')
    latch = sip.get("rtp_latch", "strict")
    if latch not in LATCH_POLICIES:
        raise ValueError('"sip.rtp_latch" must be "strict" or "once"')
    if audio is not None and not isinstance(audio, dict):
        raise ValueError('"audio" must be an object')
    return ConfigurePlan(
        user=user, domain=domain, auth_user=auth_user, transport=transport, srtp=srtp, registrars=registrars,
        codecs=list(codecs), expires=expires, bind=bind, port=_port(sip.get("port", 0), "sip.port"),
        rtp_port=_port(sip.get("rtp_port", 0), "sip.rtp_port"), tls=dict(tls),
        probe=bool(sip.get("probe", True)),
        probe_interval=_number(sip, "probe_interval", 1.0, 0.05, 3600),
        probe_timeout=_number(sip, "probe_timeout", 0.6, 0.01, 60),
        retry_base=_number(sip, "retry_base", 2.0, 0.01, 3600),
        retry_max=_number(sip, "retry_max", 60.0, 0.01, 86400),
        stats_interval=_number(sip, "stats_interval", 5.0, 0, 3600),
        transfer_requests=policy, rtp_latch=latch, trusted=trusted, account=account, sip=sip, audio=audio,
        tls_settings=tls_settings, srtp_warning=srtp_warning,
    )
