"""A stand-in for hidapi's ``hid`` module: the same ``enumerate()`` and ``device()`` (open_path, read, write,
get_report_descriptor, close), backed by a folder so that a test can drive the headset of an engine running in
another process.

The engine loads it with ``AGENTDESK_HID_BACKEND=tests.headset.standin`` and ``AGENTDESK_HID_STANDIN=<folder>``:

- ``devices.json``: the plugged-in devices, hidapi's enumerate() fields plus ``descriptor`` (hex) and ``name``;
- ``<name>.in``: input reports the device sends, one hex line each (the test appends: the device replays them in
  order, as a real one delivers them);
- ``<name>.out``: every output report the engine writes, one JSON line each ``{"t": monotonic, "report": hex}``;
- unplugging: the device leaves ``devices.json``; an open one then fails its next read, as hidapi does.

:class:`StandinFolder` is the test's side of the same folder.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

ENV = "AGENTDESK_HID_STANDIN"


def _folder() -> Path:
    return Path(os.environ[ENV])


def _devices(folder: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((folder / "devices.json").read_text())
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def enumerate(vendor_id: int = 0, product_id: int = 0) -> list[dict[str, Any]]:
    out = []
    for d in _devices(_folder()):
        if (vendor_id and d["vendor_id"] != vendor_id) or (product_id and d["product_id"] != product_id):
            continue
        e = {k: v for k, v in d.items() if k not in ("descriptor", "name")}
        e["path"] = d["path"].encode()
        out.append(e)
    return out


class device:
    def __init__(self) -> None:
        self.folder = _folder()
        self.entry: dict[str, Any] | None = None
        self.offset = 0

    def _plugged(self) -> dict[str, Any]:
        if self.entry is None:
            raise ValueError("not open")
        for d in _devices(self.folder):
            if d["path"] == self.entry["path"]:
                return d
        raise OSError("read error")  # unplugged

    def open_path(self, path: bytes) -> None:
        for d in _devices(self.folder):
            if d["path"].encode() == path:
                self.entry = d
                with open(self.folder / "opened.log", "a") as fh:
                    fh.write(d["name"] + "\n")
                inbox = self.folder / f"{d['name']}.in"
                self.offset = inbox.stat().st_size if inbox.exists() else 0  # only reports sent from now on
                return
        raise OSError("open failed")

    def get_report_descriptor(self) -> list[int]:
        return list(bytes.fromhex(self._plugged()["descriptor"]))

    def read(self, max_length: int, timeout_ms: int = 0) -> list[int]:
        d = self._plugged()
        inbox = self.folder / f"{d['name']}.in"
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            try:
                with open(inbox, "rb") as fh:
                    fh.seek(self.offset)
                    line = fh.readline()
            except OSError:
                line = b""
            if line.endswith(b"\n"):
                self.offset += len(line)
                return list(bytes.fromhex(line.decode().strip()))[:max_length]
            if time.monotonic() >= deadline:
                return []
            time.sleep(0.005)

    def write(self, buff: Any) -> int:
        d = self._plugged()
        data = bytes(buff)
        with open(self.folder / f"{d['name']}.out", "a") as fh:
            fh.write(json.dumps({"t": time.monotonic(), "report": data.hex()}) + "\n")
        return len(data)

    def close(self) -> None:
        self.entry = None


class StandinFolder:
    """The test's side: plug devices in, press their buttons, read what the engine wrote to them."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        if not (self.folder / "devices.json").exists():
            self._save([])

    def env(self) -> dict[str, str]:
        return {"AGENTDESK_HID_BACKEND": "tests.headset.standin", ENV: str(self.folder)}

    def _save(self, devices: list[dict[str, Any]]) -> None:
        tmp = self.folder / "devices.json.tmp"
        tmp.write_text(json.dumps(devices))
        tmp.replace(self.folder / "devices.json")

    def plug(self, name: str, descriptor: bytes, vendor_id: int, product_id: int, product: str,
             usage_page: int = 0x0B, usage: int = 0x05) -> str:
        with self._lock:
            devices = [d for d in _devices(self.folder) if d["name"] != name]
            devices.append({"name": name, "path": f"standin:{name}", "vendor_id": vendor_id,
                            "product_id": product_id, "product_string": product, "manufacturer_string": "",
                            "serial_number": "", "release_number": 0, "usage_page": usage_page, "usage": usage,
                            "interface_number": 3, "descriptor": descriptor.hex()})
            self._save(devices)
        return f"standin:{name}"

    def unplug(self, name: str) -> None:
        with self._lock:
            self._save([d for d in _devices(self.folder) if d["name"] != name])

    def send(self, name: str, report: bytes) -> None:
        with open(self.folder / f"{name}.in", "a") as fh:
            fh.write(report.hex() + "\n")

    def opened(self) -> list[str]:
        try:
            return (self.folder / "opened.log").read_text().split()
        except OSError:
            return []

    def written(self, name: str) -> list[tuple[float, bytes]]:
        try:
            lines = (self.folder / f"{name}.out").read_text().splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # a line being written
            out.append((float(obj["t"]), bytes.fromhex(obj["report"])))
        return out
