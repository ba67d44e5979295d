"""Bounds on a conversation with the center: an overall deadline per call and a cap on what it may send.

httpx's timeouts apply to each read: a center (or a portal, a broken proxy) that sends one byte every few seconds
held ``center status``, sign-in, the outbox and the escalation ticket for minutes. :class:`DeadlineBackend` wraps
httpcore's network backend so every connect, read and write waits at most until the deadline of the call in
progress on its thread (:func:`deadline`); past it the read fails as a timeout. Bodies are read in pieces up to a
cap (:func:`read_capped`): a 400 MB answer used to cost 5 GB of memory.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

log = logging.getLogger(__name__)

CALL_DEADLINE_S = 20.0  # one center call, every retry included
MAX_BODY_BYTES = 2 * 1024 * 1024  # a JSON answer (provisioning with every code and script package: ~50 KB)
MAX_EVENT_LINE = 64 * 1024  # one line of the event stream
MAX_EVENT_DATA = 256 * 1024  # one event's data lines together

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every network wait on this thread ends by ``seconds`` from now (nested: the earlier deadline wins)."""
    previous = getattr(_local, "at", None)
    at = time.monotonic() + seconds
    _local.at = at if previous is None else min(previous, at)
    try:
        yield _local.at
    finally:
        _local.at = previous


def remaining() -> float | None:
    at = getattr(_local, "at", None)
    return None if at is None else at - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise httpcore.ReadTimeout("the call's overall deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport_with_deadline(verify: bool | ssl.SSLContext) -> httpx.HTTPTransport:
    """httpx's own transport, its connection pool on a :class:`DeadlineBackend` (httpx has no parameter for the
    backend; the pool's attribute is httpcore's, checked by tests/center/test_hostile_center.py)."""
    transport = httpx.HTTPTransport(verify=verify)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if pool is not None and inner is not None:
        pool._network_backend = DeadlineBackend(inner)
    else:  # a newer httpx: per-read timeouts still apply
        log.warning("httpx transport without a network backend to wrap: no overall deadline per center call")
    return transport


class BodyTooLarge(Exception):
    pass


def read_capped(response: httpx.Response, cap: int = MAX_BODY_BYTES) -> bytes:
    """The body of a streamed response, refusing one longer than ``cap`` before it is all in memory."""
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > cap:
        raise BodyTooLarge(int(length))
    data = bytearray()
    for chunk in response.iter_raw():
        data += chunk
        if len(data) > cap:
            raise BodyTooLarge(len(data))
    return bytes(data)


def capped_lines(chunks: Iterable[bytes], max_line: int = MAX_EVENT_LINE) -> Iterator[str]:
    """Text lines of a byte stream (the event stream: CRLF, LF or CR ends a line); a line longer than ``max_line``
    ends the stream with ValueError instead of growing without bound."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while buffer:
            lf, cr = buffer.find(b"\n"), buffer.find(b"\r")
            ends = [i for i in (lf, cr) if i >= 0]
            if not ends:
                break
            cut = min(ends)
            if buffer[cut:cut + 1] == b"\r":
                if cut + 1 == len(buffer):
                    break  # a CR at the end: wait for what follows (it may be CRLF)
                skip = 2 if buffer[cut + 1:cut + 2] == b"\n" else 1
            else:
                skip = 1
            line, buffer = buffer[:cut], buffer[cut + skip:]
            if len(line) > max_line:
                raise ValueError(f"an event stream line longer than {max_line} bytes")
            yield line.decode("utf-8", errors="replace")
        if len(buffer) > max_line:
            raise ValueError(f"an event stream line longer than {max_line} bytes")
    if buffer:
        yield buffer.rstrip(b"\r").decode("utf-8", errors="replace")
