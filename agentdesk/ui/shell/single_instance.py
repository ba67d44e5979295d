"""One AgentDesk per user: a second start hands over to the running one (which comes to the front) and exits.

A QLocalServer named per user listens in the first instance; a later instance connects, sends ``show`` and quits.
A stale server name left by a crashed instance is removed and taken over.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)


def server_name(suffix: str = "") -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "user"
    digest = hashlib.sha256(f"{user}{suffix}".encode()).hexdigest()[:12]
    return f"AgentDesk-{digest}"


class SingleInstance(QObject):
    def __init__(self, on_message: Callable[[str], None], name: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.on_message = on_message
        self.server: QLocalServer | None = None

    def hand_over(self, message: str = "show", timeout_ms: int = 1000) -> bool:
        """True when another instance is running and got the message (this one should exit)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(message.encode("utf-8") + b"\n")
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

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
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            message = bytes(socket.readLine().data()).decode("utf-8", "replace").strip()
            if message:
                self.on_message(message)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
