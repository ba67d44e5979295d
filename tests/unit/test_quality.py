from __future__ import annotations

import pytest

from agentdesk.sip import quality


def test_perfect_network_is_excellent() -> None:
    q = quality.estimate(rtt_ms=1, jitter_ms=0, loss_percent=0)
    assert q.r == pytest.approx(93.2 - 0.024 * q.delay_ms)
    assert q.mos > quality.MOS_EXCELLENT and q.bucket == "excellent"
    assert q.r > quality.R_CLASS_A


def test_delay_above_177ms_costs_more() -> None:
    below = quality.r_factor(170, 0) - quality.r_factor(160, 0)
    above = quality.r_factor(200, 0) - quality.r_factor(190, 0)
    assert below == pytest.approx(-0.24)
    assert above == pytest.approx(-0.24 - 1.1)


def test_loss_impairs_per_g107() -> None:
    # G.711 with PLC, 2% random loss: Ie_eff = 95 * 2 / (2 + 25.1)
    assert quality.r_factor(0, 2.0) == pytest.approx(93.2 - 95 * 2 / 27.1)


def test_mos_mapping_known_points() -> None:
    assert quality.mos_from_r(93.2) == pytest.approx(4.41, abs=0.01)
    assert quality.mos_from_r(50) == pytest.approx(2.58, abs=0.01)
    assert quality.mos_from_r(-5) == 1.0 and quality.mos_from_r(120) == 4.5


def test_bad_network_is_degraded() -> None:
    q = quality.estimate(rtt_ms=600, jitter_ms=60, loss_percent=8)
    assert q.bucket == "degraded"


def test_r_factor_worked_values_per_g107() -> None:
    """Hand-computed from the formulas in quality.py's docstring (design.md's simplified G.107)."""
    assert quality.r_factor(0, 0) == pytest.approx(93.2)
    # d = 300 ms: Id = 0.024 * 300 + 0.11 * (300 - 177.3) = 7.2 + 13.497
    assert quality.r_factor(300, 0) == pytest.approx(93.2 - 20.697)
    # the knee: just above it the extra term starts from zero, not from 0.11 ms
    assert quality.r_factor(177.3, 0) == pytest.approx(93.2 - 4.2552)
    assert quality.r_factor(178.3, 0) == pytest.approx(93.2 - 4.2792 - 0.11)
    # bursty loss hurts more: BurstR 2, 2 %: Ie_eff = 95 * 2 / (2 / 2 + 25.1)
    assert quality.r_factor(0, 2.0, burst_ratio=2.0) == pytest.approx(93.2 - 190 / 26.1)
    # and sparse loss (BurstR < 1, allowed by G.107) less: 95 * 2 / (2 / 0.5 + 25.1)
    assert quality.r_factor(0, 2.0, burst_ratio=0.5) == pytest.approx(93.2 - 190 / 29.1)
    # negative inputs count as zero
    assert quality.r_factor(-50, -1) == pytest.approx(93.2)


def test_codec_impairment_by_name_with_or_without_clock_rate() -> None:
    # GSM (Ie 20, Bpl 10), 1 % loss: Ie_eff = 20 + (95 - 20) * 1 / (1 + 10)
    gsm = 93.2 - (20 + 75 / 11)
    assert quality.r_factor(0, 1.0, "GSM") == pytest.approx(gsm)
    assert quality.r_factor(0, 1.0, "GSM/8000") == pytest.approx(gsm)  # as the engine names codecs
    assert quality.r_factor(0, 0, "iLBC/8000") == pytest.approx(93.2 - 11)
    # an unknown codec is scored as G.711
    assert quality.r_factor(0, 1.0, "opus/48000") == pytest.approx(quality.r_factor(0, 1.0, "PCMU"))


def test_mos_floor_near_r_zero() -> None:
    # the cubic dips below 1 for small R: the floor holds it at 1.0
    assert quality.mos_from_r(0.5) == 1.0 and quality.mos_from_r(10) == pytest.approx(1.035)


def test_estimate_adds_the_buffers_the_network_does_not_see() -> None:
    # one-way delay = RTT/2 + jitter buffer (at least 40 ms, else twice the jitter) + 20 ms packets + 40 ms devices
    q = quality.estimate(rtt_ms=100, jitter_ms=30, loss_percent=0)
    assert q.delay_ms == pytest.approx(50 + 60 + 20 + 40)
    assert q.r == pytest.approx(quality.r_factor(170, 0)) and q.mos == quality.mos_from_r(q.r)
    assert quality.estimate(0, 5, 0).delay_ms == pytest.approx(40 + 20 + 40)
    assert quality.estimate(0, 5, 0, jitter_buffer_ms=10).delay_ms == pytest.approx(10 + 20 + 40)
    assert quality.estimate(0, 0, 1.0, codec="GSM").r == pytest.approx(quality.r_factor(100, 1.0, "GSM"))
    assert quality.estimate(0, 0, 0, packetization_ms=30, device_ms=0).delay_ms == pytest.approx(70)


def test_buckets_at_their_thresholds() -> None:
    def bucket(mos: float) -> str:
        return quality.Quality(r=0, mos=mos, delay_ms=0).bucket

    assert [bucket(m) for m in (4.21, 4.2, 3.7, 3.69, 3.1, 3.09)] == [
        "excellent", "good", "good", "fair", "fair", "degraded"]
