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
