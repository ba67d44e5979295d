"""A shift of calls in a row: RSS, open file descriptors and threads of the engine and of the UI side, sampled.

The agent's engine is the real ``agentdesk engine`` with the headset backend on the virtual headset (PulseAudio
null sinks), started and driven by the UI process's own engine-facing part, :class:`EngineSupervisor`, in this
process (the "UI side": a headless harness, so the figure is the engine and the supervisor's, not the Qt screens';
benchmarks/desk.py measures the desk's memory during calls). A second engine (files backend, a WAV of clicks) is
the customer; both register at a real Kamailio on loopback. Each call: the customer dials, the agent answers,
they talk (2-5 s), the agent holds and resumes once, talks a little more, and hangs up.

    python -m benchmarks.soak                 # 500 calls (AGENTDESK_SOAK_CALLS to change), prints the rows
    tests/e2e/test_soak.py                    # 50 short calls in CI: no file-descriptor or thread growth
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from agentdesk.sip import protocol as P  # noqa: E402
from agentdesk.sip.supervisor import EngineSupervisor  # noqa: E402
from tests.infra.engine import EngineProcess, account_config  # noqa: E402
from tests.infra.kamailio import Kamailio  # noqa: E402
from tests.infra.pulse import VirtualHeadset  # noqa: E402

HEADSET = "ALSA:agentdesk_headset"


@dataclass
class Sample:
    call: int  # calls completed when sampled
    engine_rss_mb: float
    engine_fds: int
    engine_threads: int
    ui_rss_mb: float
    ui_fds: int
    ui_threads: int


@dataclass
class SoakResult:
    samples: list[Sample] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0
    call_seconds: list[float] = field(default_factory=list)
    audio_stats: dict[str, Any] = field(default_factory=dict)

    def growth(self, attr: str, warmup: int) -> float:
        """Last sample minus the first one taken after ``warmup`` calls (pools and caches fill on the first)."""
        base = next(s for s in self.samples if s.call >= warmup)
        return float(getattr(self.samples[-1], attr) - getattr(base, attr))


def _proc_figures(pid: int) -> tuple[float, int, int]:
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd")), len(os.listdir(f"/proc/{pid}/task"))


class AgentSide:
    """The UI process's view of its engine: the supervisor, events collected for bounded waits."""

    def __init__(self, env: dict[str, str], argv: list[str] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        self.sup = EngineSupervisor(self._on_event, argv=argv, env=env, restart=False)

    def _on_event(self, event: P.Event) -> None:
        with self.cond:
            self.events.append(event.to_json())  # the wire form, as the engine wrote it
            del self.events[:-200]  # a shift's worth of events must not be what grows here
            self.cond.notify_all()

    def request(self, cmd: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        reply = self.sup.request(P.decode_command(cmd), timeout).to_json()
        if not reply.get("ok", False):
            raise RuntimeError(f"{cmd.get('cmd')}: {reply}")
        return reply

    def wait(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.events:
                    if match(e):
                        self.events.remove(e)
                        return e
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching engine event within {timeout} s; last: {self.events[-5:]}")
                self.cond.wait(left)


def _call_event(number: Any, state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("event") == "call" and e.get("state") == state and (number is None or
                                                                              e.get("call") == number)


def run_soak(calls: int, talk_s: tuple[float, float] = (2.0, 5.0), sample_every: int = 10,
             workdir: Path | None = None, seed: int = 20, engine_argv: list[str] | None = None,
             progress: Callable[[Sample], None] | None = None) -> SoakResult:
    """``calls`` calls in a row; samples every ``sample_every`` calls (and before the first)."""
    from benchmarks.audio import _clicks
    from tests.audio.speech import write_wav

    rnd = random.Random(seed)
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="agentdesk-soak-")) if workdir is None else workdir
    for name in ("config", "data", "log", "kamailio", "pulse"):
        (work / name).mkdir(parents=True, exist_ok=True)
    headset = VirtualHeadset(workdir=work / "pulse").start()
    env = dict(os.environ, **headset.env, AGENTDESK_DEBUG="",  # production log level: no SIP message tracing
               AGENTDESK_CONFIG_DIR=str(work / "config"), AGENTDESK_DATA_DIR=str(work / "data"),
               AGENTDESK_LOG_DIR=str(work / "log"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    kamailio = Kamailio(workdir=work / "kamailio").start()
    customer = EngineProcess(work, env=env, name="soak-customer")
    agent = AgentSide(env, engine_argv)
    result = SoakResult()
    try:
        customer.start()
        far = write_wav(work / "customer.wav", _clicks(30.0))
        customer.register("cust1", kamailio, audio={"backend": "files", "play": str(far)},
                          sip={"stats_interval": 0})
        agent.sup.start()
        agent.wait(lambda e: e.get("event") == "engine" and e.get("state") == "ready", 20)
        agent.request(account_config("agent1", kamailio, audio={"backend": "devices", "call_device": HEADSET},
                                     sip={"stats_interval": 0}))
        agent.request({"cmd": "register"})
        agent.wait(lambda e: e.get("event") == "registration" and e.get("state") == "registered", 15)
        agent.wait(lambda e: e.get("event") == "audio_device" and e.get("state") == "active", 15)
        engine_pid = agent.sup.pid
        assert engine_pid is not None

        def sample(done: int) -> None:
            e = _proc_figures(engine_pid)
            u = _proc_figures(os.getpid())
            s = Sample(done, round(e[0], 1), e[1], e[2], round(u[0], 1), u[1], u[2])
            result.samples.append(s)
            if progress is not None:
                progress(s)

        time.sleep(1.0)
        sample(0)
        started = time.monotonic()
        for i in range(calls):
            t0 = time.monotonic()
            with customer.cond:  # the test driver keeps every event; a shift's worth is not the UI side's growth
                customer.events.clear()
            mark = customer.mark()
            ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
            inc = agent.wait(_call_event(None, "incoming"), 10)
            number = inc["call"]
            agent.request({"cmd": "answer", "call": number})
            agent.wait(_call_event(number, "connected"), 10)
            customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10, after=mark)
            talk = rnd.uniform(*talk_s)
            time.sleep(talk * 0.7)
            agent.request({"cmd": "hold", "call": number})
            agent.wait(_call_event(number, "held"), 10)
            agent.request({"cmd": "unhold", "call": number})
            agent.wait(_call_event(number, "connected"), 10)
            time.sleep(talk * 0.3)
            agent.request({"cmd": "hangup", "call": number})
            agent.wait(_call_event(number, "ended"), 10)
            customer.wait_event({"event": "call", "call": ccall, "state": "ended"}, 10, after=mark)
            result.call_seconds.append(time.monotonic() - t0)
            result.calls = i + 1
            if (i + 1) % sample_every == 0 or i + 1 == calls:
                if i + 1 == calls:
                    result.audio_stats = agent.request({"cmd": "audio_stats"})
                    time.sleep(1.5)  # past the streams' linger: the engine is idle again, as between calls
                sample(i + 1)
        result.seconds = time.monotonic() - started
    finally:
        agent.sup.stop()
        customer.stop()
        kamailio.stop()
        headset.stop()
        if own:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    return result


def run() -> list[dict[str, Any]]:
    calls = int(os.environ.get("AGENTDESK_SOAK_CALLS", "500"))
    res = run_soak(calls, progress=lambda s: print(f"soak: {s}", file=sys.stderr, flush=True))
    warm = 10 if calls >= 50 else 1
    first, last = res.samples[0], res.samples[-1]
    per_call = statistics.median(res.call_seconds)
    note = (f"{res.calls} calls in {res.seconds / 60:.1f} min (median {per_call:.1f} s: answer, talk 2-5 s, hold "
            f"and resume, hang up), headset backend on the virtual headset, Kamailio, a customer engine; growth "
            f"from call {warm} to the last; from before the first call: engine "
            f"{last.engine_rss_mb - first.engine_rss_mb:+.1f} MB, UI side {last.ui_rss_mb - first.ui_rss_mb:+.1f} MB")
    row = {"peer": "target", "peer_value": 10}
    return [
        {"name": f"soak: engine RSS growth over {res.calls} calls", "value": round(res.growth("engine_rss_mb", warm), 1),
         "unit": "MB", **row, "note": f"{first.engine_rss_mb} -> {last.engine_rss_mb} MB; {note}"},
        {"name": f"soak: UI side (supervisor) RSS growth over {res.calls} calls",
         "value": round(res.growth("ui_rss_mb", warm), 1), "unit": "MB", **row,
         "note": f"{first.ui_rss_mb} -> {last.ui_rss_mb} MB (this harness process)"},
        {"name": f"soak: engine open files / threads, growth over {res.calls} calls",
         "value": f"{res.growth('engine_fds', warm):+.0f} / {res.growth('engine_threads', warm):+.0f}", "unit": "",
         "peer": None, "peer_value": None,
         "note": f"fds {first.engine_fds} -> {last.engine_fds}, threads {first.engine_threads} -> "
                 f"{last.engine_threads}; UI side fds {first.ui_fds} -> {last.ui_fds}, threads {first.ui_threads} "
                 f"-> {last.ui_threads}; audio errors {res.audio_stats.get('errors')}"},
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
