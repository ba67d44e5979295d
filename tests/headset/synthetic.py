"""A small report-descriptor writer for synthetic test descriptors (HID 1.11 short items).

Synthetic descriptors test what the recorded ones do not show (arrays of call buttons, relative hook switches,
Push/Pop, extended usages, unnumbered reports, broken input). They are written here, by this project, and are
never presented as a vendor's.
"""

from __future__ import annotations


def _item(prefix: int, value: int | None, size: int | None = None) -> bytes:
    if value is None:
        return bytes([prefix])
    if size is None:
        size = 1 if -128 <= value <= 255 else 2 if -32768 <= value <= 65535 else 4
    code = {1: 1, 2: 2, 4: 3}[size]
    return bytes([prefix | code]) + (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def usage_page(p: int) -> bytes: return _item(0x04, p)
def usage(u: int, size: int | None = None) -> bytes: return _item(0x08, u, size)
def usage_min(u: int) -> bytes: return _item(0x18, u)
def usage_max(u: int) -> bytes: return _item(0x28, u)
def logical(lo: int, hi: int) -> bytes: return _item(0x14, lo) + _item(0x24, hi)
def report_size(n: int) -> bytes: return _item(0x74, n)
def report_count(n: int) -> bytes: return _item(0x94, n)
def report_id(n: int) -> bytes: return _item(0x84, n)
def push() -> bytes: return bytes([0xA4])
def pop() -> bytes: return bytes([0xB4])
def collection(kind: int) -> bytes: return _item(0xA0, kind)
def end() -> bytes: return bytes([0xC0])
def input_(flags: int) -> bytes: return _item(0x80, flags)
def output(flags: int) -> bytes: return _item(0x90, flags)
def feature(flags: int) -> bytes: return _item(0xB0, flags)


DATA_VAR_ABS = 0x02
DATA_VAR_REL = 0x06
DATA_ARR_ABS = 0x00
CONST = 0x01


def headset(*, rid_in: int = 1, rid_out: int = 2, hook_relative: bool = False) -> bytes:
    """A telephony headset: hook switch (absolute or relative), Phone Mute and Flash (relative) in report ``rid_in``;
    Off-Hook, Mute, Ring, Hold lights in report ``rid_out``."""
    return b"".join([
        usage_page(0x0B), usage(0x05), collection(1),
        report_id(rid_in), logical(0, 1), report_size(1),
        usage(0x20), report_count(1), input_(DATA_VAR_REL if hook_relative else DATA_VAR_ABS),
        usage(0x2F), usage(0x21), report_count(2), input_(DATA_VAR_REL),
        report_count(5), input_(CONST),
        report_id(rid_out), usage_page(0x08),
        usage(0x17), usage(0x09), usage(0x18), usage(0x20), report_count(4), output(DATA_VAR_ABS),
        report_count(4), output(CONST),
        end(),
    ])
