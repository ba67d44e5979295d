"""Registrar parsing, backoff with jitter, the probe and the IP-change watch (plain sockets, no pjsua2)."""

from __future__ import annotations

import random
import socket
import threading

from agentdesk.sip import registrars
from agentdesk.sip.registrars import Backoff, Prober, parse_registrar


def test_parse_registrar_forms() -> None:
    r = parse_registrar("sip:pbx.example.jp", "udp")
    assert (r.host, r.port, r.transport, r.uri) == ("pbx.example.jp", 5060, "udp", "sip:pbx.example.jp:5060")
    r = parse_registrar("sip:10.0.0.1:5070;transport=tcp", "udp")
    assert (r.port, r.transport, r.uri) == (5070, "tcp", "sip:10.0.0.1:5070;transport=tcp")
    r = parse_registrar("sips:pbx.example.jp", "udp")
    assert (r.port, r.transport) == (5061, "tls")
    assert parse_registrar("pbx.example.jp:5080", "tcp").uri == "sip:pbx.example.jp:5080;transport=tcp"
    for bad in ("sip:", "sip:h;transport=sctp"):
        try:
            parse_registrar(bad, "udp")
        except ValueError:
            continue
        raise AssertionError(bad)


def test_backoff_doubles_with_jitter_and_caps() -> None:
    b = Backoff(base=2.0, cap=60.0, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(8)]
    for n, d in enumerate(delays):
        nominal = min(60.0, 2.0 * 2 ** n)
        assert nominal * 0.5 <= d <= nominal
    assert len({round(d, 3) for d in delays}) == len(delays)  # jitter: not in step
    b.reset()
    assert b.next_delay() <= 2.0


def test_probe_alive_and_dead() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as srv:
        srv.bind(("127.0.0.1", 0))
        port = srv.getsockname()[1]

        def answer() -> None:
            data, addr = srv.recvfrom(4096)
            assert data.startswith(b"OPTIONS ")
            srv.sendto(b"SIP/2.0 200 OK\r\n\r\n", addr)

        t = threading.Thread(target=answer)
        t.start()
        rtt = registrars.options_probe(parse_registrar(f"sip:127.0.0.1:{port}", "udp"), 1.0)
        t.join()
        assert rtt is not None and rtt < 500
    # nobody listens there any more
    assert registrars.options_probe(parse_registrar(f"sip:127.0.0.1:{port}", "udp"), 0.3) is None


def test_prober_reports_an_ip_change(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    addresses = iter(["192.168.1.5", "192.168.1.5", "192.168.1.7"] + ["192.168.1.7"] * 50)
    monkeypatch.setattr(registrars, "local_address_towards", lambda host: next(addresses))
    monkeypatch.setattr(registrars, "options_probe", lambda reg, timeout: None)
    posted: list[tuple] = []
    got = threading.Event()

    def post(item: tuple) -> None:
        posted.append(item)
        if item[0] == "ipchange":
            got.set()

    p = Prober([parse_registrar("sip:127.0.0.1:9", "udp")], post, interval=0.05)
    p.start()
    try:
        assert got.wait(5)
    finally:
        p.stop()
        p.join(2)
    assert ("ipchange", "192.168.1.5", "192.168.1.7") in posted
    assert ("probe", 0, None) in posted
