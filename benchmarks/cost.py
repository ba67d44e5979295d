"""The headset path's cost (issue 20), each figure beside its peer in the same run:

- the real ``agentdesk engine`` with the headset backend on the virtual headset, answering a customer engine
  through Kamailio (G.722; noise suppression and AGC on, as shipped): % of one core during a call and idle
  (registered, between calls), against baresip in a call on the same ALSA device; three rounds, ours and
  baresip's interleaved, medians (the machine is shared: CPU figures are noisy, the pairing is what counts);
- the real app offscreen with the practice center and the virtual headset, 10 s after it started: RSS of the UI
  process and of its engine, measured from outside, against a bare PySide6 window in the same run.

    python -m benchmarks.cost
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.audio import _baresip, _clicks, _engine_cpu  # noqa: E402
from benchmarks.startup import BARE_WINDOW  # noqa: E402
from tests.audio.speech import write_wav  # noqa: E402
from tests.infra.pulse import VirtualHeadset, headset_in_environment  # noqa: E402

ROUNDS = 3
IDLE_S = 10.0


def _row(name: str, value: Any, unit: str, peer: str | None = None, peer_value: Any = None,
         note: str = "") -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "peer": peer, "peer_value": peer_value, "note": note}


def _cpu(headset: VirtualHeadset, work: Path, seconds: float) -> dict[str, list[float]]:
    headset.pactl("load-module", "module-combine-sink", "sink_name=bench_both",
                  "slaves=agentdesk_mic_feed,agentdesk_call")
    clicks = write_wav(work / "clicks.wav", _clicks(seconds))
    out: dict[str, list[float]] = {"call": [], "idle": [], "baresip": []}
    for i in range(ROUNDS):
        (work / f"round{i}").mkdir()
        ours = _engine_cpu(headset, work / f"round{i}", seconds)
        out["call"].append(ours["call"])
        out["idle"].append(ours["idle"])
        _rtt, peer = _baresip(headset, clicks, seconds, work / f"round{i}")
        if peer is not None:
            out["baresip"].append(peer)
    return out


def _app_memory(headset: VirtualHeadset, work: Path) -> dict[str, float]:
    env = {**os.environ, **headset.env, "QT_QPA_PLATFORM": "offscreen"}
    for name in ("CONFIG", "DATA", "LOG"):
        (work / name.lower()).mkdir()
        env[f"AGENTDESK_{name}_DIR"] = str(work / name.lower())
    proc = subprocess.Popen([sys.executable, "-m", "agentdesk"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    try:
        ui = psutil.Process(proc.pid)
        engine = None
        end = time.monotonic() + 30
        while engine is None and time.monotonic() < end:
            kids = [c for c in ui.children(recursive=True) if "engine" in c.cmdline()]
            engine = kids[0] if kids else None
            time.sleep(0.2)
        if engine is None:
            raise RuntimeError("the app started no engine within 30 s")
        time.sleep(IDLE_S)
        return {"ui": ui.memory_info().rss / 2**20, "engine": engine.memory_info().rss / 2**20}
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _bare_window_mb() -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", BARE_WINDOW], env=env, capture_output=True, text=True, timeout=60)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["rss_mb"])


def run(seconds: float = 10.0) -> list[dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="agentdesk-cost-bench-"))
    with headset_in_environment(work / "pulse") as headset:
        load_before = os.getloadavg()[0]
        cpu = _cpu(headset, work, seconds)
        load_after = os.getloadavg()[0]
        (work / "app").mkdir()
        mem = _app_memory(headset, work / "app")
        bare = _bare_window_mb()
    shutil.rmtree(work, ignore_errors=True)
    call, idle, peer = (statistics.median(cpu[k]) if cpu[k] else None for k in ("call", "idle", "baresip"))
    load = f"load average {load_before:.1f} -> {load_after:.1f}"
    rounds = f"{ROUNDS} rounds interleaved: ours {cpu['call']}, baresip {cpu['baresip']}"
    return [
        _row(f"cost: engine CPU during one call, headset backend as shipped (median of {ROUNDS})", call,
             "% of one core", "baresip, one call, same ALSA device", peer,
             f"target <= 2x baresip and < 5 %; {rounds}; {load}"),
        _row(f"cost: engine CPU idle, registered, between calls (median of {ROUNDS})", idle, "% of one core", None,
             None, f"headset streams paused between calls; rounds {cpu['idle']}"),
        _row("cost: UI process RSS, idle (the real app offscreen, practice center)", round(mem["ui"], 1), "MB",
             "bare PySide6 window", round(bare, 1), "measured from outside 10 s after start"),
        _row("cost: engine process RSS, idle (headset backend)", round(mem["engine"], 1), "MB", None, None,
             "of which ~21 MB is PortAudio's ALSA start-up loading libasound2-plugins' a52 -> libavcodec on this "
             "Debian machine (docs/memory.md)"),
        _row("cost: UI + engine RSS, idle", round(mem["ui"] + mem["engine"], 1), "MB", "target", 150,
             "Linphone desktop 4.4: 260 MB (design.md)"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
