"""Phone engine figures on loopback with real Kamailio and engines: registration, INVITE to incoming event, answer,
escalation (transfer command to INVITE at the target), registrar failover. Medians of repeated runs.

Times are taken in this process with one monotonic clock: a command's send time and the time the event that
proves the result was read from the engine's stdout (so each figure includes the JSON Lines round trip).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio
from tests.infra.proc import CpuMeter

RUNS = 5
FAILOVER_RUNS = 3


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "LOG"):
        d = root / name.lower()
        d.mkdir(exist_ok=True)
        env[f"AGENTDESK_{name}_DIR"] = str(d)
    env["AGENTDESK_DEBUG"] = ""  # production log level: SIP message tracing off
    return env


class _Lab:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = _env(root)
        self.kamailios: list[Kamailio] = []
        self.engines: list[EngineProcess] = []

    def kamailio(self) -> Kamailio:
        d = self.root / f"kamailio-{len(self.kamailios)}"
        d.mkdir()
        k = Kamailio(workdir=d).start()
        self.kamailios.append(k)
        return k

    def engine(self, name: str) -> EngineProcess:
        e = EngineProcess(self.root, env=self.env, name=f"{name}{len(self.engines)}").start()
        self.engines.append(e)
        return e

    def close(self) -> None:
        for e in self.engines:
            e.stop()
        for k in self.kamailios:
            k.stop()


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 1)


def _calls(lab: _Lab, k: Kamailio) -> dict[str, list[Any]]:
    agent = lab.engine("agent")
    customer = lab.engine("customer")
    target = lab.engine("target")
    out: dict[str, list[Any]] = {"register": [], "invite": [], "answer": [], "transfer": []}
    for i, eng in enumerate((agent, customer, target)):
        from tests.infra.engine import account_config

        eng.command(account_config(("agent1", "cust1", "escalation")[i], k,
                                   sip={"stats_interval": 0, "transfer_requests": "accept"}))
    for _ in range(RUNS):
        for eng in (agent,):
            mark = eng.mark()
            t0 = time.monotonic()
            eng.send({"cmd": "register"})
            ev = eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
            out["register"].append(ev["_t"] - t0)
            eng.command({"cmd": "unregister"})
            eng.wait_event({"event": "registration", "state": "unregistered"}, 10, after=mark)
    agent.register("agent1", k, sip={"stats_interval": 0})
    customer.command({"cmd": "register"})
    target.command({"cmd": "register"})
    customer.wait_event({"event": "registration", "state": "registered"})
    target.wait_event({"event": "registration", "state": "registered"})
    for _ in range(RUNS):
        am, cm, tm = agent.mark(), customer.mark(), target.mark()
        t0 = time.monotonic()
        ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
        inc = agent.wait_event({"event": "call", "state": "incoming"}, 10, after=am)
        out["invite"].append(inc["_t"] - t0)
        t1 = time.monotonic()
        agent.send({"cmd": "answer", "call": inc["call"]})
        con = customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10, after=cm)
        out["answer"].append(con["_t"] - t1)
        agent.wait_event({"event": "call", "call": inc["call"], "state": "connected"}, 10, after=am)
        t2 = time.monotonic()
        agent.send({"cmd": "transfer", "call": inc["call"], "target": "escalation",
                    "headers": {"X-Escalation-Ticket": "T-42"}})
        tin = target.wait_event({"event": "call", "state": "incoming"}, 10, after=tm)
        out["transfer"].append(tin["_t"] - t2)
        assert tin["headers"].get("X-Escalation-Ticket") == "T-42"
        target.command({"cmd": "answer", "call": tin["call"]})
        agent.wait_event({"event": "call", "call": inc["call"], "state": "ended"}, 10, after=am)
        target.wait_event({"event": "call", "call": tin["call"], "state": "connected"}, 10, after=tm)
        target.command({"cmd": "hangup", "call": tin["call"]})
        target.wait_event({"event": "call", "call": tin["call"], "state": "ended"}, 10, after=tm)
        time.sleep(0.2)
    # CPU and memory of the agent's engine: idle, then during one call (null audio: RTP both ways, G.722)
    proc = psutil.Process(agent.pid)
    time.sleep(2.5)  # past QUIET_AFTER_S: the loop's quiet pace, as between calls
    out["idle_cpu"] = [_cpu_percent(agent.pid, 3.0)]
    out["idle_rss"] = [proc.memory_info().rss / 2**20]
    am, cm = agent.mark(), customer.mark()
    ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
    inc = agent.wait_event({"event": "call", "state": "incoming"}, 10, after=am)
    agent.command({"cmd": "answer", "call": inc["call"]})
    customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10, after=cm)
    out["call_cpu"] = [_cpu_percent(agent.pid, 5.0)]
    out["codec"] = [agent.command({"cmd": "stats", "call": inc["call"]})["codec"]]
    customer.command({"cmd": "hangup", "call": ccall})
    agent.wait_event({"event": "call", "call": inc["call"], "state": "ended"}, 10, after=am)
    return out


def _cpu_percent(pid: int, seconds: float) -> float:
    meter = CpuMeter(pid)
    time.sleep(seconds)
    return meter.percent()


def _failover(lab: _Lab) -> list[float]:
    primary, backup = lab.kamailio(), lab.kamailio()
    eng = lab.engine("failover")
    eng.register("agent9", [primary, backup], sip={"stats_interval": 0})
    times: list[float] = []
    for _ in range(FAILOVER_RUNS):
        time.sleep(1.5)
        mark = eng.mark()
        t0 = time.monotonic()
        primary.stop(kill=True)
        ev = eng.wait_event({"event": "registration", "state": "registered", "registrar": backup.uri_for("udp")},
                            15, after=mark)
        times.append(ev["_t"] - t0)
        mark = eng.mark()
        primary.start(primary.port)
        eng.wait_event({"event": "registration", "state": "registered", "registrar": primary.uri_for("udp")},
                       20, after=mark)
    return times


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="agentdesk-bench-engine-") as tmp:
        lab = _Lab(Path(tmp))
        try:
            k = lab.kamailio()
            calls = _calls(lab, k)
            failover = _failover(lab)
        finally:
            lab.close()
    row = {"peer": None, "peer_value": None}
    return [
        {"name": f"engine: registration, command to registered (median of {RUNS})", "value": _ms(calls["register"]),
         "unit": "ms", **row, "note": "Kamailio on loopback, UDP, no auth"},
        {"name": f"engine: call command at the caller to incoming event at the agent (median of {RUNS})",
         "value": _ms(calls["invite"]), "unit": "ms", **row, "note": "engine -> Kamailio -> engine"},
        {"name": f"engine: answer command to caller connected (median of {RUNS})", "value": _ms(calls["answer"]),
         "unit": "ms", **row, "note": "includes the 200 OK's trip through Kamailio; upper bound of answer->200 sent"},
        {"name": f"engine: escalation, transfer command to INVITE at the target (median of {RUNS})",
         "value": _ms(calls["transfer"]), "unit": "ms", **row,
         "note": "REFER with X- headers, customer engine's INVITE, target's incoming event; target <= 100 ms"},
        {"name": "engine: CPU idle (registered, probing)", "value": round(calls["idle_cpu"][0], 2),
         "unit": "% of one core", **row, "note": "libHandleEvents loop + null-device bridge clock"},
        {"name": "engine: CPU during one call", "value": round(calls["call_cpu"][0], 2),
         "unit": "% of one core", **row, "note": f"{calls['codec'][0]}, null audio backend; target <= 5%"},
        {"name": "engine: memory idle (RSS)", "value": round(calls["idle_rss"][0], 1), "unit": "MB",
         "peer": None, "peer_value": None, "note": "registered, no call"},
        {"name": f"engine: registrar failover, primary killed to registered on backup (median of {FAILOVER_RUNS})",
         "value": round(statistics.median(failover), 2), "unit": "s",
         "peer": "pjsua default re-register interval", "peer_value": 300,
         "note": f"OPTIONS probe every 1 s, 2 misses, random 0-2 s pause (sip.failover_spread); "
                 f"max {max(failover):.2f} s; target <= 5 s"},
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
