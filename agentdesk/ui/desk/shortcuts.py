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
    "practice": "Ctrl+P",  # a practice call (the practice center only)
}


def effective(overrides: dict[str, str]) -> dict[str, str]:
    """The defaults with the agent's overrides (unknown actions are ignored; an override the shortcut rules refuse,
    such as a bare Return from an old or hand-edited settings file, falls back to the default)."""
    from agentdesk.ui.settings.keys import valid_or_default

    return {name: valid_or_default(overrides.get(name, default), default)
            for name, default in DEFAULT_SHORTCUTS.items()}
