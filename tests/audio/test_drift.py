"""Drift compensation against simulated device clocks (faster than real time)."""

from __future__ import annotations

import numpy as np
import pytest

from agentdesk.sip.audio.drift import DriftController, Resampler
from tests.audio.sim import simulate


def _sine_snr(y: np.ndarray, f: float, rate: float) -> float:
    t = np.arange(len(y)) / rate
    a = np.vstack([np.cos(2 * np.pi * f * t), np.sin(2 * np.pi * f * t)]).T
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    fit = a @ coef
    return float(10 * np.log10(np.mean(fit**2) / np.mean((y - fit) ** 2)))


@pytest.mark.parametrize(("step", "freq"), [(1.0003, 1000.0), (1.0003, 6000.0), (48000 / 16000, 1000.0),
                                            (44100 / 16000, 3000.0), (16000 / 48000, 1000.0)])
def test_resampler_is_clean(step: float, freq: float) -> None:
    in_rate = 16000 * step
    x = np.sin(2 * np.pi * freq * np.arange(int(in_rate * 2)) / in_rate).astype(np.float32)
    r = Resampler(step)
    out = np.zeros(320, np.float32)
    outs, i = [], 0
    while True:
        need = r.needed(320, step)
        if i + need > len(x):
            break
        r.feed(x[i:i + need])
        i += need
        r.take(320, step, out)
        outs.append(out.copy())
    y = np.concatenate(outs)[400:]
    assert _sine_snr(y, freq, 16000) > 40  # no clicks, no aliasing worth hearing


def test_resampler_downsampling_removes_what_16k_cannot_carry() -> None:
    step = 3.0
    x = np.sin(2 * np.pi * 12000 * np.arange(48000) / 48000).astype(np.float32)  # above 8 kHz Nyquist
    r = Resampler(step, capacity=len(x) + 64)
    r.feed(x[: r.needed(8000, step)])
    y = np.zeros(8000, np.float32)
    r.take(8000, step, y)
    assert np.sqrt(np.mean(y[200:] ** 2)) < 0.01


def test_controller_converges_to_the_offset() -> None:
    c = DriftController(target=640, max_fill=2000, rate=16000)
    fill = 640.0
    for _ in range(60_000):  # 20 min of ticks; the ring gains 300 ppm of its rate unless corrected
        corr = c.update(fill)
        fill += 320 * (300e-6 - corr)
    assert abs(c.ppm - 300) < 20
    assert abs(fill - 640) < 320


@pytest.mark.slow
@pytest.mark.parametrize("ppm", [300, -300])
def test_ten_minutes_300ppm_bounded_delay_and_few_underruns(ppm: int) -> None:
    r = simulate(600.0, ppm)  # 10 minutes of device and bridge clocks, simulated
    settled_cap, settled_play = r.capture_ms[60:], r.playback_ms[60:]  # after the first minute
    # the buffered delay stays bounded: no creep between the first and the last minute
    assert max(settled_cap) < 60 and max(settled_play) < 100
    assert abs(np.mean(settled_cap[-60:]) - np.mean(settled_cap[:60])) < 5
    assert abs(np.mean(settled_play[-60:]) - np.mean(settled_play[:60])) < 5
    # at most one underrun a minute, and the controller found the offset
    assert r.mic_underruns <= 10 and r.speaker_underruns <= 10
    assert abs(r.capture_ppm - ppm) < 30 and abs(r.playback_ppm + ppm) < 30
    assert r.resyncs == 0 and r.spk_drops == 0


def test_uncompensated_path_would_creep() -> None:
    """The control: with the controller frozen, 300 ppm drifts past the jitter margin within 150 s (resyncs)."""
    from agentdesk.sip.audio.bridge import BridgeCore

    core = BridgeCore()
    frozen = {"kp": 0.0, "ki": 0.0}
    orig = core.attach_rings

    def attach(*a, **k):  # type: ignore[no-untyped-def]
        p = orig(*a, **k)
        for ctl in (p.mic_ctl, p.spk_ctl):
            ctl.kp, ctl.ki = frozen["kp"], frozen["ki"]
        return p

    core.attach_rings = attach  # type: ignore[method-assign]
    r = simulate(150.0, 300, core=core)
    assert r.resyncs + r.spk_drops > 0 or max(r.capture_ms) > 100


def test_tone_passes_through_the_mic_path_at_the_right_pitch() -> None:
    r = simulate(5.0, 300, tone_hz=1000.0, keep_output=True)
    assert r.out is not None
    y = r.out[16000:]
    power = np.abs(np.fft.rfft(y * np.hanning(len(y)))) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / 16000)
    assert abs(freqs[np.argmax(power)] - 1000) < 2  # the device's 1 kHz stays 1 kHz on the bridge's clock
    near = power[np.abs(freqs - 1000) < 20].sum()
    assert 10 * np.log10(near / (power.sum() - near)) > 30  # no clicks or slips spreading the spectrum


