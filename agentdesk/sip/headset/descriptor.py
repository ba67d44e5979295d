"""HID report descriptor parser (Device Class Definition for HID 1.11, section 6.2.2).

A report descriptor is a list of items. This parser keeps the global state (usage page, logical range, report
size/count/id, with Push/Pop), the local state (usages, usage ranges, reset after each main item) and the
collection tree, and turns every Input/Output/Feature main item into a :class:`Field`: its report id, its bit
offset inside the report (after the report id byte), element size and count, its usages, and its flags
(constant, array or variable, absolute or relative, preferred state...).

Usage pages follow section 6.2.2.8 as Windows and Linux read it: a one- or two-byte usage takes the usage page
in force at the *main item*, unless a usage page was declared between the usage and the main item and the usage
already carries it. Real headsets depend on this: Jabra, Plantronics, Sennheiser and Yealink declare
``Usage (Programmable Button)`` on the Telephony page and then ``Usage Page (Button)`` before the Input, which
Windows and Linux both read as Button 7.

The input comes from a device, so nothing in it may crash or hang the engine: every loop is bounded, usage
ranges are capped, and a malformed descriptor raises :class:`DescriptorError` with a sentence saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MAX_DESCRIPTOR_BYTES = 8192  # the HID spec's wDescriptorLength is 16 bits; real headsets use < 1 KiB
MAX_DEPTH = 32  # collection nesting
MAX_PUSH = 16  # global item stack
MAX_USAGES = 4096  # usages held for one main item (usage ranges are expanded up to this)
MAX_REPORT_BITS = 8 * 4096  # one report's payload

FieldKind = Literal["input", "output", "feature"]

# main item data bits (6.2.2.5)
CONSTANT = 0x01
VARIABLE = 0x02
RELATIVE = 0x04
WRAP = 0x08
NONLINEAR = 0x10
NO_PREFERRED = 0x20
NULL_STATE = 0x40
VOLATILE = 0x80
BUFFERED_BYTES = 0x100

COLLECTION_KINDS = {0: "physical", 1: "application", 2: "logical", 3: "report", 4: "named_array",
                    5: "usage_switch", 6: "usage_modifier"}


class DescriptorError(ValueError):
    """A report descriptor this parser cannot read; the message says where and why."""


@dataclass(frozen=True)
class Collection:
    kind: str  # "application", "logical", "physical", "named_array", ... ("vendor" for 0x80-0xFF)
    usage: int  # extended usage: page << 16 | id (0 when the collection has none)
    parent: Collection | None = field(default=None, repr=False)
    index: int = 0  # order of appearance in the descriptor

    @property
    def page(self) -> int:
        return self.usage >> 16

    def ancestors(self) -> list[Collection]:
        out: list[Collection] = []
        c: Collection | None = self
        while c is not None and len(out) <= MAX_DEPTH:
            out.append(c)
            c = c.parent
        return out


@dataclass(frozen=True)
class Field:
    """One Input/Output/Feature main item: ``count`` elements of ``size`` bits from ``bit_offset`` on."""

    kind: FieldKind
    report_id: int  # 0: the device uses no report ids
    bit_offset: int  # from the first payload bit (the report id byte, if any, is not counted)
    size: int
    count: int
    flags: int
    usages: tuple[int, ...]  # extended usages; variables: one per element (the last repeats), arrays: the choices
    logical_min: int
    logical_max: int
    collection: Collection | None

    @property
    def constant(self) -> bool:
        return bool(self.flags & CONSTANT)

    @property
    def variable(self) -> bool:
        return bool(self.flags & VARIABLE)

    @property
    def array(self) -> bool:
        return not self.variable

    @property
    def relative(self) -> bool:
        return bool(self.flags & RELATIVE)

    @property
    def preferred_state(self) -> bool:
        return not self.flags & NO_PREFERRED

    def usage_of(self, element: int) -> int:
        """A variable field's usage for element ``element`` (the last usage repeats, as the spec says)."""
        if not self.usages:
            return 0
        return self.usages[min(element, len(self.usages) - 1)]

    def element_offset(self, element: int) -> int:
        return self.bit_offset + element * self.size

    def in_collection(self, usage: int, kind: str | None = "application") -> bool:
        c = self.collection
        return c is not None and any(a.usage == usage and (kind is None or a.kind == kind) for a in c.ancestors())


