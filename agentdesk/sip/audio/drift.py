"""Clock-drift compensation: a variable-ratio resampler steered by the fill level of a ring.

The bridge ticks on pjmedia's clock (16 kHz, 20 ms); each device runs on its own crystal (a USB headset is
commonly 50-500 ppm off). Instead of slipping whole samples or frames (periodic clicks), the bridge resamples
continuously: the ratio between the two sides is the nominal rate ratio times ``1 + correction``, and a
proportional-integral controller sets ``correction`` from the ring's average fill so that the buffered delay
stays at its target. Hard bounds stop anything pathological: the correction is clamped, and a ring that holds
more than ``max_delay`` is cut back to the target at once (counted as a resync).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TAPS = 16  # per output sample at ratio <= 1 (more when decimating)
PHASES = 128


def _design(step: float) -> tuple[np.ndarray, np.ndarray]:
    """Polyphase windowed-sinc table for input-samples-per-output ``step``; anti-aliased when decimating."""
    scale = 1.0 / step if step > 1.0 else 1.0  # cutoff relative to the input's Nyquist
    taps = TAPS * math.ceil(step) if step > 1.0 else TAPS
    half = taps // 2
    offsets = np.arange(-half + 1, half + 1)  # sample offsets relative to floor(position)
    frac = np.arange(PHASES + 1) / PHASES
    t = offsets[None, :] - frac[:, None]  # distance from each tap to the wanted position
    window = np.i0(8.0 * np.sqrt(np.clip(1.0 - (t / half) ** 2, 0.0, 1.0))) / np.i0(8.0)
    h = scale * np.sinc(scale * t) * window
    h /= h.sum(axis=1, keepdims=True)
    return h.astype(np.float32), offsets


class Resampler:
    """Streaming fractional resampler: feed input, take output at a ratio that may change every call."""

    def __init__(self, nominal_step: float, capacity: int = 16384) -> None:
        self.nominal_step = nominal_step
        self._h, self._offsets = _design(nominal_step)
        self._half = len(self._offsets) // 2
        self._x = np.zeros(capacity, dtype=np.float32)
        self._len = self._half  # samples held; starts with zero history so the first output is defined
        self._pos = float(self._half - 1)  # position (in self._x) of the next output sample
        self._ar = np.arange(4096, dtype=np.float64)
        # per-call work in preallocated buffers; the input windows are a view (no 2-D index array per call)
        self._windows = np.lib.stride_tricks.sliding_window_view(self._x, len(self._offsets))
        self._pos_buf = np.zeros(4096, np.float64)
        self._base_buf = np.zeros(4096, np.float64)
        self._idx_buf = np.zeros(4096, np.intp)
        self._phase_buf = np.zeros(4096, np.intp)

    def needed(self, n_out: int, step: float) -> int:
        """Input samples still to feed before ``n_out`` outputs at ``step`` can be made."""
        last = self._pos + step * (n_out - 1)
        return max(0, math.floor(last) + self._half + 1 - self._len)

    def feed(self, data: np.ndarray) -> None:
        n = len(data)
        if self._len + n > len(self._x):
            raise OverflowError("resampler input overflow")
        self._x[self._len:self._len + n] = data
        self._len += n

    def available_out(self, step: float) -> int:
        """How many outputs the fed input allows at ``step``."""
        room = self._len - self._half - 1 - self._pos
        return 0 if room < 0 else int(room // step) + 1

    def whole(self) -> bool:
        """The next output falls on an input sample (at step 1 the output is then a copy: see :meth:`take`)."""
        return self._pos.is_integer()

    def landing_step(self, n_out: int, step: float) -> float:
        """The step nearest ``step`` after which ``n_out`` outputs leave the position on a whole sample (at most
        half a sample over the frame: 1560 ppm for one 20 ms frame at 16 kHz)."""
        return (round(self._pos + n_out * step) - self._pos) / n_out

    def take(self, n_out: int, step: float, out: np.ndarray) -> None:
        """Write ``n_out`` outputs into ``out`` (the caller made sure enough input was fed)."""
        if step == 1.0 and self._pos.is_integer():
            # the filter's phase 0 is a unit impulse: at exactly one input per output on a whole sample the
            # output *is* the input, so copy it (two numpy operations instead of a dozen and two gathers)
            a = int(self._pos)
            out[:n_out] = self._x[a:a + n_out]
            self._pos += n_out
            self._keep_history()
            return
        if n_out > len(self._ar):  # only for offline use (tone files); frames are far smaller
            self._grow(n_out)
        pos, base = self._pos_buf[:n_out], self._base_buf[:n_out]
        idx, phase = self._idx_buf[:n_out], self._phase_buf[:n_out]
        np.multiply(self._ar[:n_out], step, out=pos)
        pos += self._pos
        np.floor(pos, out=base)
        idx[:] = base
        idx += self._offsets[0]  # the first tap's sample: row of the sliding-window view
        pos -= base
        pos *= PHASES
        np.rint(pos, out=pos)
        phase[:] = pos
        np.einsum("ij,ij->i", self._windows[idx], self._h[phase], out=out[:n_out])
        self._pos += step * n_out
        self._keep_history()

    def _keep_history(self) -> None:
        """Keep only the input the next outputs can reach."""
        keep_from = math.floor(self._pos) - self._half + 1
        if keep_from > 0:
            remaining = self._len - keep_from
            self._x[:remaining] = self._x[keep_from:self._len]
            self._len = remaining
            self._pos -= keep_from

    def _grow(self, n: int) -> None:
        self._ar = np.arange(n, dtype=np.float64)
        self._pos_buf, self._base_buf = np.zeros(n, np.float64), np.zeros(n, np.float64)
        self._idx_buf, self._phase_buf = np.zeros(n, np.intp), np.zeros(n, np.intp)

    def latency_samples(self) -> float:
        """Input samples buffered ahead of the next output position."""
        return self._len - self._pos


@dataclass
class DriftController:
    """PI control of a ring's fill (in samples of that ring) towards ``target``.

    ``correction`` > 0 means: consume the ring faster / produce into it slower.
    """

    target: float
    max_fill: float
    kp: float = 0.05  # correction per second of fill error (10 ms off -> 500 ppm, inaudible)
    ki: float = 0.002  # learns a 300 ppm offset within a minute or two
    limit: float = 0.002  # +-2000 ppm at most (crystals are within +-500 ppm; more would be audible warping)
    margin: float = 0.030  # seconds: an average this far off the target is a jump (stall, burst), not drift
    rate: float = 16000.0  # samples per second of the ring
    alpha: float = 0.02  # smoothing per tick (about 1 s at 20 ms ticks)
    dt: float = 0.02
    deadband: float = 0.0  # seconds of fill error the proportional part ignores
    warmup: int = 50  # ticks (1 s) of watching the natural fill before steering: the target becomes that level
    # coasting (for a device at the bridge's own rate): hold the correction at exactly 0 while the average fill
    # stays within coast_out above or coast_low below the target (below it the cushion against underruns is what
    # shrinks), steer as above once it leaves, coast again once back within coast_in;
    # the resampler then copies instead of filtering most of the time (docs/audio.md, fourth pass)
    coast: bool = False
    coast_in: float = 0.002
    coast_out: float = 0.012
    coast_low: float = 0.004

    def __post_init__(self) -> None:
        self.avg = self.target
        self.integral = 0.0
        self.correction = 0.0
        self.resyncs = 0
        self.coasting = self.coast
        self.coasted = 0  # ticks with the correction held at 0 by coasting
        self._seen = 0
        self._sum = 0.0

    def update(self, fill: float) -> float:
        if self._seen < self.warmup:
            # a device's blocks and bursts make the fill seen at a tick sit a little above or below the cushion
            # that was primed; adopt that natural level as the target instead of steering towards a point the
            # pattern never reaches (which would warp the pitch for the first minute of every call)
            self._seen += 1
            self._sum += fill
            if self._seen == self.warmup:
                mean = self._sum / self.warmup
                if abs(mean - self.target) < self.margin * self.rate:
                    self.target = mean
                self.avg = mean
            return 0.0
        self.avg += self.alpha * (fill - self.avg)
        raw = (self.avg - self.target) / self.rate  # seconds
        err = math.copysign(max(0.0, abs(raw) - self.deadband), raw)
        bound = self.limit / self.ki if self.ki > 0 else 0.0
        # the integral learns the clocks' real offset from the raw error; the proportional part acts only
        # outside the jitter band, so bursts of a few ms do not warp the pitch
        self.integral = max(-bound, min(bound, self.integral + raw * self.dt))
        c = self.kp * err + self.ki * self.integral
        self.correction = max(-self.limit, min(self.limit, c))
        if self.coast:
            off = abs(raw)
            if self.coasting and (raw > self.coast_out or raw < -self.coast_low):
                self.coasting = False
            elif not self.coasting and off < self.coast_in:
                self.coasting = True
            if self.coasting:
                self.coasted += 1
                self.correction = 0.0
        return self.correction

    def jumped(self) -> int:
        """+1 when the average fill is far above the target, -1 far below, 0 otherwise."""
        off = (self.avg - self.target) / self.rate
        return 1 if off > self.margin else -1 if off < -self.margin else 0

    def reset(self, fill: float | None = None, count: bool = True) -> None:
        self.avg = self.target if fill is None else fill
        self._seen = self.warmup
        self.resyncs += int(count)

    def restart(self) -> None:
        """The ring was primed at its target again (a new call): forget the old average, keep the learned offset
        (and the warm-up, if it has not run yet)."""
        self.avg = self.target

    @property
    def ppm(self) -> float:
        return self.correction * 1e6
