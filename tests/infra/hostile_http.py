"""Something in front of the center double that is not the center: a hotspot portal, a proxy, a broken server.

    front = HostileFront(double).start()        # http://127.0.0.1:<port>, forwards to the double ...
    front.next("redirect", count=3)             # ... except for the next 3 requests, answered with a 302
    client = HttpCenterClient(front.url)

Faults: ``redirect`` (302 to another host), ``html403`` / ``html404`` (a proxy's HTML page), ``empty200`` (200 with
no body), ``drip`` (the status line and headers one byte every ``drip_s`` seconds), ``huge`` (a 200 claiming and
sending 400 MB), ``reset`` (the connection closed without an answer). Loopback only; every thread a daemon.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("redirect", "html403", "html404", "empty200", "drip", "huge", "reset")
HTML = b"<html><head><title>Login</title></head><body>Please accept the terms of use.</body></html>"


@dataclass
class HostileFront:
    double: Any  # CenterDouble (its .port)
    drip_s: float = 1.0
    port: int = 0
    faults: deque[str] = field(default_factory=deque)
    served: list[tuple[str, str, str]] = field(default_factory=list)  # (fault or "forwarded", method, path)
    forwarded_elsewhere: int = 0
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def next(self, fault: str, count: int = 1) -> None:
        assert fault in FAULTS, fault
        with self._lock:
            self.faults.extend([fault] * count)

    def start(self) -> HostileFront:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(32)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, name="hostile-front", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            with conn:
                while not self._stop.is_set():
                    request = _read_request(conn)
                    if request is None:
                        return
                    method, path, headers, body = request
                    with self._lock:
                        fault = self.faults.popleft() if self.faults else None
                    self.served.append((fault or "forwarded", method, path))
                    if fault is None:
                        conn.sendall(self._forward(method, path, headers, body))
                        continue
                    self._hostile(conn, fault)
                    return  # a hostile answer ends the connection
        except OSError:
            return

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        upstream = http.client.HTTPConnection("127.0.0.1", self.double.port, timeout=10)
        try:
            upstream.request(method, path, body=body or None,
                             headers={k: v for k, v in headers.items() if k.lower() not in ("host", "connection")})
            answer = upstream.getresponse()
            data = answer.read()
            head = [f"HTTP/1.1 {answer.status} {answer.reason}"]
            head += [f"{k}: {v}" for k, v in answer.getheaders()
                     if k.lower() not in ("content-length", "connection", "transfer-encoding")]
            head += [f"Content-Length: {len(data)}", "Connection: keep-alive"]
            return ("\r\n".join(head) + "\r\n\r\n").encode() + data
        finally:
            upstream.close()

    def _hostile(self, conn: socket.socket, fault: str) -> None:
        if fault == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return
        if fault == "redirect":
            self.forwarded_elsewhere += 1
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://portal.invalid/login\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
        elif fault in ("html403", "html404"):
            code = b"403 Forbidden" if fault == "html403" else b"404 Not Found"
            conn.sendall(b"HTTP/1.1 " + code + b"\r\nContent-Type: text/html\r\nContent-Length: " +
                         str(len(HTML)).encode() + b"\r\nConnection: close\r\n\r\n" + HTML)
        elif fault == "empty200":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        elif fault == "drip":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 200:
                if self._stop.wait(self.drip_s):
                    return
                conn.sendall(bytes([byte]))
        elif fault == "huge":
            size = 400 * 1024 * 1024
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         str(size).encode() + b"\r\nConnection: close\r\n\r\n")
            chunk = b"0" * 65536
            sent = 0
            deadline = time.monotonic() + 20
            while sent < size and time.monotonic() < deadline:
                conn.sendall(chunk)
                sent += len(chunk)


def _read_request(conn: socket.socket) -> tuple[str, str, dict[str, str], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            more = conn.recv(65536)
        except OSError:
            return None
        if not more:
            return None
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0") or 0)
    while len(rest) < length:
        more = conn.recv(65536)
        if not more:
            return None
        rest += more
    return method, path, headers, rest[:length]
