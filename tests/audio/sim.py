"""A simulated device clock driving BridgeCore faster than real time (drift tests, benchmarks)."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

import numpy as np

from agentdesk.sip.audio.bridge import FRAME, RATE, BridgeCore
from agentdesk.sip.audio.ring import SampleRing


@dataclass
class SimResult:
    seconds: float
    mic_underruns: int
    speaker_underruns: int
    capture_ms: list[float] = field(default_factory=list)  # sampled once a second
    playback_ms: list[float] = field(default_factory=list)
    capture_ppm: float = 0.0
    playback_ppm: float = 0.0
    resyncs: int = 0
    spk_drops: int = 0
    out: np.ndarray | None = None  # the mic path's output when keep_output


def simulate(seconds: float, ppm: float, rate: int = 48000, block_ms: float = 10.0, jitter_ms: float = 2.0,
             tone_hz: float = 0.0, keep_output: bool = False, seed: int = 1, core: BridgeCore | None = None) -> SimResult:
    """The device clock runs at ``rate * (1 + ppm * 1e-6)``; the bridge at exactly 16 kHz / 20 ms."""
    rnd = random.Random(seed)
    core = core or BridgeCore()
    cap, play = SampleRing(rate), SampleRing(rate)
    core.attach_rings(cap, play, rate, rate)
    core.active = True
    dev_rate = rate * (1 + ppm * 1e-6)
    block = int(rate * block_ms / 1000)
    dev_period = block / dev_rate
    events: list[tuple[float, int, str]] = [(0.0, 0, "dev"), (0.0, 1, "tick")]
    res = SimResult(seconds, 0, 0)
    dev_phase = 0  # samples produced by the device so far
    outbuf = np.zeros(block, np.float32)
    outs: list[np.ndarray] = []
    far = np.zeros(FRAME, np.float32)
    n_tick = 0
    n_dev = 0
    next_sample = 1.0
    primed = False
    acc_cap = acc_play = 0.0
    acc_n = 0
    ppm_in = ppm_out = 0.0
    ppm_n = 0
    while events:
        t, _, kind = heapq.heappop(events)
        if t > seconds:
            break
        if kind == "dev":
            # the device delivers one captured block and takes one playback block (at its own clock)
            n = np.arange(dev_phase, dev_phase + block)
            x = (0.3 * np.sin(2 * np.pi * tone_hz * n / dev_rate)).astype(np.float32) if tone_hz else outbuf * 0
            cap.write(x)
            dev_phase += block
            got = play.read_into(outbuf, block)
            if got < block and primed:
                res.speaker_underruns += 1
            if play.available() > 0:
                primed = True
            n_dev += 1
            late = max(0.0, rnd.gauss(0, jitter_ms / 1000)) if jitter_ms else 0.0
            heapq.heappush(events, (n_dev * dev_period + late, 0, "dev"))
        else:
            out = core.mic_frame()
            if keep_output:
                outs.append(out.copy())
            core.far_frame(far)
            n_tick += 1
            late = abs(rnd.gauss(0, jitter_ms / 1000)) if jitter_ms else 0.0
            heapq.heappush(events, (n_tick * FRAME / RATE + late, 1, "tick"))
            if t > seconds / 2:
                p = core.path
                assert p is not None
                ppm_in += p.mic_ctl.ppm
                ppm_out += p.spk_ctl.ppm
                ppm_n += 1
            acc_cap += cap.available()
            acc_play += play.available()
            acc_n += 1
            if t >= next_sample:  # the average buffered delay over the last second
                res.capture_ms.append(acc_cap / acc_n * 1000 / rate)
                res.playback_ms.append(acc_play / acc_n * 1000 / rate)
                acc_cap = acc_play = 0.0
                acc_n = 0
                next_sample += 1.0
    p = core.path
    assert p is not None
    res.mic_underruns = core.mic_underruns
    # the average correction over the second half (the instantaneous one carries the fill's jitter)
    res.capture_ppm, res.playback_ppm = ppm_in / max(1, ppm_n), ppm_out / max(1, ppm_n)
    res.resyncs = p.mic_ctl.resyncs + p.spk_ctl.resyncs
    res.spk_drops = core.spk_drops
    if keep_output:
        res.out = np.concatenate(outs)
    return res
