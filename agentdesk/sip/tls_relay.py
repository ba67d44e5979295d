"""SIP over TLS without pjsip's TLS: a relay in the engine process, on its own thread, that terminates TLS with
Python's ``ssl`` (the OpenSSL 3 CPython ships on Windows and Linux).

    pjsip TCP transport ──TCP──> 127.0.0.1:<relay port> ══TLS 1.3 (1.2 at least)══> the center's registrar

Why: the pjsua2 wheels for Windows have no TLS at all, the Linux wheel's is OpenSSL 1.0.2k (TLS 1.2 at most,
end of life since 2019). One relay listener per registrar; pjsip's outbound proxy for that registrar is
``sip:127.0.0.1:<port>;transport=tcp;lr``. A connection pjsip opens there becomes one TLS connection to that
registrar, verified against the OS trust store (``truststore``) or the provisioned CA, for the provisioned host
name, optionally pinned to the center's key (SPKI sha256). Requests from the center come back over the same
connection; :mod:`agentdesk.sip.sip_rewrite` makes pjsip's loopback addresses into the TLS connection's and
keeps every in-dialog request on the relay. A certificate that fails any test refuses the connection: pjsip
sees a TCP reset (its REGISTER fails), the engine hears why (:class:`TlsRefusal`, bilingual); nothing is ever
sent in clear instead.

Threading: an asyncio loop on the thread "tls-relay". The engine thread calls :meth:`TlsRelay.configure`,
:meth:`TlsRelay.is_registrar_source`, :meth:`TlsRelay.refused`, :meth:`TlsRelay.refusal`, :meth:`TlsRelay.status`
(plain Python: sockets bound, snapshots read); the relay thread never calls pjsua2 and reports through ``post``
(the engine's command queue: ``("tls", {...})``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import logging
import os
import random
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentdesk.i18n import Text
from agentdesk.sip import sip_rewrite
from agentdesk.sip.sip_rewrite import KEEPALIVE, FramingError, Link, SipFramer, format_hostport

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
HANDSHAKE_TIMEOUT_S = 5.0
ADDRESS_PROBE_TIMEOUT_S = 1.0   # the OPTIONS that asks the center which address it sees (NAT)
KEEPALIVE_S = 30.0              # a CRLFCRLF ping on an idle TLS connection (RFC 5626 4.4.1)
PONG_TIMEOUT_S = 10.0           # once a center has answered a ping with a pong, a missing pong closes
RECHECK_S = 60.0                # a refused registrar's certificate is checked again this often (no SIP sent)
_TCP_KEEPALIVE = (15, 5, 3)     # idle s, interval s, count: a dead path is noticed within ~30 s

NO_FALLBACK = Text(ja="暗号化されていない接続に切り替えることはありません。センターの担当者に連絡してください。",
                   en="AgentDesk never falls back to an unencrypted connection. Please tell the center.")
REFUSALS: dict[str, Text] = {
    "expired": Text(ja="センター（{name}）の証明書の有効期限が切れているため、接続しませんでした。",
                    en="The certificate of the center ({name}) has expired, so AgentDesk did not connect."),
    "not_yet_valid": Text(ja="センター（{name}）の証明書はまだ有効になっていないため、接続しませんでした。"
                          "PC の日付と時刻も確認してください。",
                          en="The certificate of the center ({name}) is not valid yet, so AgentDesk did not "
                             "connect. Please also check this PC's date and time."),
    "untrusted": Text(ja="センター（{name}）の証明書を信頼できる発行元で確認できないため、接続しませんでした。",
                      en="The certificate of the center ({name}) is not from a trusted authority, so AgentDesk "
                         "did not connect."),
    "hostname": Text(ja="証明書の名前がセンター（{name}）と一致しないため、接続しませんでした。",
                     en="The certificate is not for the center ({name}), so AgentDesk did not connect."),
    "pin": Text(ja="センター（{name}）の鍵が、登録されている鍵と違うため、接続しませんでした。",
                en="The key of the center ({name}) is not the key AgentDesk was given, so AgentDesk did not "
                   "connect."),
    "protocol": Text(ja="センター（{name}）が TLS 1.2 より古い暗号化しか使えないため、接続しませんでした。",
                     en="The center ({name}) offers only encryption older than TLS 1.2, so AgentDesk did not "
                        "connect."),
    "certificate": Text(ja="センター（{name}）の証明書に問題があるため、接続しませんでした（{detail}）。",
                        en="The certificate of the center ({name}) failed verification ({detail}), so AgentDesk "
                           "did not connect."),
    "handshake": Text(ja="センター（{name}）との暗号化接続を確立できませんでした（{detail}）。",
                      en="AgentDesk could not set up the encrypted connection to the center ({name}) ({detail})."),
}


class TlsConfigError(ValueError):
    """Bad ``sip.tls`` settings (an unreadable CA, a malformed pin): the configure command fails with it."""


@dataclass(frozen=True)
class TlsSettings:
    """``sip.tls`` of the configure command (docs/engine-protocol.md)."""

    verify: bool = True
    ca: str | None = None          # a CA bundle file (PEM); None: the operating system's trust store
    ca_pem: str | None = None      # the same, as PEM text from the provisioning
    server_name: str | None = None  # the provisioned host name the certificate must name (default: the registrar's)
    pins: tuple[bytes, ...] = ()   # sha256 of the center's SubjectPublicKeyInfo (any one matches)
    keepalive: float = KEEPALIVE_S
    stack: str = "python"          # "python" (this relay, every platform) or "pjsip" (the Linux wheel's own)

    @classmethod
    def parse(cls, raw: Any) -> TlsSettings:
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise TlsConfigError('"sip.tls" must be an object')
        stack = str(raw.get("stack", "python")).lower()
        if stack not in ("python", "pjsip"):
            raise TlsConfigError('"sip.tls.stack" must be "python" or "pjsip"')
        ca = raw.get("ca")
        if ca is not None and (not isinstance(ca, str) or not os.path.isfile(ca)):
            raise TlsConfigError(f"the CA file {ca!r} does not exist")
        ca_pem = raw.get("ca_pem")
        if ca_pem is not None and (not isinstance(ca_pem, str) or "-----BEGIN CERTIFICATE-----" not in ca_pem):
            raise TlsConfigError('"sip.tls.ca_pem" must be PEM certificates')
        name = raw.get("server_name")
        if name is not None and (not isinstance(name, str) or not name.strip() or any(c in name for c in " /\\")):
            raise TlsConfigError('"sip.tls.server_name" must be a host name')
        pin_raw = raw.get("pin", [])
        pins = tuple(parse_pin(p) for p in ([pin_raw] if isinstance(pin_raw, str) else pin_raw or []))
        keepalive = float(raw.get("keepalive", KEEPALIVE_S))
        if not 5 <= keepalive <= 600:
            raise TlsConfigError('"sip.tls.keepalive" must be 5-600 seconds')
        return cls(verify=bool(raw.get("verify", True)), ca=ca, ca_pem=ca_pem,
                   server_name=name.strip() if isinstance(name, str) else None, pins=pins, keepalive=keepalive,
                   stack=stack)

    @property
    def trust(self) -> str:
        """How the center is trusted: "ca" (provisioned), "system" (the OS store), "pin" (key only), "none"."""
        if not self.verify:
            return "pin" if self.pins else "none"
        return "ca" if (self.ca or self.ca_pem) else "system"


def parse_pin(value: Any) -> bytes:
    """``sha256/BASE64`` (as HPKP wrote it), plain base64, or 64 hex digits -> the 32-byte digest."""
    if not isinstance(value, str):
        raise TlsConfigError("a key pin must be a string (sha256 of the SubjectPublicKeyInfo)")
    text = value.strip()
    if text.lower().startswith("sha256/"):
        text = text[7:]
    digest: bytes | None = None
    if len(text) == 64:
        with contextlib.suppress(ValueError):
            digest = bytes.fromhex(text)
    if digest is None:
        with contextlib.suppress(binascii.Error, ValueError):
            digest = base64.b64decode(text, validate=True)
    if digest is None or len(digest) != 32:
        raise TlsConfigError(f"not a sha256 key pin: {value!r}")
    return digest


def spki_sha256(der_cert: bytes) -> bytes:
    """sha256 of a DER certificate's SubjectPublicKeyInfo (what key pins name). Raises ValueError on bad DER."""

    def tlv(data: bytes, pos: int) -> tuple[int, int, int]:  # tag, content start, end
        if pos + 2 > len(data):
            raise ValueError("truncated DER")
        tag, first = data[pos], data[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        else:
            n = first & 0x7F
            if not 1 <= n <= 4 or pos + n > len(data):
                raise ValueError("bad DER length")
            length = int.from_bytes(data[pos:pos + n], "big")
            pos += n
        if pos + length > len(data):
            raise ValueError("truncated DER")
        return tag, pos, pos + length

    tag, start, _ = tlv(der_cert, 0)           # Certificate
    if tag != 0x30:
        raise ValueError("not a certificate")
    tag, pos, tbs_end = tlv(der_cert, start)   # TBSCertificate
    if tag != 0x30:
        raise ValueError("not a certificate")
    fields: list[tuple[int, int, int]] = []
    while pos < tbs_end and len(fields) < 7:
        tag, _content, end = tlv(der_cert, pos)
        fields.append((tag, pos, end))
        pos = end
    if fields and fields[0][0] == 0xA0:        # [0] version
        fields = fields[1:]
    if len(fields) < 6 or fields[5][0] != 0x30:
        raise ValueError("no SubjectPublicKeyInfo")
    _, begin, end = fields[5]                  # serial, signature, issuer, validity, subject, spki
    return hashlib.sha256(der_cert[begin:end]).digest()


def client_context(settings: TlsSettings) -> ssl.SSLContext:
    """TLS 1.3 preferred, 1.2 accepted, nothing older; the OS trust store (truststore) or the provisioned CA."""
    if settings.verify and not (settings.ca or settings.ca_pem):
        try:
            import truststore

            ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        except ImportError:  # a development tree without it: OpenSSL's default paths (still verified)
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if settings.verify:
            try:
                ctx.load_verify_locations(cafile=settings.ca, cadata=settings.ca_pem)
            except (OSError, ssl.SSLError) as exc:
                raise TlsConfigError(f"the center's CA cannot be read: {exc}") from None
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
    return ctx


@dataclass(frozen=True)
class TlsRefusal:
    """Why a connection to a registrar was refused: ``kind`` (REFUSALS' keys), the agent's message, the detail."""

    kind: str
    message: Text
    detail: str

    def event(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.message.en, "message": self.message.as_dict(),
                "detail": self.detail}


class PinMismatch(Exception):
    pass


def refusal_from(exc: BaseException, name: str) -> TlsRefusal | None:
    """A TLS failure -> the agent's words; None when it was not TLS (the center unreachable, a timeout)."""
    detail = str(exc)
    if isinstance(exc, PinMismatch):
        kind = "pin"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        code = getattr(exc, "verify_code", 0)
        detail = str(getattr(exc, "verify_message", "") or exc)
        low = detail.lower()
        kind = {10: "expired", 9: "not_yet_valid", 62: "hostname", 64: "hostname", 2: "untrusted",
                18: "untrusted", 19: "untrusted", 20: "untrusted", 21: "untrusted"}.get(code, "")
        if not kind:
            kind = "hostname" if "hostname" in low or "ip address mismatch" in low else \
                "expired" if "expired" in low else "untrusted" if "issuer" in low or "self" in low else "certificate"
    elif isinstance(exc, ssl.SSLError):
        reason = str(getattr(exc, "reason", "") or "").upper()
        kind = "protocol" if any(r in reason for r in ("UNSUPPORTED_PROTOCOL", "PROTOCOL_VERSION",
                                                       "WRONG_VERSION_NUMBER", "NO_PROTOCOLS_AVAILABLE")) \
            else "handshake"
        detail = reason.lower().replace("_", " ") if reason else detail
    else:
        return None
    template = REFUSALS[kind]
    message = template.format(name=name, detail=detail)
    return TlsRefusal(kind, Text(ja=message.ja + NO_FALLBACK.ja, en=message.en + " " + NO_FALLBACK.en), detail)


@dataclass(frozen=True)
class Upstream:
    """One registrar the relay connects to."""

    index: int
    given: str            # as configured: events name it this way
    host: str
    port: int
    server_name: str      # what the certificate must name

    def key(self, settings: TlsSettings) -> tuple[Any, ...]:
        return (self.host, self.port, self.server_name, settings)


@dataclass
class _Listener:
    upstream: Upstream
    settings: TlsSettings
    context: ssl.SSLContext
    sock: socket.socket
    port: int
    server: asyncio.AbstractServer | None = None
    refusal: TlsRefusal | None = None
    refused_at: float = 0.0
    links: set[_Relayed] = field(default_factory=set)
    bindings: dict[str, set[str]] = field(default_factory=dict)  # REGISTER Call-ID -> Contacts the center has
    last: dict[str, Any] = field(default_factory=dict)  # the last connection's facts (status)


@dataclass(eq=False)
class _Relayed:
    """One pjsip connection and its TLS connection."""

    listener: _Listener
    down: asyncio.StreamWriter
    up: asyncio.StreamWriter | None = None
    link: Link | None = None
    pong_seen: bool = False
    last_rx: float = 0.0
    closing: str = ""


class TlsRelay:
    def __init__(self, post: Callable[[tuple[Any, ...]], None]) -> None:
        self._post = post
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: dict[int, _Listener] = {}  # registrar index -> listener
        self._ports: frozenset[int] = frozenset()
        self._cpu = 0.0
        self._native_id: int | None = None
        self._recheck: asyncio.Task[None] | None = None

    # ---- life cycle (engine thread) ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._native_id = threading.get_native_id()
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="tls-relay", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("the TLS relay thread did not start")

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close_all(), loop).result(2)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(2)
        self._thread = None
        self._loop = None

    def reconnect(self) -> None:
        """Close every TLS connection (a network change: the next request opens a new one from the new address)."""
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._close_links("network"), self._loop)

    def configure(self, upstreams: list[Upstream], settings: TlsSettings) -> list[int]:
        """One loopback listener per registrar (kept, with its connections and port, when the registrar and
        the settings are unchanged, so calls survive a configure); returns their ports in registrar order."""
        self.start()
        assert self._loop is not None
        context = client_context(settings)  # raises TlsConfigError before anything changes
        old = {lst.upstream.key(lst.settings): lst for lst in self._listeners.values()}
        new: dict[int, _Listener] = {}
        for up in upstreams:
            keep = old.pop(up.key(settings), None)
            if keep is not None:
                keep.upstream = up
                new[up.index] = keep
                continue
            sock = socket.create_server(("127.0.0.1", 0), backlog=16)
            sock.setblocking(False)
            new[up.index] = _Listener(up, settings, context, sock, sock.getsockname()[1])
        self._listeners = new
        self._ports = frozenset(lst.port for lst in new.values())
        fresh = [lst for lst in new.values() if lst.server is None]
        gone = list(old.values())
        asyncio.run_coroutine_threadsafe(self._apply(fresh, gone), self._loop)
        return [new[up.index].port for up in upstreams]

    # ---- what the engine thread asks (plain reads, no waiting) -------------------------------------------------
    def is_registrar_source(self, source: str) -> bool:
        """Did a SIP message reach pjsip through one of the relay's registrar connections? (pjsip's
        ``srcAddress`` of a request the relay passed on is ``127.0.0.1:<relay port>``)."""
        host, _, port = source.rpartition(":")
        return host.strip("[]") == "127.0.0.1" and port.isdigit() and int(port) in self._ports

    def refused(self, index: int) -> bool:
        lst = self._listeners.get(index)
        return lst is not None and lst.refusal is not None

    def refusal(self, index: int) -> TlsRefusal | None:
        lst = self._listeners.get(index)
        return lst.refusal if lst is not None else None

    def cpu_seconds(self) -> float:
        """CPU time of the relay thread (measured by the thread itself after each piece of work)."""
        return self._cpu

    def status(self) -> dict[str, Any]:
        out = []
        for index in sorted(self._listeners):
            lst = self._listeners[index]
            entry: dict[str, Any] = {"registrar": lst.upstream.given, "relay_port": lst.port,
                                     "server_name": lst.upstream.server_name, "trust": lst.settings.trust,
                                     "pinned": bool(lst.settings.pins), "connections": len(lst.links)}
            entry.update(lst.last)
            if lst.refusal is not None:
                entry["refused"] = lst.refusal.event()
            out.append(entry)
        return {"stack": "python", "openssl": ssl.OPENSSL_VERSION, "registrars": out,
                "relay_cpu_s": round(self._cpu, 4), "relay_thread": self._native_id}

    # ---- the relay thread -------------------------------------------------------------------------------------
    def _tick(self) -> None:
        self._cpu = time.thread_time()

    def _emit(self, lst: _Listener, state: str, **fields: Any) -> None:
        event = {"state": state, "registrar": lst.upstream.given, "index": lst.upstream.index}
        event.update(fields)
        self._post(("tls", event))

    async def _apply(self, fresh: list[_Listener], gone: list[_Listener]) -> None:
        for lst in gone:
            await self._close_listener(lst)
        for lst in fresh:
            lst.server = await asyncio.start_server(
                functools.partial(self._accept, lst), sock=lst.sock, limit=2 ** 16)
        if self._recheck is None:
            self._recheck = asyncio.get_running_loop().create_task(self._recheck_refused())
        self._tick()

    async def _close_listener(self, lst: _Listener) -> None:
        if lst.server is not None:
            lst.server.close()
        else:
            lst.sock.close()
        for rel in list(lst.links):
            self._close(rel, "configure")

    async def _close_links(self, why: str) -> None:
        for lst in list(self._listeners.values()):
            for rel in list(lst.links):
                self._close(rel, why)

    async def _close_all(self) -> None:
        for lst in list(self._listeners.values()):
            await self._close_listener(lst)
        self._listeners = {}
        self._ports = frozenset()
        if self._recheck is not None:
            self._recheck.cancel()

    async def _connect(self, lst: _Listener) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float]:
        up = lst.upstream
        started = time.perf_counter()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            up.host, up.port, ssl=lst.context, server_hostname=up.server_name,
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S, limit=2 ** 16), CONNECT_TIMEOUT_S + HANDSHAKE_TIMEOUT_S)
        handshake_ms = (time.perf_counter() - started) * 1000
        if lst.settings.pins:
            der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            try:
                ok = der is not None and spki_sha256(der) in lst.settings.pins
            except ValueError:
                ok = False
            if not ok:
                writer.close()
                raise PinMismatch("the center's key does not match the pin")
        return reader, writer, handshake_ms

    async def _accept(self, lst: _Listener, down_r: asyncio.StreamReader, down_w: asyncio.StreamWriter) -> None:
        rel = _Relayed(lst, down_w)
        lst.links.add(rel)
        try:
            await self._run(rel, down_r)
        except Exception:
            log.exception("TLS relay connection for %s", lst.upstream.given)
        finally:
            self._close(rel, rel.closing or "ended")
            lst.links.discard(rel)
            self._tick()

    async def _run(self, rel: _Relayed, down_r: asyncio.StreamReader) -> None:
        lst = rel.listener
        up = lst.upstream
        try:
            up_r, up_w, handshake_ms = await self._connect(lst)
        except (TimeoutError, OSError, ssl.SSLError, PinMismatch) as exc:
            refusal = refusal_from(exc, up.server_name)
            if refusal is not None:
                lst.refusal, lst.refused_at = refusal, time.monotonic()
                log.warning("TLS to %s refused: %s (%s)", up.given, refusal.kind, refusal.detail)
                self._emit(lst, "refused", **refusal.event())
            else:
                self._emit(lst, "unreachable", reason=str(exc) or type(exc).__name__)
            rel.closing = "refused" if refusal else "unreachable"
            self._abort_down(rel)
            return
        rel.up = up_w
        lst.refusal = None
        self._tune(up_w)
        sslobj = up_w.get_extra_info("ssl_object")
        local = up_w.get_extra_info("sockname")
        peer = up_w.get_extra_info("peername")
        engine_side = rel.down.get_extra_info("peername")
        rel.link = Link(engine=format_hostport(engine_side[0], engine_side[1]),
                        advertised=format_hostport(local[0], local[1]), relay_port=lst.port,
                        peer_ip=peer[0], peer_port=peer[1])
        public = await self._ask_address(rel, up_r, up_w)
        if public is not None:
            rel.link.advertised = public
        facts = {"protocol": sslobj.version(), "cipher": sslobj.cipher()[0], "server_name": up.server_name,
                 "trust": lst.settings.trust, "pinned": bool(lst.settings.pins),
                 "handshake_ms": round(handshake_ms, 2), "local_address": format_hostport(local[0], local[1]),
                 "contact_address": rel.link.advertised}
        lst.last = dict(facts, state="connected")
        self._emit(lst, "connected", **facts)
        log.info("TLS to %s: %s %s in %.1f ms", up.given, facts["protocol"], facts["cipher"], handshake_ms)
        rel.last_rx = time.monotonic()
        tasks = [asyncio.create_task(self._pump_down(rel, down_r)), asyncio.create_task(self._pump_up(rel, up_r)),
                 asyncio.create_task(self._keepalive(rel))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
        lst.last = dict(lst.last, state="closed", closed_by=rel.closing or "engine")
        if rel.closing in ("center", "keepalive", "error"):
            self._emit(lst, "closed", by=rel.closing)

    @staticmethod
    def _tune(writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is None:
            return
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            idle, interval, count = _TCP_KEEPALIVE
            for opt, value in (("TCP_KEEPIDLE", idle), ("TCP_KEEPINTVL", interval), ("TCP_KEEPCNT", count)):
                if hasattr(socket, opt):
                    sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), value)

    async def _ask_address(self, rel: _Relayed, up_r: asyncio.StreamReader,
                           up_w: asyncio.StreamWriter) -> str | None:
        """An OPTIONS on the fresh connection: the center's answer says which address it sees (``received``/
        ``rport``, RFC 3581), so the first REGISTER's Contact is already reachable through the agent's NAT.
        Bounded: no answer in 1 s and the socket's own address is used."""
        assert rel.link is not None
        up = rel.listener.upstream
        tag = f"{random.getrandbits(64):016x}"
        target = format_hostport(up.host, up.port)
        request = (f"OPTIONS sip:{target};transport=tls SIP/2.0\r\n"
                   f"Via: SIP/2.0/TLS {rel.link.advertised};rport;branch=z9hG4bKad{tag}\r\n"
                   "Max-Forwards: 70\r\n"
                   f"From: <sip:keepalive@{rel.link.advertised};transport=tls>;tag={tag}\r\n"
                   f"To: <sip:{target};transport=tls>\r\n"
                   f"Call-ID: ad-{tag}\r\nCSeq: 1 OPTIONS\r\nUser-Agent: AgentDesk TLS relay\r\n"
                   "Content-Length: 0\r\n\r\n").encode()
        up_w.write(request)
        framer = SipFramer()
        deadline = time.monotonic() + ADDRESS_PROBE_TIMEOUT_S
        pending: list[bytes] = []
        try:
            while time.monotonic() < deadline:
                data = await asyncio.wait_for(up_r.read(65536), max(0.01, deadline - time.monotonic()))
                if not data:
                    return None
                for msg in framer.feed(data):
                    if msg is KEEPALIVE:
                        continue
                    if msg.startswith(b"SIP/2.0 ") and f"ad-{tag}".encode() in msg:
                        received, rport = sip_rewrite.via_received(msg)
                        for other in pending:  # anything else (a request already) goes to pjsip as usual
                            rel.down.write(sip_rewrite.to_engine(other, rel.link))
                        if received and rport:
                            return format_hostport(received, rport)
                        if rport:
                            return format_hostport(rel.link.advertised.rsplit(":", 1)[0].strip("[]"), rport)
                        return None
                    pending.append(msg)
        except (TimeoutError, OSError, FramingError):
            pass
        for other in pending:
            rel.down.write(sip_rewrite.to_engine(other, rel.link))
        return None

    async def _pump_down(self, rel: _Relayed, down_r: asyncio.StreamReader) -> None:
        """pjsip -> center."""
        assert rel.up is not None and rel.link is not None
        framer = SipFramer()
        try:
            while True:
                data = await down_r.read(65536)
                if not data:
                    rel.closing = rel.closing or "engine"
                    return
                for msg in framer.feed(data):
                    if msg is KEEPALIVE:
                        continue  # pjsip's own pings end here: the relay keeps the TLS connection alive itself
                    try:
                        rel.up.write(self._unbind_stale(rel, sip_rewrite.to_center(msg, rel.link)))
                    except FramingError:
                        log.warning("dropped a malformed message from the engine")
                await rel.up.drain()
                self._tick()
        except FramingError as exc:
            log.warning("engine side of the TLS relay is not SIP: %s", exc)
            rel.closing = "error"
        except (OSError, ConnectionError, ssl.SSLError):
            rel.closing = rel.closing or "center"

    def _unbind_stale(self, rel: _Relayed, msg: bytes) -> bytes:
        """A REGISTER on a new connection carries a new Contact (the new connection's address): it also removes the
        old one (``expires=0``, RFC 3261 10.2.2), or the center would keep ringing an address that is gone."""
        found = sip_rewrite.register_contacts(msg)
        if found is None:
            return msg
        call_id, contacts = found
        known = rel.listener.bindings.setdefault(call_id, set())
        for stale in sorted(known - set(contacts)):
            msg = sip_rewrite.add_header(msg, f"Contact: <{stale}>;expires=0")
        rel.listener.bindings[call_id] = set(contacts)
        if len(rel.listener.bindings) > 8:  # one per account and registrar in practice: keep it bounded
            rel.listener.bindings.pop(next(iter(rel.listener.bindings)))
        return msg

    async def _pump_up(self, rel: _Relayed, up_r: asyncio.StreamReader) -> None:
        """center -> pjsip."""
        assert rel.link is not None
        framer = SipFramer()
        try:
            while True:
                data = await up_r.read(65536)
                if not data:
                    rel.closing = rel.closing or "center"
                    return
                rel.last_rx = time.monotonic()
                for msg in framer.feed(data):
                    if msg is KEEPALIVE:
                        rel.pong_seen = True
                        continue
                    try:
                        rel.down.write(sip_rewrite.to_engine(msg, rel.link))
                    except FramingError:
                        log.warning("dropped a malformed message from %s", rel.listener.upstream.given)
                await rel.down.drain()
                self._tick()
        except FramingError as exc:
            log.warning("%s sent something that is not SIP: %s", rel.listener.upstream.given, exc)
            rel.closing = "error"
        except (OSError, ConnectionError, ssl.SSLError):
            rel.closing = rel.closing or "center"

    async def _keepalive(self, rel: _Relayed) -> None:
        interval = rel.listener.settings.keepalive
        while True:
            await asyncio.sleep(interval * random.uniform(0.9, 1.0))
            if rel.up is None or rel.up.is_closing():
                return
            if time.monotonic() - rel.last_rx < interval / 2:
                continue
            sent = time.monotonic()
            expect_pong = rel.pong_seen
            rel.up.write(b"\r\n\r\n")
            self._tick()
            if expect_pong:
                await asyncio.sleep(PONG_TIMEOUT_S)
                if rel.last_rx < sent:
                    log.warning("no keep-alive answer from %s: closing", rel.listener.upstream.given)
                    rel.closing = "keepalive"
                    return

    async def _recheck_refused(self) -> None:
        """A refused registrar's certificate is tried again (handshake only) once a minute; when it passes, the
        engine may return to it (its probes count again)."""
        while True:
            await asyncio.sleep(RECHECK_S / 6)
            now = time.monotonic()
            for lst in list(self._listeners.values()):
                if lst.refusal is None or now - lst.refused_at < RECHECK_S:
                    continue
                lst.refused_at = now
                try:
                    _, writer, _ = await self._connect(lst)
                except (TimeoutError, OSError, ssl.SSLError, PinMismatch):
                    continue
                writer.close()
                lst.refusal = None
                log.info("the certificate of %s verifies again", lst.upstream.given)
                self._emit(lst, "verified")
            self._tick()

    def _abort_down(self, rel: _Relayed) -> None:
        """Reset pjsip's connection: its request fails at once (a transport error), never waits for a timeout."""
        sock = rel.down.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("HH" if os.name == "nt" else "ii", 1, 0))
        rel.down.close()

    def _close(self, rel: _Relayed, why: str) -> None:
        rel.closing = rel.closing or why
        for w in (rel.down, rel.up):
            if w is not None and not w.is_closing():
                w.close()


