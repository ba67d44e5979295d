"""The call's context as SIP headers on the escalated (transferred) INVITE.

SIP header values must be ASCII; a Japanese note or script step is not. Rule: a value that is printable ASCII
without ``%``, ``;``, ``?``, ``&``, ``=``, ``<``, ``>``, ``"`` and not longer than 200 characters travels as it is;
anything else is UTF-8, percent-encoded (RFC 3986 unreserved characters kept) and prefixed ``pct:`` so that
each header describes its own encoding. The receiving center decodes ``pct:`` values with ``urllib.parse.unquote``. Notes are cut at 600 encoded
characters (a SIP INVITE travels in one UDP datagram; the full note goes through the center API ticket).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

PREFIX = "pct:"
_SAFE = re.compile(r'^[\x20-\x7e]*$')
_UNSAFE_CHARS = set('%;?&=<>"')
MAX_PLAIN = 200
MAX_ENCODED = 600

HEADER_NAMES = {
    "contract_id": "X-Contract-Id",
    "script_flow": "X-Script-Flow",
    "script_path": "X-Script-Path",
    "note": "X-Agent-Note",
    "ticket_id": "X-Ticket-Id",
    "agent_id": "X-Agent-Id",
    "queue": "X-Queue",
}


def encode_value(value: str) -> str:
    if _SAFE.match(value) and not (_UNSAFE_CHARS & set(value)) and len(value) <= MAX_PLAIN \
            and not value.startswith(PREFIX):
        return value
    encoded = PREFIX + quote(value, safe="")
    if len(encoded) > MAX_ENCODED:
        encoded = encoded[:MAX_ENCODED]
        cut = encoded.rfind("%", MAX_ENCODED - 3)  # never split a %XX escape
        if cut != -1:
            encoded = encoded[:cut]
    return encoded


def decode_value(value: str) -> str:
    if value.startswith(PREFIX):
        return unquote(value[len(PREFIX):], errors="replace")
    return value


def context_headers(context: dict[str, Any]) -> dict[str, str]:
    """{"contract_id", "script_flow", "script_path": [step ids] or str, "note", "ticket_id", ...} -> SIP headers."""
    headers: dict[str, str] = {}
    for key, name in HEADER_NAMES.items():
        value = context.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, list | tuple):
            value = "/".join(str(v) for v in value)
        headers[name] = encode_value(str(value))
    return headers
