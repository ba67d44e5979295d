"""The runner's paths: branch, back, restart, timestamps, and what goes to the center."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agentdesk.center.api import ContractInfo
from agentdesk.support_scripts.lint import check_texts
from agentdesk.support_scripts.runner import FlowRunner, fill, variables_from_contract
from tests.scripts.conftest import GOOD_FLOW


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 1, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)
        return self.now


@pytest.fixture
def flow():
    (checked,) = check_texts([("demo.yaml", GOOD_FLOW)])
    assert checked.flow is not None, [p.format() for p in checked.problems]
    return checked.flow


def test_branch_back_restart_with_timestamps(flow) -> None:
    clock = Clock()
    r = FlowRunner(flow, {"plan": "光ライト"}, clock=clock)
    assert r.start().id == "a"
    assert r.render(r.current.say[0]) == "光ライトをご利用ですね。"
    assert not r.can_go_back()
    assert r.choose(0).id == "b"
    assert [c.label.ja for c in r.current.choices] == ["次へ"]  # a linear `next` is one choice
    assert r.choose(0).id == "c"
    assert r.at_escalation_point and not r.finished
    assert [s.id for s in r.trail] == ["a", "b", "c"]
    assert r.back().id == "b"
    assert r.back().id == "a"
    assert r.choose(1).id == "c"
    assert r.restart().id == "a"
    actions = [(e.step, e.action) for e in r.path]
    assert actions == [("a", "start"), ("b", "choice"), ("c", "choice"), ("b", "back"), ("a", "back"),
                       ("c", "choice"), ("a", "restart")]
    times = [e.at for e in r.path]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert r.path[2].choice is not None and r.path[2].choice.en == "Next"
    with pytest.raises(IndexError):
        r.choose(5)


def test_escalation_context_carries_the_path(flow) -> None:
    r = FlowRunner(flow, clock=Clock())
    r.start()
    r.toggle(0)
    r.choose(1)
    r.mark_escalated()
    ctx = r.escalation_context()
    assert ctx["flow_id"] == "demo" and ctx["flow_version"] == "1.0.0"
    assert ctx["last_step"] == "c"
    assert ctx["escalation_reason"] == {"ja": "理由", "en": "Reason"}
    assert ctx["escalation_target"] == "tier2"
    assert ctx["path"] == ["a", "c", "c"]
    assert [p["step"] for p in ctx["path_log"]] == ["a", "c", "c"]
    assert [p["action"] for p in ctx["path_log"]] == ["start", "choice", "escalate"]
    assert ctx["path_log"][1]["choice"] == {"ja": "いいえ", "en": "No"}
    assert ctx["path_log"][0]["at"] == "2026-11-22T01:00:07+00:00"
    assert ctx["checked"] == {"a": [0]}
    assert r.wrap_up() == {"flow_id": "demo", "flow_version": "1.0.0", "outcome": "escalated", "last_step": "c",
                           "steps": ["a", "c", "c"]}


def test_variables_from_contract_data_only() -> None:
    c = ContractInfo(contract_id="C-1001", plan="光ファミリー", line_type="FTTH", equipment=["ONU", "Wi-Fiルーター"])
    v = variables_from_contract(c)
    assert v == {"contract_id": "C-1001", "plan": "光ファミリー", "line_type": "FTTH", "equipment": "ONU、Wi-Fiルーター"}
    assert fill("{plan} / {line_type}", {}, "ja") == "［ご契約プラン：未確認］ / ［回線種別：未確認］"
    assert fill("{plan}", {}, "en") == "[plan: unknown]"
    assert variables_from_contract(None) == {}


def test_step_of_total_follows_the_longest_route_still_open(flow) -> None:
    """'Step 1 of 3' at the start (a -> b -> c is the longest route); the count stays while the agent walks it,
    drops when a choice takes the shorter route, and comes back with Back."""
    r = FlowRunner(flow)
    r.start()
    assert (r.step_number, r.steps_total) == (1, 3)
    r.choose(0)
    assert (r.step_number, r.steps_total) == (2, 3)
    r.choose(0)
    assert (r.step_number, r.steps_total) == (3, 3) and r.at_escalation_point
    r.restart()
    r.choose(1)  # a -> c directly
    assert (r.step_number, r.steps_total) == (2, 2)
    r.back()
    assert (r.step_number, r.steps_total) == (1, 3)
