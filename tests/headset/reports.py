"""Input reports as a headset sends them and output reports decoded back to lights, both laid out from the
device's own descriptor (the same positions a real device uses)."""

from __future__ import annotations

from agentdesk.sip.headset.descriptor import extract, insert
from agentdesk.sip.headset.telephony import CallControls


def input_report(c: CallControls, **values: int) -> bytes:
    """The input report that carries ``values`` (button name -> value); buttons not named are 0."""
    rid = next(b.report_id for b in c.buttons if b.name in values)
    buf = bytearray(c.input_lengths[rid])
    off = 1 if c.numbered else 0
    if c.numbered:
        buf[0] = rid
    payload = bytearray(buf[off:])
    for b in c.buttons:
        if b.report_id == rid and b.name in values and not b.array:
            insert(payload, b.bit_offset, b.size, values[b.name])
    buf[off:] = payload
    return bytes(buf)


def lights_in(c: CallControls, reports: list[bytes]) -> dict[str, bool]:
    """The lights a sequence of output reports leaves on (later reports override earlier ones)."""
    state: dict[str, bool] = {}
    for r in reports:
        rid, payload = (r[0], r[1:]) if c.numbered else (0, r[1:])
        for light in c.lights:
            if light.report_id == rid:
                state[light.name] = bool(extract(payload, light.bit_offset, light.size))
    return state
