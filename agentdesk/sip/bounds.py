"""Bounds on what reaches the engine: text that is not valid UTF-8, lengths checked before pjsua2 sees them, and
command lines read with a size and nesting limit (pure Python, no pjsua2).

Why each bound exists (measured on pjsua2-python 2.15.1):
- a SIP address of ~900 characters given to ``utilVerifySipUri``/``makeCall`` aborts the process: pjsua checks
  URIs in a fixed 1 KiB pool and pjlib's out-of-memory exception has no handler. pjsip prints URIs into
  ``PJSIP_MAX_URL_SIZE`` (256) buffers, so 256 is the bound;
- SWIG hands bytes that are not UTF-8 to Python as lone surrogates (surrogateescape); a str holding one cannot be
  encoded as UTF-8, so one such byte in a From display name would have stopped the event writer for good;
- ``json.loads`` of a 100,000-deep line raises RecursionError, which used to end the stdin reader (and the engine,
  which took it for its parent's death).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from agentdesk.safefiles import json_depth

MAX_URI = 256  # PJSIP_MAX_URL_SIZE: pjsip prints URIs into buffers of this size
MAX_REFER_TO = 1024  # a transfer target with its escalation headers (?X-...=...)
MAX_HEADERS = 16
MAX_HEADER_NAME = 64
MAX_HEADER_VALUE = 512
MAX_DIGITS = 64
MAX_LINE_BYTES = 256 * 1024  # one command line (a configure with every setting is ~2 KB)
MAX_DEPTH = 32  # nesting of a command object
MAX_EVENT_TEXT = 2048  # one text field carried from the network into an event (header values, remote URIs)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def from_network(text: object, limit: int = MAX_EVENT_TEXT) -> str:
    """Text that came from the network (via SWIG): lone surrogates (bytes that were not UTF-8) become U+FFFD,
    control characters are dropped, and the length is capped (with an ellipsis)."""
    s = text if isinstance(text, str) else str(text)
    s = _SURROGATE.sub("\ufffd", s)
    s = _CONTROL.sub("", s)
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s


def escape_surrogates(line: str) -> str:
    """A JSON text in which every lone surrogate is written as its ``\\uXXXX`` escape: valid UTF-8 on the wire,
    and the same string again after ``json.loads`` (a command id echoed back must still match)."""
    if not _SURROGATE.search(line):
        return line
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a parsed JSON value, counting stops at ``limit + 1`` (safefiles.json_depth)."""
    return json_depth(value, limit)


class LineTooLong(ValueError):
    pass


def read_lines(stream: IO[bytes], max_bytes: int = MAX_LINE_BYTES) -> Iterator[str | LineTooLong]:
    """Lines of a byte stream as text (bad UTF-8 replaced); a line longer than ``max_bytes`` is skipped up to its
    newline, never held in memory whole, and yields a :class:`LineTooLong` in its place."""
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:  # drop the rest of the line
                more = stream.readline(max_bytes)
                if not more or more.endswith(b"\n"):
                    break
            yield LineTooLong(f"command line too long (at most {max_bytes // 1024} KiB)")
            continue
        yield raw.decode("utf-8", errors="replace")


def check_uri(uri: str, what: str = "SIP address", limit: int = MAX_URI) -> str:
    """Raise ValueError for an address pjsua2 must not see (too long, control characters)."""
    if len(uri.encode("utf-8", "surrogatepass")) > limit:
        raise ValueError(f"the {what} is too long (at most {limit} characters)")
    if _CONTROL.search(uri) or _SURROGATE.search(uri) or any(c in uri for c in "\r\n"):
        raise ValueError(f"the {what} holds characters that are not allowed")
    return uri


def check_headers(headers: Any) -> dict[str, str]:
    """Custom SIP headers from a command: an object of at most MAX_HEADERS name/value strings within bounds."""
    if not headers:
        return {}
    if not isinstance(headers, dict):
        raise ValueError('"headers" must be an object {"X-Name": "value"}')
    if len(headers) > MAX_HEADERS:
        raise ValueError(f"too many headers (at most {MAX_HEADERS})")
    out: dict[str, str] = {}
    for name, value in headers.items():
        name_s, value_s = str(name), str(value)
        if len(name_s) > MAX_HEADER_NAME or len(value_s) > MAX_HEADER_VALUE:
            raise ValueError(f"header {name_s[:MAX_HEADER_NAME]!r} is too long (name at most {MAX_HEADER_NAME}, "
                             f"value at most {MAX_HEADER_VALUE} characters)")
        if _SURROGATE.search(name_s + value_s) or _CONTROL.search(name_s + value_s):
            raise ValueError(f"bad header {name_s!r}")
        out[name_s] = value_s
    return out
