"""The bundled Japanese scripts: all lint clean, complete, and covering the ISP support topics."""

from __future__ import annotations

from agentdesk import cli
from agentdesk.support_scripts.library import bundled_dir, load_bundled
from agentdesk.support_scripts.lint import lint_paths

TOPICS = {
    "internet-not-connecting", "slow-speed", "wifi-router-setup", "mail-send-receive", "connection-id-settings",
    "area-outage", "escalation-guide", "security-concern",
}


def test_all_bundled_scripts_lint_clean() -> None:
    problems = lint_paths([bundled_dir()])
    assert problems == [], "\n".join(p.format("en") for p in problems)


def test_cli_lint_on_bundled_exits_zero(capsys) -> None:
    assert cli.main(["scripts", "lint", str(bundled_dir())]) == 0
    assert capsys.readouterr().out == ""


def test_at_least_eight_flows_covering_the_topics() -> None:
    lib = load_bundled()
    assert lib.notices == []
    assert len(lib.flows) >= 8
    assert TOPICS <= set(lib.flows)
    assert len(lib.articles) >= 5
    for f in lib.flows.values():
        assert f.language == "ja"
        assert f.title.ja and f.title.en
        assert len(f.steps) >= 5, f.id
        assert any(s.is_end or s.escalation for s in f.steps.values())
        assert f.suggest.queues, f"{f.id} suggests no queue"


def test_escalation_points_cover_security_billing_onsite() -> None:
    lib = load_bundled()
    targets = {s.escalation.target for f in lib.flows.values() for s in f.steps.values() if s.escalation}
    assert {"security", "billing", "onsite", "tier2", "supervisor"} <= targets


def test_not_connecting_flow_covers_line_lamps_cables_restart_pc() -> None:
    flow = load_bundled().flows["internet-not-connecting"]
    assert {"outage-check", "lamps", "fiber-cable", "router-lamps", "restart", "pc-settings"} <= set(flow.steps)


def test_suggestion_from_queue_and_contract() -> None:
    from agentdesk.center.api import ContractInfo

    lib = load_bundled()
    assert lib.suggest(None, "tech-mail")[0].id == "mail-send-receive"
    c = ContractInfo(contract_id="C-1", plan="光ファミリー", line_type="光", equipment=["ONU", "ルーター"])
    assert lib.suggest(c, "tech-connect")[0].id == "internet-not-connecting"
    assert lib.suggest(None, None) == []
