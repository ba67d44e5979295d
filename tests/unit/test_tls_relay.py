"""The TLS relay's pure parts: SIP rewriting, framing, key pins, the SRTP rule, refusal messages."""

from __future__ import annotations

import base64
import hashlib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from agentdesk.sip import sip_rewrite
from agentdesk.sip.sip_rewrite import KEEPALIVE, FramingError, Link, SipFramer, to_center, to_engine
from agentdesk.sip.tls_relay import (
    PinMismatch,
    PolicyError,
    TlsConfigError,
    TlsSettings,
    parse_pin,
    refusal_from,
    spki_sha256,
    srtp_policy,
)
from tests.infra.certs import TestCA


def link() -> Link:
    return Link(engine="127.0.0.1:40001", advertised="192.0.2.7:51000", relay_port=45000, peer_ip="198.51.100.5",
                peer_port=5061)


REGISTER = (b"REGISTER sip:pbx.example.jp;transport=tls SIP/2.0\r\n"
            b"Via: SIP/2.0/TCP 127.0.0.1:40001;rport;branch=z9hG4bKPj1;alias\r\n"
            b"Max-Forwards: 70\r\nFrom: <sip:1001@example.jp>;tag=a\r\nTo: <sip:1001@example.jp>\r\n"
            b"Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\n"
            b"Contact: <sip:1001@127.0.0.1:40001;transport=TCP;ob>;reg-id=1\r\n"
            b"Route: <sip:127.0.0.1:45000;transport=tcp;lr>\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n")


def headers(msg: bytes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in msg.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:]:
        name, _, value = line.partition(":")
        out.setdefault(name.strip().lower(), []).append(value.strip())
    return out


def test_register_goes_out_as_tls_with_the_connections_address() -> None:
    out = to_center(REGISTER, link())
    h = headers(out)
    assert h["via"] == ["SIP/2.0/TLS 192.0.2.7:51000;rport;branch=z9hG4bKPj1;alias"]
    assert h["contact"] == ["<sip:1001@192.0.2.7:51000;transport=tls;ob>;reg-id=1"]
    assert out.startswith(b"REGISTER sip:pbx.example.jp;transport=tls SIP/2.0\r\n")
    assert out.endswith(b"Content-Length: 0\r\n\r\n")


def test_the_200_to_register_comes_back_as_pjsip_wrote_it() -> None:
    lk = link()
    to_center(REGISTER, lk)
    ok = (b"SIP/2.0 200 OK\r\n"
          b"Via: SIP/2.0/TLS 192.0.2.7:51000;rport=62000;received=203.0.113.9;branch=z9hG4bKPj1;alias\r\n"
          b"From: <sip:1001@example.jp>;tag=a\r\nTo: <sip:1001@example.jp>;tag=b\r\nCall-ID: reg-1\r\n"
          b"CSeq: 1 REGISTER\r\n"
          b"Contact: <sip:1001@192.0.2.7:51000;transport=tls;ob>;expires=300;reg-id=1, "
          b"<sip:1001@10.9.9.9:5060>;expires=100\r\nContent-Length: 0\r\n\r\n")
    back = headers(to_engine(ok, lk))
    assert back["via"] == ["SIP/2.0/TCP 127.0.0.1:40001;rport;branch=z9hG4bKPj1;alias"]
    contacts = sip_rewrite.split_list(back["contact"][0])
    assert contacts[0] == "<sip:1001@127.0.0.1:40001;transport=TCP;ob>;expires=300;reg-id=1"
    assert ";adtls=" in contacts[1]  # another device's binding: masked like any address pjsip must not reach


def test_pjsip_keeps_its_first_contact_on_a_new_connection() -> None:
    """pjsip writes the Contact of its first connection on every later one: any loopback Contact is rewritten,
    and the 200 gives back exactly what pjsip wrote."""
    lk = Link(engine="127.0.0.1:40777", advertised="192.0.2.7:52000", relay_port=45000, peer_ip="198.51.100.5",
              peer_port=5061)
    out = to_center(REGISTER.replace(b"Via: SIP/2.0/TCP 127.0.0.1:40001", b"Via: SIP/2.0/TCP 127.0.0.1:40777"), lk)
    assert headers(out)["contact"] == ["<sip:1001@192.0.2.7:52000;transport=tls;ob>;reg-id=1"]
    ok = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 192.0.2.7:52000;rport=1;branch=z9hG4bKPj1\r\nCall-ID: reg-1\r\n"
          b"CSeq: 1 REGISTER\r\nContact: <sip:1001@192.0.2.7:52000;transport=tls;ob>;expires=300\r\n"
          b"Content-Length: 0\r\n\r\n")
    assert headers(to_engine(ok, lk))["contact"] == ["<sip:1001@127.0.0.1:40001;transport=TCP;ob>;expires=300"]


