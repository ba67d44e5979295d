"""The network rig by hand (support engineers reproducing an agent's line; docs/testing.md, "The network rig").

    sudo .venv/bin/python -m tests.infra.netrig up --dir /tmp/rig [--relay] [--backup] [--tls] [--udp-timeout 30]
    sudo .venv/bin/python -m tests.infra.netrig impair --dir /tmp/rig --delay 50 --jitter 20 --loss 3
    sudo .venv/bin/python -m tests.infra.netrig impair --dir /tmp/rig --burst 1,25 --direction down
    sudo .venv/bin/python -m tests.infra.netrig cut --dir /tmp/rig      # and: restore, clear, stats, show
    sudo .venv/bin/python -m tests.infra.netrig restart-router --dir /tmp/rig --down 5
    sudo ip netns exec "$(cat /tmp/rig/home)" .venv/bin/python -m agentdesk engine

``up`` builds the rig, prints where everything is, and keeps it until Ctrl-C (then tears it down). The other
commands act on the rig that ``up`` keeps in ``--dir``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from tests.infra.netrig.linkemu import LinkControl
from tests.infra.netrig.rig import AGENT_IP, BACKUP_IP, PEER_IPS, PRIMARY_IP, Rig


def _impairment(args: argparse.Namespace) -> dict[str, Any]:
    imp: dict[str, Any] = {}
    for key, attr in (("delay_ms", "delay"), ("jitter_ms", "jitter"), ("loss_percent", "loss"),
                      ("reorder_percent", "reorder"), ("rate_kbit", "rate")):
        if getattr(args, attr) is not None:
            imp[key] = getattr(args, attr)
    if args.burst:
        parts = [float(x) for x in args.burst.split(",")]
        imp["burst"] = dict(zip(("p", "r", "bad_loss", "good_loss"), parts, strict=False))
    return imp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.infra.netrig", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    up = sub.add_parser("up", help="build the rig and keep it until Ctrl-C")
    up.add_argument("--relay", action="store_true", help="rtpengine relays the media at the center")
    up.add_argument("--backup", action="store_true", help="a backup Kamailio at " + BACKUP_IP)
    up.add_argument("--auth", action="store_true", help="digest authentication for REGISTER")
    up.add_argument("--tls", action="store_true", help="a TLS listener on port 5061 too (a CA made in --dir)")
    up.add_argument("--udp-timeout", type=int, default=None, help="the router forgets idle UDP mappings after S s")
    imp = sub.add_parser("impair", help="set the link's impairment (unset values stay)")
    imp.add_argument("--direction", choices=("both", "up", "down"), default="both",
                     help="up: home -> center, down: center -> home")
    imp.add_argument("--delay", type=float, help="one-way delay, ms")
    imp.add_argument("--jitter", type=float, help="RFC 3550 interarrival jitter, ms")
    imp.add_argument("--loss", type=float, help="random loss, percent")
    imp.add_argument("--burst", help="Gilbert-Elliott loss: p,r[,bad_loss,good_loss] in percent (e.g. 1,25)")
    imp.add_argument("--reorder", type=float, help="percent of packets sent ahead of the delayed ones")
    imp.add_argument("--rate", type=float, help="rate limit, kbit/s")
    for name, text in (("cut", "cut the link"), ("restore", "link up again"), ("clear", "no impairment at all"),
                       ("stats", "the link's counters"), ("show", "the link's settings")):
        sub.add_parser(name, help=text)
    rr = sub.add_parser("restart-router", help="the home router reboots (new public address)")
    rr.add_argument("--down", type=float, default=5.0, help="seconds the router is down")
    rr.add_argument("--same-address", action="store_true", help="keep the public address")
    for p in sub.choices.values():
        p.add_argument("--dir", type=Path, default=Path("/tmp/agentdesk-netrig"), help="the rig's directory")
    args = ap.parse_args(argv)
    state = args.dir / "rig.json"

    if args.what == "up":
        rig = Rig(args.dir, udp_timeout_s=args.udp_timeout, relay=args.relay, backup=args.backup, auth=args.auth,
                  tls=args.tls)
        rig.up()
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            state.write_text(json.dumps(rig.describe()))
            (args.dir / "home").write_text(rig.home.name)
            print(f"rig {rig.name} is up (Ctrl-C tears it down)\n"
                  f"  home namespace   {rig.home.name}   the agent's PC at {AGENT_IP}\n"
                  f"  router namespace {rig.router.name} public address {rig.public_ip}, NAT (nftables)\n"
                  f"  center namespace {rig.center.name} Kamailio {PRIMARY_IP}:5060"
                  + (f" and {BACKUP_IP}:5060" if args.backup else "") + (", rtpengine" if args.relay else "") +
                  f"\n  registrar for the agent: sip:{PRIMARY_IP}:5060 (domain agentdesk.test)\n"
                  + (f"  over TLS: sip:{PRIMARY_IP}:5061;transport=tls, sip.tls {json.dumps(rig.tls_settings())}\n"
                     if args.tls else "") +
                  f"  customers' and Tier-2 hosts: {', '.join(PEER_IPS[:3])}, ... (see docs/testing.md)\n"
                  f"  engine at home:  ip netns exec {rig.home.name} .venv/bin/python -m agentdesk engine\n"
                  f"  impair the link: python -m tests.infra.netrig impair --dir {args.dir} --loss 3", flush=True)
            stop.wait()
        finally:
            rig.down()
            state.unlink(missing_ok=True)
        return 0

    link = LinkControl(args.dir / "link.sock")
    if args.what == "impair":
        change = _impairment(args)
        if not change:
            ap.error("give at least one of --delay --jitter --loss --burst --reorder --rate")
        print(json.dumps(link.set(**{args.direction: change}), indent=1))
    elif args.what == "cut":
        print(json.dumps(link.set(both={"down": True})))
    elif args.what == "restore":
        print(json.dumps(link.set(both={"down": False})))
    elif args.what == "clear":
        print(json.dumps(link.clear()))
    elif args.what == "stats":
        print(json.dumps(link.stats(), indent=1))
    elif args.what == "show":
        print(json.dumps(link.request({"cmd": "get"}), indent=1))
    elif args.what == "restart-router":
        rig = Rig.attach(json.loads(state.read_text()))
        print("new public address", rig.restart_router(args.down, new_public_ip=not args.same_address))
        state.write_text(json.dumps(rig.describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
