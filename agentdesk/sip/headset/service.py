"""The headset thread: finds headsets with call controls, opens the one paired with the call device, reads its
buttons and writes its lights. It never touches pjsua2: everything it learns goes to the engine's command queue
as ``("headset", HeadsetNews)``, and the lights it writes are the ones the engine-side state machine asks for.

Device I/O happens on this thread only (hidapi handles are not shared between threads). Discovery reads each
candidate's report descriptor without opening it where the OS offers that (Linux sysfs: opening an interface
through hidapi's libusb backend detaches the kernel driver, which a keyboard must never suffer); elsewhere only
collections on the Telephony page are opened (Windows lists each top-level collection as its own device).

One owner at a time: an open headset is locked (an OS file lock named after the device) so that a second AgentDesk
engine leaves it alone; the lock goes with the process. On quit or when turned off, every light is switched off
and the device closed; an unplugged device (a read or write that fails) is closed and reported lost, and the
thread keeps scanning (hot-plug: every ``SCAN_IDLE_S`` while none is open).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentdesk.sip.headset import pairing
from agentdesk.sip.headset.descriptor import DescriptorError
from agentdesk.sip.headset.telephony import TELEPHONY, CallControls, controls_from_bytes

log = logging.getLogger("agentdesk.sip.headset")

SCAN_IDLE_S = 2.0  # hot-plug: how often the HID list is read while no headset is open
SCAN_OPEN_S = 15.0  # while one is open (a better-paired headset may have arrived)
READ_TIMEOUT_MS = 50  # one read; also the longest a light change waits
BACKEND_ENV = "AGENTDESK_HID_BACKEND"  # a module with hidapi's enumerate() and device() (tests: the stand-in)


class HidDevice(Protocol):
    """The part of hidapi's ``hid.device`` this package uses (the stand-in in tests has the same)."""

    def open_path(self, path: bytes) -> None: ...
    def get_report_descriptor(self) -> list[int]: ...
    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]: ...
    def write(self, buff: Any) -> int: ...
    def close(self) -> None: ...


class HidBackend(Protocol):
    def enumerate(self, vendor_id: int = 0, product_id: int = 0) -> list[dict[str, Any]]: ...
    def device(self) -> HidDevice: ...


def load_backend() -> HidBackend:
    """hidapi (PyPI ``hidapi``, module ``hid``), or the module named by AGENTDESK_HID_BACKEND. ImportError if
    neither can be imported."""
    name = os.environ.get(BACKEND_ENV) or "hid"
    module = importlib.import_module(name)
    if not hasattr(module, "enumerate") or not hasattr(module, "device"):
        raise ImportError(f"{name} is not a hidapi module (no enumerate/device)")
    return module


@dataclass
class Candidate:
    identity: pairing.HidIdentity
    controls: CallControls
    manufacturer: str = ""
    serial: str = ""
    descriptor: bytes = b""

    @property
    def path(self) -> bytes:
        return self.identity.path

    def info(self) -> dict[str, Any]:
        i = self.identity
        return {"id": device_id(i), "name": i.product or f"{i.vendor_id:04x}:{i.product_id:04x}",
                "manufacturer": self.manufacturer, "vendor_id": i.vendor_id, "product_id": i.product_id,
                "buttons": self.controls.button_names(), "lights": self.controls.light_names(),
                "collections": list(self.controls.collections)}


def device_id(i: pairing.HidIdentity) -> str:
    """A stable, printable identity (hidapi paths are bytes and differ per OS)."""
    return f"{i.vendor_id:04x}:{i.product_id:04x}:" + hashlib.sha1(i.path).hexdigest()[:10]


@dataclass
class HeadsetNews:
    """What the thread tells the engine (always through the command queue)."""

    kind: str  # found | lost | input | lights | unavailable | candidates
    device: dict[str, Any] | None = None
    values: dict[str, int] = field(default_factory=dict)
    relative: dict[str, bool] = field(default_factory=dict)
    lights: dict[str, bool] = field(default_factory=dict)
    reason: str = ""
    how: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)


def _entry_path(entry: dict[str, Any]) -> bytes:
    p = entry.get("path", b"")
    return p if isinstance(p, bytes) else str(p).encode()


def discover(backend: HidBackend, cache: dict[bytes, Candidate | None], sysfs: str = "/sys") -> list[Candidate]:
    """Every HID device (collection) with call controls. ``cache`` keeps each path's answer between scans, so a
    device is looked at once while it stays plugged in."""
    try:
        entries = backend.enumerate()
    except Exception as exc:  # hidapi raises OSError or plain Exception
        raise OSError(f"could not list HID devices: {exc}") from exc
    seen: set[bytes] = set()
    found: list[Candidate] = []
    for e in entries:
        path = _entry_path(e)
        if path in seen:
            continue
        seen.add(path)
        if path not in cache:
            cache[path] = _look_at(backend, e, path, sysfs)
        c = cache[path]
        if c is not None:
            found.append(c)
    for gone in [p for p in cache if p not in seen]:
        del cache[gone]
    return found


