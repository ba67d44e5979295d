"""A headset's call buttons and lights, found in its report descriptor (HID Usage Tables: Telephony 0x0B, LED 0x08).

Only fields inside a Telephony application collection count (Headset 0x05, Phone 0x01, Handset 0x04...): a
keyboard's Mute LED or a Consumer-page mute key is not a call control. Vendor pages (Jabra's 0xFF30, Poly's
0xFFA0...) are left alone: they need each vendor's protocol, the standard collection does not.

Buttons: ``hook_switch`` (answer / hang up), ``flash`` and ``hold`` (hold / resume), ``phone_mute``, ``redial``,
``drop`` (hang up), ``line_busy_tone``, ``programmable`` (Button-page usages inside the Telephony collection, or the
Programmable Button usage itself). Lights (outputs): ``off_hook``, ``ring``, ``mute``, ``hold``, ``microphone``
(LED page) and ``ringer`` (Telephony Ringer 0x9E: the headset's own ring tone).

Each button keeps whether its field is relative (a press is a change: toggle) or absolute (the value is the
state the device is in), because hook switches of both kinds exist and behave differently (state.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentdesk.sip.headset.descriptor import (
    CONSTANT,
    Field,
    ReportDescriptor,
    extract,
    insert,
)
from agentdesk.sip.headset.descriptor import (
    parse as parse_descriptor,
)

TELEPHONY = 0x0B
LED = 0x08
BUTTON = 0x09

TELEPHONY_COLLECTIONS = {0x01: "phone", 0x02: "answering_machine", 0x03: "message_controls", 0x04: "handset",
                         0x05: "headset", 0x06: "keypad", 0x07: "programmable_button"}
BUTTON_USAGES = {
    0x0B0020: "hook_switch",
    0x0B0021: "flash",
    0x0B0023: "hold",
    0x0B0024: "redial",
    0x0B0026: "drop",
    0x0B002F: "phone_mute",
    0x0B0097: "line_busy_tone",
    0x0B0007: "programmable",
}
LIGHT_USAGES = {
    0x080017: "off_hook",
    0x080018: "ring",
    0x080009: "mute",
    0x080020: "hold",
    0x080021: "microphone",
    0x0B009E: "ringer",
}
PROGRAMMABLE_BUTTON = 0x0B0007
LIGHTS = ("off_hook", "ring", "mute", "hold", "microphone", "ringer")


@dataclass(frozen=True)
class Control:
    """One button or light: where its bits are and how to read them."""

    name: str
    report_id: int
    bit_offset: int  # in the payload (after the report id byte)
    size: int
    relative: bool
    array: bool  # an array field: the usage is pressed when its index appears in one of ``slots`` elements
    usage: int
    number: int = 0  # programmable buttons: the Button-page usage id
    slots: int = 1
    array_index: int = 0  # array fields: the value that selects this usage
    signed: bool = False

    def read(self, payload: bytes) -> int:
        if not self.array:
            return extract(payload, self.bit_offset, self.size, self.signed)
        for k in range(self.slots):
            if extract(payload, self.bit_offset + k * self.size, self.size) == self.array_index:
                return 1
        return 0


@dataclass
class CallControls:
    """What a device's descriptor offers for call control; empty when it has no Telephony collection."""

    buttons: list[Control] = field(default_factory=list)
    lights: list[Control] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)  # e.g. ["headset"]
    numbered: bool = True
    output_lengths: dict[int, int] = field(default_factory=dict)  # report id -> bytes incl. the id byte
    input_lengths: dict[int, int] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.buttons or self.lights)

    def button_names(self) -> list[str]:
        return sorted({b.name for b in self.buttons})

    def light_names(self) -> list[str]:
        return [n for n in LIGHTS if any(c.name == n for c in self.lights)]

    def input_report_ids(self) -> set[int]:
        return {b.report_id for b in self.buttons}

    def read(self, report: bytes) -> dict[str, int]:
        """Values of the buttons carried by one input report as hidapi returns it (id byte first when numbered).
        A report the device numbers but this descriptor does not know gives {}."""
        if self.numbered:
            if not report:
                return {}
            rid, payload = report[0], bytes(report[1:])
        else:
            rid, payload = 0, bytes(report)
        out: dict[str, int] = {}
        for b in self.buttons:
            if b.report_id != rid:
                continue
            key = b.name if b.name != "programmable" else f"programmable_{b.number}"
            out[key] = max(out.get(key, 0), b.read(payload))
        return out

    def output_reports(self, lights: dict[str, bool]) -> list[bytes]:
        """The output reports that set every light this device has to ``lights`` (missing names: off). One
        report per report id that carries a known light; other bits are left 0."""
        reports: list[bytes] = []
        for rid in sorted({c.report_id for c in self.lights}):
            length = self.output_lengths.get(rid, 2)
            buf = bytearray(length)
            payload_start = 1 if self.numbered else 0
            if self.numbered:
                buf[0] = rid
            payload = bytearray(buf[payload_start:])
            for c in self.lights:
                if c.report_id == rid:
                    insert(payload, c.bit_offset, c.size, 1 if lights.get(c.name, False) else 0)
            buf[payload_start:] = payload
            reports.append(bytes(buf if self.numbered else b"\x00" + bytes(buf)))
        return reports