INVITE_FROM_CENTER = (
    b"INVITE sip:1001@192.0.2.7:51000;transport=tls;ob SIP/2.0\r\n"
    b"Record-Route: <sip:198.51.100.5:5061;transport=tls;lr;r2=on>, <sip:198.51.100.5;lr;r2=on>\r\n"
    b"Via: SIP/2.0/TLS 198.51.100.5:5061;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK2\r\n"
    b"From: \"Customer, A\" <sip:0312345678@example.jp>;tag=c\r\nTo: <sip:1001@example.jp>\r\n"
    b"Call-ID: call-1\r\nCSeq: 1 INVITE\r\nContact: <sip:gw@10.0.0.9:5060>\r\n"
    b"Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n")


def test_an_invite_from_the_center_keeps_the_whole_dialog_on_the_relay() -> None:
    lk = link()
    to_center(REGISTER, lk)
    inv = to_engine(INVITE_FROM_CENTER, lk)
    h = headers(inv)
    assert inv.startswith(b"INVITE sip:1001@127.0.0.1:40001;transport=TCP;ob SIP/2.0\r\n")
    routes = sip_rewrite.split_list(h["record-route"][0])
    assert all(r.startswith("<sip:127.0.0.1:45000;transport=tcp;lr;adtls=") for r in routes)
    assert h["contact"][0].startswith("<sip:127.0.0.1:45000;transport=tcp;adtls=")  # no ;lr on a target
    assert h["via"][0] == "SIP/2.0/TLS 198.51.100.5:5061;branch=z9hG4bK1"  # the center's Via is untouched
    assert inv.endswith(b"\r\n\r\nv=0\n")
    # pjsip's BYE in that dialog: Request-URI and Route are what the center wrote
    bye = (f"BYE {h['contact'][0][1:-1]} SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 127.0.0.1:40001;rport;branch=z9hG4bKPj9\r\n"
           f"Route: {routes[0]}\r\nRoute: {routes[1]}\r\n"
           "Call-ID: call-1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n").encode()
    out = to_center(bye, lk)
    assert out.startswith(b"BYE sip:gw@10.0.0.9:5060 SIP/2.0\r\n")
    assert headers(out)["route"] == ["<sip:198.51.100.5:5061;transport=tls;lr;r2=on>", "<sip:198.51.100.5;lr;r2=on>"]
    # pjsip's 200 to the INVITE echoes the Record-Route: it goes out as the center wrote it; the Via pjsip
    # marked with the relay's loopback address carries the center's real one
    ok = (b"SIP/2.0 200 OK\r\n"
          b"Via: SIP/2.0/TLS 198.51.100.5:5061;rport=45000;received=127.0.0.1;branch=z9hG4bK1\r\n"
          b"Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK2\r\n"
          + f"Record-Route: {h['record-route'][0]}\r\n".encode()
          + b"Contact: <sip:1001@127.0.0.1:40001;transport=TCP;ob>\r\nCall-ID: call-1\r\nCSeq: 1 INVITE\r\n"
            b"Content-Length: 0\r\n\r\n")
    out = headers(to_center(ok, lk))
    assert out["via"][0] == "SIP/2.0/TLS 198.51.100.5:5061;rport=5061;branch=z9hG4bK1"
    assert out["record-route"] == ["<sip:198.51.100.5:5061;transport=tls;lr;r2=on>, <sip:198.51.100.5;lr;r2=on>"]
    assert out["contact"] == ["<sip:1001@192.0.2.7:51000;transport=tls;ob>"]


