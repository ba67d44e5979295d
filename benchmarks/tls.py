"""SIP over TLS (agentdesk/sip/tls_relay.py) against Kamailio's tls module on loopback, with TCP in the same run as
the peer: registration time of a fresh engine (TCP connect, TLS handshake, REGISTER, 200), the relay's handshake,
and the CPU of the relay thread and of the whole engine during a call (TLS + SRTP vs TCP without).

Each registration uses a fresh engine, so every one pays for a new connection (and, with TLS, a full handshake).
Engines run as on Windows (pjsip's own TLS off) except for the pjsip-TLS row, the Linux wheel's OpenSSL 1.0.2k.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.infra.certs import CENTER_NAME, TestCA
from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import Kamailio, KamailioTls
from tests.infra.proc import CpuMeter

RUNS = 5
CALL_S = 10.0


def _env(root: Path, pjsip_tls: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "LOG"):
        d = root / name.lower()
        d.mkdir(exist_ok=True)
        env[f"AGENTDESK_{name}_DIR"] = str(d)
    env["AGENTDESK_DEBUG"] = ""  # production log level
    env["AGENTDESK_PJSIP_TLS"] = "1" if pjsip_tls else "0"
    return env


def _register_once(root: Path, k: Kamailio, transport: str, n: int, stack: str = "python") -> tuple[float, float]:
    """A fresh engine: configure, then register -> (seconds to registered, the relay's handshake ms or nan)."""
    eng = EngineProcess(root, env=_env(root, pjsip_tls=stack == "pjsip"), name=f"{transport}-{stack}-{n}").start()
    try:
        extra: dict[str, Any] = {"probe": False, "stats_interval": 0}
        if transport == "tls":
            assert k.tls is not None and k.tls.ca is not None
            extra["tls"] = {"ca": str(k.tls.ca), "server_name": CENTER_NAME, "stack": stack}
        eng.command(account_config(f"bench{n}", k, transport=transport, sip=extra))
        mark = eng.mark()
        t0 = time.monotonic()
        eng.send({"cmd": "register"})
        ev = eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
        handshake = float("nan")
        if transport == "tls" and stack == "python":
            handshake = float(eng.wait_event({"event": "tls", "state": "connected"}, 5, after=mark)["handshake_ms"])
        return ev["_t"] - t0, handshake
    finally:
        eng.stop()


def _call_cpu(root: Path, k: Kamailio, transport: str) -> dict[str, Any]:
    """Engine CPU (and, with TLS, the relay thread's) of the agent during a CALL_S call with a customer engine."""
    env = _env(root)
    agent = EngineProcess(root, env=env, name=f"cpu-agent-{transport}").start()
    customer = EngineProcess(root, env=env, name=f"cpu-customer-{transport}").start()
    try:
        for eng, user in ((agent, "agent1"), (customer, "cust1")):
            eng.register(user, k, transport=transport, sip={"stats_interval": 0, "probe": False})
        ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
        inc = agent.wait_event({"event": "call", "state": "incoming"}, 10)
        agent.command({"cmd": "answer", "call": inc["call"]})
        customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
        time.sleep(1.0)
        relay0 = agent.command({"cmd": "tls"}).get("relay_cpu_s") if transport == "tls" else None
        meter = CpuMeter(agent.pid)
        t0 = time.monotonic()
        time.sleep(CALL_S)
        engine_pct = meter.percent()
        elapsed = time.monotonic() - t0
        out: dict[str, Any] = {"engine": engine_pct}
        stats = agent.command({"cmd": "stats", "call": inc["call"]})
        out["srtp"], out["codec"] = stats["srtp"], stats["codec"]
        if transport == "tls":
            status = agent.command({"cmd": "tls"})
            out["relay"] = 100.0 * (float(status["relay_cpu_s"]) - float(relay0 or 0.0)) / elapsed
            entry = status["registrars"][0]
            out["protocol"], out["cipher"] = entry["protocol"], entry["cipher"]
        customer.command({"cmd": "hangup", "call": ccall})
        agent.wait_event({"event": "call", "call": inc["call"], "state": "ended"}, 10)
        return out
    finally:
        agent.stop()
        customer.stop()


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def run() -> list[dict[str, Any]]:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="agentdesk-bench-tls-") as tmp:
        root = Path(tmp)
        ca = TestCA(root / "ca")
        server = ca.issue()
        (root / "kamailio").mkdir()
        k = Kamailio(workdir=root / "kamailio", tls=KamailioTls(server.cert, server.key, ca=ca.path)).start()
        try:
            times: dict[str, list[float]] = {"tcp": [], "tls": [], "pjsip": []}
            handshakes: list[float] = []
            for n in range(RUNS):  # interleaved: the machine's load hits every transport alike
                times["tcp"].append(_register_once(root, k, "tcp", n)[0])
                t, h = _register_once(root, k, "tls", n)
                times["tls"].append(t)
                handshakes.append(h)
                times["pjsip"].append(_register_once(root, k, "tls", n, stack="pjsip")[0])
            cpu_tls = _call_cpu(root, k, "tls")
            cpu_tcp = _call_cpu(root, k, "tcp")
        finally:
            k.stop()
    tcp = _ms(times["tcp"])
    note = f"Kamailio 5.6 tls module, loopback, fresh engine each time; load avg {load:.1f} on 2 cores"
    return [
        {"name": f"tls: registration over TLS 1.3 through the relay, command to registered (median of {RUNS})",
         "value": _ms(times["tls"]), "unit": "ms", "peer": "the same over TCP", "peer_value": tcp,
         "note": f"includes TCP connect, handshake and the relay's address OPTIONS; {note}"},
        {"name": f"tls: registration over pjsip's own TLS 1.2 (Linux wheel, OpenSSL 1.0.2k) (median of {RUNS})",
         "value": _ms(times["pjsip"]), "unit": "ms", "peer": "the same over TCP", "peer_value": tcp,
         "note": "not used by default: no TLS 1.3, no Windows build"},
        {"name": f"tls: TCP connect + TLS handshake in the relay (median of {RUNS})",
         "value": round(statistics.median(handshakes), 2), "unit": "ms", "peer": None, "peer_value": None,
         "note": f"{cpu_tls.get('protocol')} {cpu_tls.get('cipher')}, ECDSA P-256 certificate"},
        {"name": f"tls: relay thread CPU during a call ({CALL_S:.0f} s)", "value": round(cpu_tls["relay"], 3),
         "unit": "% of one core", "peer": None, "peer_value": None,
         "note": "signalling only: RTP never passes the relay (keep-alives, no SIP during a steady call)"},
        {"name": "tls: engine CPU during a call, TLS + SRTP", "value": round(cpu_tls["engine"], 2),
         "unit": "% of one core", "peer": "TCP, no SRTP", "peer_value": round(cpu_tcp["engine"], 2),
         "note": f"{cpu_tls['codec']}, null audio; SRTP {cpu_tls['srtp']} vs {cpu_tcp['srtp']}"},
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
