"""The engine's wire format: JSON Lines, one command per line on stdin, one event per line on stdout.

Every command is an object with ``"cmd"`` and an optional ``"id"``; every command gets exactly one
``{"event": "reply", "id": ..., "ok": true|false, "error": "..."}``. See docs/engine-protocol.md.
"""

from __future__ import annotations

import json
import threading
from typing import IO, Any

PROTOCOL_VERSION = 1

COMMANDS = (
    "configure", "register", "unregister", "call", "answer", "reject", "hangup", "hold", "unhold", "mute",
    "unmute", "dtmf", "transfer", "consult", "complete_transfer", "cancel_transfer", "stats", "calls", "quit",
)


class CommandError(Exception):
    """A command that cannot be carried out; its message goes to the reply's ``error`` (agent-readable)."""


def parse_line(line: str) -> dict[str, Any]:
    """One command line -> the command object. Raises CommandError with a clear message for bad input."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CommandError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise CommandError("a command must be a JSON object")
    if not isinstance(obj.get("cmd"), str) or not obj["cmd"]:
        raise CommandError('a command needs a "cmd" string')
    return obj


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


class EventWriter:
    """Writes events to the protocol stream; thread-safe; remembers when the reader has gone away."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.broken = False

    def __call__(self, event: dict[str, Any]) -> None:
        line = encode(event)
        with self._lock:
            if self.broken:
                return
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True
