"""Registrar addresses, active OPTIONS probing and the failover policy (pure Python, no pjsua2).

The probe runs on its own thread with plain sockets and posts results to the engine's queue; every pjsua2 call
stays on the endpoint thread.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_URI = re.compile(r"^(?P<scheme>sips?):(?:[^@;?]*@)?(?P<host>\[[^\]]+\]|[^:;?>]+)(?::(?P<port>\d+))?(?P<params>[^?>]*)")


@dataclass
class Registrar:
    uri: str
    host: str
    port: int
    transport: str
    address: str | None = None  # resolved IP
    alive: bool | None = None   # None: not probed yet
    misses: int = 0
    hits: int = 0
    last_rtt_ms: float | None = None
    given: str = ""  # as the configuration wrote it: events name the registrar this way
    seen_as: str | None = None  # our IP as the registrar's last OPTIONS answer shows it (Via received): NAT's public

    @property
    def source(self) -> tuple[str, int]:
        return (self.address or self.host, self.port)


def parse_registrar(uri: str, transport: str) -> Registrar:
    """``sip:host[:port][;transport=x]`` -> a Registrar; raises ValueError for anything else."""
    if not isinstance(uri, str):
        raise ValueError("a registrar must be a SIP URI string")
    text = uri.strip()
    if not text.startswith(("sip:", "sips:")):
        text = "sip:" + text
    m = _URI.match(text)
    if not m:
        raise ValueError(f"not a SIP URI: {uri!r}")
    params = m.group("params") or ""
    tp = re.search(r";transport=(\w+)", params, re.I)
    t = (tp.group(1).lower() if tp else transport).lower()
    if m.group("scheme") == "sips":
        t = "tls"
    if t not in ("udp", "tcp", "tls"):
        raise ValueError(f"unknown transport {t!r} in {uri!r}")
    host = m.group("host").strip("[]")
    port = int(m.group("port") or (5061 if t == "tls" else 5060))
    base = f"sip:{m.group('host')}:{port}"
    if t != "udp":
        base += f";transport={t}"
    return Registrar(uri=base, host=host, port=port, transport=t, given=uri.strip())


def resolve(host: str) -> str | None:
    try:
        return str(socket.getaddrinfo(host, None, socket.AF_INET)[0][4][0])
    except (OSError, IndexError):
        return None


def options_probe(reg: Registrar, timeout: float) -> float | None:
    """Send one OPTIONS; return the round trip in ms when any SIP response comes back, else None."""
    host = reg.address or resolve(reg.host)
    if host is None:
        return None
    reg.address = host
    tag = f"{time.monotonic_ns():x}{random.getrandbits(24):x}"
    start = time.monotonic()
    try:
        if reg.transport == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout)
                s.connect((host, reg.port))
                local_ip, local_port = s.getsockname()
                s.send(_options(reg, local_ip, local_port, "UDP", tag))
                data = s.recv(4096)
        else:
            # TCP and TLS: a listener that accepts the connection is alive (a TLS handshake here would cost more
            # than it tells).
            with socket.create_connection((host, reg.port), timeout=timeout) as s:
                if reg.transport == "tcp":
                    local_ip, local_port = s.getsockname()
                    s.sendall(_options(reg, local_ip, local_port, "TCP", tag))
                    data = s.recv(4096)
                else:
                    data = b"SIP/2.0 "
    except OSError:
        return None
    if not data.startswith(b"SIP/2.0 "):
        return None
    rtt = (time.monotonic() - start) * 1000
    if reg.transport != "tls":
        from agentdesk.sip.nat import via_mapping

        seen = via_mapping(data.decode("utf-8", errors="replace"))
        reg.seen_as = seen[0] if seen else None
    return rtt


def _options(reg: Registrar, local_ip: str, local_port: int, proto: str, tag: str) -> bytes:
    return (
        f"OPTIONS sip:{reg.host}:{reg.port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{proto} {local_ip}:{local_port};branch=z9hG4bK{tag};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{local_ip}>;tag={tag}\r\n"
        f"To: <sip:{reg.host}:{reg.port}>\r\n"
        f"Call-ID: probe-{tag}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "User-Agent: AgentDesk probe\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def local_address_towards(host: str) -> str | None:
    """The local IP the OS would use to reach ``host`` (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, 9))
            return str(s.getsockname()[0])
    except OSError:
        return None


@dataclass
class Backoff:
    """Retry delays after failures: doubling from ``base`` to ``cap`` seconds, each scaled by a random 0.5..1.0
    so that many agents do not retry in step."""

    base: float = 2.0
    cap: float = 60.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.failures))
        self.failures += 1
        return float(delay * self.rng.uniform(0.5, 1.0))

    def reset(self) -> None:
        self.failures = 0


class Prober(threading.Thread):
    """Probes every registrar every ``interval`` seconds (with 10% jitter); posts ("probe", index, rtt_or_None)
    and, when the local address towards the primary changes, ("ipchange", old, new)."""

    def __init__(self, registrars: list[Registrar], post: Callable[[tuple[object, ...]], None], interval: float = 1.0,
                 timeout: float = 0.6, watch_ip: bool = True) -> None:
        super().__init__(name="registrar-probe", daemon=True)
        self.registrars = registrars
        self.post = post
        self.interval = interval
        self.timeout = timeout
        self.watch_ip = watch_ip
        self.stopped = threading.Event()
        self._ip: str | None = None

    def run(self) -> None:
        while not self.stopped.is_set():
            started = time.monotonic()
            for index, reg in enumerate(self.registrars):
                if self.stopped.is_set():
                    return
                self.post(("probe", index, options_probe(reg, self.timeout)))
            if self.watch_ip and self.registrars:
                ip = local_address_towards(self.registrars[0].address or self.registrars[0].host)
                if ip is not None:
                    if self._ip is not None and ip != self._ip:
                        self.post(("ipchange", self._ip, ip))
                    self._ip = ip
            wait = self.interval * random.uniform(0.9, 1.1) - (time.monotonic() - started)
            self.stopped.wait(max(0.05, wait))

    def stop(self) -> None:
        self.stopped.set()
