"""Loopback ports and waiting, bounded in time."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port(host: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP on ``host`` (SIP listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def sip_options_ping(host: str, port: int, timeout: float = 0.5, bind: str = "127.0.0.1") -> bool:
    """Send one SIP OPTIONS over UDP to host:port (from ``bind``) and report whether any SIP response came back."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((bind, 0))
        lport = s.getsockname()[1]
        s.settimeout(timeout)
        call_id = f"ping-{time.monotonic_ns()}"
        msg = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {bind}:{lport};branch=z9hG4bK{call_id}\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:ping@{bind}>;tag={call_id}\r\n"
            f"To: <sip:{host}:{port}>\r\n"
            f"Call-ID: {call_id}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        try:
            s.sendto(msg.encode(), (host, port))
            data, _ = s.recvfrom(4096)
        except OSError:
            return False
        return data.startswith(b"SIP/2.0 ")