@dataclass
class ReportDescriptor:
    fields: list[Field]
    collections: list[Collection]
    report_bits: dict[tuple[FieldKind, int], int]  # payload bits per (kind, report id)

    @property
    def numbered(self) -> bool:
        """Whether reports carry a report id byte."""
        return any(rid for _, rid in self.report_bits)

    def report_length(self, kind: FieldKind, report_id: int) -> int:
        """Bytes of one report as hidapi reads/writes it: the id byte (if the device numbers reports) + payload."""
        bits = self.report_bits.get((kind, report_id), 0)
        return (1 if report_id else 0) + (bits + 7) // 8

    def application_collections(self) -> list[Collection]:
        return [c for c in self.collections if c.kind == "application"]


def _unsigned(data: bytes) -> int:
    return int.from_bytes(data, "little", signed=False)


def _signed(data: bytes) -> int:
    return int.from_bytes(data, "little", signed=True) if data else 0


@dataclass
class _Globals:
    usage_page: int = 0
    logical_min: int = 0
    logical_max: int = 0
    logical_max_raw: bytes = b""
    report_size: int = 0
    report_count: int = 0
    report_id: int = 0

    def copy(self) -> _Globals:
        return _Globals(self.usage_page, self.logical_min, self.logical_max, self.logical_max_raw,
                        self.report_size, self.report_count, self.report_id)


def parse(data: bytes | bytearray | list[int]) -> ReportDescriptor:
    """Parse a report descriptor. Raises DescriptorError (a ValueError) for malformed input."""
    raw = bytes(data)
    if not raw:
        raise DescriptorError("the report descriptor is empty")
    if len(raw) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError(f"the report descriptor is {len(raw)} bytes, more than {MAX_DESCRIPTOR_BYTES}")
    g = _Globals()
    stack: list[_Globals] = []
    usages: list[tuple[int, bool]] = []  # (usage, short): short usages may take the page of the main item
    usage_min: tuple[int, bool] | None = None
    fields: list[Field] = []
    collections: list[Collection] = []
    current: Collection | None = None
    depth = 0
    offsets: dict[tuple[FieldKind, int], int] = {}
    i = 0
    n = len(raw)
    while i < n:
        prefix = raw[i]
        if prefix == 0xFE:  # long item: bDataSize, bLongItemTag, data (no defined tags: skipped)
            if i + 2 >= n:
                raise DescriptorError(f"a long item at byte {i} is cut short")
            i += 3 + raw[i + 1]
            continue
        size = (0, 1, 2, 4)[prefix & 0x03]
        kind = (prefix >> 2) & 0x03
        tag = prefix >> 4
        if i + 1 + size > n:
            raise DescriptorError(f"the item at byte {i} (0x{prefix:02x}) needs {size} data bytes; the descriptor ends")
        item = raw[i + 1:i + 1 + size]
        at = i
        i += 1 + size
        value = _unsigned(item)
        if kind == 0:  # main
            if tag in (0x8, 0x9, 0xB):
                fkind: FieldKind = {0x8: "input", 0x9: "output", 0xB: "feature"}[tag]  # type: ignore[assignment]
                flags = value
                full = _complete(usages, g.usage_page)
                if g.report_size > 64 and not flags & CONSTANT:
                    raise DescriptorError(f"byte {at}: a report size of {g.report_size} bits is not supported")
                key = (fkind, g.report_id)
                offset = offsets.get(key, 0)
                bits = g.report_size * g.report_count
                if offset + bits > MAX_REPORT_BITS:
                    raise DescriptorError(f"byte {at}: report {g.report_id} grows past {MAX_REPORT_BITS} bits")
                lmax = g.logical_max
                if g.logical_min >= 0 and g.logical_max_raw:
                    lmax = _unsigned(g.logical_max_raw)  # 0..255 written as 25 FF means 255, as Linux reads it
                if bits:
                    fields.append(Field(kind=fkind, report_id=g.report_id, bit_offset=offset, size=g.report_size,
                                        count=g.report_count, flags=flags, usages=tuple(full),
                                        logical_min=g.logical_min, logical_max=lmax, collection=current))
                offsets[key] = offset + bits
            elif tag == 0xA:  # Collection
                if depth >= MAX_DEPTH:
                    raise DescriptorError(f"byte {at}: collections nested deeper than {MAX_DEPTH}")
                full = _complete(usages, g.usage_page)
                ckind = COLLECTION_KINDS.get(value, "vendor" if value >= 0x80 else f"reserved_{value}")
                current = Collection(kind=ckind, usage=full[0] if full else 0, parent=current,
                                     index=len(collections))
                collections.append(current)
                depth += 1
            elif tag == 0xC:  # End Collection
                if current is None:
                    raise DescriptorError(f"byte {at}: End Collection without a Collection")
                current = current.parent
                depth -= 1
            else:
                raise DescriptorError(f"byte {at}: unknown main item tag 0x{tag:x}")
            usages = []
            usage_min = None
        elif kind == 1:  # global
            if tag == 0x0:
                g.usage_page = value & 0xFFFF
            elif tag == 0x1:
                g.logical_min = _signed(item)
            elif tag == 0x2:
                g.logical_max = _signed(item)
                g.logical_max_raw = item
            elif tag in (0x3, 0x4, 0x5, 0x6):
                pass  # physical range, unit exponent, unit: not needed for buttons and lights
            elif tag == 0x7:
                g.report_size = value
            elif tag == 0x8:
                if not 1 <= value <= 255:
                    raise DescriptorError(f"byte {at}: report id {value} is outside 1-255")
                g.report_id = value
            elif tag == 0x9:
                if value > MAX_REPORT_BITS:
                    raise DescriptorError(f"byte {at}: a report count of {value} is not supported")
                g.report_count = value
            elif tag == 0xA:
                if len(stack) >= MAX_PUSH:
                    raise DescriptorError(f"byte {at}: more than {MAX_PUSH} nested Push items")
                stack.append(g.copy())
            elif tag == 0xB:
                if not stack:
                    raise DescriptorError(f"byte {at}: Pop without Push")
                g = stack.pop()
            else:
                raise DescriptorError(f"byte {at}: unknown global item tag 0x{tag:x}")
        elif kind == 2:  # local
            if tag == 0x0:
                _add(usages, _usage(item, g.usage_page), at)
            elif tag == 0x1:
                usage_min = _usage(item, g.usage_page)
            elif tag == 0x2:
                if usage_min is None:
                    raise DescriptorError(f"byte {at}: Usage Maximum without Usage Minimum")
                umax = _usage(item, g.usage_page)
                lo, hi = usage_min[0], umax[0]
                if usage_min[1] and umax[1]:  # both short: compare ids on the page in force
                    lo, hi = lo & 0xFFFF | (g.usage_page << 16), hi & 0xFFFF | (g.usage_page << 16)
                if hi < lo:
                    raise DescriptorError(f"byte {at}: Usage Maximum below Usage Minimum")
                for u in range(lo, min(hi, lo + MAX_USAGES - 1 - len(usages)) + 1):  # capped, not refused
                    _add(usages, (u, usage_min[1] and umax[1]), at)
                usage_min = None
            # designators, strings, delimiters: not needed; ignored
        else:
            raise DescriptorError(f"byte {at}: reserved item type")
    if current is not None:
        raise DescriptorError(f"{depth} collection(s) not closed at the end of the descriptor")
    return ReportDescriptor(fields=fields, collections=collections, report_bits=dict(offsets))


