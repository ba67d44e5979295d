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
    assert set(lib.flows) >= TOPICS
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
    assert {"outage_check", "check_onu_lamps", "fiber_cable", "router_lamps", "restart_onu", "pc_settings"} <= set(flow.steps)


def test_suggestion_from_queue_and_contract() -> None:
    from agentdesk.center.api import ContractInfo

    lib = load_bundled()
    assert lib.suggest(None, "tech-mail")[0].id == "mail-send-receive"
    c = ContractInfo(contract_id="C-1", plan="光ファミリー", line_type="光", equipment=["ONU", "ルーター"])
    assert lib.suggest(c, "tech-connect")[0].id == "internet-not-connecting"
    assert lib.suggest(None, None) == []


def test_the_installed_command_lints_and_searches(tmp_path) -> None:
    """The real entry point in a child process: output format, exit codes, Japanese output."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.scripts.conftest import GOOD_FLOW

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONIOENCODING": "utf-8"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD_FLOW.replace("{plan}をご利用", "{address}をご利用"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "agentdesk", "scripts", "lint", str(bad)], env=env, cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stdout == f"{bad}:12:14: 知らない変数 {{address}} です。使える変数: contract_id, equipment, line_type, plan\n"
    done = subprocess.run([sys.executable, "-m", "agentdesk", "scripts", "search", "ﾙｰﾀｰ"], env=env, cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "wifi-router-setup" in done.stdout
    done = subprocess.run([sys.executable, "-m", "agentdesk", "scripts"], env=env, cwd=root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
