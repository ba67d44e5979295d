"""The SIP the TLS relay rewrites between pjsip's loopback TCP connection and the center's TLS connection.

pjsip believes it talks plain TCP to ``127.0.0.1:<relay port>``; the center must see an ordinary SIP-over-TLS
client. Pure functions on whole messages (bytes in, bytes out), no sockets, no pjsua2:

towards the center (:func:`to_center`)
  - the top Via of a request pjsip sends: ``SIP/2.0/TCP <pjsip's loopback address>`` becomes ``SIP/2.0/TLS
    <the address the center sees>`` (the TLS socket's own address, or the public one the center reported);
  - Contact URIs at pjsip's loopback address get that address and ``transport=tls``;
  - every URI the relay masqueraded on the way in (below) is put back as the center wrote it;
  - the top Via of a response pjsip sends carries the center's real address in ``received``/``rport``
    instead of the relay's loopback one.
towards pjsip (:func:`to_engine`)
  - the top Via of a response to pjsip's request is put back as pjsip wrote it (no ``received``/``rport`` that
    would make pjsip rewrite its Contact);
  - our own Contact (the REGISTER 200's bindings) and the Request-URI go back to pjsip's loopback address;
  - every other Contact, Record-Route and Service-Route URI is *masqueraded*: it becomes
    ``sip:127.0.0.1:<relay port>;transport=tcp[;lr];adtls=<the original, base64url>``, so that every request
    pjsip sends in a dialog (BYE, re-INVITE, REFER, ACK) goes to the relay and over TLS, whatever the center
    wrote (a proxy's Record-Route with ``transport=tls`` that pjsip's TCP cannot reach, a B2BUA's TLS Contact,
    or a plain-UDP address that would carry the call's SRTP keys in clear).

The rewrite keeps everything else byte for byte (header order, bodies, Content-Length: only headers change).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MASK_PARAM = "adtls"
MAX_HEAD = 64 * 1024  # a SIP header section larger than this is hostile: the connection is closed
MAX_BODY = 256 * 1024

_COMPACT = {"v": "via", "m": "contact", "l": "content-length", "i": "call-id", "f": "from", "t": "to"}
_URI = re.compile(r"^(?P<scheme>sips?):(?:(?P<user>[^@]*)@)?(?P<host>\[[^\]]+\]|[^:;?>]+)(?::(?P<port>\d+))?"
                  r"(?P<rest>.*)$", re.I | re.S)
_VIA = re.compile(r"^(?P<lead>\s*SIP\s*/\s*2\.0\s*/\s*)(?P<proto>[A-Za-z]+)(?P<gap>\s+)(?P<sentby>[^;\s,]+)"
                  r"(?P<params>.*)$", re.S)
_MASKED = re.compile(r"sip:127\.0\.0\.1:\d+[^<>,\s\"]*?;" + MASK_PARAM + r"=(?P<token>[A-Za-z0-9_-]+)[^<>,\s\"]*",
                     re.I)
_TRANSPORT = re.compile(r";transport=[^;?>]*", re.I)


class FramingError(ValueError):
    """The byte stream is not SIP (or too large to be): the connection is closed."""


@dataclass
class Link:
    """The addresses one relayed connection rewrites between."""

    engine: str          # pjsip's own address as it writes it in Via/Contact ("127.0.0.1:40123")
    advertised: str      # what the center is told ("192.0.2.10:51234")
    relay_port: int      # this connection's loopback listener: masqueraded URIs point here
    peer_ip: str         # the center's address on the TLS connection
    peer_port: int
    # the Contact URIs this link rewrote, as the center sees them -> as pjsip wrote them (pjsip keeps the Contact
    # of its first REGISTER, with that connection's port, on every later connection: it must get it back)
    contacts: dict[str, str] = field(default_factory=dict)

    @property
    def engine_host(self) -> str:
        return split_hostport(self.engine)[0]


# ---- framing --------------------------------------------------------------------------------------------------
KEEPALIVE = b""  # what SipFramer yields for a CRLF keep-alive (ping or pong)


class SipFramer:
    """Cuts a stream into SIP messages (header section + Content-Length body); CRLF keep-alives between
    messages come out as :data:`KEEPALIVE`. Raises FramingError on a stream that cannot be SIP."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while self._buf:
            stripped = 0
            while stripped < len(self._buf) and self._buf[stripped] in (13, 10):
                stripped += 1
            if stripped:
                del self._buf[:stripped]
                out.append(KEEPALIVE)
                continue
            end = self._buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buf) > MAX_HEAD:
                    raise FramingError("SIP header section too large")
                break
            if end > MAX_HEAD:
                raise FramingError("SIP header section too large")
            length = _content_length(bytes(self._buf[:end]))
            total = end + 4 + length
            if len(self._buf) < total:
                break
            out.append(bytes(self._buf[:total]))
            del self._buf[:total]
        return out


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() in (b"content-length", b"l"):
            text = value.strip()
            if not text.isdigit():
                raise FramingError("bad Content-Length")
            length = int(text)
            if length > MAX_BODY:
                raise FramingError("SIP body too large")
            return length
    return 0  # pjsip always sends one; RFC 3261 needs it on streams, a missing one means no body


