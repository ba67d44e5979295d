"""The script runner's escalation context and wrap-up: their keys are the contract with the desk's escalation
(agentdesk/agent/escalation.py turns them into SIP headers and the center's ticket). Written against the
survivors of mutation testing (docs/testing.md, "Mutation testing")."""

from __future__ import annotations

from datetime import UTC, datetime

from agentdesk.support_scripts.lint import check_texts
from agentdesk.support_scripts.runner import FlowRunner
from tests.scripts.conftest import GOOD_FLOW

KEYS = {"flow_id", "flow_version", "flow_title", "language", "started_at", "path", "path_log", "trail", "last_step",
        "last_step_title", "checked", "escalation_reason", "escalation_target", "escalation_tier"}


def _runner() -> FlowRunner:
    (checked,) = check_texts([("demo.yaml", GOOD_FLOW)])
    assert checked.flow is not None
    return FlowRunner(checked.flow, clock=lambda: datetime(2026, 11, 22, 1, 0, 0, tzinfo=UTC))


def test_before_the_first_step_the_context_names_the_flow_only() -> None:
    ctx = _runner().escalation_context()
    assert set(ctx) == KEYS
    assert ctx["flow_title"] == {"ja": "デモ", "en": "Demo"} and ctx["language"] == "ja"
    assert (ctx["started_at"], ctx["trail"], ctx["last_step"], ctx["last_step_title"]) == (None, [], None, None)
    assert (ctx["escalation_reason"], ctx["escalation_target"], ctx["escalation_tier"]) == (None, None, None)


def test_at_a_step_without_escalation_and_at_the_escalation_point() -> None:
    r = _runner()
    r.start()
    ctx = r.escalation_context()
    assert set(ctx) == KEYS and ctx["started_at"] == "2026-11-22T01:00:00+00:00"
    assert ctx["trail"] == ["a"] and ctx["last_step"] == "a"
    assert ctx["last_step_title"] == {"ja": "最初", "en": "First"}
    assert (ctx["escalation_reason"], ctx["escalation_target"], ctx["escalation_tier"]) == (None, None, None)
    assert r.wrap_up()["outcome"] == "unfinished"
    r.choose(0)
    r.choose(0)
    ctx = r.escalation_context()
    assert ctx["trail"] == ["a", "b", "c"] and ctx["last_step_title"] == {"ja": "エスカレーション", "en": "Escalation"}
    esc = r.current.escalation
    assert esc is not None
    assert ctx["escalation_target"] == "tier2" and ctx["escalation_tier"] == esc.tier == 2
    assert r.wrap_up() == {"flow_id": "demo", "flow_version": "1.0.0", "outcome": "escalated", "last_step": "c",
                           "steps": ["a", "b", "c"]}