def _look_at(backend: HidBackend, e: dict[str, Any], path: bytes, sysfs: str) -> Candidate | None:
    ident = pairing.HidIdentity(path=path, product=str(e.get("product_string") or ""),
                                vendor_id=int(e.get("vendor_id") or 0), product_id=int(e.get("product_id") or 0))
    data = pairing.linux_report_descriptor(path, sysfs) if sys.platform.startswith("linux") else None
    if data is None:
        # An engine that drives this headset left its descriptor in the device's lock file (hidapi's libusb
        # backend detaches the kernel driver, so sysfs no longer has it, and the device cannot be opened twice).
        data = DeviceLock(device_id(ident)).holder_descriptor()
    if data is None:
        if int(e.get("usage_page") or 0) != TELEPHONY:
            return None  # never open a device that is not a telephony collection
        dev = backend.device()
        try:
            dev.open_path(path)
            data = bytes(dev.get_report_descriptor())
        except Exception as exc:
            log.info("HID %s: could not read its report descriptor: %s", path[:60], exc)
            return None
        finally:
            with contextlib.suppress(Exception):
                dev.close()
    try:
        controls = controls_from_bytes(data)
    except DescriptorError as exc:
        log.warning("HID %04x:%04x: unreadable report descriptor: %s", int(e.get("vendor_id") or 0),
                    int(e.get("product_id") or 0), exc)
        return None
    if not controls.found:
        return None
    return Candidate(ident, controls, manufacturer=str(e.get("manufacturer_string") or ""),
                     serial=str(e.get("serial_number") or ""), descriptor=bytes(data))


def _lock(fh: Any) -> bool:
    """Lock the open file ``fh`` for this process without waiting (its first byte on Windows); closed if refused."""
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return False
    return True


