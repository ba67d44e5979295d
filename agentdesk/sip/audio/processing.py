"""Voice processing on the microphone path: echo cancellation, noise suppression, automatic gain.

Library choice (measured 2026-11-22, docs/audio.md): ``pywebrtc-audio`` (WebRTC APM: AEC3, NS, AGC2, VAD) has
cp312 wheels for Linux, macOS and win_amd64 and costs about 0.2 ms per 20 ms frame with all three on;
webrtc-apm, webrtc-noise-gain and speexdsp-ns have no Windows wheel; pyrnnoise has one but is noise suppression
only, 48 kHz, and pulls matplotlib/av in. Each stage is switchable at run time.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

try:
    from pywebrtc_audio import AudioProcessor, VoiceDetector
except ImportError:  # the app keeps working, unprocessed, and says so in audio_stats
    AudioProcessor = None  # type: ignore[assignment,misc]
    VoiceDetector = None  # type: ignore[assignment,misc]


class VoiceProcessor:
    def __init__(self, rate: int = 16000, echo_cancellation: bool | str = "auto", noise_suppression: bool = True,
                 auto_gain: bool = True, stream_delay_ms: int = 60) -> None:
        self.rate = rate
        self.auto_echo = echo_cancellation == "auto"
        echo_cancellation = False if self.auto_echo else bool(echo_cancellation)
        self.stream_delay_ms = stream_delay_ms
        self.options = {"echo_cancellation": echo_cancellation, "noise_suppression": noise_suppression,
                        "auto_gain": auto_gain}
        self._apm: Any = None
        self._vad: Any = VoiceDetector(sample_rate=rate) if VoiceDetector is not None else None
        self.speech_probability = 0.0
        self._build()

    @property
    def available(self) -> bool:
        return AudioProcessor is not None

    def _build(self) -> None:
        o = self.options
        if AudioProcessor is None or not any(o.values()):
            self._apm = None
            return
        self._apm = AudioProcessor(sample_rate=self.rate, echo_cancellation=o["echo_cancellation"],
                                   noise_suppression=o["noise_suppression"], high_pass_filter=True,
                                   auto_gain_control=o["auto_gain"], ns_level=1, agc_max_gain_db=30.0,
                                   stream_delay_ms=self.stream_delay_ms)

    def configure(self, **options: bool | str) -> dict[str, bool]:
        """Switch stages on or off (called from the endpoint thread; the swap is one reference)."""
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"unknown voice processing option(s): {', '.join(sorted(unknown))}")
        if "echo_cancellation" in options:
            self.auto_echo = options["echo_cancellation"] == "auto"
            if self.auto_echo:
                options = {**options, "echo_cancellation": self.options["echo_cancellation"]}
        self.options = {**self.options, **{k: bool(v) for k, v in options.items()}}
        self._build()
        return dict(self.options)

    def voice_probability(self, mic: np.ndarray) -> float:
        """Speech probability of the raw microphone frame (for the room-noise monitor)."""
        if self._vad is None:
            return 0.0
        self.speech_probability = float(self._vad.process(mic))
        return self.speech_probability

    def set_echo_path(self, likely: bool) -> None:
        """``echo_cancellation`` "auto": cancel only where an echo path is likely (a speaker and a microphone
        in the open, e.g. the built-in fallback device), not on a headset. Measured: with no echo path, AEC3 in
        double talk wrecks the agent's speech (ViSQOL 4.7 -> 1.0, docs/audio.md)."""
        if self.auto_echo and self.options["echo_cancellation"] != likely:
            self.options["echo_cancellation"] = likely
            self._build()

    def process(self, mic: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``mic`` and ``far`` are 16 kHz float32 frames of equal length; returns the processed mic frame."""
        apm = self._apm
        if apm is None:
            return mic
        out: np.ndarray = apm.process(mic, far if self.options["echo_cancellation"] else None)
        return out
