"""Call quality by the E-model (ITU-T G.107, simplified as in design.md), shared by the engine's stats and the
self-check's network test.

R = 93.2 - Id - Ie_eff
Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)          d: one-way mouth-to-ear delay in ms
Ie_eff = Ie + (95 - Ie) P / (P / BurstR + Bpl)         P: packet loss in percent
MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), clamped to 1..4.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Codec impairment (Ie) and packet-loss robustness (Bpl), G.113 Appendix I values for codecs pjsua2 offers.
CODEC_IMPAIRMENT: dict[str, tuple[float, float]] = {
    "PCMU": (0.0, 25.1),  # G.711 with PLC
    "PCMA": (0.0, 25.1),
    "G722": (0.0, 25.1),  # wideband scored on the narrowband scale: no worse than G.711
    "GSM": (20.0, 10.0),
    "iLBC": (11.0, 32.0),
    "speex": (11.0, 20.0),
}

# Delay the network measurement does not see: jitter buffer, packetization, device buffers (ms).
DEFAULT_JITTER_BUFFER_MS = 40.0
DEFAULT_PACKETIZATION_MS = 20.0
DEFAULT_DEVICE_MS = 40.0

# Thresholds used by peers (design.md).
MOS_EXCELLENT = 4.2
MOS_GOOD = 3.7
MOS_FAIR = 3.1
R_CLASS_A = 80.0  # Japan, 0AB-J IP telephony


@dataclass(frozen=True)
class Quality:
    r: float
    mos: float
    delay_ms: float

    @property
    def bucket(self) -> Literal["excellent", "good", "fair", "degraded"]:
        if self.mos > MOS_EXCELLENT:
            return "excellent"
        if self.mos >= MOS_GOOD:
            return "good"
        if self.mos >= MOS_FAIR:
            return "fair"
        return "degraded"


def r_factor(delay_ms: float, loss_percent: float, codec: str = "PCMU", burst_ratio: float = 1.0) -> float:
    ie, bpl = CODEC_IMPAIRMENT.get(codec.split("/")[0], CODEC_IMPAIRMENT["PCMU"])
    d = max(0.0, delay_ms)
    i_d = 0.024 * d + (0.11 * (d - 177.3) if d > 177.3 else 0.0)
    p = max(0.0, loss_percent)
    ie_eff = ie + (95.0 - ie) * p / (p / max(burst_ratio, 1e-6) + bpl)
    return 93.2 - i_d - ie_eff


def mos_from_r(r: float) -> float:
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return max(1.0, min(4.5, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)))


def estimate(
    rtt_ms: float,
    jitter_ms: float,
    loss_percent: float,
    codec: str = "PCMU",
    jitter_buffer_ms: float | None = None,
    packetization_ms: float = DEFAULT_PACKETIZATION_MS,
    device_ms: float = DEFAULT_DEVICE_MS,
) -> Quality:
    """Quality of a call from network figures: one-way delay is RTT/2 plus the buffers the network does not see.
    The jitter buffer is at least twice the jitter (pjmedia's adaptive buffer settles there)."""
    jb = jitter_buffer_ms if jitter_buffer_ms is not None else max(DEFAULT_JITTER_BUFFER_MS, 2 * jitter_ms)
    delay = rtt_ms / 2 + jb + packetization_ms + device_ms
    r = r_factor(delay, loss_percent, codec)
    return Quality(r=r, mos=mos_from_r(r), delay_ms=delay)
