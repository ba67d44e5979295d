"""Raw SIP and RTP from the test process: hostile peers that SIPp cannot play (bytes that are not UTF-8, floods
at a chosen rate, malformed messages, RTP from a stranger), on loopback only.

    peer = SipPeer()                                    # UDP on 127.0.0.1, a free port
    peer.send(request("INVITE", f"127.0.0.1:{port}", "agent1", sdp=None), ("127.0.0.1", port))
    peer.responses(1.0)                                 # [(status, raw bytes), ...] received within 1 s
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any

_seq = itertools.count(1)


def sdp(ip: str = "127.0.0.1", port: int = 40000, session: str = "-") -> bytes:
    return (f"v=0\r\no=peer 1 1 IN IP4 {ip}\r\ns={session}\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n").encode()


def request(method: str, target: str, user: str, *, local: str = "127.0.0.1:5999", transport: str = "UDP",
            body: bytes | None = b"", content_type: str = "application/sdp", display: bytes = b"Caller",
            headers: list[bytes] | None = None, call_id: str | None = None, uri: bytes | None = None) -> bytes:
    """One SIP request as bytes. ``body=None`` sends no body at all; ``display`` and ``headers`` are raw bytes
    (they may hold anything, including bytes that are not UTF-8)."""
    n = next(_seq)
    cid = call_id or f"raw-{os.getpid()}-{n}-{time.monotonic_ns()}"
    ruri = uri or f"sip:{user}@{target}".encode()
    lines = [
        method.encode() + b" " + ruri + b" SIP/2.0",
        f"Via: SIP/2.0/{transport} {local};branch=z9hG4bK-raw{n}-{time.monotonic_ns()};rport".encode(),
        b"Max-Forwards: 70",
        b'From: "' + display + f'" <sip:peer@{local}>;tag=raw{n}'.encode(),
        f"To: <sip:{user}@{target}>".encode(),
        f"Call-ID: {cid}".encode(),
        f"CSeq: 1 {method}".encode(),
        f"Contact: <sip:peer@{local};transport={transport.lower()}>".encode(),
        *(headers or []),
    ]
    if method == "SUBSCRIBE":
        lines += [b"Event: presence", b"Expires: 600"]
    if body:
        lines.append(f"Content-Type: {content_type}".encode())
    lines.append(f"Content-Length: {len(body or b'')}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


def status_of(data: bytes) -> int | None:
    if data.startswith(b"SIP/2.0 ") and len(data) >= 11 and data[8:11].isdigit():
        return int(data[8:11])
    return None


@dataclass
class SipPeer:
    """A UDP (or TCP) SIP endpoint on loopback that sends raw bytes and collects what comes back."""

    transport: str = "udp"
    host: str = "127.0.0.1"
    sock: socket.socket = field(init=False)
    received: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        kind = socket.SOCK_DGRAM if self.transport == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(socket.AF_INET, kind)
        if self.transport == "udp":
            self.sock.bind((self.host, 0))
        self._connected: tuple[str, int] | None = None

    @property
    def local(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"{host}:{port}"

    def connect(self, addr: tuple[str, int]) -> None:
        if self.transport != "udp" and self._connected is None:
            self.sock.settimeout(3)
            self.sock.connect(addr)
            self._connected = addr

    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport == "udp":
            self.sock.sendto(data, addr)
        else:
            self.connect(addr)
            self.sock.sendall(data)

    def collect(self, seconds: float) -> list[bytes]:
        """Everything received within ``seconds`` (UDP datagrams; TCP: raw chunks)."""
        deadline = time.monotonic() + seconds
        got: list[bytes] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535)
            except (TimeoutError, BlockingIOError):
                break
            except OSError:
                break
            if not data and self.transport != "udp":
                break
            got.append(data)
        self.received.extend(got)
        return got

    def statuses(self, seconds: float) -> list[int]:
        codes: list[int] = []
        for chunk in self.collect(seconds):
            for part in chunk.split(b"SIP/2.0 ")[1:] if self.transport != "udp" else [chunk[8:]]:
                part = b"SIP/2.0 " + part
                code = status_of(part)
                if code is not None:
                    codes.append(code)
        return codes

    def close(self) -> None:
        self.sock.close()


def rtp_packet(seq: int, ssrc: int = 0x1234ABCD, payload: bytes = b"\xff" * 160, pt: int = 0) -> bytes:
    ts = seq * 160
    header = bytes([0x80, pt & 0x7F]) + seq.to_bytes(2, "big") + (ts & 0xFFFFFFFF).to_bytes(4, "big") + \
        ssrc.to_bytes(4, "big")
    return header + payload


def _header(msg: bytes, name: bytes) -> list[bytes]:
    head = msg.split(b"\r\n\r\n", 1)[0]
    out = []
    for line in head.split(b"\r\n")[1:]:
        n, sep, v = line.partition(b":")
        if sep and n.strip().lower() == name.lower():
            out.append(v.strip())
    return out


class RawCustomer:
    """A customer whose SIP and RTP this test process writes itself: it calls ``user`` through the registrar,
    sends PCMU every 20 ms from its own RTP socket (no ``a=ssrc`` in its SDP, like many PBXes and phones), and
    counts the packets the agent sends back. ``hangup()`` sends BYE. ``behind_nat=True``: its SDP names one port
    but its RTP comes from (and goes back to) another, as behind a NAT that rewrites ports."""

    def __init__(self, proxy: tuple[str, int], user: str, domain: str, behind_nat: bool = False) -> None:
        import threading

        self.proxy = proxy
        self.sip = SipPeer()
        self.sdp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sdp_sock.bind(("127.0.0.1", 0))
        if behind_nat:
            self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.rtp.bind(("127.0.0.1", 0))
        else:
            self.rtp = self.sdp_sock
        self.rtp.settimeout(0.05)
        self.user, self.domain = user, domain
        self.call_id = f"rawcust-{os.getpid()}-{time.monotonic_ns()}"
        self.agent_rtp: tuple[str, int] | None = None
        self.received = 0  # RTP packets from the agent's address
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._media, name="raw-customer-rtp", daemon=True)
        self._ok: bytes = b""

    @property
    def rtp_port(self) -> int:
        return int(self.sdp_sock.getsockname()[1])

    def call(self, timeout: float = 10.0) -> None:
        body = sdp(port=self.rtp_port)
        invite = request("INVITE", self.domain, self.user, local=self.sip.local, body=body, call_id=self.call_id,
                         display=b"Customer", uri=f"sip:{self.user}@{self.proxy[0]}:{self.proxy[1]}".encode())
        self._invite = invite
        self.sip.send(invite, self.proxy)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in self.sip.collect(0.2):
                if status_of(msg) == 200 and b"INVITE" in (_header(msg, b"CSeq") or [b""])[0]:
                    self._ok = msg
            if self._ok:
                break
        if not self._ok:
            raise AssertionError("the agent did not answer the raw customer's call")
        body_ok = self._ok.split(b"\r\n\r\n", 1)[1].decode()
        ip = next(line.split()[-1] for line in body_ok.split("\r\n") if line.startswith("c="))
        port = next(int(line.split()[1]) for line in body_ok.split("\r\n") if line.startswith("m=audio"))
        self.agent_rtp = (ip, port)
        self.sip.send(self._in_dialog(b"ACK", 1), self.proxy)
        self._thread.start()

    def answered_by(self, eng: Any, timeout: float = 10.0) -> int:
        """Call the agent and have ``eng`` (an EngineProcess) answer; returns the agent's call id."""
        import threading

        caller = threading.Thread(target=self.call, daemon=True)
        caller.start()
        incoming = eng.wait_event({"event": "call", "state": "incoming"}, timeout)
        eng.command({"cmd": "answer", "call": incoming["call"]})
        caller.join(timeout)
        assert self.agent_rtp is not None, "the agent's SDP never arrived"
        return int(incoming["call"])

    def _in_dialog(self, method: bytes, cseq: int) -> bytes:
        ok = self._ok
        contact = _header(ok, b"Contact")[0].strip(b"<>").split(b">")[0]
        routes = [r for rr in reversed(_header(ok, b"Record-Route")) for r in rr.split(b",")]
        from_h = _header(self._invite, b"From")[0]
        lines = [method + b" " + contact + b" SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.sip.local};branch=z9hG4bK-rc{time.monotonic_ns()};rport".encode(),
                 b"Max-Forwards: 70", b"From: " + from_h, b"To: " + _header(ok, b"To")[0],
                 f"Call-ID: {self.call_id}".encode(), f"CSeq: {cseq} ".encode() + method]
        lines += [b"Route: " + r.strip() for r in routes]
        lines.append(b"Content-Length: 0")
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _media(self) -> None:
        seq = 0
        next_send = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_send and self.agent_rtp is not None:
                self.rtp.sendto(rtp_packet(seq, ssrc=0x0C057000), self.agent_rtp)
                seq += 1
                next_send += 0.02
            try:
                _, addr = self.rtp.recvfrom(2048)
            except (TimeoutError, BlockingIOError, OSError):
                continue
            if self.agent_rtp is not None and addr[1] == self.agent_rtp[1]:
                self.received += 1

    def hangup(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        if self._ok:
            self.sip.send(self._in_dialog(b"BYE", 2), self.proxy)
            self.sip.collect(0.3)
        self.rtp.close()
        self.sdp_sock.close()
        self.sip.close()
