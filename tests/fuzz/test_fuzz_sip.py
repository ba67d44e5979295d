"""Fuzzing the engine from the network (issue 16): malformed and hostile SIP over UDP and TCP, straight to the
engine's port and through the registrar (Kamailio), floods, and RTP from strangers and from a broken peer. After
each, the engine is alive and a real call through the registrar still rings. Seeded mutations (the same every run),
bounded in count and time: about a minute on the 2-core CI machine.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import DOMAIN, Kamailio
from tests.infra.sipraw import RawCustomer, SipPeer, request, rtp_packet, sdp

pytestmark = [pytest.mark.sip, pytest.mark.slow]

METHODS = ("INVITE", "OPTIONS", "SUBSCRIBE", "REFER", "MESSAGE", "BYE", "CANCEL", "ACK", "NOTIFY", "INFO",
           "UPDATE", "PRACK", "REGISTER", "PUBLISH", "XYZZY")
WEIRD_SDP = [
    b"v=0\r\n",
    b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 999.1.1.1\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\n",
    b"v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 zz::zz\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 junk\r\n",
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + b"m=audio 4000 RTP/AVP 0\r\n" * 64,
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
    + b" ".join(str(i).encode() for i in range(128)) + b"\r\n" + b"a=rtpmap:96 " + b"X" * 3000 + b"/8000\r\n",
    b"v=0\r\nm=video 0 RTP/AVP\r\nm=application 9 UDP/BFCP *\r\n",
    b"\x00" * 200,
]


def mutate(rng: random.Random, msg: bytes) -> bytes:
    """One hostile variant of a SIP message: flipped bytes, lost or repeated headers, lies in Content-Length,
    oversized or binary values, truncation."""
    head, _, body = msg.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(12)
        i = rng.randrange(len(lines))
        if choice == 0 and len(lines) > 1:
            del lines[rng.randrange(1, len(lines))]
        elif choice == 1:
            lines.insert(rng.randrange(1, len(lines) + 1), lines[i])
        elif choice == 2:
            lines = lines[:1] + [lines[rng.randrange(len(lines))]] * rng.randint(50, 300) + lines[1:]
        elif choice == 3:
            lines[i] = lines[i] + b"X" * rng.choice((300, 3000, 40000))
        elif choice == 4:
            lines[i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 60)))
        elif choice == 5:
            lines = [line for line in lines if not line.lower().startswith(b"content-length")]
            lines.append(b"Content-Length: " + rng.choice([b"-1", b"99999999999999999999", b"0", b"5000", b"x"]))
        elif choice == 6:
            body = rng.choice(WEIRD_SDP)
        elif choice == 7:
            lines[i] = lines[i].replace(b":", b"", 1)
        elif choice == 8:
            lines.insert(1, b"Via: SIP/2.0/UDP " + b"[" * 40 + b";branch=z9hG4bK" + b"\xff" * 8)
        elif choice == 9:
            lines[0] = rng.choice([b"INVITE sip:@ SIP/2.0", b"INVITE " + b"sip:" + b"9" * 3000 + b" SIP/2.0",
                                   b"SIP/2.0 200 OK", b"SIP/2.0 999 Nope", b"GET / HTTP/1.1", b"\r\n\r\n"])
        elif choice == 10:
            lines.append(rng.choice([b"From: <sip:a@b>;tag=1", b"To: <sip:" + b"%" * 200 + b">", b"CSeq: 1 NOPE",
                                     b"Max-Forwards: -5", b"Expires: 4294967296", b"Route: <sip:127.0.0.1;lr>" * 30,
                                     b"Replaces: x;to-tag=1;from-tag=2", b"Refer-To: <sip:" + b"1" * 2000 + b">",
                                     b"Event: presence" + b";id=" * 500]))
        else:
            pass
    out = b"\r\n".join(lines) + b"\r\n\r\n" + body
    if rng.random() < 0.1:
        out = out[: rng.randrange(1, len(out))]
    if rng.random() < 0.05:
        out = bytearray(out)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        out = bytes(out)
    return out[:65000]


def messages(rng: random.Random, target: str, user: str, local: str, count: int, uri: bytes | None = None
             ) -> Iterator[bytes]:
    for _ in range(count):
        method = rng.choice(METHODS)
        body = sdp(port=rng.randrange(1024, 65000)) if method in ("INVITE", "UPDATE") and rng.random() < 0.7 \
            else None
        base = request(method, target, user, local=local, body=body, uri=uri,
                       display=rng.choice([b"Caller", b"\xff\xfe\xfa", b"\"" * 5, "山田".encode()]))
        yield mutate(rng, base)


@pytest.fixture
def agent(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> EngineProcess:
    """The agent's engine at the default log level, as agents run it (debug logging of every SIP message would
    make the log, not the engine, the bottleneck)."""
    eng = engine_factory("agent", env={**os.environ, "AGENTDESK_DEBUG": ""})
    eng.register("agent1", kamailio, sip={"stats_interval": 0})
    return eng


def still_takes_a_call(eng: EngineProcess, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
                       user: str = "agent1", transport: str = "udp") -> None:
    assert eng.alive(), eng.log()[-3000:]
    for call in eng.command({"cmd": "calls"})["calls"]:  # whatever the fuzzing left ringing
        eng.send({"cmd": "hangup", "call": call["call"]})
    customer = engine_factory("caller")
    customer.register("cust1", kamailio, transport=transport)
    mark = eng.mark()
    customer.command({"cmd": "call", "uri": user})
    incoming = eng.wait_event(lambda e: e.get("event") == "call" and e.get("state") == "incoming"
                              and "cust1@" in str(e.get("remote")), 15, after=mark)
    eng.command({"cmd": "answer", "call": incoming["call"]})
    eng.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10, after=mark)
    customer.stop()


def _reject_ringing(eng: EngineProcess) -> None:
    for call in eng.command({"cmd": "calls"})["calls"]:
        if call["state"] == "incoming":
            eng.send({"cmd": "reject", "call": call["call"]})


def test_malformed_sip_over_udp_straight_to_the_engine(agent: EngineProcess, kamailio: Kamailio,
                                                       engine_factory: Callable[..., EngineProcess]) -> None:
    rng = random.Random(16001)
    peers = [SipPeer() for _ in range(4)]
    assert agent.port
    for n, msg in enumerate(messages(rng, f"127.0.0.1:{agent.port}", "agent1", peers[0].local, 3000)):
        peers[n % 4].sock.sendto(msg, ("127.0.0.1", agent.port))
        if n % 500 == 499:
            time.sleep(0.05)
            assert agent.alive()
    time.sleep(0.5)
    assert not agent.find(lambda e: e.get("event") == "call" and e.get("state") == "incoming")
    still_takes_a_call(agent, kamailio, engine_factory)


def test_malformed_sip_through_the_registrar(agent: EngineProcess, kamailio: Kamailio,
                                             engine_factory: Callable[..., EngineProcess]) -> None:
    """What Kamailio relays reaches pjsua's own parsing and media setup: the deeper half of the engine."""
    rng = random.Random(16002)
    peer = SipPeer()
    uri = f"sip:agent1@127.0.0.1:{kamailio.port}".encode()
    for n, msg in enumerate(messages(rng, DOMAIN, "agent1", peer.local, 600, uri=uri)):
        peer.sock.sendto(msg, ("127.0.0.1", kamailio.port))
        if n % 20 == 19:
            time.sleep(0.02)
            _reject_ringing(agent)  # never more than a few calls ringing at once
            assert agent.alive()
    time.sleep(1.0)
    _reject_ringing(agent)
    still_takes_a_call(agent, kamailio, engine_factory)


