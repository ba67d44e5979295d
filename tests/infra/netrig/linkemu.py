"""The rig's "internet": a user-space link emulator between two TUN devices in two network namespaces.

The kernels of the machines this project runs on have no netem qdisc (``tc qdisc add ... netem`` answers "Specified
qdisc kind is unknown"), so the rig carries the home router's WAN traffic through this process: it holds the TUN
device ``wan`` in the router's namespace (side ``a``) and the one in the center's namespace (side ``b``), and moves
every IP packet from one to the other after the configured impairment of that direction:

- ``up``: from the router (the agent's home) to the center; ``down``: from the center to the home;
- ``delay_ms``: fixed one-way delay;
- ``jitter_ms``: the RFC 3550 interarrival jitter a steady stream measures on this line. Each packet gets an extra
  delay drawn from a normal distribution with standard deviation ``jitter_ms * sqrt(pi) / 2`` (the mean absolute
  difference of two such draws is ``jitter_ms``), so packets can overtake each other, as with netem;
- ``loss_percent``: independent (Bernoulli) loss;
- ``burst``: Gilbert-Elliott loss (netem's ``gemodel p r 1-h 1-k``): ``{"p": %, "r": %, "bad_loss": %,
  "good_loss": %}`` — the chance per packet of moving good->bad (p) and bad->good (r), and the loss in each state.
  Average loss = p/(p+r) * bad_loss + r/(p+r) * good_loss; mean burst length 1/r packets (with bad_loss 100 %);
- ``reorder_percent``: that share of packets leaves at once, ahead of the delayed ones (netem's ``reorder``);
- ``rate_kbit``: serialization at that rate with a 1000-packet queue (0: unlimited);
- ``down``: the link is cut (every packet dropped) — a cable pulled, a router rebooting.

Control: JSON lines on a UNIX socket (one request, one reply per connection; ``LinkControl`` below):
``{"cmd": "set", "up": {...}, "down": {...}}`` (a direction left out keeps its settings; ``"both"`` sets the two),
``{"cmd": "get"}``, ``{"cmd": "stats", "reset": false}``, ``{"cmd": "quit"}``.

Run: ``python -m tests.infra.netrig.linkemu --a NS_A --b NS_B --control PATH [--tun wan] [--seed N]``
(root: it opens /dev/net/tun inside both namespaces). Our own code, Python only; one thread.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import heapq
import json
import math
import os
import random
import selectors
import signal
import socket
import struct
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
QUEUE_LIMIT = 1000  # packets waiting for the serializer (rate_kbit) before tail drop
JITTER_SIGMA = math.sqrt(math.pi) / 2  # sd of the normal extra delay per ms of RFC 3550 jitter


@dataclass
class Impairment:
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    loss_percent: float = 0.0
    burst: dict[str, float] | None = None
    reorder_percent: float = 0.0
    rate_kbit: float = 0.0
    down: bool = False

    @classmethod
    def parse(cls, data: dict[str, Any], base: Impairment | None = None) -> Impairment:
        """``data`` updates ``base`` (or the defaults); unknown keys and out-of-range values are refused."""
        out = Impairment(**asdict(base)) if base is not None else Impairment()
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown impairment {key!r} (known: {', '.join(sorted(known))})")
            if key == "down":
                out.down = bool(value)
            elif key == "burst":
                out.burst = None if value in (None, False) else _burst(value)
            else:
                number = float(value)
                if number < 0 or (key.endswith("percent") and number > 100):
                    raise ValueError(f"{key} out of range: {value!r}")
                setattr(out, key, number)
        return out

    @property
    def average_loss_percent(self) -> float:
        """The long-run share of packets this direction loses (Bernoulli and Gilbert-Elliott combined)."""
        ge = 0.0
        if self.burst:
            p, r = self.burst["p"] / 100, self.burst["r"] / 100
            bad = p / (p + r) if p + r else 0.0
            ge = bad * self.burst["bad_loss"] / 100 + (1 - bad) * self.burst["good_loss"] / 100
        return 100 * (1 - (1 - self.loss_percent / 100) * (1 - ge))


def _burst(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError('burst must be {"p": %, "r": %, "bad_loss": %, "good_loss": %}')
    out = {"p": float(value.get("p", 0)), "r": float(value.get("r", 100)),
           "bad_loss": float(value.get("bad_loss", 100)), "good_loss": float(value.get("good_loss", 0))}
    if any(not 0 <= v <= 100 for v in out.values()) or out["r"] == 0:
        raise ValueError(f"burst percentages must be 0-100 and r > 0: {value!r}")
    return out


@dataclass
class Counters:
    received: int = 0
    delivered: int = 0
    lost: int = 0        # Bernoulli
    lost_burst: int = 0  # Gilbert-Elliott
    lost_cut: int = 0    # the link was down
    lost_queue: int = 0  # the serializer's queue was full
    reordered: int = 0   # delivered before a packet that arrived earlier
    bytes: int = 0


@dataclass
class Direction:
    """One direction of the link: its impairment, its loss state and its counters."""

    name: str
    rng: random.Random
    imp: Impairment = field(default_factory=Impairment)
    counters: Counters = field(default_factory=Counters)
    bad_state: bool = False
    busy_until: float = 0.0
    queued: int = 0
    arrivals: int = 0
    last_delivered_arrival: int = -1

    def admit(self, now: float, size: int) -> float | None:
        """The time this packet leaves the link, or None when it is lost."""
        c = self.counters
        c.received += 1
        imp = self.imp
        if imp.down:
            c.lost_cut += 1
            return None
        if imp.burst:
            b = imp.burst
            if self.bad_state:
                if self.rng.random() * 100 < b["r"]:
                    self.bad_state = False
            elif self.rng.random() * 100 < b["p"]:
                self.bad_state = True
            if self.rng.random() * 100 < (b["bad_loss"] if self.bad_state else b["good_loss"]):
                c.lost_burst += 1
                return None
        if imp.loss_percent and self.rng.random() * 100 < imp.loss_percent:
            c.lost += 1
            return None
        start = now
        if imp.rate_kbit > 0:
            if self.queued >= QUEUE_LIMIT:
                c.lost_queue += 1
                return None
            start = max(now, self.busy_until) + size * 8 / (imp.rate_kbit * 1000)
            self.busy_until = start
        if imp.reorder_percent and self.rng.random() * 100 < imp.reorder_percent:
            return start
        delay = imp.delay_ms
        if imp.jitter_ms:
            delay += self.rng.gauss(0.0, imp.jitter_ms * JITTER_SIGMA)
        return start + max(0.0, delay) / 1000


def open_tun(netns: str, name: str) -> int:
    """Open the (persistent) TUN device ``name`` inside network namespace ``netns``; the fd stays attached to it
    after this process returns to its own namespace."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
    try:
        os.setns(target, os.CLONE_NEWNET)
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
        return fd
    finally:
        os.setns(own, os.CLONE_NEWNET)
        os.close(own)
        os.close(target)


