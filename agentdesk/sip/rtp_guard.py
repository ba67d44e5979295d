"""RTP only from the negotiated address: a stranger who sends RTP to a call's port must not take the call over.

pjmedia "latches": when packets come from an address other than the one the SDP named (10 in a row, or the first
one before the peer has sent any), it starts sending the call's audio there. pjsua2-python 2.15.1 exposes no
switch for it (``PJMEDIA_UDP_NO_SRC_ADDR_CHECKING`` is a transport option pjsua never sets, and the media
transport cannot be replaced from Python). Measured: 30 packets to the agent's RTP port, then one every 100 ms,
and the stranger received the agent's audio (101 packets in 2 s) while the customer received 1.

So the engine pins each call's RTP and RTCP sockets to the far end with ``connect()``: the operating system then
delivers only that peer's datagrams, pjmedia never sees a stranger's packet, and has nothing to latch to. The
socket is pjlib's; it is found by its local port among the process's descriptors (``/proc/self/fd`` on Linux,
socket handles on Windows) and connected through a borrowed ``socket`` object that is detached again, never
closed. A re-INVITE that moves the far end's media (a PBX re-routing it) pins to the new address.

Policy (``sip.rtp_latch``):
- ``strict`` (default): the address in the far end's SDP, from the first moment of the call;
- ``once``: for a center whose NAT handling needs latching (the far end's SDP names an address its packets do not
  come from): in the first ``LATCH_WINDOW_S`` seconds, the first packet from the SDP's host, its /24, or the
  registrar's host is latched to, once; then the socket is pinned to it. Packets from anywhere else are reported.

Where no descriptor can be found (another platform), the engine watches the source of the last packet instead and
reports a stranger (``security`` ``rtp_stranger``), so the agent and support know; the call is not protected.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger("agentdesk.sip.rtp_guard")

LATCH_WINDOW_S = 3.0
LATCH_POLICIES = ("strict", "once")
Address = tuple[str, int]


def parse_address(text: str) -> Address | None:
    """"1.2.3.4:5000" or "[::1]:5000" -> (host, port); None for an empty or unset address (0.0.0.0, port 0)."""
    host, _, port = str(text).rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or int(port) == 0:
        return None
    try:
        if ipaddress.ip_address(host).is_unspecified:
            return None
    except ValueError:
        return None
    return host, int(port)


def _candidates() -> Iterable[int]:
    """Descriptors (POSIX) or socket handles (Windows) this process may hold a socket in."""
    if sys.platform.startswith("linux"):
        try:
            return sorted(int(n) for n in os.listdir("/proc/self/fd") if n.isdigit())
        except OSError:
            return range(3, 1024)
    if sys.platform == "win32":
        return range(4, 16384, 4)  # kernel handles are multiples of 4; the engine holds a few hundred
    return range(3, 1024)


def connect_socket(local_port: int, peer: Address) -> bool:
    """Connect the process's UDP socket bound to ``local_port`` to ``peer``; False if none was found."""
    family = socket.AF_INET6 if ":" in peer[0] else socket.AF_INET
    for fd in _candidates():
        try:
            s = socket.socket(fileno=fd)
        except (OSError, ValueError):
            continue
        try:
            if s.type != socket.SOCK_DGRAM or s.family != family or s.getsockname()[1] != local_port:
                continue
            s.connect(peer)
            return True
        except OSError as exc:
            log.info("RTP socket %s: cannot pin to %s: %s", local_port, peer, exc)
            return False
        finally:
            s.detach()  # the socket is pjlib's: never close it
    return False


@dataclass
class _Pin:
    local: Address
    rtcp_local: Address | None
    sdp: Address
    sdp_rtcp: Address | None
    started: float
    pinned: Address | None = None
    protected: bool = False
    strangers: set[Address] = field(default_factory=set)


@dataclass
class RtpGuard:
    """One per engine. ``media()`` when a call's audio becomes active (after each offer/answer), ``observe()`` from
    the loop with the source of the last packet each call received."""

    report: Callable[[int, Address], None]  # a stranger's packets reached a call (call number, source)
    policy: str = "strict"
    latch_hosts: set[str] = field(default_factory=set)  # the registrars' addresses (for "once")
    clock: Callable[[], float] = time.monotonic
    connect: Callable[[int, Address], bool] = connect_socket
    pins: dict[int, _Pin] = field(default_factory=dict)

    def media(self, call: int, local_rtp: str, local_rtcp: str, remote_rtp: str, remote_rtcp: str) -> None:
        local, sdp = parse_address(local_rtp), parse_address(remote_rtp)
        if local is None or sdp is None:
            return  # on hold with c=0.0.0.0, or no media yet
        old = self.pins.get(call)
        if old is not None and old.local == local and old.sdp == sdp:
            return  # the same media after a re-INVITE: still pinned
        pin = _Pin(local=local, rtcp_local=parse_address(local_rtcp), sdp=sdp, sdp_rtcp=parse_address(remote_rtcp),
                   started=self.clock())
        self.pins[call] = pin
        if self.policy == "strict":
            self._pin(call, pin, sdp)

    def observe(self, call: int, source: str) -> None:
        pin = self.pins.get(call)
        src = parse_address(source)
        if pin is None or src is None:
            return
        if pin.pinned is None and self.policy == "once":
            if src == pin.sdp or self._may_latch(pin, src):
                self._pin(call, pin, src)
                return
            if self.clock() - pin.started > LATCH_WINDOW_S:
                self._pin(call, pin, pin.sdp)
        expected = pin.pinned or pin.sdp
        if src != expected and src not in pin.strangers and len(pin.strangers) < 8:
            pin.strangers.add(src)  # with a pinned socket the kernel drops them: seen only where pinning failed
            self.report(call, src)

    def forget(self, call: int) -> None:
        self.pins.pop(call, None)

    def _may_latch(self, pin: _Pin, src: Address) -> bool:
        if src[0] == pin.sdp[0] or src[0] in self.latch_hosts:
            return True
        try:
            a, b = ipaddress.ip_address(src[0]), ipaddress.ip_address(pin.sdp[0])
        except ValueError:
            return False
        if a.version != 4 or b.version != 4:
            return False
        return ipaddress.ip_network(f"{b}/24", strict=False) == ipaddress.ip_network(f"{a}/24", strict=False)

    def _pin(self, call: int, pin: _Pin, peer: Address) -> None:
        pin.pinned = peer
        pin.protected = self.connect(pin.local[1], peer)
        if pin.rtcp_local is not None and pin.rtcp_local != pin.local:
            rtcp_peer = pin.sdp_rtcp if peer == pin.sdp and pin.sdp_rtcp else (peer[0], peer[1] + 1)
            self.connect(pin.rtcp_local[1], rtcp_peer)
        log.info("call %s: RTP on port %s %s to the far end", call, pin.local[1],
                 "pinned" if pin.protected else "NOT pinned (no socket found): watched only,")
