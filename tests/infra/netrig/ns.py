"""Network namespaces for the rig: unique names, commands inside them, sockets opened inside them, teardown."""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tests.infra import require

T = TypeVar("T")
_counter = itertools.count(1)


def unique_prefix() -> str:
    """``ad<pid>x<n>``: namespaces of parallel test runs (other engineers, other workers) never collide."""
    return f"ad{os.getpid()}x{next(_counter)}"


def _ip() -> str:
    return require.binary("ip")


class Netns:
    """One network namespace (``ip netns add``), deleted by :meth:`delete` (idempotent)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.created = False

    def create(self) -> Netns:
        subprocess.run([_ip(), "netns", "add", self.name], check=True, capture_output=True, timeout=10)
        self.created = True
        self.ip("link", "set", "lo", "up")
        # No IPv6 link-local chatter on the rig's links (router solicitations would show in the link's counters).
        self.sysctl("net.ipv6.conf.all.disable_ipv6", "1")
        self.sysctl("net.ipv6.conf.default.disable_ipv6", "1")
        return self

    @property
    def prefix(self) -> list[str]:
        """The argv prefix that runs a command inside this namespace."""
        return [_ip(), "netns", "exec", self.name]

    def ip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._run([_ip(), "-n", self.name, *args], check)

    def run(self, *argv: str, check: bool = True, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return self._run([*self.prefix, *argv], check, timeout)

    def sysctl(self, key: str, value: str) -> None:
        path = "/proc/sys/" + key.replace(".", "/")
        self.run("sh", "-c", f"echo {value} > {path}")

    def read_sysctl(self, key: str) -> str:
        return self.run("cat", "/proc/sys/" + key.replace(".", "/")).stdout.strip()

    @staticmethod
    def _run(argv: list[str], check: bool, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}")
        return res

    def call(self, fn: Callable[..., T], *args: Any, timeout: float = 30.0) -> T:
        """Run ``fn(*args)`` on a thread that has entered this namespace (sockets it opens live here)."""
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                fd = os.open(f"/var/run/netns/{self.name}", os.O_RDONLY)
                try:
                    os.setns(fd, os.CLONE_NEWNET)  # this thread only
                finally:
                    os.close(fd)
                box["value"] = fn(*args)
            except BaseException as exc:
                box["error"] = exc

        t = threading.Thread(target=work, name=f"in-{self.name}", daemon=True)
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise TimeoutError(f"{getattr(fn, '__name__', fn)} in {self.name} did not finish in {timeout} s")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def pids(self) -> list[int]:
        res = subprocess.run([_ip(), "netns", "pids", self.name], capture_output=True, text=True, timeout=10)
        return [int(p) for p in res.stdout.split() if p.isdigit()]

    def delete(self) -> None:
        """Kill whatever still runs inside (processes this rig started there), then delete the namespace."""
        if not self.created:
            return
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, 9)
        subprocess.run([_ip(), "netns", "del", self.name], capture_output=True, timeout=10)
        self.created = False
