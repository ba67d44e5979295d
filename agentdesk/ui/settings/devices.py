"""Sound devices as an agent reads them: human names, the system's default marked, the plumbing left out.

PortAudio on Linux lists ALSA's names ("Jabra EVOLVE 20 MS: USB Audio (hw:2,0)") and its virtual devices
(sysdefault, front, surround51, dmix...); Windows' WASAPI names are already readable ("Headset Microphone
(Jabra EVOLVE 20 MS)"). The identity kept in settings stays the engine's own (agentdesk.sip.audio.devices), so a
device chosen here is the device the engine opens.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

# ALSA's virtual devices: routes into the same cards, not devices an agent chooses.
ALSA_PLUMBING = {"sysdefault", "front", "rear", "center_lfe", "side", "surround21", "surround40", "surround41",
                 "surround50", "surround51", "surround71", "iec958", "spdif", "hdmi", "dmix", "dsnoop", "samplerate",
                 "speexrate", "upmix", "vdownmix", "lavrate", "jack", "oss", "null", "default", "modem", "phoneline"}
SOUND_SERVERS = {"pulse": "PulseAudio", "pipewire": "PipeWire"}
_HW = re.compile(r"\s*\((?:hw|plughw):\d+,\d+\)\s*$")
_GENERIC_PART = {"usb audio", "-", "", "usb-audio"}


@dataclass(frozen=True)
class DeviceChoice:
    ident: str  # the engine's identity ("" = the system default)
    name: str  # what the agent reads
    is_default: bool = False


def human_name(name: str, hostapi: str = "") -> str | None:
    """A readable name, or None for a device nobody should pick (ALSA's virtual routes)."""
    if hostapi == "ALSA" or _HW.search(name) or name in ALSA_PLUMBING or name in SOUND_SERVERS:
        base = name.strip()
        if base in ALSA_PLUMBING:
            return None
        if base in SOUND_SERVERS:
            return f"{SOUND_SERVERS[base]}"
        base = _HW.sub("", base)
        card, sep, part = base.partition(": ")
        if sep:
            if part.strip().lower() in _GENERIC_PART or part.strip() == card.strip():
                return card.strip()
            return f"{card.strip()} — {part.strip()}"
        return base
    return name.strip() or None


def list_devices() -> tuple[list[DeviceChoice], list[DeviceChoice]]:
    """(inputs, outputs) from the same list and host API the engine's headset backend uses; empty lists when
    PortAudio is unavailable."""
    try:
        from agentdesk.sip.audio import devices as audio_devices

        found = audio_devices.list_devices()
    except Exception as exc:
        log.info("no audio devices: %s", exc)
        return [], []
    inputs: list[DeviceChoice] = []
    outputs: list[DeviceChoice] = []
    for d in found:
        name = human_name(d.name, d.hostapi)
        if name is None:
            continue
        if d.max_input_channels > 0:
            inputs.append(DeviceChoice(d.id, name, d.is_default_input))
        if d.max_output_channels > 0:
            outputs.append(DeviceChoice(d.id, name, d.is_default_output))
    return inputs, outputs


def choices(items: list[DeviceChoice] | list[tuple[str, str]] | list[tuple[str, str, bool]]) -> list[DeviceChoice]:
    """Accept (id, name[, is_default]) tuples too (tests and callers that list devices themselves)."""
    out = []
    for item in items:
        out.append(item if isinstance(item, DeviceChoice) else DeviceChoice(*item))
    return out
