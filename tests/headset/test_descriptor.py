"""The report descriptor parser and the call controls it finds: recorded headsets and synthetic edge cases."""

from __future__ import annotations

import hidtools.hid as hidtools
import pytest

from agentdesk.sip.headset import descriptor as d
from agentdesk.sip.headset.telephony import call_controls, controls_from_bytes
from tests.headset import synthetic as s
from tests.headset.recordings import RECORDINGS, WITH_CONTROLS, Recording, load


def _summary(rec_bytes: bytes) -> tuple[str, str]:
    c = controls_from_bytes(rec_bytes)
    buttons = " ".join(f"{b.name}{b.number if b.name == 'programmable' else ''}@{b.report_id}:{b.bit_offset}"
                       f"{'r' if b.relative else 'a'}" for b in c.buttons)
    lights = " ".join(f"{x.name}@{x.report_id}:{x.bit_offset}" for x in c.lights)
    return buttons, lights


@pytest.mark.parametrize("rec", RECORDINGS, ids=lambda r: f"{r.vendor} {r.product}")
def test_recorded_headsets_call_controls(rec: Recording) -> None:
    buttons, lights = _summary(load(rec))
    assert buttons == rec.buttons
    assert lights == rec.lights


@pytest.mark.parametrize("rec", RECORDINGS, ids=lambda r: f"{r.vendor} {r.product}")
def test_field_layout_agrees_with_hid_tools(rec: Recording) -> None:
    """Every data element's report id, bit offset, size and usage, and every report's length, as hid-tools (the
    libevdev project's parser) reads them: an independent parser, so the layout is not checked against itself."""
    data = load(rec)
    ours = d.parse(data)
    theirs = hidtools.ReportDescriptor.from_bytes(data)
    tables = {"input": theirs.input_reports, "output": theirs.output_reports, "feature": theirs.feature_reports}
    expected, lengths = set(), {}
    for kind, reports in tables.items():
        for rid, report in reports.items():
            lengths[(kind, rid or 0)] = report.size
            for f in report.fields:
                if f.is_const:
                    continue
                start = f.start - (8 if rid else 0)
                if f.is_array:
                    expected.add((kind, rid or 0, start, f.size, f.count, "array"))
                else:
                    for e in range(f.count):
                        expected.add((kind, rid or 0, start + e * f.size, f.size, f.usage))
    got = set()
    for f in ours.fields:
        if f.constant:
            continue
        if f.array:
            got.add((f.kind, f.report_id, f.bit_offset, f.size, f.count, "array"))
        else:
            for e in range(f.count):
                got.add((f.kind, f.report_id, f.element_offset(e), f.size, f.usage_of(e)))
    assert got == expected
    assert {k: ours.report_length(*k) for k in ours.report_bits} == lengths


def test_recordings_cover_several_vendors() -> None:
    assert {r.vendor.split()[0] for r in WITH_CONTROLS} >= {"Jabra", "Plantronics", "Sennheiser", "EPOS", "Yealink"}


def test_gaming_headset_has_no_call_controls() -> None:
    rec = next(r for r in RECORDINGS if r.file == "046d-0ac4.bin")
    assert not controls_from_bytes(load(rec)).found


def test_output_report_sets_the_right_bits_of_a_shared_report() -> None:
    jabra = next(r for r in RECORDINGS if r.file == "0b0e-0307.bin")
    c = controls_from_bytes(load(jabra))
    assert c.output_reports({"off_hook": True, "mute": True}) == [bytes([0x02, 0b011, 0x00])]
    assert c.output_reports({"ring": True, "ringer": True}) == [bytes([0x02, 0b100100, 0x00])]
    assert c.output_reports({}) == [bytes([0x02, 0, 0])]


def test_one_report_per_light_when_the_device_numbers_them_apart() -> None:
    poly = next(r for r in RECORDINGS if r.file == "047f-c053.bin")
    c = controls_from_bytes(load(poly))
    assert c.output_reports({"off_hook": True}) == [bytes([9, 0]), bytes([23, 1]), bytes([24, 0]), bytes([32, 0])]