class DeviceLock:
    """An OS file lock per device: one AgentDesk engine drives a headset at a time. Released with the process."""

    def __init__(self, key: str) -> None:
        self.path = os.path.join(tempfile.gettempdir(), f"agentdesk-headset-{key.replace(':', '-')}.lock")
        self.fh: Any = None

    def acquire(self, descriptor: bytes = b"") -> bool:
        """Take the lock; ``descriptor`` is left in the file for other processes (the self-check) to read."""
        try:
            fh = open(self.path, "a+b")
        except OSError:
            return True  # no lock file possible: do not refuse the headset for that
        if not _lock(fh):
            return False
        self.fh = fh
        with contextlib.suppress(OSError):
            fh.seek(0)
            fh.truncate()
            fh.write(descriptor.hex().encode())
            fh.flush()
        return True

    def holder_descriptor(self) -> bytes | None:
        """The descriptor an engine holding this lock left, or None when nobody holds it."""
        try:
            with open(self.path, "rb") as fh:
                text = fh.read(65536)
        except OSError:
            return None
        probe = DeviceLock.__new__(DeviceLock)
        probe.path, probe.fh = self.path, None
        if probe.acquire_quietly():
            probe.release()
            return None  # nobody holds it: a stale file
        try:
            return bytes.fromhex(text.decode()) or None
        except ValueError:
            return None

    def acquire_quietly(self) -> bool:
        """Take the lock without touching the file's content."""
        try:
            fh = open(self.path, "rb")
        except OSError:
            return False
        if not _lock(fh):
            return False
        self.fh = fh
        return True

    def release(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.fh.close()
            self.fh = None


class HeadsetService:
    """Owns the headset thread. ``post`` puts on the engine's command queue; ``wanted_lights`` and
    ``call_device`` are read on this thread (thread-safe callables from the engine side)."""

    def __init__(self, backend: HidBackend, post: Callable[[tuple[Any, ...]], None],
                 wanted_lights: Callable[[], dict[str, bool]], call_device: Callable[[], str | None],
                 sysfs: str = "/sys") -> None:
        self.backend = backend
        self.post = post
        self.wanted_lights = wanted_lights
        self.call_device = call_device
        self.sysfs = sysfs
        self._stop = threading.Event()
        self._rescan = threading.Event()
        self._thread: threading.Thread | None = None
        self._cache: dict[bytes, Candidate | None] = {}
        self.candidates: list[Candidate] = []
        self.active: Candidate | None = None
        self.how = ""
        self._dev: HidDevice | None = None
        self._lock: DeviceLock | None = None
        self._written: dict[str, bool] | None = None
        self._last_input: dict[int, bytes] = {}
        self._last_announce: tuple[str, tuple[str, ...]] | None = None

    # ---- control (engine thread) ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="headset", daemon=True)
            self._thread.start()

    def rescan(self) -> None:
        self._rescan.set()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        t = self._thread
        if t is not None:
            t.join(timeout)
        self._thread = None

    # ---- the thread -------------------------------------------------------------------------------------------
    def _send(self, news: HeadsetNews) -> None:
        self.post(("headset", news))

    def _run(self) -> None:
        next_scan = 0.0
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if self._rescan.is_set() or now >= next_scan:
                    self._rescan.clear()
                    self._scan()
                    next_scan = time.monotonic() + (SCAN_OPEN_S if self._dev is not None else SCAN_IDLE_S)
                if self._dev is None:
                    self._rescan.wait(0.25)
                    continue
                self._write_lights()
                self._read_once()
        except Exception:
            log.exception("headset thread failed")
            self._send(HeadsetNews("unavailable", reason="the headset controls stopped after an error; see the log"))
        finally:
            self._release(lights_off=True)

    def _scan(self) -> None:
        try:
            self.candidates = discover(self.backend, self._cache, self.sysfs)
        except OSError as exc:
            self._send(HeadsetNews("unavailable", reason=str(exc)))
            return
        choice = pairing.choose([c.identity for c in self.candidates], self.call_device(), sysfs=self.sysfs)
        chosen = next((c for c in self.candidates if choice.chosen is not None and c.path == choice.chosen.path),
                      None)
        announce = (choice.how, tuple(device_id(c.identity) for c in self.candidates))
        if chosen is None and announce != self._last_announce and self.candidates:
            self._send(HeadsetNews("candidates", how=choice.how, candidates=[c.info() for c in self.candidates]))
        self._last_announce = announce
        if self.active is not None and (chosen is None or chosen.path != self.active.path):
            still_there = any(c.path == self.active.path for c in self.candidates)
            self._release(lights_off=still_there, reason="not the call device" if still_there else "unplugged")
        if chosen is not None and self._dev is None:
            self._open(chosen, choice.how)

    def _open(self, c: Candidate, how: str) -> None:
        lock = DeviceLock(device_id(c.identity))
        if not lock.acquire(c.descriptor):
            self._send(HeadsetNews("unavailable", device=c.info(),
                                   reason="another AgentDesk is using this headset's buttons"))
            return
        dev = self.backend.device()
        try:
            dev.open_path(c.path)
        except Exception as exc:
            lock.release()
            reason = str(exc) or type(exc).__name__
            if sys.platform.startswith("linux"):
                reason += " (Linux: install the udev rule in docs/headset.md for access to the headset)"
            self._send(HeadsetNews("unavailable", device=c.info(), reason=f"could not open the headset: {reason}"))
            return
        self._dev, self._lock, self.active, self.how = dev, lock, c, how
        self._written = None
        self._last_input.clear()
        log.info("headset %s opened (%s)", c.identity.product, how)
        self._send(HeadsetNews("found", device=c.info(), how=how))

    def _release(self, lights_off: bool, reason: str = "") -> None:
        dev, c = self._dev, self.active
        if dev is not None and c is not None:
            if lights_off:
                with contextlib.suppress(Exception):
                    for report in c.controls.output_reports({}):
                        dev.write(report)
            with contextlib.suppress(Exception):
                dev.close()
        if self._lock is not None:
            self._lock.release()
        self._dev, self._lock, self.active = None, None, None
        self._written = None
        self._rescan.set()  # look again at once, then every SCAN_IDLE_S (hot-plug)
        if c is not None and reason:
            self._send(HeadsetNews("lost", device=c.info(), reason=reason))

    def _write_lights(self) -> None:
        dev, c = self._dev, self.active
        if dev is None or c is None:
            return
        want = self.wanted_lights()
        if want == self._written:
            return
        try:
            for report in c.controls.output_reports(want):
                if dev.write(report) < 0:
                    raise OSError("write failed")
        except Exception as exc:
            log.info("headset write failed: %s", exc)
            self._release(lights_off=False, reason="unplugged")
            return
        self._written = dict(want)
        have = {k: v for k, v in want.items() if k in c.controls.light_names()}
        self._send(HeadsetNews("lights", device=c.info(), lights=have))

    def _read_once(self) -> None:
        dev, c = self._dev, self.active
        if dev is None or c is None:
            return
        try:
            data = dev.read(64, READ_TIMEOUT_MS)
        except Exception as exc:
            log.info("headset read failed: %s", exc)
            self._release(lights_off=False, reason="unplugged")
            return
        if not data:
            return
        report = bytes(data)
        rid = report[0] if c.controls.numbered else 0
        if self._last_input.get(rid) == report:
            return  # the same report again: nothing changed
        self._last_input[rid] = report
        values = c.controls.read(report)
        if not values:
            return
        relative: dict[str, bool] = {}
        for b in c.controls.buttons:
            key = b.name if b.name != "programmable" else f"programmable_{b.number}"
            relative.setdefault(key, b.relative)
        self._send(HeadsetNews("input", device=c.info(), values=values, relative=relative))