# ---- small parsers --------------------------------------------------------------------------------------------
def split_list(value: str) -> list[str]:
    """A header value's comma-separated elements (commas inside quotes or <...> do not count)."""
    out, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "<":
            depth += 1
        elif c == ">":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            out.append(value[start:i])
            start = i + 1
        i += 1
    out.append(value[start:])
    return [e.strip() for e in out if e.strip()]


def _element_uri(element: str) -> tuple[str, str, str] | None:
    """(before, uri, after) of a name-addr or addr-spec element; None for ``*`` or garbage."""
    lt = element.find("<")
    if lt >= 0:
        gt = element.find(">", lt)
        if gt < 0:
            return None
        return element[: lt + 1], element[lt + 1: gt], element[gt:]
    if element.strip() == "*":
        return None
    semi = element.find(";")  # addr-spec: the parameters belong to the header, not the URI
    uri, params = (element, "") if semi < 0 else (element[:semi], element[semi:])
    return "<", uri.strip(), ">" + params


def _hostport(host: str, port: str | None, default: int = 5060) -> str:
    return f"{host}:{port or default}"


def split_hostport(text: str) -> tuple[str, int]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else 5060
    host, _, port = text.rpartition(":")
    if not host:
        return text, 5060
    return host, int(port) if port.isdigit() else 5060


def format_hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _uri_at(uri: str, hostport: str) -> re.Match[str] | None:
    m = _URI.match(uri.strip())
    if m is None:
        return None
    if _hostport(m.group("host").strip("[]").lower(), m.group("port")) != _norm(hostport):
        return None
    return m


def _norm(hostport: str) -> str:
    host, port = split_hostport(hostport)
    return f"{host.lower()}:{port}"


def _move_uri(m: re.Match[str], hostport: str, transport: str) -> str:
    host, port = split_hostport(hostport)
    user = f"{m.group('user')}@" if m.group("user") is not None else ""
    rest = m.group("rest")
    rest, n = _TRANSPORT.subn(f";transport={transport}", rest)
    if not n:
        q = rest.find("?")
        rest = (rest + f";transport={transport}") if q < 0 else (rest[:q] + f";transport={transport}" + rest[q:])
    return f"{m.group('scheme')}:{user}{format_hostport(host, port)}{rest}"


def mask(uri: str, relay_port: int, loose: bool) -> str:
    token = base64.urlsafe_b64encode(uri.encode("utf-8", "surrogateescape")).decode("ascii").rstrip("=")
    return f"sip:127.0.0.1:{relay_port};transport=tcp{';lr' if loose else ''};{MASK_PARAM}={token}"