def test_malformed_sip_and_connection_floods_over_tcp(kamailio: Kamailio,
                                                      engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory("tcp-agent")
    eng.register("agent1", kamailio, transport="tcp", sip={"stats_interval": 0})
    assert eng.port
    rng = random.Random(16003)
    t0 = time.monotonic()
    # 1. streams of mutated messages, each on its own connection, cut at random points
    # (paced: pjsip listens with a backlog of 5, so a burst of connects waits for SYN retransmits, seconds each)
    for msg in messages(rng, f"127.0.0.1:{eng.port}", "agent1", "127.0.0.1:5999", 150):
        time.sleep(0.01)
        with _ignore_os_errors(), socket.create_connection(("127.0.0.1", eng.port), timeout=2) as s:
            for i in range(0, len(msg), rng.choice((7, 100, 4000, 65000))):
                s.sendall(msg[i:i + 4000])
    assert eng.alive(), "after the mutated streams"
    # 2. a message that never ends (no blank line): pjsip must drop it, not buffer forever
    with socket.create_connection(("127.0.0.1", eng.port), timeout=2) as s, _ignore_os_errors():
        s.sendall(b"INVITE sip:agent1@x SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4\r\n")
        for _ in range(200):
            s.sendall(b"X-Endless: " + b"a" * 1000 + b"\r\n")
    assert eng.alive(), "after the endless message"
    # 3. 40 connections opened and held (a scanner's connect scan). Not more: pjsip's select I/O queue has 64
    # handles and aborts when a TCP listener's accepted connections use them up (measured here with ~120 held
    # after the streams above; compiled into the wheel, no setting). The shipped engine's TCP listens on loopback
    # only behind the TLS relay; plain "tcp" is for centers on a private network (docs/security.md).
    held: list[socket.socket] = []
    try:
        for _ in range(40):
            time.sleep(0.005)
            with _ignore_os_errors():
                held.append(socket.create_connection(("127.0.0.1", eng.port), timeout=0.5))
        time.sleep(0.5)
        assert eng.alive() and len(held) >= 30
        assert time.monotonic() - t0 < 90
    finally:
        for s in held:
            s.close()
    time.sleep(1.0)
    still_takes_a_call(eng, kamailio, engine_factory, transport="tcp")


class _ignore_os_errors:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, *rest: object) -> bool:
        return kind is not None and issubclass(kind, OSError)


