"""Logging to rotating files in the user log directory, with a redaction filter on every handler.

Passwords, tokens, Authorization headers and SIP digest responses never reach a log: the filter rewrites each
record's final text before any handler formats it. pjsip's own log lines are routed through the same
handlers by the engine, so SIP messages it prints (with their Authorization headers) are redacted too.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from agentdesk import paths, safefiles
from agentdesk.privacy import mask_numbers

REDACTED = "***"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # SIP and HTTP authorization headers: the whole value (digest response, nonce, bearer token).
    (re.compile(r"(?im)^((?:proxy-)?authorization\s*:\s*).*$"), r"\1" + REDACTED),
    (re.compile(r"(?i)((?:proxy-)?authorization['\"]?\s*[:=]\s*['\"]?)(?:digest|bearer|basic)\s[^'\"\r\n]*"),
     r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    # Digest parameters wherever they appear.
    (re.compile(r"(?i)\b(response|cnonce)\s*=\s*\"?[0-9a-f]+\"?"), r"\1=" + REDACTED),
    # SRTP master keys (SDES): in the SDP's a=crypto lines and in pjsip's own "key=" log lines. A key in a log
    # would undo the encryption of that call.
    (re.compile(r"(?i)\b(inline:)[^|\s\\\"']+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b((?:AES|F8|AEAD)_\w+\s+key\s*=\s*)[A-Za-z0-9+/=]+"), r"\1" + REDACTED),
    # key=value and "key": "value" for secret-looking keys.
    (re.compile(r"(?i)([\"']?\b(?:password|passwd|pwd|secret|token|access_token|refresh_token|api_key|apikey)"
                r"\b[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"),
     r"\1" + REDACTED),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return mask_numbers(text)  # customers' phone numbers: never whole in a log, at any level (privacy.py)


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (with its arguments merged in) through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"


def setup(
    file_name: str = "agentdesk.log",
    level: int = logging.INFO,
    to_stderr: bool = True,
    max_bytes: int = 2_000_000,
    backups: int = 5,
) -> Path:
    """Configure the root logger once per process; returns the log file's path."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_agentdesk", False):
            root.removeHandler(handler)
            handler.close()
    log_file = Path(file_name)
    try:
        log_file = paths.log_dir() / file_name
        handlers: list[logging.Handler] = [
            logging.handlers.RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        ]
        safefiles.make_private(log_file)  # a log written by an older version (0644) is tightened too
    except OSError as exc:  # a log folder that cannot be written must not stop the app: stderr only
        print(f"AgentDesk: cannot write the log file {log_file} ({exc}); logging to the console only",
              file=sys.stderr)
        handlers = []
    if to_stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        handler._agentdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return log_file
