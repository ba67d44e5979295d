"""The path from a home to the center: NAT settings of the account, RTP ports, and what the center sees of us.

A home agent is behind the router's NAT. pjsua rewrites its Contact and Via to the address the registrar saw
(``received``/``rport`` in the Via of the REGISTER answers), but by default its SDP keeps the private address:
a far end that sends where the SDP says (baresip, most PBXes without a media relay) is never heard. So:

- ``sdp_address: "auto"`` (default): the SDP carries the address the registrar sees (pjsua's
  ``sdpNatRewriteUse``); ``"local"``: the bound address, as before;
- ``stun``: STUN servers (``host[:port]``) when the center provisions them: the RTP socket's own mapping is asked
  for and used in the SDP (address and port); ``ice: true`` adds ICE candidates;
- media leaves early: RTP flows with silence from the first moment (VAD off, set at endpoint creation), so the
  router's mapping exists as soon as the stream starts (for an incoming call: when our 200 OK leaves, before the
  far end's first packet can arrive);
- ``keepalive_interval``: UDP keep-alives to the registrar (pjsua's CRLF), seconds, default 15, 0 = off. A home
  router forgets an idle UDP mapping after 20-180 s (Linux' default 30 s for a one-way flow, 120 s for a two-way
  one); the interval must be shorter than the router's, and :class:`PublicAddress` notices when it was not;
- over TLS the engine's SIP goes through its own relay (agentdesk/sip/tls_relay.py): pjsua sees a loopback TCP
  connection and never the registrar's ``received``/``rport``, so its own SDP rewrite cannot work. The relay
  learns the address the center sees (its first OPTIONS on each TLS connection) and the engine puts it into the
  SDP as pjsua creates it (:func:`sdp_with_address`, from ``onCallSdpCreated``), with ``sdp_address: "auto"``;
- ``rtp_ports: "MIN-MAX"``: RTP and RTCP ports from a range (a center's firewall rule names one). A busy port pair
  is skipped (pjsua tries the next pair, wrapping inside the range). ``rtp_port`` (the first port, no limit) stays
  for compatibility.

Pure Python except :meth:`NatSettings.apply`, which fills a ``pj.AccountConfig``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agentdesk.sip.protocol import CommandError

DEFAULT_KEEPALIVE_S = 15
MIN_KEEPALIVE_S = 5
DEFAULT_RTP_PORT = 4000  # pjsua's own default: the first RTP port
RTP_PORTS_PER_CALL = 2   # RTP and RTCP
_HOSTPORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$")
_VIA = re.compile(r"^SIP/2\.0/[A-Za-z]+\s+\[?([^\]\s;:]+)\]?(?::(\d+))?(.*)$", re.S)


@dataclass(frozen=True)
class NatSettings:
    sdp_address: str = "auto"
    stun: tuple[str, ...] = ()
    ice: bool = False
    keepalive_s: int = DEFAULT_KEEPALIVE_S
    rtp_port: int = DEFAULT_RTP_PORT
    rtp_port_last: int | None = None  # the last port the range allows (RTCP included); None: no limit

    @classmethod
    def parse(cls, sip: dict[str, Any]) -> NatSettings:
        """The ``sip`` object of ``configure``; a sentence for anything wrong."""
        mode = str(sip.get("sdp_address", "auto")).lower()
        if mode not in ("auto", "local"):
            raise CommandError('sip.sdp_address must be "auto" (the address the center sees) or "local"')
        stun_raw = sip.get("stun") or []
        if isinstance(stun_raw, str):
            stun_raw = [stun_raw]
        if not isinstance(stun_raw, list) or not all(isinstance(s, str) and _HOSTPORT.match(s.strip())
                                                      for s in stun_raw):
            raise CommandError('sip.stun must be a list of STUN servers such as ["stun.example.jp:3478"]')
        try:
            keepalive = int(sip.get("keepalive_interval", DEFAULT_KEEPALIVE_S))
        except (TypeError, ValueError):
            raise CommandError("sip.keepalive_interval must be a number of seconds") from None
        if keepalive != 0 and not MIN_KEEPALIVE_S <= keepalive <= 3600:
            raise CommandError(f"sip.keepalive_interval must be 0 (off) or {MIN_KEEPALIVE_S}-3600 seconds")
        first, last = DEFAULT_RTP_PORT, None
        if sip.get("rtp_ports") is not None:
            if sip.get("rtp_port"):
                raise CommandError("give sip.rtp_ports or sip.rtp_port, not both")
            first, last = parse_port_range(sip["rtp_ports"])
        elif sip.get("rtp_port"):
            try:
                first = int(sip["rtp_port"])
            except (TypeError, ValueError):
                raise CommandError("sip.rtp_port must be a port number") from None
            if not 1024 <= first <= 65534:
                raise CommandError("sip.rtp_port must be 1024-65534")
        return cls(sdp_address=mode, stun=tuple(s.strip() for s in stun_raw), ice=bool(sip.get("ice", False)),
                   keepalive_s=keepalive, rtp_port=first, rtp_port_last=last)

    def apply(self, ac: Any, bind: str) -> None:
        """Fill the NAT and media transport parts of a ``pj.AccountConfig``."""
        import pjsua2 as pj

        mt = ac.mediaConfig.transportConfig
        if bind not in ("0.0.0.0", ""):
            mt.boundAddress = bind
            if self.sdp_address == "local" and not self.stun:
                mt.publicAddress = bind  # a public address set here would win over everything below
        mt.port = self.rtp_port
        if self.rtp_port_last is not None:
            # pjsua may use RTP ports port..port+portRange; its RTCP is RTP+1 and must stay inside the range too
            mt.portRange = self.rtp_port_last - self.rtp_port - 1
        nat = ac.natConfig
        nat.sdpNatRewriteUse = 1 if self.sdp_address == "auto" else 0
        nat.contactRewriteUse = 1
        nat.viaRewriteUse = 1
        nat.udpKaIntervalSec = self.keepalive_s
        nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED  # SIP learns its public address from rport, no STUN needed
        nat.mediaStunUse = pj.PJSUA_STUN_USE_DEFAULT if self.stun else pj.PJSUA_STUN_USE_DISABLED
        nat.iceEnabled = self.ice

    @property
    def rtp_ports_text(self) -> str:
        return f"{self.rtp_port}-{self.rtp_port_last}" if self.rtp_port_last is not None else f"{self.rtp_port}-"


def parse_port_range(value: Any) -> tuple[int, int]:
    """``"10000-10099"`` (or ``[10000, 10099]``) -> (first even port, last port); room for at least one call."""
    text = f"{value[0]}-{value[1]}" if isinstance(value, list | tuple) and len(value) == 2 else str(value)
    m = re.fullmatch(r"\s*(\d{1,5})\s*-\s*(\d{1,5})\s*", text)
    if not m:
        raise CommandError('sip.rtp_ports must be a range such as "10000-10099"')
    lo, hi = int(m.group(1)), int(m.group(2))
    if lo % 2:
        lo += 1  # RTP on even ports, RTCP on the odd one above (RFC 3550)
    if not 1024 <= lo < hi <= 65535 or hi - lo + 1 < RTP_PORTS_PER_CALL:
        raise CommandError("sip.rtp_ports must be within 1024-65535 and hold at least one RTP/RTCP pair")
    return lo, hi


def sdp_with_address(sdp: str, local_ip: str, public_ip: str) -> str:
    """``sdp`` with every ``IN IP4 <local_ip>`` (the origin, connection and RTCP lines) naming ``public_ip``
    instead; anything else (another address: a STUN mapping, a relay's) stays as it is."""
    if not local_ip or not public_ip or local_ip == public_ip:
        return sdp
    return re.sub(r"(?m)^((?:o|c|a)=.*?IN IP4 )" + re.escape(local_ip) + r"(?=\s|$)",
                  lambda m: m.group(1) + public_ip, sdp)


def via_mapping(message: str) -> tuple[str, int] | None:
    """The address the far end saw us at, from the top Via of a response: ``received`` (else the sent-by host)
    and ``rport`` (else the sent-by port). None when there is no Via."""
    head = message.split("\r\n\r\n", 1)[0]
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if not sep or name.strip().lower() not in ("via", "v"):
            continue
        m = _VIA.match(value.strip().split(",", 1)[0])
        if not m:
            return None
        host, port, params = m.group(1), int(m.group(2) or 5060), m.group(3)
        received = re.search(r";\s*received=([^;\s,]+)", params, re.I)
        rport = re.search(r";\s*rport=(\d+)", params, re.I)
        return (received.group(1).strip("[]") if received else host, int(rport.group(1)) if rport else port)
    return None


@dataclass
class PublicAddress:
    """The engine's address as the registrar sees it (the NAT's public side), learned from REGISTER answers.

    ``registered(msg)`` is fed every successful REGISTER answer and returns the previous mapping when it moved:
    the router restarted (new public IP), or it forgot the idle mapping (new public port): the keep-alives were
    too sparse, and :attr:`keepalive_s` is halved (not below MIN_KEEPALIVE_S)."""

    keepalive_s: int = DEFAULT_KEEPALIVE_S
    mapping: tuple[str, int] | None = None
    seen_by_probe: str | None = None  # the public IP the registrar's OPTIONS answers show (any local port)

    def registered(self, message: str) -> tuple[str, int] | None:
        now = via_mapping(message)
        if now is None:
            return None
        before, self.mapping = self.mapping, now
        if before is None or before == now:
            return None
        if before[0] == now[0] and self.keepalive_s > MIN_KEEPALIVE_S:
            self.keepalive_s = max(MIN_KEEPALIVE_S, self.keepalive_s // 2)  # same IP, new port: mapping expired
        return before

    def probe_answer(self, seen_ip: str | None) -> bool:
        """A registrar's OPTIONS answer showed us at ``seen_ip``: True when that is not the address we are
        registered with (the router's public address changed under a live registration)."""
        if not seen_ip:
            return False
        self.seen_by_probe = seen_ip
        return self.mapping is not None and seen_ip != self.mapping[0]

    @property
    def public_text(self) -> str | None:
        return f"{self.mapping[0]}:{self.mapping[1]}" if self.mapping else None