def _flood(port: int, seconds: float, total_pps: float | None, senders: int = 4) -> tuple[int, float]:
    """INVITEs with SDP from ``senders`` addresses outside the registrar for ``seconds``, at ``total_pps`` (None:
    as fast as loopback takes them). Returns (datagrams sent, seconds)."""
    stop = threading.Event()
    sent = [0] * senders

    def flood(i: int) -> None:
        peer = SipPeer()
        peer.sock.setblocking(False)
        base = request("INVITE", f"127.0.0.1:{port}", "agent1", local=peer.local, body=sdp(port=30000 + i))
        gap = None if total_pps is None else 10 * senders / total_pps  # bursts of 10
        next_at = time.monotonic()
        while not stop.is_set():
            if gap is not None:
                wait = next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                next_at += gap
            for _ in range(10):
                try:
                    peer.sock.sendto(base.replace(b"raw-", f"raw{i}x{sent[i]}-".encode(), 1), ("127.0.0.1", port))
                    sent[i] += 1
                except BlockingIOError:
                    time.sleep(0.0005)
            with _ignore_os_errors():
                while peer.sock.recv(65535):  # drain the 500s so the sender is not the bottleneck
                    pass
        peer.close()

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(senders)]
    start = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(3)
    return sum(sent), time.monotonic() - start


