"""Report descriptors recorded from real headsets, and where they come from (README.md beside this file).

The recordings are third-party data and are not kept in this repository: the tests read them from a folder
outside it, ``$AGENTDESK_HID_RECORDINGS``, else ``../shared/headset-descriptors`` next to the checkout (where CI
finds shared/), else ``/work/shared/headset-descriptors``. Each file is checked against the SHA-256 listed here,
so a test never runs on anything but the published recording. A missing folder skips the tests that need it and
says where the files go; a file that differs fails.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE_REPO = "gonicus/gonnect"  # GOnnect, a Qt SIP softphone (GPL-2.0-or-later); test fixtures captured from sysfs
SOURCE_COMMIT = "d482116097e2cd990f4a3ae184a51207e44b4ddc"
SOURCE_DIR = "tests/resources/hid"
ENV = "AGENTDESK_HID_RECORDINGS"


@dataclass(frozen=True)
class Recording:
    file: str
    vendor: str
    product: str
    sha256: str
    # what the descriptor offers, written out by hand from a decode of the descriptor (hid-tools' hid-decode):
    # "name@report:bit" + "a"/"r" (absolute/relative) for buttons, "name@report:bit" for lights
    buttons: str = ""
    lights: str = ""

    @property
    def vid_pid(self) -> tuple[int, int]:
        v, p = self.file.removesuffix(".bin").split("-")
        return int(v, 16), int(p, 16)

    def source(self) -> str:
        return f"https://github.com/{SOURCE_REPO}/blob/{SOURCE_COMMIT}/{SOURCE_DIR}/{self.file}"


RECORDINGS = [
    Recording("0b0e-0307.bin", "Jabra", "EVOLVE LINK MS",
              "7cbe40715331efac1ce35e796942bbc0f1c65c2f8f016ce42ea85bbb4fb78307",
              "hook_switch@2:0a line_busy_tone@2:1a phone_mute@2:2r flash@2:3r redial@2:4r programmable7@2:6a",
              "off_hook@2:0 mute@2:1 ring@2:2 hold@2:3 microphone@2:4 ringer@2:5"),
    Recording("0b0e-2453.bin", "Jabra", "BIZ 2400 II",
              "93239217e70200913cd172fbd0ebbcdef926e22f0dc04fcef8416a4205c45f1d",
              "hook_switch@2:0a line_busy_tone@2:1a phone_mute@2:2r flash@2:3r redial@2:4r programmable7@2:11a",
              "off_hook@2:0 mute@2:1 ring@2:2 hold@2:3 microphone@2:4 ringer@2:5"),
    Recording("0b0e-2456.bin", "Jabra", "SPEAK 810",
              "74f33e9fb9adfdbf1a7c1f2ce4061855a2961cb85ca5787ec4526830d419c9d8",
              "hook_switch@2:0a line_busy_tone@2:1a phone_mute@2:2r flash@2:3r programmable7@2:4a",
              "off_hook@2:0 mute@2:1 ring@2:2 hold@2:3 microphone@2:4 ringer@2:5"),
    Recording("047f-c053.bin", "Plantronics (Poly)", "Blackwire C5220",
              "d388bdee9ce0fb11cfa5ad4a7302329c9b02ae6d67acc390013c14022841dbd8",
              "phone_mute@8:0r hook_switch@8:1a flash@8:2a redial@8:3r programmable0@8:4a",
              "mute@9:0 off_hook@23:0 ring@24:0 hold@32:0"),
    Recording("047f-02e6.bin", "Plantronics (Poly)", "BT700",
              "cd8d3cfb713260a111b61b3a31aac8a2985f1db3eb6c1f0b221ef8d0a8793a76",
              "hook_switch@32:0a phone_mute@32:1r flash@32:2a redial@32:3r programmable0@32:4r",
              "ring@33:0 mute@35:0 off_hook@36:0 hold@37:0"),
    Recording("047f-02ec.bin", "Plantronics (Poly)", "Voyager Base CD",
              "16077024d0a98e291cbd3d34006293a1aecb94e751961dca28b368d508b3eafb",
              "hook_switch@1:0a phone_mute@1:1r flash@1:2a redial@1:3r programmable0@1:4r",
              "ring@1:0 mute@3:0 off_hook@4:0 hold@5:0"),
    Recording("1395-0082.bin", "Sennheiser", "SC 660 ANC USB",
              "e8d885f5adaab6befa6e26b481f382ca7593b62bc08086ce87ae16ae9965a011",
              "phone_mute@8:0r hook_switch@8:1a redial@8:2r flash@8:3r drop@8:4r programmable0@8:5a",
              "mute@9:0 off_hook@9:1 ring@9:2 microphone@9:3 hold@9:5"),
    Recording("1395-009c.bin", "EPOS (Sennheiser)", "IMPACT D1",
              "eeae92db52475de39c7e6b4436d99600272c0b02aaffe46d6b69ba02c047176e",
              "hook_switch@2:0a flash@2:1r redial@2:2r phone_mute@2:3r drop@2:4r programmable1@2:5a",
              "off_hook@3:0 microphone@3:1 ring@3:2 mute@3:3 hold@3:5"),
    Recording("1395-00a2.bin", "EPOS (Sennheiser)", "IMPACT DW",
              "79f50cc081a4cf11142595cd5c4cbda1f33e080007631ce83ff117e5baf98654",
              "hook_switch@2:2a flash@2:3r redial@2:4r phone_mute@2:5r drop@2:6r programmable1@2:7a",
              "ringer@3:0 off_hook@3:1 microphone@3:2 ring@3:3 mute@3:4 hold@3:6"),
    Recording("1395-00a9.bin", "EPOS (Sennheiser)", "IMPACT D",
              "79f50cc081a4cf11142595cd5c4cbda1f33e080007631ce83ff117e5baf98654",
              "hook_switch@2:2a flash@2:3r redial@2:4r phone_mute@2:5r drop@2:6r programmable1@2:7a",
              "ringer@3:0 off_hook@3:1 microphone@3:2 ring@3:3 mute@3:4 hold@3:6"),
    Recording("6993-b02b.bin", "Yealink", "WH66",
              "0cfeac89e614ceed7429edec32a18adb3a39e0e49ef520c6fcc1156d25bc5058",
              "hook_switch@2:0a line_busy_tone@2:1a phone_mute@2:2r flash@2:3r redial@2:4r programmable7@2:6a",
              "off_hook@2:0 mute@2:1 ring@2:2 hold@2:3 microphone@2:4 ringer@2:5"),
    Recording("046d-0ac4.bin", "Logitech", "G535 Wireless Gaming Headset (no call controls)",
              "354c5c7332c6168d9f61eb3c4fc1548d1658d84d4c022acd9ce29bd969bc518f"),
]
WITH_CONTROLS = [r for r in RECORDINGS if r.buttons]


def folder() -> Path | None:
    here = Path(__file__).resolve().parents[2]
    for c in (os.environ.get(ENV), here.parent / "shared" / "headset-descriptors",
              Path("/work/shared/headset-descriptors")):
        if c and Path(c).is_dir():
            return Path(c)
    return None


def load(rec: Recording) -> bytes:
    """The recorded descriptor's bytes; skips the test when the recordings are not on this machine."""
    d = folder()
    if d is None or not (d / rec.file).is_file():
        pytest.skip(f"recorded descriptor {rec.file} not found: put the recordings listed in "
                    f"tests/headset/README.md into ${ENV} or ../shared/headset-descriptors")
    data = (d / rec.file).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == rec.sha256, f"{rec.file} is not the published recording (sha256 {digest})"
    return data