def test_input_report_read_per_report_id() -> None:
    epos = next(r for r in RECORDINGS if r.file == "1395-00a2.bin")
    c = controls_from_bytes(load(epos))
    assert c.read(bytes([2, 0b100])) == {"hook_switch": 1, "flash": 0, "redial": 0, "phone_mute": 0, "drop": 0,
                                         "programmable_1": 0}
    assert c.read(bytes([2, 0b100000])) ["phone_mute"] == 1
    assert c.read(bytes([0x41, 0xFF])) == {}  # a vendor report: no call controls in it


# ---- synthetic descriptors: what the recordings do not show ----------------------------------------------------
def test_relative_hook_switch_and_unnumbered_reports() -> None:
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), s.logical(0, 1), s.report_size(1),
                     s.usage(0x20), s.usage(0x2F), s.report_count(2), s.input_(s.DATA_VAR_REL),
                     s.report_count(6), s.input_(s.CONST),
                     s.usage_page(0x08), s.usage(0x17), s.report_count(1), s.output(s.DATA_VAR_ABS),
                     s.report_count(7), s.output(s.CONST), s.end()])
    c = controls_from_bytes(desc)
    assert not c.numbered
    hook = next(b for b in c.buttons if b.name == "hook_switch")
    assert hook.relative and hook.report_id == 0 and hook.bit_offset == 0
    assert c.read(bytes([0b10])) == {"hook_switch": 0, "phone_mute": 1}
    assert c.output_reports({"off_hook": True}) == [bytes([0, 1])]  # hidapi wants report id 0 first


def test_array_of_call_buttons() -> None:
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), s.report_id(3), s.logical(1, 3),
                     s.report_size(8), s.report_count(2), s.usage(0x20), s.usage(0x2F), s.usage(0x21),
                     s.input_(s.DATA_ARR_ABS), s.end()])
    c = controls_from_bytes(desc)
    assert [(b.name, b.array_index, b.slots) for b in c.buttons] == [("hook_switch", 1, 2), ("phone_mute", 2, 2),
                                                                     ("flash", 3, 2)]
    assert c.read(bytes([3, 2, 0])) == {"hook_switch": 0, "phone_mute": 1, "flash": 0}
    assert c.read(bytes([3, 0, 3])) == {"hook_switch": 0, "phone_mute": 0, "flash": 1}


def test_usage_ranges_push_pop_and_extended_usages() -> None:
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), s.report_id(1), s.logical(0, 1),
                     s.report_size(1), s.push(),
                     s.usage_min(0x20), s.usage_max(0x21), s.report_count(2), s.input_(s.DATA_VAR_ABS),
                     s.report_size(4), s.report_count(1), s.input_(s.CONST), s.pop(),
                     s.usage(0x0008_0017, size=4), s.usage(0x0008_0018, size=4), s.report_count(2),
                     s.output(s.DATA_VAR_ABS), s.report_count(6), s.output(s.CONST), s.end()])
    parsed = d.parse(desc)
    f = parsed.fields[0]
    assert f.usages == (0x0B0020, 0x0B0021) and f.size == 1  # pop restored size 1 for the outputs
    assert parsed.fields[2].usages == (0x080017, 0x080018) and parsed.fields[2].size == 1
    c = call_controls(parsed)
    assert [b.name for b in c.buttons] == ["hook_switch", "flash"]
    assert [x.name for x in c.lights] == ["off_hook", "ring"]
    assert parsed.report_length("input", 1) == 2  # id + 6 bits rounded up


def test_usage_page_applies_at_the_main_item() -> None:
    """6.2.2.8 as Windows and Linux read it: Usage (0x07) then Usage Page (Button) makes Button 7."""
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), s.logical(0, 1), s.report_size(1),
                     s.report_count(1), s.usage(0x07), s.usage_page(0x09), s.input_(s.DATA_VAR_ABS),
                     s.report_count(7), s.input_(s.CONST), s.end()])
    assert d.parse(desc).fields[0].usages == (0x090007,)