def test_floods_of_invites_from_outside_neither_kill_nor_deafen_the_engine(
        agent: EngineProcess, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
        capsys: pytest.CaptureFixture[str]) -> None:
    """1. As fast as 4 senders can on loopback for 3 s (far above a home line: ~120,000/s): the engine stays up and
    answers the next call. 2. 8,000 INVITEs/s (45 Mbit/s of them, about what a home line can carry) for 6 s with a
    real call placed in the middle: it rings. The rates are printed for the report (docs/security.md)."""
    assert agent.port
    sent, seconds = _flood(agent.port, 3.0, None)
    assert agent.alive()
    summary = agent.wait_event({"event": "security", "what": "rate_limited"}, 12)  # the 10 s window's end
    reports = agent.find(lambda e: e.get("event") == "security" and e.get("what") == "invite_refused")
    assert len(reports) <= 5 * 2  # bounded however many came
    refused = summary["refused"] + len(reports)
    still_takes_a_call(agent, kamailio, engine_factory)

    customer = engine_factory("customer")
    customer.register("cust1", kamailio)
    result: dict[str, float] = {}

    def call_in_the_middle() -> None:
        time.sleep(2.0)
        mark = agent.mark()
        placed = time.monotonic()
        customer.command({"cmd": "call", "uri": "agent1"})
        rang = agent.wait_event(lambda e: e.get("event") == "call" and e.get("state") == "incoming", 10, after=mark)
        result["rang_after"] = rang["_t"] - placed
        result["call"] = rang["call"]

    caller = threading.Thread(target=call_in_the_middle, daemon=True)
    caller.start()
    paced, paced_s = _flood(agent.port, 6.0, 8000)
    caller.join(12)
    assert agent.alive() and "rang_after" in result, "a real call did not ring during an 8,000/s flood"
    agent.command({"cmd": "hangup", "call": int(result["call"])})
    with capsys.disabled():
        print(f"\n[fuzz] INVITE flood: {sent} datagrams in {seconds:.1f} s ({sent / seconds:.0f}/s sent), the engine "
              f"refused {refused} ({refused / seconds:.0f}/s; the rest overflowed its socket buffer) and stayed up; "
              f"at {paced / paced_s:.0f}/s a real call rang after {result['rang_after']:.2f} s")
    still_takes_a_call(agent, kamailio, engine_factory)


def test_rtp_from_strangers_and_garbage_from_the_peer_during_a_call(
        agent: EngineProcess, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
        tmp_path: Path) -> None:
    customer = RawCustomer(("127.0.0.1", kamailio.port), "agent1", DOMAIN)
    call = customer.answered_by(agent)
    assert customer.agent_rtp is not None
    rng = random.Random(16005)
    port = customer.agent_rtp[1]
    try:
        strangers = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
        for s in strangers:
            s.bind(("127.0.0.1", 0))
        before = customer.received
        for i in range(3000):  # strangers: RTP, RTCP, junk, to RTP and RTCP ports
            kind = rng.randrange(3)
            data = rtp_packet(i, ssrc=rng.getrandbits(32), payload=rng.randbytes(rng.choice((0, 1, 160, 1400)))) \
                if kind == 0 else rng.randbytes(rng.randint(0, 1500))
            strangers[i % 3].sendto(data, ("127.0.0.1", port + rng.choice((0, 0, 1))))
        for i in range(1000):  # the peer's own address sends broken packets (pjmedia's parsers)
            junk = bytearray(rtp_packet(5000 + i, ssrc=0x0C057000))
            for _ in range(rng.randint(1, 8)):
                junk[rng.randrange(len(junk))] = rng.randrange(256)
            customer.rtp.sendto(bytes(junk[: rng.randint(1, len(junk))]), customer.agent_rtp)
        time.sleep(1.0)
        assert customer.received - before > 20  # the agent's audio still reaches the customer, not a stranger
        for s in strangers:
            s.close()
    finally:
        customer.hangup()
    agent.wait_event({"event": "call", "call": call, "state": "ended"}, 10)
    still_takes_a_call(agent, kamailio, engine_factory)

