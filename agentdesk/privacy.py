"""What counts as a customer's personal data in text, in one place: the outbox refuses it, the logs mask it.

Japanese phone numbers (0AB-J, mobile, +81), e-mail addresses and postal codes; and the digits of a SIP or tel
URI's user part (the customer's number as the PBX signals it). :func:`mask_numbers` keeps the last two digits so
support can still tell two calls apart ("********78"); it runs in every log handler (agentdesk/log.py), at every
level, so no customer number reaches a log file whole.
"""

from __future__ import annotations

import re

PHONE = re.compile(r"(?<!\d)(?:\+?81[-\s]?|0)\d{1,4}[-\s()]*\d{1,4}[-\s()]*\d{3,4}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
POSTAL = re.compile(r"〒\s*\d{3}-?\d{4}|(?<!\d)\d{3}-\d{4}(?!\d)")
_URI_USER = re.compile(r"(?i)\b(sips?:|tel:)(\+?[0-9][0-9()\- ]{3,}[0-9])(?=[@;>?\s\"]|$)")
_LOG_PHONE = re.compile(r"(?<![\w.:/-])(?:\+?81[-\s]?|0)\d{1,4}[-\s()]*\d{1,4}[-\s()]*\d{3,4}(?![\w-])")


def _mask(number: str) -> str:
    digits = sum(c.isdigit() for c in number)
    keep = 2 if digits > 4 else 0
    out, seen = [], 0
    for c in number:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def mask_numbers(text: str) -> str:
    """Phone numbers in ``text`` (in SIP/tel URIs, and Japanese numbers anywhere) with all but two digits masked."""
    text = _URI_USER.sub(lambda m: m.group(1) + _mask(m.group(2)), text)
    return _LOG_PHONE.sub(lambda m: _mask(m.group(0)), text)