class LinkEmulator:
    def __init__(self, fd_a: int, fd_b: int, control: Path, seed: int | None = None) -> None:
        rng = random.Random(seed)
        self.fds = {"up": (fd_a, fd_b), "down": (fd_b, fd_a)}  # direction -> (read from, write to)
        self.dirs = {"up": Direction("up", random.Random(rng.random())),
                     "down": Direction("down", random.Random(rng.random()))}
        self.heap: list[tuple[float, int, str, int, bytes]] = []
        self.seq = 0
        self.control_path = control
        self.quit = False
        self.started = time.monotonic()

    def run(self) -> None:
        sel = selectors.DefaultSelector()
        with contextlib.suppress(FileNotFoundError):
            self.control_path.unlink()
        ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ctl.bind(str(self.control_path))
        ctl.listen(8)
        ctl.setblocking(False)
        sel.register(ctl, selectors.EVENT_READ, "control")
        sel.register(self.fds["up"][0], selectors.EVENT_READ, "up")
        sel.register(self.fds["down"][0], selectors.EVENT_READ, "down")
        print(json.dumps({"event": "ready", "pid": os.getpid()}), flush=True)
        while not self.quit:
            now = time.monotonic()
            timeout = None if not self.heap else max(0.0, self.heap[0][0] - now)
            for key, _ in sel.select(timeout if timeout is None else min(timeout, 1.0)):
                if key.data == "control":
                    self._control(ctl)
                else:
                    self._receive(key.data)
            self._deliver(time.monotonic())
        ctl.close()
        with contextlib.suppress(FileNotFoundError):
            self.control_path.unlink()

    def _receive(self, name: str) -> None:
        src, _ = self.fds[name]
        d = self.dirs[name]
        for _ in range(64):  # drain what is there, bounded
            try:
                pkt = os.read(src, 65535)
            except BlockingIOError:
                return
            except OSError:
                return
            now = time.monotonic()
            at = d.admit(now, len(pkt))
            if at is None:
                continue
            if d.imp.rate_kbit > 0:
                d.queued += 1
            self.seq += 1
            heapq.heappush(self.heap, (at, self.seq, name, d.arrivals, pkt))
            d.arrivals += 1

    def _deliver(self, now: float) -> None:
        while self.heap and self.heap[0][0] <= now:
            _, _, name, arrival, pkt = heapq.heappop(self.heap)
            d = self.dirs[name]
            if d.imp.rate_kbit > 0 and d.queued:
                d.queued -= 1
            if d.imp.down:  # cut while in flight
                d.counters.lost_cut += 1
                continue
            if arrival < d.last_delivered_arrival:
                d.counters.reordered += 1
            d.last_delivered_arrival = max(d.last_delivered_arrival, arrival)
            with contextlib.suppress(OSError):  # the far side's device may be gone (router restarting)
                os.write(self.fds[name][1], pkt)
                d.counters.delivered += 1
                d.counters.bytes += len(pkt)

    def _control(self, ctl: socket.socket) -> None:
        try:
            conn, _ = ctl.accept()
        except BlockingIOError:
            return
        with conn:
            conn.settimeout(2.0)
            try:
                data = b""
                while not data.endswith(b"\n") and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                reply = self.handle(json.loads(data.decode() or "{}"))
            except Exception as exc:  # a bad request gets an answer, never takes the link down
                reply = {"ok": False, "error": str(exc)}
            with contextlib.suppress(OSError):
                conn.sendall((json.dumps(reply) + "\n").encode())

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        cmd = req.get("cmd")
        if cmd == "set":
            new = {}
            for name in ("up", "down"):
                change = dict(req.get("both") or {}, **(req.get(name) or {}))
                new[name] = Impairment.parse(change, self.dirs[name].imp) if change else self.dirs[name].imp
            for name, imp in new.items():  # all or nothing
                self.dirs[name].imp = imp
            return {"ok": True, **self._settings()}
        if cmd == "get":
            return {"ok": True, **self._settings()}
        if cmd == "stats":
            out = {"ok": True, "uptime_s": round(time.monotonic() - self.started, 3),
                   **{name: asdict(d.counters) for name, d in self.dirs.items()}}
            if req.get("reset"):
                for d in self.dirs.values():
                    d.counters = Counters()
            return out
        if cmd == "quit":
            self.quit = True
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    def _settings(self) -> dict[str, Any]:
        return {name: asdict(d.imp) for name, d in self.dirs.items()}


