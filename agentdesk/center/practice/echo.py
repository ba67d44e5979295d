"""The practice center's echo service: a SIP address that answers and sends every RTP packet back to its sender.

The self-check's 20-second test call (agentdesk/checks/echo.py) needs an echo service at the center; a recruit
who has no center yet uses this one, so the network check can pass on a good set-up with the practice center
alone. It is registered in the practice proxy as ``sip:echo@127.0.0.1:PORT``
(:meth:`agentdesk.center.practice.sip_proxy.PracticeSipProxy.bind`), listens on loopback only, answers an INVITE at
once with the first audio codec offered (plain RTP: an SRTP-only offer gets 488), answers BYE, OPTIONS and
re-INVITEs, and reflects RTP from the address it came from. Nothing is recorded or decoded.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import select
import socket
import threading
from dataclasses import dataclass

from agentdesk.center.practice.sip_proxy import Message, parse, via_target

log = logging.getLogger(__name__)

USER = "echo"
MAX_CALLS = 4


@dataclass
class _Call:
    call_id: str
    to_tag: str
    rtp: socket.socket
    sdp: bytes


def answer_sdp(offer: str, port: int, host: str = "127.0.0.1") -> str | None:
    """The answer to an SDP offer: its first audio payload type (and telephone-event), on ``port``; None when no
    plain-RTP audio stream is offered."""
    m = re.search(r"^m=audio \d+ (RTP/AVP) ([\d ]+)", offer, re.M)
    if not m:
        return None
    types = m.group(2).split()
    maps = dict(re.findall(r"^a=rtpmap:(\d+) (\S+)", offer, re.M))
    audio = [t for t in types if not maps.get(t, "").lower().startswith("telephone-event")]
    if not audio:
        return None
    events = [t for t in types if maps.get(t, "").lower().startswith("telephone-event")]
    chosen = [audio[0], *events[:1]]
    lines = ["v=0", f"o=- 1 1 IN IP4 {host}", "s=AgentDesk practice echo", f"c=IN IP4 {host}", "t=0 0",
             f"m=audio {port} RTP/AVP {' '.join(chosen)}"]
    lines += [f"a=rtpmap:{t} {maps[t]}" for t in chosen if t in maps]
    lines.append("a=sendrecv")
    return "\r\n".join(lines) + "\r\n"


class PracticeEcho:
    """``PracticeEcho().start()``; ``.contact`` is its own SIP address (the proxy routes ``echo`` to it)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        if not host.startswith("127."):
            raise ValueError("the practice echo listens on loopback only")
        self.host = host
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind((host, 0))
        self.port = self.sip.getsockname()[1]
        self.calls: dict[str, _Call] = {}
        self.echoed = 0  # RTP packets sent back (tests and support read it)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="practice-echo", daemon=True)

    @property
    def contact(self) -> str:
        return f"sip:{USER}@{self.host}:{self.port}"

    def start(self) -> PracticeEcho:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        with self._lock:
            for call in self.calls.values():
                call.rtp.close()
            self.calls.clear()
        self.sip.close()

    # ---- the loop: SIP and every call's RTP in one select ---------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                sockets = [self.sip, *(c.rtp for c in self.calls.values())]
            try:
                ready, _, _ = select.select(sockets, [], [], 0.2)
            except (OSError, ValueError):  # a call's socket closed under us: take the new list
                continue
            for sock in ready:
                try:
                    data, source = sock.recvfrom(65535)
                except OSError:
                    continue
                if sock is self.sip:
                    if data.strip():
                        try:
                            self._sip(parse(data))
                        except Exception:  # one malformed datagram must not stop the service
                            log.warning("practice echo: dropped a message it could not handle", exc_info=True)
                else:
                    with contextlib.suppress(OSError):
                        sock.sendto(data, source)
                        self.echoed += 1

    def _sip(self, msg: Message) -> None:
        if not msg.is_request:
            return
        method = msg.start.split(" ", 1)[0]
        call_id = msg.get("call-id") or ""
        if method == "INVITE":
            self._invite(msg, call_id)
        elif method == "BYE":
            with self._lock:
                call = self.calls.pop(call_id, None)
            if call is not None:
                call.rtp.close()
            self._reply(msg, 200, "OK")
        elif method in ("OPTIONS", "UPDATE", "INFO", "NOTIFY") or method == "CANCEL":
            self._reply(msg, 200, "OK")
        elif method != "ACK":
            self._reply(msg, 405, "Method Not Allowed", [("Allow", "INVITE, ACK, BYE, OPTIONS, CANCEL")])

    def _invite(self, msg: Message, call_id: str) -> None:
        with self._lock:
            call = self.calls.get(call_id)
            busy = call is None and len(self.calls) >= MAX_CALLS
        if busy:
            self._reply(msg, 486, "Busy Here")
            return
        if call is None:  # a new call; a re-INVITE keeps its port and answer
            rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp.bind((self.host, 0))
            sdp = answer_sdp(msg.body.decode("utf-8", "replace"), rtp.getsockname()[1], self.host)
            if sdp is None:
                rtp.close()
                self._reply(msg, 488, "Not Acceptable Here")
                return
            tag = hashlib.sha1(call_id.encode()).hexdigest()[:10]
            call = _Call(call_id, tag, rtp, sdp.encode())
            with self._lock:
                self.calls[call_id] = call
        extra = [(k, v) for k, v in msg.headers if k.lower() == "record-route"]
        extra += [("Contact", f"<{self.contact}>"), ("Content-Type", "application/sdp")]
        self._reply(msg, 200, "OK", extra, call.sdp, call.to_tag)

    def _reply(self, req: Message, code: int, reason: str, extra: list[tuple[str, str]] | None = None,
               body: bytes = b"", tag: str | None = None) -> None:
        headers = [(k, v) for k, v in req.headers if k.lower() in ("via", "v", "from", "f", "call-id", "i", "cseq")]
        to = req.get("to") or ""
        if ";tag=" not in to:
            to += ";tag=" + (tag or hashlib.sha1((req.get("call-id") or "").encode()).hexdigest()[:10])
        headers.append(("To", to))
        headers += extra or []
        headers.append(("Server", "AgentDesk practice echo"))
        top = req.all("via")[0][1]
        with contextlib.suppress(OSError):
            self.sip.sendto(Message(f"SIP/2.0 {code} {reason}", headers, body).encode(), via_target(top))