def test_a_new_call_starts_from_fresh_capture_and_a_primed_speaker() -> None:
    """Between calls nobody reads the capture ring (it fills with the room) and the device drains the playback ring.
    The next call must not start with a second of stale room sound, and its speaker path starts at the cushion."""
    from agentdesk.sip.audio.bridge import FRAME, BridgeCore
    from agentdesk.sip.audio.ring import SampleRing

    class Streams:
        playing = False
        underruns = 0

    core = BridgeCore(target_ms=40.0)
    cap, play = SampleRing(16000), SampleRing(16000)
    streams = Streams()
    core.attach_rings(cap, play, 16000, 16000, owner=streams)
    core.active = True
    for _ in range(10):  # a first call: priming and steady ticks
        cap.write(np.full(FRAME, 0.1, np.float32))
        core.mic_frame()
        core.far_frame(np.zeros(FRAME, np.float32))
        play.read_into(np.zeros(FRAME, np.float32))
    assert streams.playing
    core.active = False
    streams.playing = False  # (DeviceCallAudio.detach)
    stale = np.full(FRAME, 0.5, np.float32)
    while cap.free():  # the room between calls, until the ring is full
        cap.write(stale)
    play.read_into(np.zeros(16000, np.float32))  # the device drained the speaker ring

    core.active = True
    assert not streams.playing  # not before the cushion is there: a short ring would be counted as an underrun
    core.far_frame(np.zeros(FRAME, np.float32))
    assert streams.playing and play.available() >= 0.040 * 16000
    heard = [core.mic_frame().copy()]
    for _ in range(6):
        cap.write(np.full(FRAME, 0.2, np.float32))  # the agent speaks after the answer
        heard.append(core.mic_frame().copy())
    audio = np.concatenate(heard)
    assert not np.any(np.isclose(audio, 0.5, atol=0.05)), "stale room sound from between the calls was sent"
    assert np.any(np.isclose(audio, 0.2, atol=0.02))


@pytest.mark.parametrize("ppm", [300, -300])
def test_a_device_at_the_bridges_rate_coasts_most_of_the_time(ppm: int) -> None:
    """16 kHz devices (the host converts): the correction is held at exactly 0 while the fill stays near its target,
    so the resampler copies instead of filtering (fourth pass: the cost is the code a tick runs), and steers only
    to come back; the delay stays bounded and does not creep."""
    from agentdesk.sip.audio.bridge import BridgeCore

    core = BridgeCore()
    r = simulate(600.0, ppm, rate=16000, core=core)
    assert core.path is not None
    settled_cap, settled_play = r.capture_ms[60:], r.playback_ms[60:]
    assert max(settled_cap) < 60 and max(settled_play) < 100
    assert abs(np.mean(settled_cap[-60:]) - np.mean(settled_cap[:60])) < 8
    assert abs(np.mean(settled_play[-60:]) - np.mean(settled_play[:60])) < 8
    assert r.mic_underruns <= 10 and r.speaker_underruns <= 10 and r.resyncs == 0 and r.spk_drops == 0
    for ctl in (core.path.mic_ctl, core.path.spk_ctl):
        assert 0.6 < ctl.coasted / core.ticks < 0.98, ctl.coasted / core.ticks  # coasts, and steers sometimes


def test_coasting_and_steering_in_turn_keep_a_tone_clean() -> None:
    from agentdesk.sip.audio.bridge import BridgeCore

    core = BridgeCore()
    r = simulate(120.0, 300, rate=16000, tone_hz=1000.0, keep_output=True, core=core)
    assert r.out is not None and core.path is not None
    assert 0.1 < core.path.mic_ctl.coasted / core.ticks < 0.95  # both modes, and the switches between, are in it
    y = r.out[5 * 16000:]

    def purity(seg: np.ndarray) -> float:  # dB of the tone's band over everything else, one 2 s window
        power = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
        near = power[np.abs(np.fft.rfftfreq(len(seg), 1 / 16000) - 1000) < 20].sum()
        return float(10 * np.log10(near / (power.sum() - near)))

    worst = min(purity(y[i:i + 32000]) for i in range(0, len(y) - 32000, 32000))
    assert worst > 40, worst  # (measured: 57-77 dB while steering, 96 coasting) no click at the switches


def test_the_copy_at_step_one_is_the_filter_at_phase_zero() -> None:
    from agentdesk.sip.audio.drift import Resampler

    x = np.random.default_rng(3).standard_normal(2000).astype(np.float32)
    copy, filt = Resampler(1.0), Resampler(1.0)
    a, b = np.zeros(320, np.float32), np.zeros(320, np.float32)
    copy.feed(x[:400])
    filt.feed(x[:400])
    copy.take(320, 1.0, a)
    filt.take(320, 1.0 + 1e-15, b)  # the filter path (a step a hair off 1), positions still on whole samples
    assert copy.whole() and np.allclose(a, b, atol=1e-5)
    s = copy.landing_step(320, 1.0003)
    copy._pos += 0.37  # somewhere between samples, as after steering
    s = copy.landing_step(320, 1.0)
    assert abs(s - 1.0) <= 0.5 / 320 + 1e-12
    copy.feed(x[400:800])
    copy.take(320, s, a)
    assert copy.whole()