def _usage(item: bytes, page: int) -> tuple[int, bool]:
    if len(item) == 4:
        return _unsigned(item), False  # an extended usage names its own page
    return (page << 16) | _unsigned(item), True


def _add(usages: list[tuple[int, bool]], usage: tuple[int, bool], at: int) -> None:
    if len(usages) >= MAX_USAGES:
        raise DescriptorError(f"byte {at}: more than {MAX_USAGES} usages for one main item")
    usages.append(usage)


def _complete(usages: list[tuple[int, bool]], page: int) -> list[int]:
    """Section 6.2.2.8 as Windows and Linux apply it: the short usages declared last take the usage page in force
    at the main item, back to the first one that already has that page."""
    out = [u for u, _ in usages]
    for k in range(len(usages) - 1, -1, -1):
        u, short = usages[k]
        if not short:
            continue
        if u >> 16 == page:
            break
        out[k] = (page << 16) | (u & 0xFFFF)
    return out


def extract(payload: bytes, bit_offset: int, size: int, signed: bool = False) -> int:
    """The little-endian bit field ``size`` bits long at ``bit_offset`` of ``payload`` (0 past the end)."""
    if size <= 0:
        return 0
    first = bit_offset // 8
    last = (bit_offset + size - 1) // 8
    chunk = payload[first:last + 1]
    value = (int.from_bytes(chunk, "little") >> (bit_offset % 8)) & ((1 << size) - 1)
    if signed and value & (1 << (size - 1)):
        value -= 1 << size
    return value


def insert(buf: bytearray, bit_offset: int, size: int, value: int) -> None:
    """Write ``value`` into the ``size``-bit field at ``bit_offset`` of ``buf`` (little-endian bits)."""
    mask = (1 << size) - 1
    value &= mask
    for b in range(size):
        pos = bit_offset + b
        byte, bit = divmod(pos, 8)
        if byte >= len(buf):
            return
        if value >> b & 1:
            buf[byte] |= 1 << bit
        else:
            buf[byte] &= ~(1 << bit) & 0xFF
