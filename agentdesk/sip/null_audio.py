"""The engine's own CallAudio backends: ``null`` (silence both ways) and ``files`` (play a WAV, record a WAV).

Both run on the endpoint thread only (see agentdesk/sip/call_audio.py) and drop every pjsua2 object in stop().
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import pjsua2 as pj

from agentdesk.sip.call_audio import CallAudio
from agentdesk.sip.protocol import Emit

log = logging.getLogger(__name__)


class NullCallAudio:
    """Nothing reaches the far end but silence; what it sends is discarded. RTP still flows (VAD is off)."""

    def __init__(self, emit: Emit, config: dict[str, Any] | None = None) -> None:
        self.emit = emit
        self.config = dict(config or {})
        self.media: dict[int, Any] = {}
        self.muted = False

    def start(self) -> None:
        pass

    def attach(self, call_id: int, media: Any) -> None:
        self.media[call_id] = media
        self._apply_mute(media)

    def detach(self, call_id: int) -> None:
        self.media.pop(call_id, None)

    def set_mute(self, muted: bool) -> None:
        self.muted = muted
        for media in self.media.values():
            self._apply_mute(media)

    def _apply_mute(self, media: Any) -> None:
        try:
            # The call port's "rx" is what the bridge hands it to send: level 0 sends silence.
            media.adjustRxLevel(0.0 if self.muted else 1.0)
        except pj.Error as exc:
            log.warning("mute: %s", exc.info())

    def agent_media(self) -> tuple[Any, Any]:
        """No microphone, no ear (call training: trainers hear only the customer)."""
        return None, None

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any] | None:
        return None

    def on_call_state(self, call_id: int, state: str) -> None:
        pass

    def poll(self) -> None:
        pass

    def stop(self) -> None:
        self.media.clear()


class FilesCallAudio(NullCallAudio):
    """``play``: a WAV sent to the far end, looped; ``record``: a WAV of what the far end sends (all calls mixed)."""

    def __init__(self, emit: Emit, config: dict[str, Any] | None = None) -> None:
        super().__init__(emit, config)
        self.play_path = self.config.get("play")
        self.record_path = self.config.get("record")
        for key, path in (("play", self.play_path), ("record", self.record_path)):
            if path is not None and not isinstance(path, str):
                raise ValueError(f'audio "{key}" must be a file path')
        if self.play_path and not Path(self.play_path).is_file():
            raise ValueError(f"audio file to play not found: {self.play_path}")
        if self.record_path and not Path(self.record_path).parent.is_dir():
            raise ValueError(f"folder for the recording does not exist: {Path(self.record_path).parent}")
        self.player: Any = None
        self.recorder: Any = None

    def start(self) -> None:
        if self.play_path:
            self.player = pj.AudioMediaPlayer()
            self.player.createPlayer(self.play_path, 0)  # 0: loop

    def attach(self, call_id: int, media: Any) -> None:
        super().attach(call_id, media)
        if self.player is not None:
            self.player.startTransmit(media)
        if self.record_path:
            if self.recorder is None:
                self.recorder = pj.AudioMediaRecorder()
                self.recorder.createRecorder(self.record_path)
            media.startTransmit(self.recorder)

    def detach(self, call_id: int) -> None:
        media = self.media.get(call_id)
        if media is not None:
            # the call's port may already be gone from the bridge
            if self.player is not None:
                with contextlib.suppress(pj.Error):
                    self.player.stopTransmit(media)
            if self.recorder is not None:
                with contextlib.suppress(pj.Error):
                    media.stopTransmit(self.recorder)
        super().detach(call_id)

    def agent_media(self) -> tuple[Any, Any]:
        """The player is the agent's "microphone", the recorder the agent's "ear" (call training)."""
        if self.record_path and self.recorder is None:
            self.recorder = pj.AudioMediaRecorder()
            self.recorder.createRecorder(self.record_path)
        return self.player, self.recorder

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any] | None:
        if cmd.get("cmd") == "audio_files":
            return {"play": self.play_path, "record": self.record_path}
        return None

    def stop(self) -> None:
        for call_id in list(self.media):
            self.detach(call_id)
        self.player = None
        self.recorder = None  # the recorder's destructor finishes the WAV header


def make_backend(emit: Emit, audio: dict[str, Any] | None) -> CallAudio:
    """The configured backend; raises ValueError with an agent-readable message."""
    audio = dict(audio or {})
    backend = audio.pop("backend", "null")
    if backend == "null":
        return NullCallAudio(emit, audio)
    if backend == "files":
        return FilesCallAudio(emit, audio)
    if backend == "devices":
        try:
            from agentdesk.sip.audio import DeviceCallAudio
        except Exception as exc:  # the headset bridge is missing or broken: say so, keep running
            raise ValueError(f"the headset audio backend is not available: {exc}") from None
        return DeviceCallAudio(emit, audio)
    raise ValueError(f'unknown audio backend "{backend}" (devices, null or files)')