def test_lights_outside_a_telephony_collection_are_not_call_controls() -> None:
    keyboard_leds = b"".join([s.usage_page(0x01), s.usage(0x06), s.collection(1), s.usage_page(0x08),
                              s.usage_min(1), s.usage_max(5), s.logical(0, 1), s.report_size(1), s.report_count(5),
                              s.output(s.DATA_VAR_ABS), s.report_count(3), s.output(s.CONST), s.end()])
    consumer_mute = b"".join([s.usage_page(0x0C), s.usage(0x01), s.collection(1), s.usage(0xE2), s.logical(0, 1),
                              s.report_size(1), s.report_count(1), s.input_(s.DATA_VAR_ABS), s.report_count(7),
                              s.input_(s.CONST), s.end()])
    assert not controls_from_bytes(keyboard_leds).found
    assert not controls_from_bytes(consumer_mute).found
    assert controls_from_bytes(consumer_mute + s.headset()).button_names() == ["flash", "hook_switch", "phone_mute"]


def test_logical_maximum_255_written_as_one_byte() -> None:
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), bytes([0x15, 0x00, 0x25, 0xFF]),
                     s.report_size(8), s.report_count(1), s.usage(0x20), s.input_(s.DATA_VAR_ABS), s.end()])
    f = d.parse(desc).fields[0]
    assert (f.logical_min, f.logical_max) == (0, 255)


@pytest.mark.parametrize("bad, says", [
    (b"", "empty"),
    (bytes([0x05]), "needs 1 data bytes"),
    (bytes([0xA1, 0x01]), "not closed"),
    (bytes([0xC0]), "End Collection without"),
    (bytes([0xB4]), "Pop without Push"),
    (bytes([0x85, 0x00]), "report id 0"),
    (bytes([0xA4]) * 17, "Push items"),
    (bytes([0xA1, 0x01]) * 33, "nested deeper"),
    (bytes([0x29, 0x05]), "Usage Maximum without"),
    (bytes([0x19, 0x05, 0x29, 0x01]), "below Usage Minimum"),
    (bytes([0x75, 0xFF, 0x95, 0xFF, 0x81, 0x02]), "not supported"),
    (bytes([0xFE, 0x10]), "long item"),
    (bytes([0x0C]), "reserved"),
    (bytes(9000), "more than"),
])
def test_broken_descriptors_give_a_clear_error(bad: bytes, says: str) -> None:
    with pytest.raises(d.DescriptorError, match=says):
        d.parse(bad)


def test_huge_usage_range_is_capped() -> None:
    desc = b"".join([s.usage_page(0x0B), s.usage(0x05), s.collection(1), s.logical(0, 1), s.report_size(1),
                     s.report_count(1), bytes([0x1B, 0, 0, 0, 0]), bytes([0x2B, 0xFF, 0xFF, 0xFF, 0x7F]),
                     s.input_(s.DATA_ARR_ABS), s.end()])
    assert len(d.parse(desc).fields[0].usages) <= d.MAX_USAGES


def test_bit_helpers() -> None:
    buf = bytearray(3)
    d.insert(buf, 5, 6, 0b101101)
    assert d.extract(bytes(buf), 5, 6) == 0b101101
    assert d.extract(bytes([0xFF]), 4, 4, signed=True) == -1
    assert d.extract(b"", 0, 8) == 0


def test_random_and_mutated_descriptors_never_crash() -> None:
    """A device's bytes cannot make the parser raise anything but DescriptorError, nor make reading a report raise:
    2,000 mutated copies of a headset descriptor and 2,000 random byte strings, seeded."""
    import random

    rng = random.Random(19)
    base = s.headset() + s.headset(rid_in=3, rid_out=4)
    samples = []
    for _ in range(2000):
        b = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        samples.append(bytes(b))
    samples += [bytes(rng.randrange(256) for _ in range(rng.randint(1, 120))) for _ in range(2000)]
    parsed = 0
    for data in samples:
        try:
            c = controls_from_bytes(data)
        except d.DescriptorError:
            continue
        parsed += 1
        for rid in list(c.input_lengths)[:3]:
            c.read(bytes([rid]) + bytes(rng.randrange(256) for _ in range(8)))
        c.output_reports({"off_hook": True, "ring": True, "mute": True})
    assert parsed > 100  # the mutations leave many descriptors readable: the reading paths ran too
