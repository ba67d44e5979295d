"""How the engine hands call audio to whatever carries it (the headset bridge, files, nothing).

The engine owns the pjsua2 Endpoint on one thread. Every method here is called on that thread, so an
implementation may create and connect pjsua2 objects (AudioMediaPort, players, recorders) freely, and must release
every one of them in :meth:`stop` (a pjsua2 object alive at libDestroy aborts the process: design.md).

Implementations:
- the engine's own silence/file implementation (tests and support: play a WAV to the far end, record what comes back);
- ``agentdesk.sip.audio`` (the USB headset through sounddevice, with drift compensation and voice processing).
"""

from __future__ import annotations

from typing import Any, Protocol


class CallAudio(Protocol):
    def start(self) -> None:
        """After libStart, on the endpoint thread."""

    def attach(self, call_id: int, media: Any) -> None:
        """The call's audio media (a pj.AudioMedia) became active: connect it both ways."""

    def detach(self, call_id: int) -> None:
        """The call's audio stopped (hold, end): disconnect; never touch ``media`` after this."""

    def set_mute(self, muted: bool) -> None:
        """Mute at the source: the far end hears silence, the meters still show the microphone."""

    def handle(self, cmd: dict[str, Any]) -> dict[str, Any] | None:
        """A command the engine does not know itself (devices, select_device...). Return the reply's extra
        fields, or None when the command is not an audio command. Raise ValueError for a bad argument."""

    def poll(self) -> None:
        """Called on every turn of the engine loop (about every 10-20 ms): emit level/device events here."""

    def stop(self) -> None:
        """Before libDestroy: disconnect and drop every pjsua2 object this implementation made."""

    # Optional (call training, agentdesk/sip/training.py): the engine looks it up with getattr, so a backend
    # without it still works, but then a trainer hears only the customer and a whisper reaches nobody.
    # The null and files backends implement it; the devices backend (agentdesk.sip.audio) must implement it too.
    def agent_media(self) -> tuple[Any, Any]:
        """(microphone, ear): the pj.AudioMedia whose output is what the agent says (the port the backend
        connects to each call) and the one whose input is what the agent hears (each call is connected to it).
        Either may be None. The engine connects them to trainers' legs, and the join tone to the ear, per mode;
        the objects must stay valid until :meth:`stop`."""

    # Optional: the engine looks it up with getattr on every call state change (incoming, calling, ringing,
    # connected, held, ended); the devices backend starts its headset streams when a call rings or dials.
    def on_call_state(self, call_id: int, state: str) -> None:
        """A call's state changed (the same states as the ``call`` event); never raises."""
