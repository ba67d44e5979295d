"""SIPp (Debian package sip-tester) as a scripted customer, agent or escalation target, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import net, require
from tests.infra.proc import stop_group

SCENARIOS = Path(__file__).with_name("sipp")

if TYPE_CHECKING:
    from tests.infra.netrig.ns import Netns


@dataclass
class Sipp:
    """One SIPp process. ``wait()`` returns its exit status (0: every call succeeded)."""

    scenario: str
    workdir: Path
    remote: str | None = None
    port: int = 0
    args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"  # the address it listens on (-i)
    netns: Netns | None = None  # run inside this network namespace (a host of the network rig)

    def __post_init__(self) -> None:
        self.port = self.port or (5060 if self.netns is not None else net.free_port())
        self.log_path = self.workdir / f"sipp-{Path(self.scenario).stem}-{self.port}.log"
        self.error_path = self.workdir / f"sipp-{Path(self.scenario).stem}-{self.port}-errors.log"
        self.message_path = self.workdir / f"sipp-{Path(self.scenario).stem}-{self.port}-messages.log"

    def command(self) -> list[str]:
        scenario = self.scenario if os.path.isabs(self.scenario) else str(SCENARIOS / self.scenario)
        cmd = [require.binary("sipp"), "-sf", scenario, "-i", self.host, "-p", str(self.port),
               "-nostdin", "-trace_err", "-error_file", str(self.error_path),
               "-trace_msg", "-message_file", str(self.message_path), "-timeout", "60s", "-timeout_error"]
        cmd += self.args
        if self.remote:
            cmd.append(self.remote)
        return (self.netns.prefix + cmd) if self.netns is not None else cmd

    def start(self) -> Sipp:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.workdir)
        return self

    def run(self, timeout: float = 30.0) -> int:
        return self.start().wait(timeout)

    def wait(self, timeout: float = 30.0) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        finally:
            self._log.close()

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc, signal.SIGKILL)

    def messages(self) -> str:
        return self.message_path.read_text(errors="replace") if self.message_path.exists() else ""

    def errors(self) -> str:
        return self.error_path.read_text(errors="replace") if self.error_path.exists() else ""
