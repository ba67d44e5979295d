"""One AgentDesk per user: a second start hands over to the running one and exits.

A QLocalServer named per user listens in the first instance; a later instance connects and sends
``show {"display": ..., "session": ...}``. If the running instance is in the same desktop session it comes to the
front and answers ``shown``. If it runs in another session or on another display (a second X display, a Windows
remote-desktop session next to the console one: the server name is per user, the windows are per session), it
answers ``elsewhere {...}`` with where it runs, so the second start can say so instead of exiting silently with
status 0 while its window appears where nobody looks. An instance that answers nothing (an older version) counts
as shown. A stale server name left by a crashed instance is removed and taken over.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)


def server_name(suffix: str | None = None) -> str:
    """Per user, and per settings folder when one is given (AGENTDESK_CONFIG_DIR: support staff and tests run
    separate AgentDesks side by side)."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "user"
    if suffix is None:
        suffix = os.environ.get("AGENTDESK_CONFIG_DIR", "")
    digest = hashlib.sha256(f"{user}{suffix}".encode()).hexdigest()[:12]
    return f"AgentDesk-{digest}"


def _windows_session() -> str:
    try:
        import ctypes

        session = ctypes.c_ulong()
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        if kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(session)):
            return str(session.value)
    except Exception:
        pass
    return os.environ.get("SESSIONNAME", "")


def session_identity() -> dict[str, str]:
    """Where this process shows its windows: the display and the login session."""
    if sys.platform == "win32":
        display, session = os.environ.get("SESSIONNAME", ""), _windows_session()
    else:
        display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or ""
        session = os.environ.get("XDG_SESSION_ID", "")
    return {"display": display, "session": session, "host": socket.gethostname()}


def same_session(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(str(a.get(k, "")) == str(b.get(k, "")) for k in ("display", "session", "host"))


def describe(where: dict[str, Any]) -> str:
    """Where an instance runs, for a message to the agent ("display :1, session 3")."""
    parts = []
    if where.get("display"):
        parts.append(f"display {where['display']}")
    if where.get("session"):
        parts.append(f"session {where['session']}")
    return ", ".join(parts) or "another session"


@dataclass(frozen=True)
class Answer:
    """What a second start learnt: ``none`` (nothing runs), ``shown`` (brought forward here) or ``elsewhere``."""

    kind: str
    where: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:  # "another instance runs": this one should not start
        return self.kind != "none"


class SingleInstance(QObject):
    def __init__(self, on_message: Callable[[str], None], name: str | None = None,
                 parent: QObject | None = None, identity: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.on_message = on_message
        self.identity = identity or session_identity()
        self.server: QLocalServer | None = None

    def hand_over(self, message: str = "show", timeout_ms: int = 1000) -> Answer:
        """Tell a running instance to come forward; its answer says whether it could, here."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(timeout_ms):
            return Answer("none")
        sock.write(f"{message} {json.dumps(self.identity)}\n".encode())
        sock.waitForBytesWritten(timeout_ms)
        reply = b""
        while b"\n" not in reply and sock.waitForReadyRead(timeout_ms):
            reply += bytes(sock.readAll().data())
        sock.disconnectFromServer()
        line = reply.decode("utf-8", "replace").strip()
        kind, _, rest = line.partition(" ")
        if kind == "elsewhere":
            try:
                where = json.loads(rest) if rest else {}
            except ValueError:
                where = {}
            return Answer("elsewhere", where if isinstance(where, dict) else {})
        return Answer("shown")  # "shown", or an older instance that does not answer

    def listen(self) -> bool:
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            QLocalServer.removeServer(self.name)  # left behind by a crash
            if not self.server.listen(self.name):
                log.warning("single-instance server failed: %s", self.server.errorString())
                return False
        self.server.newConnection.connect(self._accept)
        return True

    def _accept(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        while sock.canReadLine():
            line = bytes(sock.readLine().data()).decode("utf-8", "replace").strip()
            message, _, rest = line.partition(" ")
            if not message:
                continue
            try:
                caller = json.loads(rest) if rest else None
            except ValueError:
                caller = None
            if isinstance(caller, dict) and not same_session(caller, self.identity):
                sock.write(f"elsewhere {json.dumps(self.identity)}\n".encode())
                sock.flush()
                log.info("a start in %s found this instance (%s)", describe(caller), describe(self.identity))
                continue
            sock.write(b"shown\n")
            sock.flush()
            self.on_message(message)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
