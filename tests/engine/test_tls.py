"""TLS verifies the registrar's certificate by default: a self-signed server never sees our REGISTER."""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.infra.engine import DOMAIN, EngineProcess

pytestmark = pytest.mark.sip


def _self_signed(dir: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address(
                "127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = dir / "cert.pem", dir / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsRegistrar:
    """A TLS listener with a self-signed certificate that records what arrives after the handshake."""

    def __init__(self, workdir: Path) -> None:
        cert, key = _self_signed(workdir)
        self.cert = cert
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.handshakes_failed = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                with self.ctx.wrap_socket(conn, server_side=True) as tls, contextlib.suppress(OSError):
                    data = tls.recv(4096)
                    if data:
                        self.received.append(data)
            except (ssl.SSLError, OSError):
                self.handshakes_failed += 1

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def tls_registrar(tmp_path: Path) -> Iterator[TlsRegistrar]:
    r = TlsRegistrar(tmp_path)
    yield r
    r.close()


def _configure(eng: EngineProcess, reg: TlsRegistrar, tls: dict[str, object]) -> None:
    eng.command({"cmd": "configure", "account": {
        "user": "agent1", "domain": DOMAIN, "transport": "tls",
        "registrars": [f"sip:127.0.0.1:{reg.port};transport=tls"]},
        "sip": {"bind": "127.0.0.1", "port": 0, "tls": tls, "probe": False}})


def test_tls_refuses_an_unverified_registrar(tls_registrar: TlsRegistrar,
                                            engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    _configure(eng, tls_registrar, {})
    eng.command({"cmd": "register"})
    failed = eng.wait_event({"event": "registration", "state": "failed"}, 15)
    assert failed["code"] >= 400
    assert not any(d.startswith(b"REGISTER") for d in tls_registrar.received)


def test_tls_with_the_registrars_ca_sends_register(tls_registrar: TlsRegistrar,
                                                  engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    _configure(eng, tls_registrar, {"ca": str(tls_registrar.cert)})
    eng.command({"cmd": "register"})
    eng.wait_event({"event": "registration", "state": "failed"}, 15)  # our listener never answers the REGISTER
    assert any(d.startswith(b"REGISTER") for d in tls_registrar.received)
