"""Sound devices through PortAudio (sounddevice): stable identities, default choice, re-scans.

A PortAudio index changes whenever the list changes; the identity kept in settings is
``"<host API>:<device name>"`` (plus ``#2``, ``#3`` for same-named devices, in list order), which survives
re-scans and restarts. ``""`` means the system's default device. Only one host API is listed, so a device does
not appear three times on Windows: WASAPI when present (low latency, the system's default device), else the
PortAudio default host API (ALSA on Linux, Core Audio on macOS).

PortAudio only learns about plugged or unplugged devices when it re-initializes (``rescan``), which closes
every open stream; only the device manager (``bridge.DeviceManager``) does that, with its streams closed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sounddevice as sd

from agentdesk.sip.protocol import DeviceInfo

PREFERRED_HOSTAPIS = ("Windows WASAPI", "Core Audio", "ALSA")


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    index: int
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("index")
        return d

    def info(self) -> DeviceInfo:
        """The device as the protocol lists it (``audio_devices``, the ``devices`` reply)."""
        return DeviceInfo(id=self.id, name=self.name, hostapi=self.hostapi,
                          max_input_channels=self.max_input_channels, max_output_channels=self.max_output_channels,
                          default_samplerate=self.default_samplerate, is_default_input=self.is_default_input,
                          is_default_output=self.is_default_output)


def _hostapi_index() -> int:
    apis = sd.query_hostapis()
    for wanted in PREFERRED_HOSTAPIS:
        for i, api in enumerate(apis):
            if api["name"] == wanted and api["devices"]:
                return i
    return int(sd.default.hostapi)


def list_devices() -> list[Device]:
    """The current PortAudio list (as of the last scan), one host API."""
    api_i = _hostapi_index()
    api = sd.query_hostapis(api_i)
    names: dict[str, int] = {}
    out: list[Device] = []
    for idx in api["devices"]:
        d = sd.query_devices(idx)
        n = names.get(d["name"], 0) + 1
        names[d["name"]] = n
        ident = f"{api['name']}:{d['name']}" + (f"#{n}" if n > 1 else "")
        out.append(Device(id=ident, name=d["name"], index=idx, hostapi=api["name"],
                          max_input_channels=int(d["max_input_channels"]),
                          max_output_channels=int(d["max_output_channels"]),
                          default_samplerate=float(d["default_samplerate"]),
                          is_default_input=idx == api["default_input_device"],
                          is_default_output=idx == api["default_output_device"]))
    return out


def find(device_id: str, kind: str, devices: list[Device] | None = None) -> Device | None:
    """The device for an identity ("" = default) that can do ``kind`` ("input"/"output"), or None."""
    devices = list_devices() if devices is None else devices
    def has(d: Device) -> bool:
        return (d.max_input_channels if kind == "input" else d.max_output_channels) > 0

    if device_id:
        for d in devices:
            if d.id == device_id and has(d):
                return d
        return None
    for d in devices:
        if (d.is_default_input if kind == "input" else d.is_default_output) and has(d):
            return d
    return next((d for d in devices if has(d)), None)


def rescan() -> None:
    """Re-initialize PortAudio so that plugged/unplugged devices show. Closes every open stream."""
    sd._terminate()
    sd._initialize()
