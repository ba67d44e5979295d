"""Default keyboard shortcuts of the shift screen (the agent can change them in Settings > Shortcuts)."""

from __future__ import annotations

DEFAULT_SHORTCUTS: dict[str, str] = {
    "work": "Ctrl+F2",
    "ready": "F2",
    "not_ready": "F3",
    "break": "F4",
    "answer": "F5",
    "hangup": "F6",
    "hold": "F7",
    "mute": "F8",
    "escalate": "F9",
    "raise_hand": "F11",
    "dtmf_pad": "Ctrl+D",
    "notes": "Ctrl+N",
    "submit_wrap_up": "Ctrl+Return",
}


def effective(overrides: dict[str, str]) -> dict[str, str]:
    """The defaults with the agent's overrides (unknown actions are ignored)."""
    return {name: overrides.get(name, default) for name, default in DEFAULT_SHORTCUTS.items()}
