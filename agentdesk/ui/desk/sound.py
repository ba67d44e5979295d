"""Ring and alert sounds on the ring device (Qt-free; PySide6-Essentials has no QtMultimedia).

Plays a generated two-tone ring through sounddevice (PortAudio, bundled on Windows) on a worker thread. Any failure
(no device, no PortAudio) is logged and the caller falls back to the system beep; a sound never blocks the UI.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)
RATE = 16000


def _tone(kind: str):  # -> numpy array
    import numpy as np

    def burst(freq_a: float, freq_b: float, seconds: float):
        t = np.arange(int(RATE * seconds)) / RATE
        return 0.2 * (np.sin(2 * np.pi * freq_a * t) + np.sin(2 * np.pi * freq_b * t)) / 2

    silence = np.zeros(int(RATE * 0.2))
    if kind == "broadcast":
        return np.concatenate([burst(880, 880, 0.15), silence, burst(660, 660, 0.15), silence,
                               burst(880, 880, 0.3)]).astype("float32")
    return np.concatenate([burst(400, 450, 0.4), silence, burst(400, 450, 0.4)]).astype("float32")


def device_name(identity: str) -> str | None:
    """Settings keep "host API:device name"; PortAudio finds a device by (part of) its name."""
    if not identity:
        return None
    return identity.split(":", 1)[1] if ":" in identity else identity


class SoundPlayer:
    def __init__(self, device: str = "", enabled: bool = True) -> None:
        self.device = device
        self.enabled = enabled
        self.played: list[str] = []  # what was asked to play (tests read it; nothing else)

    def play(self, kind: str = "ring") -> bool:
        self.played.append(kind)
        if not self.enabled:
            return False
        try:
            import sounddevice  # noqa: F401
        except OSError as exc:
            log.info("no sound output (%s)", exc)
            return False
        threading.Thread(target=self._play, args=(kind,), name="sound", daemon=True).start()
        return True

    def _play(self, kind: str) -> None:
        try:
            import sounddevice as sd

            device = device_name(self.device)
            sd.play(_tone(kind), RATE, device=device, blocking=True)
        except Exception as exc:  # no device, device busy, PortAudio error
            log.info("could not play %s: %s", kind, exc)
