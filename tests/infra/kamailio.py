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
TLS_METHODS = ("TLSv1.2+", "TLSv1.2", "TLSv1.1", "TLSv1")  # what Debian's kamailio-tls-modules 5.6 knows
DOMAIN = "agentdesk.test"
PASSWORD = "agentdesk-test-secret"  # TEST_PASSWORD in kamailio.cfg

if TYPE_CHECKING:
    from tests.infra.netrig.ns import Netns


@dataclass(frozen=True)
class KamailioTls:
    """A TLS listener (kamailio-tls-modules): the server certificate and key, and the protocol versions it
    accepts ("TLSv1.2+": 1.2 and 1.3, OpenSSL 3 picks 1.3; "TLSv1.2": a center that has nothing newer)."""

    cert: Path
    key: Path
    method: str = "TLSv1.2+"
    ca: Path | None = None  # what clients verify the certificate against (tests.infra.certs.TestCA.path)
    server_name: str = "center.agentdesk.test"  # the name the certificate is for (the provisioned host name)


@dataclass
class Kamailio:
    workdir: Path
    auth: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    tls: KamailioTls | None = None
    tls_port: int = 0
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
        if transport == "tls":
            if self.tls is None:
                raise ValueError("this Kamailio has no TLS listener: start it with tls=KamailioTls(...)")
            return f"sip:{self.host}:{self.tls_port};transport=tls"
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
        if self.tls is not None:
            cmd += self._tls_args()
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

    def _tls_args(self) -> list[str]:
        assert self.tls is not None
        if self.tls.method not in TLS_METHODS:
            raise ValueError(f"Kamailio 5.6 knows the TLS methods {TLS_METHODS}")
        require.kamailio_module("tls")
        self.tls_port = self.tls_port or net.free_port(self.host)
        config = self.workdir / "tls.cfg"
        config.write_text(
            "[server:default]\n"
            f"method = {self.tls.method}\n"
            "verify_certificate = no\nrequire_certificate = no\n"
            f"private_key = {self.tls.key}\ncertificate = {self.tls.cert}\n\n"
            "[client:default]\n"
            f"method = {self.tls.method}\nverify_certificate = no\nrequire_certificate = no\n")
        return ["-l", f"tls:{self.host}:{self.tls_port}", "-A", "WITH_TLS", "-A", f'TLS_CONFIG="{config}"']

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