def unmask(token: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    text = raw.decode("utf-8", "replace")
    if not text or any(c in text for c in "\r\n\0<>\" \t"):
        return None  # only what the relay itself encoded comes back: never a header injection
    return text


def _unmask_all(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        original = unmask(m.group("token"))
        return original if original is not None else m.group(0)

    return _MASKED.sub(repl, text)


def _is_loose(uri: str) -> bool:
    return re.search(r";lr(?:[;=>?]|$)", uri, re.I) is not None


# ---- the two directions ---------------------------------------------------------------------------------------
def _split_message(msg: bytes) -> tuple[str, list[str], bytes]:
    end = msg.find(b"\r\n\r\n")
    if end < 0:
        raise FramingError("no end of headers")
    head = msg[:end].decode("latin-1")  # byte-exact round trip (UTF-8 display names survive)
    lines: list[str] = []
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += " " + line.strip()  # unfold continuation lines
        else:
            lines.append(line)
    return lines[0], lines[1:], msg[end:]


def _join(start: str, headers: list[str], tail: bytes) -> bytes:
    return ("\r\n".join([start, *headers])).encode("latin-1") + tail


def _header(line: str) -> tuple[str, str, str]:
    name, sep, value = line.partition(":")
    key = name.strip().lower()
    return name, _COMPACT.get(key, key) if sep else "", value


def _first_via(headers: list[str], fn: object) -> None:
    for i, line in enumerate(headers):
        name, key, value = _header(line)
        if key != "via":
            continue
        elements = split_list(value)
        if elements:
            new = fn(elements[0])  # type: ignore[operator]
            if new is not None:
                elements[0] = new
                headers[i] = f"{name}: {', '.join(elements)}"
        return


def _set_param(params: str, name: str, value: str | None) -> str:
    """Set (value), flag (value "") or drop (None) one ;name[=value] parameter."""
    pattern = re.compile(r";\s*" + re.escape(name) + r"(?:=[^;]*)?", re.I)
    if value is None:
        return pattern.sub("", params)
    piece = f";{name}" + (f"={value}" if value else "")
    if pattern.search(params):
        return pattern.sub(lambda _m: piece, params, count=1)
    return params + piece


def _with_request_uri(start: str, fn: Callable[[str], str]) -> str:
    """A request line with its Request-URI mapped by ``fn``."""
    parts = start.split(" ")
    return " ".join([parts[0], fn(parts[1]), parts[2]]) if len(parts) == 3 else start


def to_center(msg: bytes, link: Link) -> bytes:
    """A message pjsip sent, as the center must see it."""
    start, headers, tail = _split_message(msg)
    is_request = not start.startswith("SIP/")
    if is_request:
        start = _with_request_uri(start, _unmask_all)

        def our_via(element: str) -> str | None:
            m = _VIA.match(element)
            if m is None:
                return None
            link.engine = m.group("sentby")  # pjsip's own address, learnt from what it writes
            return f"{m.group('lead')}TLS{m.group('gap')}{link.advertised}{m.group('params')}"

        _first_via(headers, our_via)
    else:
        def center_via(element: str) -> str | None:
            m = _VIA.match(element)
            if m is None:
                return None
            params = m.group("params")
            host, _ = split_hostport(m.group("sentby"))
            if re.search(r";\s*received=127\.0\.0\.1(?=;|$)", params, re.I):
                params = _set_param(params, "received", None if host == link.peer_ip else link.peer_ip)
            if re.search(r";\s*rport=\d+", params, re.I):
                params = _set_param(params, "rport", str(link.peer_port))
            return f"{m.group('lead')}{m.group('proto')}{m.group('gap')}{m.group('sentby')}{params}"

        _first_via(headers, center_via)
    for i, line in enumerate(headers):
        name, key, value = _header(line)
        if key == "contact":
            elements = []
            for element in split_list(value):
                parts3 = _element_uri(element)
                m = _URI.match(parts3[1].strip()) if parts3 is not None else None
                if parts3 is not None and m is not None and \
                        m.group("host").strip("[]").lower() == link.engine_host.lower():
                    # pjsip's own address (any port: it writes the first connection's one ever after)
                    moved = _move_uri(m, link.advertised, "tls")
                    if len(link.contacts) < 16 or moved in link.contacts:
                        link.contacts[moved] = parts3[1].strip()
                    element = parts3[0] + moved + parts3[2]
                elements.append(element)
            headers[i] = f"{name}: {', '.join(elements)}"
        elif key and MASK_PARAM in value:
            headers[i] = f"{name}:{_unmask_all(value)}"
    return _join(start, headers, tail)


def to_engine(msg: bytes, link: Link) -> bytes:
    """A message from the center, as pjsip must see it (every later request of the dialog back to the relay)."""
    start, headers, tail = _split_message(msg)
    is_request = not start.startswith("SIP/")
    if is_request:
        start = _with_request_uri(start, lambda uri: _own_uri(uri, link) or uri)
    else:
        def our_via(element: str) -> str | None:
            m = _VIA.match(element)
            if m is None or _norm(m.group("sentby")) != _norm(link.advertised):
                return None
            params = _set_param(m.group("params"), "received", None)
            if re.search(r";\s*rport", params, re.I):
                params = _set_param(params, "rport", "")
            return f"{m.group('lead')}TCP{m.group('gap')}{link.engine}{params}"

        _first_via(headers, our_via)
    for i, line in enumerate(headers):
        name, key, value = _header(line)
        if key not in ("contact", "record-route", "service-route"):
            continue
        elements = []
        for element in split_list(value):
            parts3 = _element_uri(element)
            if parts3 is not None:
                before, uri, after = parts3
                own = _own_uri(uri, link) if key == "contact" else None
                if own is not None:
                    uri = own
                elif f";{MASK_PARAM}=" not in uri:
                    uri = mask(uri, link.relay_port, loose=key != "contact" and _is_loose(uri))
                element = before + uri + after
            elements.append(element)
        headers[i] = f"{name}: {', '.join(elements)}"
    return _join(start, headers, tail)


def _own_uri(uri: str, link: Link) -> str | None:
    """One of our own Contacts as the center echoes it -> as pjsip wrote it; None if it is not ours."""
    uri = uri.strip()
    if uri in link.contacts:
        return link.contacts[uri]
    m = _uri_at(uri, link.advertised)
    if m is None:
        return None
    for seen, original in link.contacts.items():  # the center may reorder or drop parameters
        s = _URI.match(seen)
        if s is not None and s.group("user") == m.group("user"):
            return original
    return _move_uri(m, link.engine, "tcp")


def register_contacts(msg: bytes) -> tuple[str, list[str]] | None:
    """A REGISTER's Call-ID and its Contact URIs; None for any other message."""
    if not msg.startswith(b"REGISTER "):
        return None
    _, headers, _ = _split_message(msg)
    call_id, contacts = "", []
    for line in headers:
        _, key, value = _header(line)
        if key == "call-id":
            call_id = value.strip()
        elif key == "contact":
            for element in split_list(value):
                parts3 = _element_uri(element)
                if parts3 is not None:
                    contacts.append(parts3[1].strip())
    return call_id, contacts


def add_header(msg: bytes, line: str) -> bytes:
    """The message with one more header line (before the blank line)."""
    end = msg.find(b"\r\n\r\n")
    if end < 0 or "\r" in line or "\n" in line:
        raise FramingError("cannot add a header")
    return msg[:end] + b"\r\n" + line.encode("latin-1") + msg[end:]


def via_received(msg: bytes) -> tuple[str | None, int | None]:
    """The top Via's ``received`` and ``rport`` of a response (the address the center saw us at)."""
    _, headers, _ = _split_message(msg)
    for line in headers:
        _, key, value = _header(line)
        if key == "via":
            elements = split_list(value)
            m = _VIA.match(elements[0]) if elements else None
            if m is None:
                return None, None
            rec = re.search(r";\s*received=([^;\s]+)", m.group("params"), re.I)
            rport = re.search(r";\s*rport=(\d+)", m.group("params"), re.I)
            return (rec.group(1) if rec else None), (int(rport.group(1)) if rport else None)
    return None, None
