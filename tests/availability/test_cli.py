"""``agentdesk availability validate``: exit codes, JSON output, malformed input, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def write(tmp_path: Path, content: str | dict) -> Path:
    p = tmp_path / "plan.json"
    p.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return p


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang=en", "availability", "validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_plan_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, {"slots": [{"date": "2026-12-02", "start": "10:00", "end": "12:00"}]})
    code, out, _ = run_cli(capsys, str(p), "--today", "2026-11-01", "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True and data["errors"] == []
    assert data["months"][0]["month"] == "2026-12" and data["months"][0]["entry_hours"] == 2.0
    assert data["warnings"][0]["code"] == "month_partial"


def test_invalid_plan_exits_1_with_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, {"slots": [
        {"date": "2026-11-24", "start": "10:00", "end": "12:00"},  # late: week of 11-23 had its deadline 11-09
        {"date": "2026-12-02", "start": "09:00", "end": "12:00"},  # outside service hours
        {"date": "2026-12-02", "start": "11:00", "end": "13:00"},  # overlap
        {"date": "2026-12-03", "start": "15:00", "end": "14:00"},  # end before start
        {"date": "2026-10-30", "start": "10:00", "end": "11:00"},  # past
    ]})
    code, out, _ = run_cli(capsys, str(p), "--today", "2026-11-10", "--json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert sorted(e["code"] for e in data["errors"]) == sorted(
        ["late_entry", "outside_service_hours", "overlap", "end_not_after_start", "in_the_past"])
    for e in data["errors"]:
        assert e["message"] and e["slot"]["date"]


def test_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, {"slots": [{"date": "2026-12-02", "start": "09:00", "end": "12:00"}]})
    code, out, _ = run_cli(capsys, str(p), "--today", "2026-11-01")
    assert code == 1 and "outside the service hours" in out and "2026-12" in out


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "not valid JSON (line 1"),
    ("[1, 2]", 'object of the form {"slots"'),
    ({"slot": []}, 'no "slots" list'),
    ({"slots": [3]}, "slots[0] must be an object"),
    ({"slots": [{"date": "2026-12-02", "start": "10:00"}]}, "slots[0] lacks end"),
    ({"slots": [{"date": "2026-02-30", "start": "10:00", "end": "11:00"}]}, 'slots[0].date: the date "2026-02-30"'),
    ({"slots": [{"date": 20261202, "start": "10:00", "end": "11:00"}]}, "slots[0].date: the date 20261202"),
    ({"slots": [{"date": "2026/12/02", "start": "10:00", "end": "11:00"}]}, "slots[0].date"),
    ({"slots": [{"date": "2026-12-02", "start": "10", "end": "11:00"}]}, 'slots[0].start: the time "10"'),
    ({"slots": [{"date": "2026-12-02", "start": "10:00", "end": "24:00"}]}, "slots[0].end"),
    ({"slots": [{"date": "2026-12-02", "start": 10, "end": "11:00"}]}, "slots[0].start"),
    ({"slots": [], "period": {"from": "2026-12-31", "to": "2026-12-01"}}, '"period" must be'),
])
def test_malformed_input_exits_2_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      content: str | dict, fragment: str) -> None:
    p = write(tmp_path, content)
    code, out, err = run_cli(capsys, str(p), "--today", "2026-11-01")
    assert code == 2 and out == ""
    assert fragment in err and "Traceback" not in err
    code, out, err = run_cli(capsys, str(p), "--today", "2026-11-01", "--json")
    data = json.loads(out)
    assert code == 2 and data["valid"] is False and data["errors"][0]["code"] == "malformed"


def test_missing_file_and_bad_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, str(tmp_path / "nope.json"))
    assert code == 2 and "does not exist" in err
    p = write(tmp_path, {"slots": []})
    code, _, err = run_cli(capsys, str(p), "--today", "2026-13-01")
    assert code == 2 and "--today 2026-13-01" in err


def test_japanese_is_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, {"slots": [{"date": "2026-12-02", "start": "09:00", "end": "12:00"}]})
    code = main(["availability", "validate", str(p), "--today", "2026-11-01", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and "受付時間" in data["errors"][0]["message"]


def test_rules_file_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, {"slots": [{"date": "2026-12-02", "start": "09:00", "end": "12:00"}]})
    rules = tmp_path / "rules.json"
    rules.write_text('{"service_start": "09:00"}', encoding="utf-8")
    code, _, _ = run_cli(capsys, str(p), "--today", "2026-11-01", "--rules", str(rules))
    assert code == 0


def test_examples_in_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, str(EXAMPLES / "plan-2027-01-meets-minimums.json"), "--today", "2026-12-01",
                           "--json")
    data = json.loads(out)
    assert code == 0 and data["months"] == [{"month": "2027-01", "entry_hours": 104.0,
                                             "weekend_holiday_hours": 20.0, "meets_minimum": True,
                                             "complete": True, "entry_minimum": 80.0,
                                             "weekend_holiday_minimum": 20.0}]
    assert data["warnings"] == []
    short = str(EXAMPLES / "plan-2027-01-short-weekend-holiday.json")
    code, out, _ = run_cli(capsys, short, "--today", "2026-12-01", "--json")
    data = json.loads(out)
    assert code == 0 and data["months"][0]["meets_minimum"] is False
    assert data["months"][0]["entry_hours"] >= 80 and data["months"][0]["weekend_holiday_hours"] == 10.0
    assert [w["code"] for w in data["warnings"]] == ["month_short_weekend_holiday"]
    code, out, _ = run_cli(capsys, short, "--today", "2026-12-01", "--json", "--strict-minimums")
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "month_short_weekend_holiday"


def test_as_a_real_process(tmp_path: Path) -> None:
    p = write(tmp_path, "{broken")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "agentdesk", "availability", "validate", str(p)],
                          capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and "JSON" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "agentdesk", "availability", "validate",
                           str(EXAMPLES / "plan-2027-01-meets-minimums.json"), "--today", "2026-12-01"],
                          capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_no_action_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["availability"]) == 2
    assert "usage: agentdesk availability validate" in capsys.readouterr().err
