"""Which headset's buttons act: the HID device that belongs to the sound device the call uses.

PortAudio names sound devices and nothing more, so each platform is asked what it knows:

- **Linux**: the HID interface and the ALSA card of one USB headset hang under the same USB device in sysfs.
  hidapi's libusb backend (the PyPI wheel) names an interface ``1-2.3:1.3`` (``/sys/bus/usb/devices/1-2.3:1.3``);
  its hidraw backend names ``/dev/hidrawN`` (``/sys/class/hidraw/hidrawN/device``). PortAudio's ALSA device names
  end in ``(hw:N,M)``: card N is ``/sys/class/sound/cardN/device``. Both are resolved to the USB device directory
  (the nearest ancestor with an ``idVendor`` file) and compared. A PulseAudio/PipeWire device ("pulse", "default")
  names no card: then the name rule below applies.
- **Windows**: every device node of one physical device shares a *container id*. The HID collection's interface
  path (hidapi's path) leads to its device instance and container id (cfgmgr32); each audio endpoint
  (``SWD\\MMDEVAPI\\...``) has a friendly name, which is the name PortAudio's WASAPI host API shows (MME's is the same
  name cut to 31 characters), and a container id. Not run on Windows yet (docs/headset.md): tested with faked
  cfgmgr32 answers.
- **Everywhere, last**: the HID product string inside the sound device's name ("Headset Earphone (Jabra EVOLVE
  LINK MS)"), and a single headset with call controls when the call device says nothing (the system default).

With two headsets and nothing that tells them apart, none is taken: the agent's screen says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_HW = re.compile(r"\(hw:(\d+),\s*\d+\)")


@dataclass(frozen=True)
class HidIdentity:
    path: bytes
    product: str
    vendor_id: int
    product_id: int


@dataclass(frozen=True)
class Pairing:
    chosen: HidIdentity | None
    how: str  # usb | container | name | only | other_device | ambiguous | none


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


# ---- Linux -------------------------------------------------------------------------------------------------------
def _usb_device_dir(start: str, sysfs: str) -> str | None:
    try:
        path = os.path.realpath(start)
    except OSError:
        return None
    root = os.path.realpath(sysfs)
    for _ in range(16):
        if not path.startswith(root) or path == root:
            return None
        if os.path.isfile(os.path.join(path, "idVendor")):
            return path
        path = os.path.dirname(path)
    return None


def linux_hid_sysfs(path: bytes, sysfs: str = "/sys") -> str | None:
    """The sysfs directory of a hidapi device path (hidraw or libusb backend), or None."""
    p = path.decode("utf-8", "replace")
    if p.startswith("/dev/hidraw"):
        d = os.path.join(sysfs, "class", "hidraw", os.path.basename(p), "device")
        return d if os.path.exists(d) else None
    if re.fullmatch(r"\d+-[\d.]+:\d+\.\d+", p):
        d = os.path.join(sysfs, "bus", "usb", "devices", p)
        return d if os.path.exists(d) else None
    return None


def linux_hid_usb_device(path: bytes, sysfs: str = "/sys") -> str | None:
    d = linux_hid_sysfs(path, sysfs)
    return _usb_device_dir(d, sysfs) if d else None


def linux_report_descriptor(path: bytes, sysfs: str = "/sys") -> bytes | None:
    """The report descriptor the kernel read from the device, without opening it (readable by every user)."""
    d = linux_hid_sysfs(path, sysfs)
    if d is None:
        return None
    candidates = [os.path.join(d, "report_descriptor")]
    with contextlib.suppress(OSError):
        candidates += [os.path.join(d, e, "report_descriptor") for e in sorted(os.listdir(d))
                       if re.fullmatch(r"[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}\.[0-9A-Fa-f]+", e)]
    for c in candidates:
        try:
            with open(c, "rb") as fh:
                data = fh.read(65536)
            if data:
                return data
        except OSError:
            continue
    return None


def linux_device_node(path: bytes, sysfs: str = "/sys") -> str | None:
    """The device file hidapi opens for ``path`` on Linux (/dev/hidrawN, or the USB device node of the libusb
    backend), to tell whether the udev rule grants access; None elsewhere."""
    p = path.decode("utf-8", "replace")
    if p.startswith("/dev/hidraw"):
        return p
    usb = linux_hid_usb_device(path, sysfs)
    if usb is None:
        return None
    try:
        with open(os.path.join(usb, "busnum")) as b, open(os.path.join(usb, "devnum")) as d:
            return f"/dev/bus/usb/{int(b.read()):03d}/{int(d.read()):03d}"
    except (OSError, ValueError):
        return None


def linux_sound_usb_device(device_name: str, sysfs: str = "/sys") -> str | None:
    m = _HW.search(device_name)
    if not m:
        return None
    return _usb_device_dir(os.path.join(sysfs, "class", "sound", f"card{m.group(1)}", "device"), sysfs)


# ---- Windows (cfgmgr32 through ctypes) ---------------------------------------------------------------------------
class _GUID(ctypes.Structure):
    _fields_ = [("Data1", ctypes.c_uint32), ("Data2", ctypes.c_uint16), ("Data3", ctypes.c_uint16),
                ("Data4", ctypes.c_ubyte * 8)]

    def text(self) -> str:
        d4 = bytes(self.Data4)
        return f"{self.Data1:08x}-{self.Data2:04x}-{self.Data3:04x}-{d4[:2].hex()}-{d4[2:].hex()}"


class _DEVPROPKEY(ctypes.Structure):
    _fields_ = [("fmtid", _GUID), ("pid", ctypes.c_uint32)]


def _key(data1: int, data2: int, data3: int, data4: bytes, pid: int) -> _DEVPROPKEY:
    return _DEVPROPKEY(_GUID(data1, data2, data3, (ctypes.c_ubyte * 8)(*data4)), pid)


# devpkey.h
DEVPKEY_DEVICE_FRIENDLY_NAME = (0xA45C254E, 0xDF1C, 0x4EFD, bytes([0x80, 0x20, 0x67, 0xD1, 0x46, 0xA8, 0x50, 0xE0]),
                                14)
DEVPKEY_DEVICE_CONTAINER_ID = (0x8C7ED206, 0x3F8A, 0x4827, bytes([0xB3, 0xAB, 0xAE, 0x9E, 0x1F, 0xAE, 0xFC, 0x6C]),
                               2)
DEVPKEY_DEVICE_INSTANCE_ID = (0x78C34FC8, 0x104A, 0x4ACA, bytes([0x9E, 0xA4, 0x52, 0x4D, 0x52, 0x99, 0x6E, 0x57]),
                              256)
CR_SUCCESS = 0
CM_GETIDLIST_FILTER_ENUMERATOR = 0x1
CM_GETIDLIST_FILTER_PRESENT = 0x100


class WindowsDevices:
    """The few cfgmgr32 calls pairing needs. ``api`` is the loaded cfgmgr32 (tests pass a fake)."""

    def __init__(self, api: object | None = None) -> None:
        self.api: Any = api if api is not None else ctypes.WinDLL("cfgmgr32")  # type: ignore[attr-defined]

    def _prop(self, call: Callable[..., int], target: object, key: tuple[int, int, int, bytes, int]) -> bytes | None:
        pk = _key(*key)
        ptype = ctypes.c_uint32(0)
        size = ctypes.c_uint32(0)
        call(target, ctypes.byref(pk), ctypes.byref(ptype), None, ctypes.byref(size), 0)
        if not size.value or size.value > 65536:
            return None
        buf = ctypes.create_string_buffer(size.value)
        if call(target, ctypes.byref(pk), ctypes.byref(ptype), buf, ctypes.byref(size), 0) != CR_SUCCESS:
            return None
        return buf.raw[:size.value]

    def _devnode(self, instance_id: str) -> ctypes.c_uint32 | None:
        inst = ctypes.c_uint32(0)
        if self.api.CM_Locate_DevNodeW(ctypes.byref(inst), ctypes.c_wchar_p(instance_id), 0) != CR_SUCCESS:
            return None
        return inst

    def _node_prop(self, inst: ctypes.c_uint32, key: tuple[int, int, int, bytes, int]) -> bytes | None:
        return self._prop(self.api.CM_Get_DevNode_PropertyW, inst, key)

    @staticmethod
    def _guid(raw: bytes | None) -> str | None:
        if not raw or len(raw) < 16:
            return None
        return _GUID.from_buffer_copy(raw[:16]).text()

    @staticmethod
    def _text(raw: bytes | None) -> str:
        return raw.decode("utf-16-le", "replace").rstrip("\x00") if raw else ""

    def hid_container(self, interface_path: str) -> str | None:
        raw = self._prop(self.api.CM_Get_Device_Interface_PropertyW, ctypes.c_wchar_p(interface_path),
                         DEVPKEY_DEVICE_INSTANCE_ID)
        instance = self._text(raw)
        inst = self._devnode(instance) if instance else None
        return self._guid(self._node_prop(inst, DEVPKEY_DEVICE_CONTAINER_ID)) if inst is not None else None

    def audio_endpoints(self) -> list[tuple[str, str]]:
        """(friendly name, container id) of every present audio endpoint."""
        flags = CM_GETIDLIST_FILTER_ENUMERATOR | CM_GETIDLIST_FILTER_PRESENT
        size = ctypes.c_uint32(0)
        if self.api.CM_Get_Device_ID_List_SizeW(ctypes.byref(size), ctypes.c_wchar_p("SWD\\MMDEVAPI"),
                                                flags) != CR_SUCCESS or not size.value:
            return []
        buf = ctypes.create_unicode_buffer(min(size.value, 1 << 20))
        if self.api.CM_Get_Device_ID_ListW(ctypes.c_wchar_p("SWD\\MMDEVAPI"), buf, size, flags) != CR_SUCCESS:
            return []
        out = []
        for instance in "".join(buf[:size.value]).split("\x00"):
            if not instance:
                continue
            inst = self._devnode(instance)
            if inst is None:
                continue
            name = self._text(self._node_prop(inst, DEVPKEY_DEVICE_FRIENDLY_NAME))
            container = self._guid(self._node_prop(inst, DEVPKEY_DEVICE_CONTAINER_ID))
            if name and container:
                out.append((name, container))
        return out


def _endpoint_matches(endpoint: str, device_name: str) -> bool:
    """WASAPI shows the endpoint's friendly name; MME the same name cut to 31 characters."""
    a, b = endpoint.casefold(), device_name.casefold()
    return _norm(a) == _norm(b) or (len(device_name) == 31 and a.startswith(b))


