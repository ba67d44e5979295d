"""The practice center's SIP registrar and stateless proxy (RFC 3261 section 16.11), UDP on 127.0.0.1 only.

The phone engine sends every request through its registrar (its outbound proxy) and accepts a new INVITE only
from there. So that practice needs no Kamailio on the agent's PC, the practice center runs this small proxy:
the agent's engine, the simulated customer's engine and the practice escalation target's engine register here,
and calls, transfers (REFER, then the customer's INVITE to the target) and in-dialog requests pass through it
(it Record-Routes dialog-creating requests). Loopback only: it refuses to bind anywhere else.

It keeps no transaction state: a request gets our Via on top (the branch derived from the incoming one, so a
CANCEL or non-2xx ACK follows its INVITE), a response loses our Via and goes to the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

COMPACT = {"v": "via", "f": "from", "t": "to", "m": "contact", "i": "call-id", "l": "content-length", "r": "refer-to"}
_URI = re.compile(r"sips?:(?:(?P<user>[^@;>?]+)@)?(?P<host>\[[^\]]+\]|[^:;>?\s]+)(?::(?P<port>\d+))?", re.I)


@dataclass
class Message:
    start: str
    headers: list[tuple[str, str]]  # (name as written, value), in order
    body: bytes

    @property
    def is_request(self) -> bool:
        return not self.start.startswith("SIP/2.0")

    def get(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if COMPACT.get(k.lower(), k.lower()) == name:
                return v
        return None

    def all(self, name: str) -> list[tuple[int, str]]:
        name = name.lower()
        return [(i, v) for i, (k, v) in enumerate(self.headers) if COMPACT.get(k.lower(), k.lower()) == name]

    def encode(self) -> bytes:
        lines = [self.start, *(f"{k}: {v}" for k, v in self.headers if k.lower() not in ("content-length", "l"))]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def parse(data: bytes) -> Message:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # folded line
            k, v = headers[-1]
            headers[-1] = (k, v + " " + line.strip())
            continue
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    return Message(lines[0], headers, body)


def uri_parts(text: str) -> tuple[str | None, str, int | None]:
    m = _URI.search(text)
    if not m:
        raise ValueError(f"no SIP URI in {text!r}")
    return m["user"], m["host"].strip("[]"), int(m["port"]) if m["port"] else None


def via_target(via: str) -> tuple[str, int]:
    sent_by = via.split(None, 1)[1].split(";", 1)[0].strip() if " " in via else via
    host, _, port = sent_by.rpartition(":") if sent_by.count(":") == 1 else (sent_by, "", "")
    params: dict[str, str] = {}
    for part in (x.strip() for x in via.split(";")[1:]):
        name, _, value = part.partition("=")
        if name:
            params[name] = value
    dest_host = params.get("received") or host
    rport = params.get("rport")
    dest_port = int(rport) if rport and rport.isdigit() else int(port) if port.isdigit() else 5060
    return dest_host, dest_port


class PracticeSipProxy:
    """``PracticeSipProxy().start()``; ``.uri`` is ``sip:127.0.0.1:PORT``; ``.bindings`` maps users to contacts."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if not host.startswith("127."):
            raise ValueError("the practice proxy listens on loopback only")
        self.host = host
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.port = self.sock.getsockname()[1]
        self.bindings: dict[str, tuple[str, float]] = {}  # user -> (contact URI, expires at)
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="practice-sip-proxy", daemon=True)
        self.forwarded = 0
        self.registered = threading.Condition(self.lock)

    @property
    def uri(self) -> str:
        return f"sip:{self.host}:{self.port}"

    def start(self) -> PracticeSipProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.sock.sendto(b"", (self.host, self.port))  # wake recvfrom
        self._thread.join(timeout=2)
        self.sock.close()

    def bind(self, user: str, contact: str) -> None:
        """A binding that never expires, for a service inside the practice center (the echo service)."""
        with self.registered:
            self.bindings[user] = (contact, float("inf"))
            self.registered.notify_all()

    def wait_registered(self, user: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self.registered:
            while user not in self.bindings:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.registered.wait(left)
        return True

    # ---- the loop -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, source = self.sock.recvfrom(65535)
            except OSError:
                return
            if self._stop.is_set():
                return
            if not data.strip():
                continue  # keep-alive (CRLF) or our own wake-up
            try:
                msg = parse(data)
                if msg.is_request:
                    self._request(msg, source)
                else:
                    self._response(msg)
            except Exception:  # one malformed datagram must not stop practice calls
                log.warning("practice proxy: dropped a message it could not handle", exc_info=True)

    def _ours(self, host: str, port: int | None) -> bool:
        return host in (self.host, "localhost") and port in (None, self.port)

    def _send(self, msg: Message, dest: tuple[str, int]) -> None:
        self.sock.sendto(msg.encode(), dest)

    def _reply(self, req: Message, code: int, reason: str, extra: list[tuple[str, str]] | None = None) -> None:
        headers = [(k, v) for k, v in req.headers if k.lower() in ("via", "v", "from", "f", "call-id", "i", "cseq")]
        to = req.get("to") or ""
        if code >= 200 and ";tag=" not in to:
            to += ";tag=" + hashlib.sha1((req.get("call-id") or "").encode()).hexdigest()[:10]
        headers.append(("To", to))
        headers += extra or []
        headers.append(("Server", "AgentDesk practice proxy"))
        resp = Message(f"SIP/2.0 {code} {reason}", headers, b"")
        top = req.all("via")[0][1]
        self._send(resp, via_target(top))

    def _request(self, msg: Message, source: tuple[str, int]) -> None:
        method, ruri, _ = msg.start.split(" ", 2)
        vias = msg.all("via")
        if not vias:
            return
        i, top = vias[0]
        if ";rport" in top and not re.search(r";rport=\d", top):
            top = top.replace(";rport", f";rport={source[1]};received={source[0]}", 1)
            msg.headers[i] = (msg.headers[i][0], top)
        # Route: drop our own entry
        routes = []
        for idx, value in msg.all("route"):
            for part in (p.strip() for p in value.split(",")):
                routes.append((idx, part))
        if routes:
            _, rhost, rport = uri_parts(routes[0][1])
            if self._ours(rhost, rport):
                idx = routes[0][0]
                rest = [p for j, p in routes[1:] if j == idx]
                if rest:
                    msg.headers[idx] = (msg.headers[idx][0], ", ".join(rest))
                else:
                    del msg.headers[idx]
                routes = routes[1:]
        user, host, port = uri_parts(ruri)
        if not routes and self._ours(host, port):
            if method == "REGISTER":
                return self._register(msg)
            if method == "OPTIONS" and not user:
                return self._reply(msg, 200, "OK")
            if user:
                with self.lock:
                    bound = self.bindings.get(user)
                if bound is None or bound[1] < time.monotonic():
                    if method != "ACK":
                        self._reply(msg, 480, "Temporarily Unavailable")
                    return None
                ruri = bound[0]
                msg.start = f"{method} {ruri} SIP/2.0"
                user, host, port = uri_parts(ruri)
            elif method != "ACK":
                return self._reply(msg, 404, "Not Found")
        forwards = msg.get("max-forwards")
        if forwards is not None and forwards.strip().isdigit():
            left = int(forwards) - 1
            if left < 0:
                return self._reply(msg, 483, "Too Many Hops")
            for j, (k, _v) in enumerate(msg.headers):
                if k.lower() == "max-forwards":
                    msg.headers[j] = (k, str(left))
        if routes:
            _, host, port = uri_parts(routes[0][1])
        to = msg.get("to") or ""
        if method in ("INVITE", "SUBSCRIBE", "REFER") and ";tag=" not in to:
            msg.headers.insert(0, ("Record-Route", f"<sip:{self.host}:{self.port};lr>"))
        branch_src = (re.search(r"branch=([^;,\s]+)", top) or [None, top])[1]  # same for a CANCEL/ACK of its INVITE
        branch = "z9hG4bK-adp-" + hashlib.sha1(str(branch_src).encode()).hexdigest()[:16]
        msg.headers.insert(0, ("Via", f"SIP/2.0/UDP {self.host}:{self.port};branch={branch}"))
        self.forwarded += 1
        self._send(msg, (host, port or 5060))
        return None

    def _response(self, msg: Message) -> None:
        vias = msg.all("via")
        if len(vias) < 2:
            return
        i, top = vias[0]
        dest_host, dest_port = via_target(top)
        if not self._ours(dest_host, dest_port):
            return  # not ours: drop
        del msg.headers[i]
        self._send(msg, via_target(msg.all("via")[0][1]))

    def _register(self, msg: Message) -> None:
        to = msg.get("to") or ""
        user, _, _ = uri_parts(to)
        if not user:
            return self._reply(msg, 400, "Bad Request")
        expires_header = msg.get("expires")
        contacts = [v for _, v in msg.all("contact")]
        with self.registered:
            if contacts and contacts[0].strip() == "*":
                self.bindings.pop(user, None)
                return self._reply(msg, 200, "OK")
            if not contacts:
                bound = self.bindings.get(user)
                extra = [("Contact", f"<{bound[0]}>;expires={int(bound[1] - time.monotonic())}")] if bound else []
                return self._reply(msg, 200, "OK", extra)
            contact = contacts[0]
            m = re.search(r";\s*expires=(\d+)", contact.split(">")[-1]) if ">" in contact else None
            expires = int(m[1]) if m else int(expires_header) if expires_header and expires_header.isdigit() else 300
            uri = contact[contact.find("<") + 1 : contact.find(">")] if "<" in contact else contact.split(";")[0]
            if expires == 0:
                self.bindings.pop(user, None)
            else:
                self.bindings[user] = (uri, time.monotonic() + expires)
                self.registered.notify_all()
        return self._reply(msg, 200, "OK", [("Contact", f"<{uri}>;expires={expires}"), ("Expires", str(expires))])
