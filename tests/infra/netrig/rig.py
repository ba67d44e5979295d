"""The network rig: an agent's home behind a NAT router, an emulated internet link, and a center.

```
 home (ns)              router (ns)                      link emulator          center (ns)
 eth0 192.168.1.10 ---- lan 192.168.1.1                  (this project's,       wan 198.51.100.10  Kamailio primary
 (the agent's engine)   nftables masquerade on wan       tests/infra/netrig/        198.51.100.11  Kamailio backup
                        wan 203.0.113.2 (public)  <TUN>  linkemu.py)     <TUN>  rtpengine (relay) on .10
                        conntrack UDP timeout lowered                           hN -- host (ns) 198.51.100.2x
                                                                                      customers, Tier-2 desks
```

Each customer or Tier-2 desk is a host of its own (``Rig.host(ip)``: a namespace behind the center, a veth pair
and a route), so a program that binds its media socket to 0.0.0.0 (baresip) still sends from its own address.

Every namespace is named ``ad<pid>x<n>-home|router|center`` (parallel runs never collide); :meth:`Rig.down`
kills what runs inside and deletes them, also after a failed :meth:`Rig.up`. The link emulator is used because
these kernels have no netem; where a kernel has netem the same impairments can be put on the TUN devices with
``tc qdisc ... netem`` instead (``netem_command`` gives the line), the emulator then passing packets unchanged.
Support engineers start it by hand with ``python -m tests.infra.netrig`` (docs/testing.md, "The network rig").
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.infra import net, require
from tests.infra.kamailio import Kamailio, KamailioTls
from tests.infra.netrig.linkemu import JITTER_SIGMA, Impairment, LinkControl
from tests.infra.netrig.ns import Netns, unique_prefix
from tests.infra.proc import stop_group

ROOT = Path(__file__).resolve().parents[3]
HOME_NET = "192.168.1.0/24"
ROUTER_LAN = "192.168.1.1"
AGENT_IP = "192.168.1.10"
PUBLIC_IPS = ("203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5")
CENTER_NET = "198.51.100.0/24"
PRIMARY_IP = "198.51.100.10"
BACKUP_IP = "198.51.100.11"
PEER_IPS = tuple(f"198.51.100.{n}" for n in range(20, 30))  # customers, Tier-2 desks, baresip
RTPENGINE_NG = "127.0.0.1:2223"  # the relay's control socket, on the center's own loopback
TLS_PORT = 5061  # the centers' SIP-over-TLS listener (Rig(tls=True))


@dataclass
class Rig:
    workdir: Path
    udp_timeout_s: int | None = None  # the router forgets an idle UDP mapping after this (None: kernel default)
    relay: bool = False               # rtpengine relays every call's media at the center
    backup: bool = False              # a second Kamailio (the backup center) on BACKUP_IP
    auth: bool = False                # digest authentication for REGISTER
    natping_s: int = 15               # the center's OPTIONS pings to NATed agents
    reglog: bool = False              # Kamailio logs every REGISTER's arrival time (failover benchmark)
    tls: bool = False                 # a TLS listener on TLS_PORT too (certificate from a CA made in workdir)
    seed: int | None = None           # the link emulator's random numbers
    name: str = field(default_factory=unique_prefix)
    public_ip: str = PUBLIC_IPS[0]
    home: Netns = field(init=False)
    router: Netns = field(init=False)
    center: Netns = field(init=False)
    kamailios: list[Kamailio] = field(default_factory=list)
    link: LinkControl = field(init=False)
    _emu: subprocess.Popen[bytes] | None = None
    _rtpengine: subprocess.Popen[bytes] | None = None
    _logs: list[Any] = field(default_factory=list)
    hosts: dict[str, Netns] = field(default_factory=dict)  # customers' and Tier-2 desks' hosts, by address
    tls_config: KamailioTls | None = None  # with tls: the certificate, key and CA (tls_account gives the engine's)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        self.home = Netns(f"{self.name}-home")
        self.router = Netns(f"{self.name}-router")
        self.center = Netns(f"{self.name}-center")
        self.link = LinkControl(self.workdir / "link.sock")

    # ---- building and tearing down ----------------------------------------------------------------------------
    def up(self, timeout: float = 20.0) -> Rig:
        require.root("the network rig (ip netns, nftables, TUN devices)")
        require.binary("ip")
        require.binary("nft")
        require.binary("conntrack")
        require.binary("kamailio")
        if self.relay:
            require.binary("rtpengine")
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._build(timeout)
        except BaseException:
            self.down()
            raise
        return self

    def _build(self, timeout: float) -> None:
        for ns in (self.home, self.router, self.center):
            ns.create()
        # home <-> router: a LAN cable
        self.home.ip("link", "add", "eth0", "type", "veth", "peer", "name", "lan", "netns", self.router.name)
        self.home.ip("addr", "add", f"{AGENT_IP}/24", "dev", "eth0")
        self.home.ip("link", "set", "eth0", "up")
        self.home.ip("route", "add", "default", "via", ROUTER_LAN)
        self.router.ip("addr", "add", f"{ROUTER_LAN}/24", "dev", "lan")
        self.router.ip("link", "set", "lan", "up")
        # router <-> center: a TUN device on each side, joined by the link emulator
        for ns, addrs in ((self.router, [self.public_ip]), (self.center, [PRIMARY_IP, BACKUP_IP])):
            ns.ip("tuntap", "add", "dev", "wan", "mode", "tun")
            for a in addrs:
                ns.ip("addr", "add", f"{a}/32", "dev", "wan")
            ns.ip("link", "set", "wan", "up")
            ns.ip("route", "add", "default", "dev", "wan")
        self.router.sysctl("net.ipv4.ip_forward", "1")
        self.center.sysctl("net.ipv4.ip_forward", "1")
        self._nft()
        if self.udp_timeout_s is not None:
            self.set_udp_timeout(self.udp_timeout_s)
        self._start_emulator(timeout)
        kam_defines = ["WITH_NAT", f'CENTER_NET="{CENTER_NET}"', f"NATPING_INTERVAL={self.natping_s}"]
        if self.reglog:
            kam_defines.append("WITH_REGLOG")
        if self.relay:
            self._start_rtpengine(timeout)
            kam_defines += ["WITH_RTPENGINE", f'RTPENGINE_SOCK="udp:{RTPENGINE_NG}"']
        if self.tls:
            from tests.infra.certs import CENTER_NAME, TestCA

            ca = TestCA(self.workdir / "ca")
            server = ca.issue(names=(CENTER_NAME, PRIMARY_IP, BACKUP_IP))
            self.tls_config = KamailioTls(server.cert, server.key, ca=ca.path, server_name=CENTER_NAME)
        for i, ip in enumerate([PRIMARY_IP] + ([BACKUP_IP] if self.backup else [])):
            wd = self.workdir / f"kamailio-{i}"
            wd.mkdir(exist_ok=True)
            k = Kamailio(workdir=wd, auth=self.auth, host=ip, port=5060, netns=self.center,
                         defines=tuple(kam_defines), tls=self.tls_config, tls_port=TLS_PORT if self.tls else 0)
            self.kamailios.append(k)
            k.start(timeout=timeout)
        if not net.wait_until(lambda: self.home.call(net.sip_options_ping, PRIMARY_IP, 5060, 0.5, AGENT_IP),
                              timeout, interval=0.2):
            raise RuntimeError("the rig's home cannot reach the center through the router and the link")

    def _nft(self) -> None:
        table = f"agentdesk_{self.name}"
        rules = f"""
