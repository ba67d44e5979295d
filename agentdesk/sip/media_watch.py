"""Is the far end's audio still arriving? A call must never look connected while it is silent.

The engine looks at each connected call's received RTP packet count a few times a second (pjsua's stream
statistics; VAD is off on both our side and the peers we know, so a live call receives 50 packets a second even in
silence). When none arrived for ``gap_s`` the agent is told (``media`` event ``interrupted``): a link cut, a router
restarting. When packets come again: ``restored`` with the length of the gap. When none arrived for ``timeout_s``
the engine ends the call itself with a clear cause (``media_timeout``) instead of leaving a silent line.
Held calls (either side) are not watched: no audio is expected. Pure Python; the clock is injected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentdesk.sip.protocol import CommandError

DEFAULT_GAP_S = 1.5
DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class MediaWatchSettings:
    gap_s: float = DEFAULT_GAP_S
    timeout_s: float = DEFAULT_TIMEOUT_S  # 0: never end a call for silence

    @classmethod
    def parse(cls, sip: dict[str, Any]) -> MediaWatchSettings:
        try:
            gap = float(sip.get("media_gap", DEFAULT_GAP_S))
            timeout = float(sip.get("media_timeout", DEFAULT_TIMEOUT_S))
        except (TypeError, ValueError):
            raise CommandError("sip.media_gap and sip.media_timeout are seconds") from None
        if not 0.5 <= gap <= 30:
            raise CommandError("sip.media_gap must be 0.5-30 seconds")
        if timeout != 0 and not gap < timeout <= 3600:
            raise CommandError("sip.media_timeout must be 0 (never) or longer than sip.media_gap, up to 3600 s")
        return cls(gap_s=gap, timeout_s=timeout)


@dataclass
class _CallWatch:
    packets: int = -1
    last_arrival: float = 0.0
    interrupted_at: float | None = None
    timed_out: bool = False


@dataclass
class MediaWatch:
    settings: MediaWatchSettings = field(default_factory=MediaWatchSettings)
    clock: Callable[[], float] = time.monotonic
    calls: dict[int, _CallWatch] = field(default_factory=dict)

    def observe(self, call: int, rx_packets: int, watched: bool = True) -> dict[str, Any] | None:
        """One look at a call. Returns what to tell: ``{"state": "interrupted", "silent_s": ...}``,
        ``{"state": "restored", "gap_s": ...}``, ``{"state": "timeout", "silent_s": ...}`` (end the call), or None.
        ``watched=False`` (held, not yet connected): the call's clock restarts."""
        now = self.clock()
        w = self.calls.setdefault(call, _CallWatch(packets=rx_packets, last_arrival=now))
        if rx_packets != w.packets:
            gap = now - w.last_arrival
            was_interrupted = w.interrupted_at is not None
            w.packets, w.last_arrival, w.interrupted_at, w.timed_out = rx_packets, now, None, False
            return {"state": "restored", "gap_s": round(gap, 1)} if was_interrupted else None
        if not watched:
            w.last_arrival = now
            w.interrupted_at = None
            return None
        silent = now - w.last_arrival
        if self.settings.timeout_s and silent >= self.settings.timeout_s and not w.timed_out:
            w.timed_out = True
            return {"state": "timeout", "silent_s": round(silent, 1)}
        if silent >= self.settings.gap_s and w.interrupted_at is None:
            w.interrupted_at = now
            return {"state": "interrupted", "silent_s": round(silent, 1)}
        return None

    def forget(self, call: int) -> None:
        self.calls.pop(call, None)