# ---- SRTP keys only over encrypted signalling -----------------------------------------------------------------
SRTP_NEEDS_TLS = Text(
    ja="SRTP（通話音声の暗号化）の鍵は SIP のメッセージで送られるため、暗号化されていない UDP/TCP の上では使えません。"
       "センターの設定を TLS に変えるよう、センターの担当者に連絡してください。",
    en="SRTP (encrypted call audio) sends its keys in the SIP messages, so it cannot be used over unencrypted "
       "UDP/TCP signalling. Please ask the center to provision TLS.")
SRTP_NOT_OFFERED = Text(
    ja="通話の経路が暗号化されていない（{transport}）ため、SRTP は使いません（鍵が平文で流れるため）。",
    en="The call path is not encrypted ({transport}), so SRTP is not offered (its keys would travel in clear).")
UNVERIFIED = Text(
    ja="センターの証明書を確認しない設定です。通話は暗号化されますが、相手がセンターであることは確かめられません。",
    en="The center's certificate is not verified: calls are encrypted, but nothing proves the other end is the "
       "center.")


class PolicyError(ValueError):
    """A provisioning the engine refuses: ``text`` is the agent's message (bilingual)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def srtp_policy(transport: str, requested: Any) -> tuple[str, Text | None]:
    """The SRTP use for a transport: keys only over TLS. Without ``srtp`` the default is ``mandatory`` with TLS
    and ``off`` otherwise; ``mandatory`` over UDP/TCP is refused (PolicyError); ``optional`` over UDP/TCP offers
    no SRTP and says so (the returned warning): pjsua's own ``srtpSecureSignaling`` rule, applied by the engine
    because pjsip sees only its loopback TCP to the relay."""
    secure = transport == "tls"
    if requested is None:
        return ("mandatory" if secure else "off"), None
    srtp = str(requested).lower()
    if srtp not in ("off", "optional", "mandatory"):
        raise ValueError("srtp must be off, optional or mandatory")
    if secure or srtp == "off":
        return srtp, None
    if srtp == "mandatory":
        raise PolicyError(SRTP_NEEDS_TLS)
    return "off", SRTP_NOT_OFFERED.format(transport=transport.upper())
