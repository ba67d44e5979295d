"""The practice center's scenarios (branch `center`, resources/practice/scenarios/*.yaml) grade the wrap-up's
script path against an expected one. The bundled flows must make each expected path walkable, in order, by
choices alone; the scenario's `script` name is a queue the flow is suggested for."""

from __future__ import annotations

import itertools

import pytest

from agentdesk.support_scripts.library import load_bundled
from agentdesk.support_scripts.model import Flow
from agentdesk.support_scripts.runner import FlowRunner

SCENARIOS = {  # scenario id: (script, expected_script_path), as in the practice center's data
    "no_internet_onu": ("isp_connection", ["greeting", "identify_contract", "symptom_no_connection", "check_onu_lamps",
                                           "restart_onu", "confirm_resolved", "closing"]),
    "line_fault_escalate": ("isp_connection", ["greeting", "identify_contract", "symptom_no_connection",
                                               "check_onu_lamps", "restart_onu", "lamp_still_red",
                                               "escalate_line_fault"]),
    "mail_send": ("isp_mail", ["greeting", "identify_contract", "symptom_mail_send", "check_error_message",
                               "set_port_587", "test_send", "closing"]),
    "wifi_slow": ("isp_wifi", ["greeting", "identify_contract", "symptom_slow", "compare_wired", "router_placement",
                               "change_channel", "closing"]),
}


def _route(flow: Flow, src: str, dst: str) -> list[int]:
    """Choice indexes leading from src to dst along the fewest steps (breadth first)."""
    frontier: list[tuple[str, list[int]]] = [(src, [])]
    seen = {src}
    while frontier:
        nxt = []
        for sid, way in frontier:
            for i, c in enumerate(flow.steps[sid].choices):
                if c.next == dst:
                    return [*way, i]
                if c.next not in seen:
                    seen.add(c.next)
                    nxt.append((c.next, [*way, i]))
        frontier = nxt
    raise AssertionError(f"{flow.id}: no way from {src} to {dst}")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_expected_practice_path_is_walkable(scenario: str) -> None:
    script, expected = SCENARIOS[scenario]
    lib = load_bundled()
    (flow, *_) = lib.suggest(None, script)
    runner = FlowRunner(flow)
    assert runner.start().id == expected[0]
    for here, there in itertools.pairwise(expected):
        for i in _route(flow, here, there):
            runner.choose(i)
        assert runner.current.id == there
    steps = runner.wrap_up()["steps"]
    assert [s for s in steps if s in expected] == expected  # the graded path, in order
    last = runner.current
    assert (last.escalation is not None) == (scenario == "line_fault_escalate")
    assert last.is_end or last.escalation is not None