table ip {table} {{
    chain postrouting {{ type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade; }}
    chain input {{ type filter hook input priority filter; policy accept;
        iifname "wan" ct state established,related accept; iifname "wan" drop; }}
    chain forward {{ type filter hook forward priority filter; policy accept;
        iifname "wan" ct state established,related accept; iifname "wan" drop; }}
}}
"""
        res = subprocess.run([*self.router.prefix, "nft", "-f", "-"], input=rules, capture_output=True, text=True,
                             timeout=10)
        if res.returncode != 0:
            raise RuntimeError(f"nftables in the router: {res.stderr.strip()}")

    def _start_emulator(self, timeout: float) -> None:
        log = open(self.workdir / "linkemu.log", "ab")
        self._logs.append(log)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        args = [sys.executable, "-m", "tests.infra.netrig.linkemu", "--a", self.router.name, "--b",
                self.center.name, "--control", str(self.link.path)]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        self._emu = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
        assert self._emu.stdout is not None
        line = self._emu.stdout.readline()  # {"event": "ready"} once both TUNs are open
        if b"ready" not in line:
            raise RuntimeError(f"the link emulator did not start: {line!r} {self._read(self.workdir / 'linkemu.log')}")
        if not net.wait_until(lambda: self.link.path.exists(), timeout):
            raise RuntimeError("the link emulator's control socket did not appear")

    def _start_rtpengine(self, timeout: float) -> None:
        exe = require.binary("rtpengine")
        log = open(self.workdir / "rtpengine.log", "ab")
        self._logs.append(log)
        cmd = [*self.center.prefix, exe, "--config-file=none", f"--interface={PRIMARY_IP}",
               f"--listen-ng={RTPENGINE_NG}", "--port-min=30000", "--port-max=30999", "--foreground", "--log-stderr", "--table=-1",
               f"--pidfile={self.workdir / 'rtpengine.pid'}", "--log-level=6", "--num-threads=2",
               "--delete-delay=0"]
        self._rtpengine = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        host, port = RTPENGINE_NG.split(":")
        if not net.wait_until(lambda: self._rtpengine is not None and self._rtpengine.poll() is None and
                              self.center.call(_ng_ping, host, int(port)), timeout, interval=0.2):
            raise RuntimeError(f"rtpengine did not answer: {self._read(self.workdir / 'rtpengine.log')}")

    def down(self) -> None:
        """Stop everything and delete the namespaces; safe to call twice and after a failed up()."""
        for k in self.kamailios:
            with contextlib.suppress(Exception):
                k.stop()
        for proc, sig in ((self._rtpengine, signal.SIGKILL), (self._emu, signal.SIGTERM)):
            if proc is not None:
                with contextlib.suppress(Exception):
                    stop_group(proc, sig, grace=3.0)
        self._rtpengine = self._emu = None
        for ns in (self.home, self.router, self.center, *self.hosts.values()):
            with contextlib.suppress(Exception):
                ns.delete()
        self.hosts.clear()
        for log in self._logs:
            with contextlib.suppress(Exception):
                log.close()
        self._logs.clear()

    def __enter__(self) -> Rig:
        return self.up()

    def __exit__(self, *exc: Any) -> None:
        self.down()

    # ---- the parts the tests use ------------------------------------------------------------------------------
    @property
    def primary(self) -> Kamailio:
        return self.kamailios[0]

    @property
    def backup_kamailio(self) -> Kamailio:
        return self.kamailios[1]

    def registrar(self, index: int = 0, transport: str = "udp") -> str:
        ip = (PRIMARY_IP, BACKUP_IP)[index]
        if transport == "tls":
            return f"sip:{ip}:{TLS_PORT};transport=tls"
        return f"sip:{ip}:5060" + (f";transport={transport}" if transport != "udp" else "")

    def tls_settings(self) -> dict[str, str]:
        """The engine's ``sip.tls`` for this rig's centers: the provisioned CA and host name."""
        if self.tls_config is None or self.tls_config.ca is None:
            raise ValueError("this rig has no TLS listener: Rig(tls=True)")
        return {"ca": str(self.tls_config.ca), "server_name": self.tls_config.server_name}

    def host(self, ip: str) -> Netns:
        """The center-side host at ``ip`` (one of PEER_IPS), made on first use: its own namespace, a veth pair to
        the center (proxy ARP there), routes both ways."""
        if ip in self.hosts:
            return self.hosts[ip]
        if ip not in PEER_IPS:
            raise ValueError(f"{ip} is not one of the rig's peer addresses {PEER_IPS}")
        ns = Netns(f"{self.name}-h{ip.rsplit('.', 1)[1]}")
        self.hosts[ip] = ns.create()
        dev = f"h{ip.rsplit('.', 1)[1]}"
        ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", dev, "netns", self.center.name)
        ns.ip("addr", "add", f"{ip}/32", "dev", "eth0")
        ns.ip("link", "set", "eth0", "up")
        ns.ip("route", "add", "default", "dev", "eth0")
        self.center.sysctl(f"net.ipv4.conf.{dev}.proxy_arp", "1")
        self.center.ip("link", "set", dev, "up")
        self.center.ip("route", "add", f"{ip}/32", "dev", dev)
        return ns

    def engine_argv(self, where: str = "home") -> list[str]:
        """``python -m agentdesk engine`` inside the home (behind the NAT) or on a center host (a PEER_IPS
        address)."""
        ns = self.home if where == "home" else self.host(where)
        return [*ns.prefix, sys.executable, "-m", "agentdesk", "engine"]

    def set_udp_timeout(self, seconds: int) -> None:
        """The router forgets an idle UDP mapping after ``seconds``: both conntrack timeouts (a two-way flow uses
        the ``_stream`` one, 120 s by default)."""
        self.router.sysctl("net.netfilter.nf_conntrack_udp_timeout", str(seconds))
        self.router.sysctl("net.netfilter.nf_conntrack_udp_timeout_stream", str(seconds))
        self.udp_timeout_s = seconds

    def mappings(self) -> str:
        """The router's NAT table (conntrack -L), for assertions and failure reports."""
        return self.router.run("conntrack", "-L", check=False).stdout

    def impair(self, up: dict[str, Any] | None = None, down: dict[str, Any] | None = None,
               both: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.link.set(up=up, down=down, both=both)

    def cut(self) -> None:
        self.link.set(both={"down": True})

    def restore(self) -> None:
        self.link.set(both={"down": False})

    def restart_router(self, down_s: float = 3.0, new_public_ip: bool = True) -> str:
        """A home router's reboot: the LAN port goes dark, the WAN link is down for ``down_s``, every NAT mapping is
        forgotten, and (``new_public_ip``) the provider hands out another public address. Returns the new one."""
        self.router.ip("link", "set", "lan", "down")
        self.cut()
        self.router.run("conntrack", "-F", check=False)
        if new_public_ip:
            nxt = PUBLIC_IPS[(PUBLIC_IPS.index(self.public_ip) + 1) % len(PUBLIC_IPS)]
            self.router.ip("addr", "del", f"{self.public_ip}/32", "dev", "wan")
            self.router.ip("addr", "add", f"{nxt}/32", "dev", "wan")
            self.router.ip("route", "replace", "default", "dev", "wan")
            self.public_ip = nxt
        time.sleep(down_s)
        self.router.run("conntrack", "-F", check=False)  # nothing learnt while it was "booting"
        self.router.ip("link", "set", "lan", "up")
        self.restore()
        return self.public_ip

    def describe(self) -> dict[str, Any]:
        """What another process needs to act on this rig (``attach``): its names and current public address."""
        return {"workdir": str(self.workdir), "name": self.name, "public_ip": self.public_ip,
                "hosts": sorted(self.hosts)}

    @classmethod
    def attach(cls, desc: dict[str, Any]) -> Rig:
        """A handle on a rig another process keeps up (the CLI's ``up``): commands, no processes of its own."""
        rig = cls(Path(desc["workdir"]), name=desc["name"], public_ip=desc["public_ip"])
        for ns in (rig.home, rig.router, rig.center):
            ns.created = False  # not ours to delete
        return rig

    def logs(self) -> str:
        parts = [f"--- kamailio {k.host} ---\n{k.log()[-8000:]}" for k in self.kamailios]
        for name in ("linkemu.log", "rtpengine.log"):
            parts.append(f"--- {name} ---\n{self._read(self.workdir / name)[-6000:]}")
        with contextlib.suppress(Exception):
            parts.append(f"--- link ---\n{json.dumps(self.link.stats())}\n--- router mappings ---\n{self.mappings()}")
        return "\n".join(parts)

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return path.read_text(errors="replace")
        except OSError:
            return ""


def netem_command(dev: str, imp: Impairment) -> list[str]:
    """The ``tc`` line that gives ``imp`` on a kernel that has netem (the emulator's jitter is RFC 3550 jitter;
    netem's is the standard deviation of a normal distribution)."""
    cmd = ["tc", "qdisc", "replace", "dev", dev, "root", "netem", "limit", "1000"]
    if imp.delay_ms or imp.jitter_ms:
        cmd += ["delay", f"{imp.delay_ms:g}ms"]
        if imp.jitter_ms:
            cmd += [f"{imp.jitter_ms * JITTER_SIGMA:.3g}ms", "distribution", "normal"]
    if imp.burst:
        b = imp.burst
        cmd += ["loss", "gemodel", f"{b['p']:g}%", f"{b['r']:g}%", f"{b['bad_loss']:g}%", f"{b['good_loss']:g}%"]
    elif imp.loss_percent:
        cmd += ["loss", f"{imp.loss_percent:g}%"]
    if imp.reorder_percent:
        cmd += ["reorder", f"{imp.reorder_percent:g}%"]
    if imp.rate_kbit:
        cmd += ["rate", f"{imp.rate_kbit:g}kbit"]
    if imp.down:
        cmd = ["tc", "qdisc", "replace", "dev", dev, "root", "netem", "loss", "100%"]
    return cmd


def _ng_ping(host: str, port: int) -> bool:
    """rtpengine's control protocol (bencode over UDP): ``ping`` answers ``pong``."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        try:
            s.sendto(b"agentdesk d7:command4:pinge", (host, port))
            data = s.recv(4096)
        except OSError:
            return False
    return b"pong" in data
