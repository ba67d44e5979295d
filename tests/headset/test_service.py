"""The headset thread and the engine-side control, with the hidapi stand-in (no engine, no pjsua2); pairing on a
sysfs tree laid out as Linux lays out a USB headset, and on faked Windows cfgmgr32 answers."""

from __future__ import annotations

import ctypes
import os
import queue
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from agentdesk.sip import protocol as P
from agentdesk.sip.headset import pairing, service
from agentdesk.sip.headset.control import HeadsetControl
from agentdesk.sip.headset.service import DeviceLock, HeadsetNews
from tests.headset import synthetic as s
from tests.headset.standin import StandinFolder

HEADSET = s.headset(rid_in=1, rid_out=2)  # hook@1:0 (abs), mute@1:1, flash@1:2; lights off_hook, mute, ring, hold


class Engine:
    """Plays the engine thread: drains what the headset thread posts into HeadsetControl, collects events."""

    def __init__(self, folder: StandinFolder, monkeypatch: pytest.MonkeyPatch) -> None:
        for k, v in folder.env().items():
            monkeypatch.setenv(k, v)
        self.q: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.control = HeadsetControl(self._record, self.q.put)
        self.emit = self.control.tap(self._record)

    def _record(self, event: P.Event) -> None:
        self.events.append(event.to_json())  # as the wire carries it

    def pump(self, until: Any, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ev in self.events:
                if until(ev):
                    return ev
            try:
                item = self.q.get(timeout=0.05)
            except queue.Empty:
                continue
            assert item[0] == "headset" and isinstance(item[1], HeadsetNews)
            self.control.on_queue(item[1])
        raise AssertionError(f"no such event; got {[e for e in self.events if e.get('event') == 'headset']}")

    def headset(self, state: str, **fields: Any) -> dict[str, Any]:
        return self.pump(lambda e: e.get("event") == "headset" and e.get("state") == state and
                         all(e.get(k) == v for k, v in fields.items()))


def _last_lights(folder: StandinFolder, name: str, timeout: float = 3.0, want: int | None = None) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        w = folder.written(name)
        if w and (want is None or w[-1][1][1] == want):
            return w[-1][1]
        time.sleep(0.02)
    raise AssertionError(f"lights never became {want}: {folder.written(name)}")


def test_buttons_and_lights_through_the_headset_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = StandinFolder(tmp_path / "hid")
    folder.plug("keyboard", s.headset(), 0x046D, 0xC31C, "USB Keyboard", usage_page=0x01, usage=0x06)
    folder.plug("headset", HEADSET, 0x0B0E, 0x0307, "Test Headset")
    eng = Engine(folder, monkeypatch)
    eng.control.configure({"enabled": True})
    try:
        found = eng.headset("found")
        assert found["device"]["buttons"] == ["flash", "hook_switch", "phone_mute"]
        assert found["paired"] == "only"
        assert folder.opened().count("keyboard") == 0  # not a telephony collection: never opened
        eng.emit(P.CallEvent(call=7, direction="incoming", state="incoming", remote="<sip:customer@x>"))
        assert _last_lights(folder, "headset", want=0b0100) == bytes([2, 0b0100])  # ring
        folder.send("headset", bytes([1, 0b001]))  # off-hook
        ev = eng.headset("button", button="hook_switch")
        assert (ev["request"], ev["call"], ev["pressed"]) == ("answer", 7, True)
        assert _last_lights(folder, "headset", want=0b0001)  # off-hook at once, ring off
        eng.emit(P.CallEvent(call=7, direction="incoming", state="connected", remote="<sip:customer@x>"))
        folder.send("headset", bytes([1, 0b011]))  # mute press ...
        folder.send("headset", bytes([1, 0b001]))  # ... and release
        assert eng.headset("button", button="phone_mute", pressed=True)["request"] == "mute"
        eng.emit(P.MuteChanged(muted=True))
        assert _last_lights(folder, "headset", want=0b0011)  # the mute light acknowledges
        assert eng.pump(lambda e: e.get("state") == "lights" and e["lights"]["mute"])["lights"]["off_hook"]
        folder.unplug("headset")
        assert eng.headset("lost")["reason"] == "unplugged"
        folder.plug("headset", HEADSET, 0x0B0E, 0x0307, "Test Headset")  # hot-plug
        eng.pump(lambda e: e.get("state") == "found" and e is not found)
        assert _last_lights(folder, "headset", want=0b0011)  # back in step with the call at once
    finally:
        eng.control.stop()
    assert folder.written("headset")[-1][1] == bytes([2, 0])  # released: every light off


def test_two_headsets_without_a_call_device_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = StandinFolder(tmp_path / "hid")
    folder.plug("a", HEADSET, 0x0B0E, 0x0307, "Jabra EVOLVE LINK MS")
    folder.plug("b", HEADSET, 0x047F, 0xC053, "Plantronics Blackwire C5220")
    eng = Engine(folder, monkeypatch)
    eng.control.configure({"enabled": True})
    try:
        ev = eng.headset("candidates")
        assert ev["paired"] == "ambiguous" and len(ev["candidates"]) == 2
        eng.emit(P.AudioDevice(role="call", state="active", id="x",
                               name="Headset Earphone (Plantronics Blackwire C5220)"))
        assert eng.headset("found")["device"]["name"] == "Plantronics Blackwire C5220"
        assert folder.written("a") == []  # looked at (its descriptor), never driven
    finally:
        eng.control.stop()


def test_missing_backend_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(service.BACKEND_ENV, "tests.headset.no_such_module")
    events: list[P.Event] = []
    c = HeadsetControl(events.append, lambda item: None)
    c.configure({"enabled": True})
    assert isinstance(events[-1], P.HeadsetUnavailable) and "hidapi" in events[-1].reason
    assert c.command()["problem"]


def test_a_headset_held_by_an_engine_is_still_seen_by_the_self_check(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux with hidapi's libusb backend: while an engine holds the headset the kernel driver is detached (no
    descriptor in sysfs) and the device cannot be opened again; the engine's lock file carries the descriptor."""
    folder = StandinFolder(tmp_path / "hid")
    folder.plug("held", HEADSET, 0x0B0E, 0x0307, "Held Headset", usage_page=0x0C, usage=0x01)  # not openable here
    for k, v in folder.env().items():
        monkeypatch.setenv(k, v)
    backend = service.load_backend()
    assert service.discover(backend, {}, str(tmp_path / "nosys")) == []
    ident = pairing.HidIdentity(b"standin:held", "Held Headset", 0x0B0E, 0x0307)
    owner = DeviceLock(service.device_id(ident))
    assert owner.acquire(HEADSET)
    try:
        seen = service.discover(backend, {}, str(tmp_path / "nosys"))
        assert [c.info()["buttons"] for c in seen] == [["flash", "hook_switch", "phone_mute"]]
    finally:
        owner.release()
    assert DeviceLock(service.device_id(ident)).holder_descriptor() is None  # released: nobody holds it
    os.unlink(owner.path)


def test_one_owner_at_a_time() -> None:
    key = f"test-{uuid.uuid4().hex}"
    first, second = DeviceLock(key), DeviceLock(key)
    assert first.acquire()
    try:
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()
    os.unlink(first.path)


# ---- pairing -----------------------------------------------------------------------------------------------------
def _usb_headset(sysfs: Path, port: str, card: int, descriptor: bytes) -> bytes:
    """/sys as Linux has it for a USB headset on ``port``: HID interface 3 (hidraw and libusb names) and ALSA
    card ``card`` on interface 0."""
    dev = sysfs / "devices" / "pci0000:00" / "0000:00:14.0" / "usb1" / port
    (dev / f"{port}:1.3" / "0003:0B0E:0307.0001" / "hidraw" / f"hidraw{card}").mkdir(parents=True)
    (dev / "idVendor").write_text("0b0e\n")
    (dev / f"{port}:1.3" / "0003:0B0E:0307.0001" / "report_descriptor").write_bytes(descriptor)
    (dev / f"{port}:1.0").mkdir()
    for link, target in ((sysfs / "bus" / "usb" / "devices" / f"{port}:1.3", dev / f"{port}:1.3"),
                         (sysfs / "class" / "sound" / f"card{card}", dev / f"{port}:1.0" / "sound" / f"card{card}"),
                         (sysfs / "class" / "hidraw" / f"hidraw{card}",
                          dev / f"{port}:1.3" / "0003:0B0E:0307.0001" / "hidraw" / f"hidraw{card}")):
        target.mkdir(parents=True, exist_ok=True)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
    (dev / f"{port}:1.0" / "sound" / f"card{card}" / "device").symlink_to(dev / f"{port}:1.0")
    (dev / f"{port}:1.3" / "0003:0B0E:0307.0001" / "hidraw" / f"hidraw{card}" / "device").symlink_to(
        dev / f"{port}:1.3" / "0003:0B0E:0307.0001")
    return f"{port}:1.3".encode()


def test_linux_pairs_by_usb_device(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    one = _usb_headset(sysfs, "1-2", 2, HEADSET)
    _usb_headset(sysfs, "1-3", 3, HEADSET)
    builtin = sysfs / "devices" / "pci0000:00" / "0000:00:1f.3" / "sound" / "card0"
    builtin.mkdir(parents=True)
    (sysfs / "class" / "sound" / "card0").symlink_to(builtin)
    (builtin / "device").symlink_to(builtin.parent.parent)
    a = pairing.HidIdentity(one, "Jabra EVOLVE LINK MS", 0x0B0E, 0x0307)
    b = pairing.HidIdentity(b"/dev/hidraw3", "Jabra EVOLVE LINK MS", 0x0B0E, 0x0307)  # the same model, hidraw name
    assert pairing.linux_report_descriptor(one, str(sysfs)) == HEADSET
    assert pairing.linux_report_descriptor(b"/dev/hidraw3", str(sysfs)) == HEADSET
    got = pairing.choose([a, b], "Jabra EVOLVE LINK MS: USB Audio (hw:3,0)", platform="linux", sysfs=str(sysfs))
    assert (got.chosen, got.how) == (b, "usb")
    got = pairing.choose([a, b], "Jabra EVOLVE LINK MS: USB Audio (hw:2,0)", platform="linux", sysfs=str(sysfs))
    assert (got.chosen, got.how) == (a, "usb")
    got = pairing.choose([a], "HDA Intel PCH: ALC257 Analog (hw:0,0)", platform="linux", sysfs=str(sysfs))
    assert (got.chosen, got.how) == (None, "other_device")  # the call is on the laptop: the headset stays quiet
    assert pairing.choose([a], "pulse", platform="linux", sysfs=str(sysfs)).how == "only"
    assert pairing.choose([a, b], None, platform="linux", sysfs=str(sysfs)).how == "ambiguous"


class FakeCfgmgr32:
    """cfgmgr32 as pairing calls it (two-call size/data protocol, output through ctypes pointers)."""

    def __init__(self, interfaces: dict[str, str], nodes: dict[str, dict[int, Any]]) -> None:
        self.interfaces = interfaces  # interface path -> device instance id
        self.nodes = nodes  # instance id -> {pid: value} (14 friendly name, 2 container GUID)
        self.handles: list[str] = []

    @staticmethod
    def _out(buf: Any, size: Any, raw: bytes) -> int:
        size._obj.value = len(raw)
        if buf is not None:
            ctypes.memmove(buf, raw, len(raw))
        return 0

    @staticmethod
    def _encode(value: Any) -> bytes:
        if isinstance(value, uuid.UUID):
            return value.bytes_le
        return (str(value) + "\x00").encode("utf-16-le")

    def CM_Get_Device_Interface_PropertyW(self, path: Any, key: Any, ptype: Any, buf: Any, size: Any, flags: int) -> int:
        instance = self.interfaces.get(path.value)
        return 0x25 if instance is None else self._out(buf, size, self._encode(instance))

    def CM_Locate_DevNodeW(self, inst: Any, instance: Any, flags: int) -> int:
        if instance.value not in self.nodes:
            return 0x0D
        self.handles.append(instance.value)
        inst._obj.value = len(self.handles) - 1
        return 0

    def CM_Get_DevNode_PropertyW(self, inst: Any, key: Any, ptype: Any, buf: Any, size: Any, flags: int) -> int:
        props = self.nodes[self.handles[inst.value]]
        value = props.get(key._obj.pid)
        return 0x25 if value is None else self._out(buf, size, self._encode(value))

    def _ids(self) -> str:
        return "".join(i + "\x00" for i in self.nodes if i.startswith("SWD\\MMDEVAPI")) + "\x00"

    def CM_Get_Device_ID_List_SizeW(self, size: Any, flt: Any, flags: int) -> int:
        size._obj.value = len(self._ids())
        return 0

    def CM_Get_Device_ID_ListW(self, flt: Any, buf: Any, size: Any, flags: int) -> int:
        ids = self._ids()
        buf.value = ids  # NULs inside: ctypes stops there, so write char by char
        for i, ch in enumerate(ids):
            buf[i] = ch
        return 0


def test_windows_pairs_by_container_id() -> None:
    jabra, poly = uuid.uuid4(), uuid.uuid4()
    hid_a = "\\\\?\\hid#vid_0b0e&pid_0307&mi_03&col01#7&1&0&0000#{4d1e55b2-f16f-11cf-88cb-001111000030}"
    hid_b = "\\\\?\\hid#vid_047f&pid_c053&mi_03&col03#7&2&0&0000#{4d1e55b2-f16f-11cf-88cb-001111000030}"
    api = FakeCfgmgr32(
        {hid_a: "HID\\VID_0B0E&PID_0307&MI_03&COL01\\7&1&0&0000", hid_b: "HID\\VID_047F&PID_C053&MI_03&COL03\\7&2"},
        {"HID\\VID_0B0E&PID_0307&MI_03&COL01\\7&1&0&0000": {2: jabra},
         "HID\\VID_047F&PID_C053&MI_03&COL03\\7&2": {2: poly},
         "SWD\\MMDEVAPI\\{0.0.0.00000000}.{a1}": {14: "Headset Earphone (Jabra EVOLVE LINK MS)", 2: jabra},
         "SWD\\MMDEVAPI\\{0.0.1.00000000}.{b2}": {14: "Headset Microphone (Plantronics Blackwire C5220)", 2: poly},
         "SWD\\MMDEVAPI\\{0.0.0.00000000}.{c3}": {14: "Speakers (Realtek(R) Audio)", 2: uuid.uuid4()}})
    win = pairing.WindowsDevices(api)
    a = pairing.HidIdentity(hid_a.encode(), "Jabra EVOLVE LINK MS", 0x0B0E, 0x0307)
    b = pairing.HidIdentity(hid_b.encode(), "Plantronics Blackwire C5220", 0x047F, 0xC053)
    got = pairing.choose([a, b], "Headset Microphone (Plantronics Blackwire C5220)", platform="win32", windows=win)
    assert (got.chosen, got.how) == (b, "container")
    got = pairing.choose([a, b], "Headset Earphone (Jabra EVOLVE LINK MS)"[:31], platform="win32", windows=win)  # MME
    assert (got.chosen, got.how) == (a, "container")
    got = pairing.choose([a, b], "Speakers (Realtek(R) Audio)", platform="win32", windows=win)
    assert (got.chosen, got.how) == (None, "other_device")