def _telephony_root(f: Field) -> str | None:
    c = f.collection
    if c is None:
        return None
    for a in c.ancestors():
        if a.kind == "application" and a.page == TELEPHONY:
            return TELEPHONY_COLLECTIONS.get(a.usage & 0xFFFF, f"telephony_0x{a.usage & 0xFFFF:02x}")
    return None


def call_controls(descriptor: ReportDescriptor) -> CallControls:
    """Find the call buttons and lights in a parsed descriptor."""
    out = CallControls(numbered=descriptor.numbered)
    seen: set[tuple[str, int, int, int]] = set()
    for f in descriptor.fields:
        root = _telephony_root(f)
        if root is None or f.flags & CONSTANT:
            continue
        if root not in out.collections:
            out.collections.append(root)
        if f.kind == "input":
            controls = _buttons(f)
        elif f.kind == "output":
            controls = _lights(f)
        else:
            continue
        for c in controls:
            key = (c.name, c.number, c.report_id, c.bit_offset)
            if key in seen:
                continue
            seen.add(key)
            (out.buttons if f.kind == "input" else out.lights).append(c)
    for (kind, rid), _bits in descriptor.report_bits.items():
        if kind == "output":
            out.output_lengths[rid] = descriptor.report_length("output", rid)
        elif kind == "input":
            out.input_lengths[rid] = descriptor.report_length("input", rid)
    return out


def _button_name(usage: int) -> tuple[str, int] | None:
    if usage >> 16 == BUTTON:
        return "programmable", usage & 0xFFFF
    name = BUTTON_USAGES.get(usage)
    return (name, 0) if name else None


def _buttons(f: Field) -> list[Control]:
    out: list[Control] = []
    if f.variable:
        for e in range(f.count):
            named = _button_name(f.usage_of(e))
            if named is None:
                continue
            out.append(Control(name=named[0], number=named[1], report_id=f.report_id,
                               bit_offset=f.element_offset(e), size=f.size, relative=f.relative, array=False,
                               usage=f.usage_of(e), signed=f.logical_min < 0))
        return out
    # An array: each element holds the index (from logical minimum) of a pressed usage, or a value outside the
    # range for none. A button in an array is pressed while its index is present.
    for k, usage in enumerate(f.usages):
        named = _button_name(usage)
        if named is None or usage == PROGRAMMABLE_BUTTON:
            continue  # in an array the Programmable Button usage heads the named array (EPOS): not a button
        index = f.logical_min + k
        if index > f.logical_max:
            break
        out.append(Control(name=named[0], number=named[1], report_id=f.report_id, bit_offset=f.bit_offset,
                           size=f.size, relative=f.relative, array=True, usage=usage, slots=f.count,
                           array_index=index))
    return out


def _lights(f: Field) -> list[Control]:
    if not f.variable:
        return []  # an output array of lights does not occur in telephony devices; not driven
    out: list[Control] = []
    for e in range(f.count):
        usage = f.usage_of(e)
        name = LIGHT_USAGES.get(usage)
        if name is None:
            continue
        out.append(Control(name=name, report_id=f.report_id, bit_offset=f.element_offset(e), size=f.size,
                           relative=f.relative, array=False, usage=usage))
    return out


def controls_from_bytes(data: bytes | list[int]) -> CallControls:
    """Parse a report descriptor and find its call controls (DescriptorError for a malformed one)."""
    return call_controls(parse_descriptor(bytes(data)))
