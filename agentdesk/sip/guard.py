"""Screening of requests from the network before pjsua allocates anything for them (pure Python, no pjsua2).

A home agent's engine listens on the public internet, where SIP scanners probe every address all day. pjsua
allocates a call slot, a dialog and RTP sockets for an incoming INVITE before the application sees it, and
answers SUBSCRIBE with 200 and NOTIFYs to any Contact. The engine therefore decides in pjsua's account-selection
hook (``Endpoint.onSelectAccount``, which runs for every new INVITE, SUBSCRIBE and MESSAGE before any dialog or
media exists) whether a request came through the account's registrar/proxy. A request that did not is handed to
a *refusing account* whose forced Contact cannot be parsed: pjsua cannot create the dialog, answers with a
stateless error (500 for INVITE, 400 for SUBSCRIBE), and nothing is allocated (measured: 35 INVITEs with SDP in
0.5 s used to exhaust the I/O queue and abort the engine; one INVITE without SDP refused from the application's
callback used to abort it in ``pjsip_rx_data_free_cloned``).

The :class:`RequestGuard` here holds the policy: which sources are the registrar's, and how much of a flood is
reported. Every refusal is counted; the first few per source and window become ``security`` events and log
lines, the rest only a summary, so a flood costs pjsip's parse and one stateless reply per datagram and never
floods the agent's screen or the log.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agentdesk.sip import protocol as P
from agentdesk.sip.registrars import Registrar

log = logging.getLogger("agentdesk.sip.guard")

REPORTS_PER_WINDOW = 5  # security events per window (all sources together) before only a summary is sent
WINDOW_S = 10.0
_VIA = re.compile(r"SIP/2\.0/\w+\s+\[?([^\]\s;:]+)\]?(?::(\d+))?", re.I)
_WHAT: dict[str, P.SecurityWhat] = {"INVITE": "invite_refused", "SUBSCRIBE": "subscribe_refused",
                                   "MESSAGE": "message_refused", "REFER": "refer_refused"}


def request_method(message: str) -> str:
    """The method of a SIP request (its first word), upper case; '' for anything else."""
    first = message[:64].split(" ", 1)[0]
    return first.upper() if first.isalpha() else ""


def header_value(message: str, names: tuple[str, ...]) -> str | None:
    head = message.split("\r\n\r\n", 1)[0]
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in names:
            return value.strip()
    return None


def split_source(src: str) -> tuple[str, int]:
    host, _, port = src.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else 0


@dataclass
class RequestGuard:
    emit: P.Emit
    clock: Callable[[], float] = time.monotonic
    registrars: list[Registrar] = field(default_factory=list)
    trusted: set[tuple[str, int]] = field(default_factory=set)
    transport: str = "udp"
    # TLS through the engine's relay (agentdesk/sip/tls_relay.py): pjsip sees only loopback connections, and only
    # the relay's connections to the registrars are the registrar's (TlsRelay.is_registrar_source)
    relay_source: Callable[[str], bool] | None = None
    refused_total: int = 0
    _window_start: float = 0.0
    _reported: int = 0
    _suppressed: int = 0
    _suppressed_sources: set[str] = field(default_factory=set)

    def configure(self, registrars: list[Registrar], trusted: set[tuple[str, int]], transport: str) -> None:
        self.registrars = registrars
        self.trusted = set(trusted)
        self.transport = transport

    def from_registrar(self, src: str, msg: str) -> bool:
        """Did this request come through one of the account's registrars/proxies? UDP: the source address and
        port are a registrar's. TCP/TLS: the source IP is a registrar's (it cannot be spoofed on a connection)
        and either the port or the top Via's sent-by is the registrar's listening address. TLS through the relay:
        the relay's registrar connection, nothing else."""
        if self.relay_source is not None:
            return self.relay_source(src)
        ip, sport = split_source(src)
        allowed = {r.source for r in self.registrars} | self.trusted
        if (ip, sport) in allowed:
            return True
        if self.transport in ("tcp", "tls"):
            via = header_value(msg, ("via", "v")) or ""
            m = _VIA.match(via)
            for reg in self.registrars:
                if reg.source[0] != ip:
                    continue
                if m and m.group(1) in (reg.host, reg.address) and int(m.group(2) or 5060) == reg.port:
                    return True
        return False

    def admit(self, src: str, msg: str) -> bool:
        """The account-selection hook's question: may pjsua handle this new request? False: refuse it before any
        dialog or media exists (and report it, within the flood bounds)."""
        if self.from_registrar(src, msg):
            return True
        self.refuse(request_method(msg) or "request", src, "not through the account's registrar/proxy")
        return False

    def refuse(self, method: str, src: str, why: str, *, logged: bool = True, call: int | None = None,
               what: P.SecurityWhat | None = None) -> None:
        """Count a refusal; report it as a ``security`` event unless this window's reports are used up.
        ``logged=False``: ``src`` may be a customer's address, so the log line leaves it out."""
        self.refused_total += 1
        now = self.clock()
        if now - self._window_start >= WINDOW_S:
            self._flush(now)
        if self._reported < REPORTS_PER_WINDOW:
            self._reported += 1
            kind = what or _WHAT.get(method, "request_refused")
            log.warning("%s from %s refused: %s", method, src if logged else "the far end", why)
            self.emit(P.Security(what=kind, source=src, reason=f"{method} {why}",
                                 method=method if kind == "request_refused" else None, call=call))
        else:
            self._suppressed += 1
            if len(self._suppressed_sources) < 100:
                self._suppressed_sources.add(split_source(src)[0])

    def poll(self) -> None:
        """Called from the engine loop: closes a window that ended with suppressed reports (one summary)."""
        if self._suppressed and self.clock() - self._window_start >= WINDOW_S:
            self._flush(self.clock())

    def _flush(self, now: float) -> None:
        if self._suppressed:
            log.warning("refused %d more requests from %d addresses in %.0f s (not through the registrar)",
                        self._suppressed, len(self._suppressed_sources), WINDOW_S)
            self.emit(P.Security(what="rate_limited", refused=self._suppressed,
                                 sources=len(self._suppressed_sources), seconds=WINDOW_S,
                                 reason="many requests or packets from outside were refused"))
        self._window_start = now
        self._reported = 0
        self._suppressed = 0
        self._suppressed_sources = set()
