"""Headset audio figures on the virtual headset (PulseAudio null sinks), each measured in this run:

- round trip and mouth-to-ear delay through the headset, G.722 on loopback: ours (DeviceCallAudio in a pjsua2
  endpoint) and baresip's (its ALSA module on the same ALSA device) against the same echoing far end;
- CPU during one call (% of one core) of the test endpoint (both legs) with and without the headset backend (the
  real engine's, beside baresip on the same device: benchmarks/cost.py);
- underruns while another process keeps a CPU core busy (one minute, scaled to 10 minutes);
- speech through G.722 alone (pjsua2 loopback, no headset): the codec's ceiling on the test material;
- the drift controller: buffered delay and underruns over 10 simulated minutes at 300 ppm.

Method for the delay: one paplay stream into a combine sink feeds the same click both to the headset's
microphone and to the headset's own sink; the far end echoes; the headset sink's monitor then holds the direct
click and, one round trip later, the echo. Mouth-to-ear is half the round trip.
Run: python -m benchmarks.audio   (needs pulseaudio, the ALSA pulse plugin, baresip, kamailio, alsa-utils)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.audio.driver import HarnessProcess  # noqa: E402
from tests.audio.speech import write_wav  # noqa: E402
from tests.infra.proc import CpuMeter, stop_group  # noqa: E402
from tests.infra.pulse import VirtualHeadset, headset_in_environment  # noqa: E402

RATE = 16000
CLICK_EVERY = 1.0


def _clicks(seconds: float) -> np.ndarray:
    n = int(0.03 * RATE)
    t = np.arange(n) / RATE
    click = (0.5 * np.hanning(n) * (np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 2300 * t)) / 2).astype(np.float32)
    x = np.zeros(int(seconds * RATE), np.float32)
    for k in range(1, int(seconds / CLICK_EVERY)):
        i = int(k * CLICK_EVERY * RATE)
        x[i:i + n] = click
    return x


def _round_trip(rec: np.ndarray) -> float | None:
    """Median lag (s) between each direct click and its echo in a recording of the headset sink."""
    template = _clicks(2.0)[int(CLICK_EVERY * RATE):int(CLICK_EVERY * RATE) + int(0.03 * RATE)]
    c = np.abs(np.correlate(rec, template, mode="valid"))
    lags = []
    i = 0
    min_gap, max_gap = int(0.02 * RATE), int(0.8 * RATE)
    while i < len(c) - max_gap:
        window = c[i:i + int(CLICK_EVERY * RATE)]
        if window.max() < 0.2 * c.max():
            i += len(window)
            continue
        d = i + int(np.argmax(window))  # the direct click (the loudest)
        echo_win = c[d + min_gap:d + max_gap]
        if echo_win.max() > 0.05 * c[d]:
            lags.append((int(np.argmax(echo_win)) + min_gap) / RATE)
        i = d + int(0.9 * CLICK_EVERY * RATE)
    return float(np.median(lags)) if len(lags) >= 3 else None


def _measure_rtt(headset: VirtualHeadset, wav: Path, seconds: float) -> float | None:
    player = headset.play_into_mic(wav, sink="bench_both")
    rec = headset.record(seconds)
    player.wait(seconds + 10)
    return _round_trip(rec)


def _row(name: str, value: Any, unit: str, peer: str | None = None, peer_value: Any = None, note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "peer": peer, "peer_value": peer_value, "note": note}


def _ours(headset: VirtualHeadset, wav: Path, seconds: float) -> tuple[float | None, float, dict]:
    h = HarnessProcess(env=headset.env)
    try:
        h.send(cmd="configure", far_echo=True, audio={"backend": "devices", "call_device": "ALSA:agentdesk_headset",
                                                      "echo_cancellation": False, "noise_suppression": True,
                                                      "auto_gain": False})
        h.wait_for(lambda e: e.get("event") == "configured", 30)
        h.wait_for(lambda e: e.get("event") == "audio_device", 30)
        h.send(cmd="call")
        h.wait_for(lambda e: e.get("event") == "media" and e.get("role") == "agent", 15)
        time.sleep(2.0)
        c0 = h.request("cpu")
        rtt = _measure_rtt(headset, wav, seconds)
        c1 = h.request("cpu")
        cpu = 100 * ((c1["user"] + c1["system"]) - (c0["user"] + c0["system"])) / (c1["monotonic"] - c0["monotonic"])
        stats = h.request("audio_stats")
        return rtt, cpu, stats
    finally:
        h.close()


def _engine_cpu(headset: VirtualHeadset, work: Path, seconds: float) -> dict[str, float]:
    """The real ``agentdesk engine`` with the devices backend on the virtual headset, answering a customer engine
    through Kamailio (G.722, noise suppression and AGC on, as shipped): % of one core idle (registered, streams
    open) and during the call, for the agent's engine process alone."""
    from benchmarks.engine import _Lab

    far_wav = write_wav(work / "engine_far.wav", _clicks(seconds + 10))
    (work / "engine-lab").mkdir(exist_ok=True)
    lab = _Lab(work / "engine-lab")
    try:
        k = lab.kamailio()
        agent, customer = lab.engine("agent"), lab.engine("customer")
        agent.register("agent1", k, audio={"backend": "devices", "call_device": "ALSA:agentdesk_headset"})
        customer.register("cust1", k, audio={"backend": "files", "play": str(far_wav)})
        agent.wait_event(lambda e: e.get("event") == "audio_device" and e.get("state") == "active", 15)
        time.sleep(3.0)  # the loop's quiet pace, as between calls
        meter = CpuMeter(agent.pid)
        time.sleep(seconds)
        idle = meter.percent()
        ccall = customer.command({"cmd": "call", "uri": "agent1"})["call"]
        inc = agent.wait_event({"event": "call", "state": "incoming"}, 10)
        agent.command({"cmd": "answer", "call": inc["call"]})
        customer.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
        time.sleep(3.0)
        meter.percent()
        time.sleep(seconds)
        call = meter.percent()
        customer.command({"cmd": "hangup", "call": ccall})
        return {"idle": round(idle, 1), "call": round(call, 1)}
    finally:
        lab.close()


