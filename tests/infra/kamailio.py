"""A Kamailio registrar/proxy on a free loopback port, with the project's config (tests/infra/kamailio.cfg)."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import net, require
from tests.infra.proc import stop_group

CONFIG = Path(__file__).with_name("kamailio.cfg")
DOMAIN = "agentdesk.test"
PASSWORD = "agentdesk-test-secret"  # TEST_PASSWORD in kamailio.cfg

if TYPE_CHECKING:
    from tests.infra.netrig.ns import Netns


@dataclass
class Kamailio:
    workdir: Path
    auth: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    netns: Netns | None = None  # run inside this network namespace (the network rig's center); port 5060 there
    defines: tuple[str, ...] = ()  # more kamailio.cfg defines (-A), e.g. WITH_NAT

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "kamailio.log"

    @property
    def uri(self) -> str:
        return f"sip:{self.host}:{self.port}"

    def uri_for(self, transport: str = "udp") -> str:
        return f"sip:{self.host}:{self.port};transport={transport}"

    def start(self, port: int | None = None, timeout: float = 10.0) -> Kamailio:
        exe = require.binary("kamailio")
        self.port = port or self.port or (5060 if self.netns else net.free_port(self.host))
        rundir = self.workdir / "run"
        rundir.mkdir(parents=True, exist_ok=True)
        cmd = [
            exe, "-f", str(CONFIG), "-DD", "-E", "-e", "-m", "32", "-M", "8",
            "-l", f"udp:{self.host}:{self.port}", "-l", f"tcp:{self.host}:{self.port}",
            "-Y", str(rundir), "-w", str(self.workdir), "-P", str(rundir / "kamailio.pid"),
        ]
        if self.auth:
            cmd += ["-A", "WITH_AUTH"]
        for define in self.defines:
            cmd += ["-A", define]
        if self.netns is not None:
            cmd = self.netns.prefix + cmd
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        if not net.wait_until(lambda: self.proc.poll() is None and self._answers(), timeout, interval=0.1):
            self.stop()
            raise RuntimeError(f"kamailio did not answer on {self.host}:{self.port}:\n{self.log()}")
        return self

    def _answers(self) -> bool:
        if self.netns is None:
            return net.sip_options_ping(self.host, self.port)
        return self.netns.call(net.sip_options_ping, self.host, self.port, 0.5, self.host)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, kill: bool = False) -> None:
        """Stop it (SIGTERM, or SIGKILL with kill=True: the center dies without a goodbye)."""
        if self.proc is None:
            return
        stop_group(self.proc, signal.SIGKILL if kill else signal.SIGTERM)
        self.proc = None
        self._log.close()

    def restart(self) -> Kamailio:
        """Start again on the same port (a recovering center)."""
        self.stop()
        return self.start(self.port)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""
