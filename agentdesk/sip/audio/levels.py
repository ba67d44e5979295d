"""Level meters and the in-call room-noise monitor.

The monitor answers "is something else audible in the agent's room while the agent is silent?" (domain.md: the
room rules of home work). A headset microphone hears its wearer far louder than anything else in the room, so
the monitor learns the agent's own speech level and treats frames clearly below it as "the agent is silent".
In such frames, voice activity means a second voice (people, a TV); energy without voice means noise. A
condition must persist (``hold``) before an event fires, and the all-clear needs a quiet stretch, so a cough or a
door does not flash a warning at the agent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agentdesk.sip.protocol import RoomNoise

NoiseState = Literal["voice", "noise", "quiet"]

FLOOR_DB = -96.0


def dbfs(rms: float) -> float:
    return 20.0 * math.log10(rms) if rms > 1e-5 else FLOOR_DB


class LevelMeter:
    """Accumulates RMS and peak between reads (about 10 reads a second for the UI's meters)."""

    def __init__(self) -> None:
        self._sumsq = 0.0
        self._count = 0
        self._peak = 0.0

    def add(self, frame: np.ndarray) -> float:
        """Accumulate ``frame``; returns its sum of squares (the bridge's noise monitor reuses it)."""
        if not len(frame):
            return 0.0
        sumsq = float(np.dot(frame, frame))
        self._sumsq += sumsq
        self._count += len(frame)
        p = float(np.max(np.abs(frame)))
        if p > self._peak:
            self._peak = p
        return sumsq

    def read(self) -> tuple[float, float]:
        """(rms dBFS, peak dBFS) since the last read; resets."""
        rms = math.sqrt(self._sumsq / self._count) if self._count else 0.0
        peak = self._peak
        self._sumsq, self._count, self._peak = 0.0, 0, 0.0
        return round(dbfs(rms), 1), round(dbfs(peak), 1)


@dataclass
class NoiseMonitor:
    """Feed one mic frame (before noise suppression) and its speech probability per bridge tick."""

    frame_seconds: float = 0.02
    agent_margin_db: float = 12.0  # frames this far below the agent's speech level count as "agent silent"
    noise_floor_db: float = -55.0  # energy above this without voice is "noise"
    voice_probability: float = 0.6
    hold: float = 1.0  # seconds a condition must persist (within a 2x window) before the event
    clear_after: float = 3.0  # seconds of quiet before the all-clear
    agent_level_db: float = -20.0  # initial guess: a close-talking headset microphone
    state: NoiseState = "quiet"
    _voice: float = 0.0
    _noise: float = 0.0
    _quiet: float = 0.0
    _bg_level: float = FLOOR_DB

    def feed(self, level_db: float, speech_probability: float) -> RoomNoise | None:
        dt = self.frame_seconds
        agent_talking = speech_probability >= self.voice_probability and level_db > self.agent_level_db - self.agent_margin_db
        if agent_talking:
            # learn the wearer's level slowly; never below a plausible close-talk level
            self.agent_level_db = max(-35.0, self.agent_level_db + 0.02 * (level_db - self.agent_level_db))
            self._voice = max(0.0, self._voice - dt)
            self._noise = max(0.0, self._noise - dt)
            return None
        if speech_probability >= self.voice_probability and level_db > self.noise_floor_db:
            self._voice = min(self.hold, self._voice + dt)
            self._quiet = 0.0
            self._bg_level += 0.1 * (level_db - self._bg_level)
        elif level_db > self.noise_floor_db:
            self._noise = min(self.hold, self._noise + dt)
            self._voice = max(0.0, self._voice - dt / 2)
            self._quiet = 0.0
            self._bg_level += 0.1 * (level_db - self._bg_level)
        else:
            self._voice = max(0.0, self._voice - dt / 2)
            self._noise = max(0.0, self._noise - dt / 2)
            self._quiet += dt
        new: NoiseState = self.state
        if self._voice >= self.hold:
            new = "voice"
        elif self._noise >= self.hold and self.state != "voice":
            new = "noise"
        elif self._quiet >= self.clear_after:
            new = "quiet"
        if new != self.state:
            self.state = new
            if new == "quiet":
                self._bg_level = FLOOR_DB
            return RoomNoise(state=new, level_dbfs=round(self._bg_level, 1),
                             below_agent_db=round(self.agent_level_db - self._bg_level, 1) if new != "quiet" else None)
        return None
