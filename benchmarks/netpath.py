"""Speech quality on an impaired line, ours beside baresip, and the self-check's figures against the truth.

The network rig (tests/infra/netrig, root): two senders at the center (baresip on two center hosts, playing
recorded human speech: tests/audio/speech.py clip B, ~7 s) answer two calls at once from the agent's home behind
the NAT: one from our engine (files backend: it records what it hears), one from baresip (its ``sndfile`` recording of
what it hears), both G.722, both through the center's media relay (rtpengine: baresip at home has no answer to the
private address in its own SDP, so the relay latches for both). The impairment is on the link's ``down``
direction (center -> home), so what is scored is each receiver's jitter buffer and packet-loss concealment on the
same packets' path, in the same seconds. ViSQOL (speech mode, tests/audio/scoring.py) of each recording against
the clip, aligned first. baresip runs its shipped jitter buffer (``jitter_buffer_delay 5-10`` frames, the
config template of baresip 1.0).

Then the self-check (``agentdesk check --only network``, run at home, 200 probes and the 20-second echo call to a
SIPp echo at the center) on a few line settings (both directions): reported RTT, jitter, loss and MOS beside the
configured figures (``peer`` = configured; the E-model of the true figures for the MOS).

Run: ``python -m benchmarks --only netpath`` (~5.5 minutes; root). ``AGENTDESK_NETPATH_CONDITIONS=0,2`` (a few
lines), ``AGENTDESK_NETPATH_SELFCHECK=0``, ``AGENTDESK_NETPATH_REPEATS=N`` (calls per line, default 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from tests.infra.baresip import Baresip
from tests.infra.engine import EngineProcess
from tests.infra.netrig import AGENT_IP, PEER_IPS, PRIMARY_IP, Rig
from tests.infra.netrig.parties import agent_configure

ROOT = Path(__file__).resolve().parents[1]
RATE = 16000
CODEC = "G722"
BARESIP_CODEC = "G722/16000/1"  # baresip names it by its audio rate
REPEATS = int(os.environ.get("AGENTDESK_NETPATH_REPEATS", "2"))  # calls per condition and receiver (ViSQOL of one
# ~7 s call varies by about +-0.1 from call to call on the same line)
CONDITIONS_ONLY = os.environ.get("AGENTDESK_NETPATH_CONDITIONS")  # "0,3": a few of them (tuning runs)
CONDITIONS: list[tuple[str, dict[str, Any]]] = [
    ("clean", {}),
    ("50 ms delay", {"delay_ms": 50}),
    ("20 ms jitter (50 ms delay)", {"delay_ms": 50, "jitter_ms": 20}),
    ("1 % loss", {"loss_percent": 1}),
    ("3 % loss", {"loss_percent": 3}),
    ("bursts (GE p 1 %, r 25 %: ~3.8 %, 4-packet bursts)", {"burst": {"p": 1, "r": 25}}),
]
SELFCHECK_LINES: list[tuple[float, float, float]] = [(20.0, 2.0, 0.0), (40.0, 8.0, 3.0), (80.0, 20.0, 1.0)]
ECHO_SCENARIO = ROOT / "tests" / "checks" / "sipp" / "echo_uas.xml"


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def _row(name: str, value: Any, unit: str, peer: str | None = None, peer_value: Any = None, note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "peer": peer, "peer_value": peer_value, "note": note}


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ, AGENTDESK_DEBUG="", PYTHONPATH=str(ROOT))
    for name in ("CONFIG", "DATA", "LOG"):
        d = root / name.lower()
        d.mkdir(exist_ok=True)
        env[f"AGENTDESK_{name}_DIR"] = str(d)
    return env


def _score(ref: np.ndarray, path: Path) -> float | None:
    from tests.audio.scoring import align, load_wav, visqol

    if not path.exists():
        return None
    y, rate = load_wav(path)
    if rate != RATE:
        import soxr

        y = soxr.resample(y, rate, RATE, quality="VHQ").astype(np.float32)
    if len(y) < len(ref):
        return None
    r, d, _lag = align(ref, y)
    return round(visqol(r, d), 2)


def _one_condition(rig: Rig, work: Path, env: dict[str, str], i: int,
                   ref: np.ndarray) -> tuple[float | None, float | None, dict[str, Any]]:
    """Both receivers call the senders at once; returns (ours, baresip's) ViSQOL and our call's figures."""
    from tests.audio.speech import write_wav

    ours_wav = work / f"ours-{i}.wav"
    quiet = work / "quiet.wav"  # what the receivers send: silence at G.722's rate (baresip's aufile needs it)
    if not quiet.exists():
        write_wav(quiet, np.zeros(RATE * 60, np.float32))
    eng = EngineProcess(work, env=env, name=f"agent{i}", argv=rig.engine_argv("home")).start(timeout=30)
    peer = Baresip(work / f"peer{i}", user=f"peer{i}", host=AGENT_IP, port=5070 + i, netns=rig.home,
                   codecs=BARESIP_CODEC, source=quiet,
                   registrar=f"sip:{PRIMARY_IP}:5060", record_dir=work / f"peer{i}-rec", jitter_buffer="5-10",
                   extra_modules=("g722",))
    stats: dict[str, Any] = {}
    try:
        (work / f"peer{i}").mkdir(exist_ok=True)
        peer.start()
        configure = agent_configure(rig, f"agent{i}", record=ours_wav)
        configure["account"]["codecs"] = [CODEC]
        eng.command(configure, timeout=20)
        mark = eng.mark()
        eng.command({"cmd": "register"})
        eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
        time.sleep(1.0)  # baresip's REGISTER (through the NAT) is done by now
        call = eng.command({"cmd": "call", "uri": f"sip:sender@{PEER_IPS[0]}:5060"})["call"]
        peer.dial(f"sip:sender@{PEER_IPS[1]}:5060")
        eng.wait_event({"event": "call", "call": call, "state": "connected"}, 15)
        # the sender hangs up when its clip ends (1 s of silence, the speech, 1.5 s of silence)
        time.sleep(len(ref) / RATE + 1.0)
        with contextlib.suppress(Exception):
            stats = eng.command({"cmd": "stats", "call": call})
        eng.wait_event({"event": "call", "call": call, "state": "ended"}, 20)
    finally:
        with contextlib.suppress(Exception):
            eng.stop(timeout=5)  # the recorder's WAV header is finished when the engine closes it
        peer.stop()
    recs = peer.recordings("dec")
    return _score(ref, ours_wav), (_score(ref, recs[-1]) if recs else None), stats


def _speech_rows(root: Path) -> list[dict[str, Any]]:
    from tests.audio.speech import human_speech, write_wav

    work = root / "speech"
    work.mkdir()
    env = _env(root)
    ref = human_speech("B")
    silence = np.zeros(RATE, np.float32)
    source = write_wav(work / "clip.wav", np.concatenate([silence, ref, silence, silence[: RATE // 2]]))
    rig = Rig(root / "rig-speech", relay=True, seed=17)
    rows: list[dict[str, Any]] = []
    try:
        rig.up()
        # one sender per receiver (baresip auto-answers only while it has no call), on two center hosts
        senders = [Baresip(work / f"sender{n}", user="sender", host=PEER_IPS[n], netns=rig.host(PEER_IPS[n]),
                           codecs=BARESIP_CODEC, source=source, extra_modules=("g722",)).start()
                   for n in (0, 1)]
        try:
            for i, (name, imp) in enumerate(CONDITIONS):
                if CONDITIONS_ONLY and str(i) not in CONDITIONS_ONLY.split(","):
                    continue
                rig.link.clear()
                if imp:
                    rig.impair(down=imp)
                runs = [_one_condition(rig, work, env, i * REPEATS + k, ref) for k in range(REPEATS)]
                ours = [r[0] for r in runs if r[0] is not None]
                theirs = [r[1] for r in runs if r[1] is not None]
                rows.append(_row(
                    f"speech {CODEC}, {name} (center -> home)", _mean(ours), "ViSQOL MOS", "baresip 1.0",
                    _mean(theirs), f"mean of {REPEATS} calls each: ours {ours}, baresip {theirs}; our calls' loss "
                                   f"{[r[2].get('loss_percent') for r in runs]} %, jitter "
                                   f"{[r[2].get('jitter_ms') for r in runs]} ms"))
        finally:
            for sender in senders:
                sender.stop()
    finally:
        rig.down()
    return rows


def _selfcheck_rows(root: Path) -> list[dict[str, Any]]:
    from agentdesk.sip import quality
    from tests.infra.sipp import Sipp

    rows: list[dict[str, Any]] = []
    env = _env(root)
    for n, (delay, jitter, loss) in enumerate(SELFCHECK_LINES):
        work = root / f"check{n}"
        work.mkdir()
        rig = Rig(root / f"rig-check{n}", seed=7 + n)
        try:
            rig.up()
            rig.impair(both={"delay_ms": delay, "jitter_ms": jitter, "loss_percent": loss})
            echo = Sipp(scenario=str(ECHO_SCENARIO), workdir=work, host=PEER_IPS[2], netns=rig.host(PEER_IPS[2]),
                        args=["-m", "1", "-mp", "30000", "-rtp_echo"]).start()
            try:
                out = subprocess.run([*rig.home.prefix, sys.executable, "-m", "agentdesk", "check", "--only",
                                      "network", "--center", f"{PRIMARY_IP}:5060", "--echo-target",
                                      f"sip:echo@{PEER_IPS[2]}:5060", "--json"], capture_output=True, text=True,
                                     timeout=120, env=env, cwd=work)
            finally:
                echo.stop()
        finally:
            rig.down()
        report = json.loads(out.stdout)
        net = next(c for c in report["checks"] if c["name"] == "network")
        d = net["details"]
        e = d.get("echo") or {}
        truth = quality.estimate(2 * delay, jitter, loss, "PCMU")
        line = f"line {delay:g} ms/{jitter:g} ms jitter/{loss:g} % each way"
        ci = d.get("loss_ci95_percent")
        rows += [
            _row(f"self-check RTT, {line}", d.get("rtt_ms"), "ms", "configured", 2 * delay,
                 f"median of {d.get('probes')} probes"),
            _row(f"self-check jitter, {line}", d.get("jitter_ms"), "ms", "configured", jitter,
                 f"echo call: {e.get('jitter_ms')} ms"),
            _row(f"self-check loss, {line}", d.get("loss_percent"), "%", "configured", loss,
                 f"95 % interval {ci}; echo call {e.get('loss_percent')} % of {e.get('rx_packets')} packets"),
            _row(f"self-check MOS, {line}", d.get("mos"), "MOS", "E-model of the configured line",
                 round(truth.mos, 2), f"status {net['status']}; echo call MOS {e.get('mos')}"),
        ]
    return rows


def run() -> list[dict[str, Any]]:
    root = Path(tempfile.mkdtemp(prefix="agentdesk-netpath-"))
    rows = _speech_rows(root)
    if os.environ.get("AGENTDESK_NETPATH_SELFCHECK", "1") != "0":
        rows += _selfcheck_rows(root)
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