def test_a_masked_token_can_never_inject_a_header() -> None:
    evil = base64.urlsafe_b64encode(b"sip:x>\r\nX-Evil: 1").decode().rstrip("=")
    msg = (f"BYE sip:127.0.0.1:45000;transport=tcp;adtls={evil} SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 127.0.0.1:40001;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n").encode()
    out = to_center(msg, link())
    assert b"X-Evil" not in out and evil.encode() in out


def test_framing() -> None:
    framer = SipFramer()
    assert framer.feed(b"\r\n\r\n") == [KEEPALIVE]
    first = framer.feed(INVITE_FROM_CENTER[:50])
    assert first == []
    assert framer.feed(INVITE_FROM_CENTER[50:] + b"\r\n" + REGISTER) == [INVITE_FROM_CENTER, KEEPALIVE, REGISTER]
    with pytest.raises(FramingError):
        SipFramer().feed(b"INVITE x SIP/2.0\r\nContent-Length: 99999999\r\n\r\n")
    with pytest.raises(FramingError):
        SipFramer().feed(b"A" * (sip_rewrite.MAX_HEAD + 10))
    with pytest.raises(FramingError):
        SipFramer().feed(b"INVITE x SIP/2.0\r\nl: -1\r\n\r\n")


def test_spki_pin_matches_cryptography(tmp_path: Path) -> None:
    server = TestCA(tmp_path).issue()
    cert = x509.load_pem_x509_certificate(server.cert.read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    expected = hashlib.sha256(cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).digest()
    assert spki_sha256(der) == expected == parse_pin(server.spki_sha256) == parse_pin(f"sha256/{server.spki_sha256}")
    assert parse_pin(expected.hex()) == expected
    for bad in (der[:40], b"\x02\x01\x00", b""):
        with pytest.raises(ValueError):
            spki_sha256(bad)
    with pytest.raises(TlsConfigError):
        parse_pin("not-a-pin")


def test_srtp_keys_only_over_tls() -> None:
    assert srtp_policy("tls", None) == ("mandatory", None)
    assert srtp_policy("udp", None) == ("off", None)
    assert srtp_policy("tls", "optional") == ("optional", None)
    effective, warning = srtp_policy("tcp", "optional")
    assert effective == "off" and warning is not None and "TCP" in warning.en
    with pytest.raises(PolicyError) as refused:
        srtp_policy("udp", "mandatory")
    assert "TLS" in refused.value.text.ja and "TLS" in str(refused.value)


def test_tls_settings(tmp_path: Path) -> None:
    assert TlsSettings.parse(None).trust == "system"
    assert TlsSettings.parse({"verify": False}).trust == "none"
    ca = TestCA(tmp_path)
    assert TlsSettings.parse({"ca": str(ca.path)}).trust == "ca"
    assert TlsSettings.parse({"ca_pem": ca.pem}).trust == "ca"
    for bad in ({"ca": str(tmp_path / "missing.pem")}, {"ca_pem": "hello"}, {"server_name": "a b"},
                {"stack": "gnutls"}, {"keepalive": 1}, {"pin": ["zz"]}, "yes"):
        with pytest.raises(TlsConfigError):
            TlsSettings.parse(bad)


def test_refusal_messages() -> None:
    def verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
        exc = ssl.SSLCertVerificationError(1, message)
        exc.verify_code, exc.verify_message = code, message
        return exc

    assert refusal_from(verify_error(10, "certificate has expired"), "c.jp").kind == "expired"  # type: ignore[union-attr]
    hostname = refusal_from(verify_error(62, "Hostname mismatch"), "c.jp")
    assert hostname is not None and hostname.kind == "hostname" and "c.jp" in hostname.message.ja
    assert refusal_from(verify_error(19, "self-signed certificate in certificate chain"), "c.jp").kind == "untrusted"  # type: ignore[union-attr]
    assert refusal_from(PinMismatch(), "c.jp").kind == "pin"  # type: ignore[union-attr]
    old = ssl.SSLError(1, "[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version")
    old.reason = "TLSV1_ALERT_PROTOCOL_VERSION"  # type: ignore[misc]
    assert refusal_from(old, "c.jp").kind == "protocol"  # type: ignore[union-attr]
    assert refusal_from(ConnectionRefusedError(), "c.jp") is None  # unreachable is not a certificate problem