class LinkControl:
    """The client side of the control socket (tests, the rig's CLI)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def request(self, req: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(self.path))
            s.sendall((json.dumps(req) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        reply = json.loads(data.decode())
        if not reply.get("ok"):
            raise ValueError(reply.get("error", "link emulator refused the request"))
        return reply

    def set(self, up: dict[str, Any] | None = None, down: dict[str, Any] | None = None,
            both: dict[str, Any] | None = None) -> dict[str, Any]:
        req: dict[str, Any] = {"cmd": "set"}
        for key, value in (("up", up), ("down", down), ("both", both)):
            if value is not None:
                req[key] = value
        return self.request(req)

    def clear(self) -> dict[str, Any]:
        """Back to a clean line (no delay, no loss, link up)."""
        return self.request({"cmd": "set", "both": asdict(Impairment())})

    def stats(self, reset: bool = False) -> dict[str, Any]:
        return self.request({"cmd": "stats", "reset": reset})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.infra.netrig.linkemu", description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="network namespace of side a (the home router)")
    ap.add_argument("--b", required=True, help="network namespace of side b (the center)")
    ap.add_argument("--tun", default="wan", help="name of the TUN device in both namespaces")
    ap.add_argument("--control", required=True, type=Path, help="path of the control socket")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    fd_a = open_tun(args.a, args.tun)
    fd_b = open_tun(args.b, args.tun)
    emu = LinkEmulator(fd_a, fd_b, args.control, args.seed)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # interrupts the wait at once
    with contextlib.suppress(PermissionError, OSError):
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))  # the link's timing should not be the noise
    try:
        emu.run()
    finally:
        with contextlib.suppress(FileNotFoundError):
            emu.control_path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