# ---- the choice --------------------------------------------------------------------------------------------------
def choose(candidates: Sequence[HidIdentity], call_device: str | None, *, platform: str = sys.platform,
           sysfs: str = "/sys", windows: WindowsDevices | None = None) -> Pairing:
    """The headset whose buttons act for a call on ``call_device`` (PortAudio's device name; None/"" = the
    system's default device)."""
    if not candidates:
        return Pairing(None, "none")
    name = call_device or ""
    if name and platform.startswith("linux") and _HW.search(name):
        card = linux_sound_usb_device(name, sysfs)
        same = [c for c in candidates if card is not None and linux_hid_usb_device(c.path, sysfs) == card]
        if same:
            return Pairing(same[0], "usb")
        if os.path.exists(os.path.join(sysfs, "class", "sound", f"card{_HW.search(name).group(1)}")):  # type: ignore[union-attr]
            return Pairing(None, "other_device")  # the call is on another card (built-in, another headset)
    if name and platform == "win32":
        try:
            win = windows or WindowsDevices()
            containers = {cid for ep, cid in win.audio_endpoints() if _endpoint_matches(ep, name)}
            if containers:
                same = [c for c in candidates
                        if win.hid_container(c.path.decode("utf-8", "replace")) in containers]
                if same:
                    return Pairing(same[0], "container")
                return Pairing(None, "other_device")
        except (OSError, AttributeError, ValueError):
            pass  # cfgmgr32 missing or refusing: the name rule below
    if name:
        by_name = [c for c in candidates if c.product and _norm(c.product) in _norm(name)]
        if len({(c.vendor_id, c.product_id, c.product) for c in by_name}) == 1:
            return Pairing(by_name[0], "name")
    distinct = {(c.vendor_id, c.product_id, c.path) for c in candidates}
    if len(distinct) == 1:
        return Pairing(candidates[0], "only")
    return Pairing(None, "ambiguous")