def _baresip(headset: VirtualHeadset, wav: Path, seconds: float, workdir: Path) -> tuple[float | None, float | None]:
    """baresip's round trip on the same path, and its process's CPU during the call (% of one core)."""
    exe = shutil.which("baresip")
    if exe is None:
        return None, None
    far = HarnessProcess(env=headset.env)
    bs: subprocess.Popen[bytes] | None = None
    try:
        far.send(cmd="configure", far_echo=True, audio={"backend": "none"})
        port = far.wait_for(lambda e: e.get("event") == "configured", 30)["port"]
        conf = workdir / "baresip"
        conf.mkdir(exist_ok=True)
        (conf / "config").write_text(
            "sip_listen 127.0.0.1:0\naudio_player alsa,agentdesk_headset\naudio_source alsa,agentdesk_headset\n"
            "audio_alert alsa,agentdesk_speaker\nmodule_path /usr/lib/baresip/modules\nmodule g722.so\n"
            "module alsa.so\nmodule menu.so\nmodule account.so\n")
        (conf / "accounts").write_text("<sip:bench@127.0.0.1>;regint=0;audio_codecs=G722\n")
        bs = subprocess.Popen([exe, "-f", str(conf), "-e", f"/dial sip:far@127.0.0.1:{port}"],
                              env={**os.environ, **headset.env}, stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        far.wait_for(lambda e: e.get("event") == "media" and e.get("role") == "far", 20)
        time.sleep(2.0)
        meter = CpuMeter(bs.pid)
        rtt = _measure_rtt(headset, wav, seconds)
        return rtt, round(meter.percent(), 1)
    finally:
        if bs is not None:
            stop_group(bs)
        far.close()


def _baseline_cpu(headset: VirtualHeadset, seconds: float) -> float:
    """The same call with no audio backend (both legs, codecs, RTP, the echo): what pjsua2 costs anyway."""
    h = HarnessProcess(env=headset.env)
    try:
        h.send(cmd="configure", far_echo=True, audio={"backend": "none"})
        h.wait_for(lambda e: e.get("event") == "configured", 30)
        h.send(cmd="call")
        h.wait_for(lambda e: e.get("event") == "media" and e.get("role") == "agent", 15)
        time.sleep(1.0)
        c0 = h.request("cpu")
        time.sleep(seconds)
        c1 = h.request("cpu")
        return 100 * ((c1["user"] + c1["system"]) - (c0["user"] + c0["system"])) / (c1["monotonic"] - c0["monotonic"])
    finally:
        h.close()


def _busy_underruns(headset: VirtualHeadset, seconds: float) -> dict:
    spinner = subprocess.Popen([sys.executable, "-c", "import time\nend=time.time()+%f\nwhile time.time()<end: pass"
                                % (seconds + 30)])
    h = HarnessProcess(env=headset.env)
    try:
        h.send(cmd="configure", far_echo=True, audio={"backend": "devices", "call_device": "ALSA:agentdesk_headset"})
        h.wait_for(lambda e: e.get("event") == "configured", 30)
        h.wait_for(lambda e: e.get("event") == "audio_device", 30)
        h.send(cmd="call")
        h.wait_for(lambda e: e.get("event") == "media" and e.get("role") == "agent", 15)
        time.sleep(2.0)  # past the start-up priming
        s0 = h.request("audio_stats")
        time.sleep(seconds)
        s1 = h.request("audio_stats")
        return {k: s1.get(k, 0) - s0.get(k, 0) for k in ("mic_underruns", "speaker_underruns", "speaker_drops",
                                                           "resyncs")}
    finally:
        h.close()
        spinner.kill()
        spinner.wait(5)


def _codec_only_visqol(work: Path) -> list[tuple[float, float]]:
    """(ViSQOL, the clip against itself) of the recorded human speech (clips A and B, as in the tests) through
    pjsua2 G.722 loopback with no headset at all (a WAV player on the agent leg): the ceiling the codec leaves for
    the headset path on this material."""
    from tests.audio.scoring import align, load_wav, visqol
    from tests.audio.speech import human_speech

    work.mkdir(parents=True, exist_ok=True)
    out = []
    for i, clip in enumerate(("A", "B")):
        x = human_speech(clip)
        pad = np.zeros(RATE, np.float32)
        clip = write_wav(work / f"codec_{i}.wav", np.concatenate([pad, x, pad]))
        far = work / f"codec_{i}_far.wav"
        h = HarnessProcess(env={})
        try:
            h.send(cmd="configure", audio={"backend": "none"})
            h.wait_for(lambda e: e.get("event") == "configured", 30)
            h.send(cmd="call", agent_play=str(clip), record=str(far))
            h.wait_for(lambda e: e.get("event") == "media" and e.get("role") == "far", 15)
            time.sleep(len(x) / RATE + 2.5)
            h.send(cmd="hangup")
            h.wait_for(lambda e: e.get("event") == "hung_up", 15)
        finally:
            h.close()
        y, _ = load_wav(far)
        r, d, _lag = align(x, y)
        out.append((round(visqol(r, d), 2), round(visqol(r, r), 2)))
    return out


def run(seconds: float = 12.0, busy_seconds: float = 60.0) -> list[dict]:
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="agentdesk-audio-bench-"))
    with headset_in_environment(work / "pulse") as headset:
        headset.pactl("load-module", "module-combine-sink", "sink_name=bench_both",
                      "slaves=agentdesk_mic_feed,agentdesk_call")
        wav = write_wav(work / "clicks.wav", _clicks(seconds))
        rtt, cpu, _stats = _ours(headset, wav, seconds)
        peer_rtt, _peer_cpu = _baresip(headset, wav, seconds, work)
        ours_ms = None if rtt is None else round(rtt * 500, 1)
        peer_ms = None if peer_rtt is None else round(peer_rtt * 500, 1)
        ratio = round(ours_ms / peer_ms, 2) if ours_ms and peer_ms else None
        rows.append(_row("audio: mouth-to-ear via virtual headset, G.722 loopback", ours_ms, "ms", "baresip",
                         peer_ms, f"half the measured round trip; ratio ours/baresip = {ratio}"))
        # the engine process's CPU idle and in a call, beside baresip: benchmarks/cost.py (medians of 3 rounds)
        base = _baseline_cpu(headset, seconds)
        rows.append(_row("audio: test endpoint CPU during one call (devices backend)", round(cpu, 1), "% of one core",
                         None, None, f"whole test process: both call legs, G.722 x2, PulseAudio client threads; "
                         f"the same call without the headset backend: {base:.1f}%, so the backend adds "
                         f"{cpu - base:.1f}%; noise suppression on"))
        busy = _busy_underruns(headset, busy_seconds)
        scale = 600.0 / busy_seconds
        rows.append(_row("audio: underruns per 10 min, another process spinning a core",
                         round((busy["mic_underruns"] + busy["speaker_underruns"]) * scale, 1), "per 10 min",
                         None, None, f"measured over {busy_seconds:.0f} s and scaled: {busy}"))
    shutil.rmtree(work, ignore_errors=True)
    codec = _codec_only_visqol(work)
    rows.append(_row("audio: ViSQOL of G.722 alone (pjsua2 loopback, no headset), recorded speech A / B",
                     f"{codec[0][0]} / {codec[1][0]}", "MOS-LQO", None, None,
                     f"(score, clip against itself): {codec}; the headset path's scores on the same clips are "
                     f"printed by tests/audio/test_call_e2e.py and test_engine_call.py"))
    from tests.audio.sim import simulate

    sim = simulate(600.0, 300)
    rows.append(_row("audio: drift 300 ppm, 10 simulated min: max buffered capture delay",
                     round(max(sim.capture_ms[60:]), 1), "ms", None, None,
                     f"underruns mic {sim.mic_underruns}, speaker {sim.speaker_underruns}; "
                     f"learned {sim.capture_ppm:.0f} ppm"))
    shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
