"""The runner (parallel, device lanes, errors) and the report (JSON, HTML), and the full CLI on this machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from agentdesk.checks import report as report_mod
from agentdesk.checks.base import Check, CheckContext, CheckResult, exit_code, overall_status
from agentdesk.checks.runner import CHECKS, run_checks
from agentdesk.i18n import Text

ROOT = Path(__file__).resolve().parents[2]


class Sleepy(Check):
    def __init__(self, name: str, seconds: float, status: str = "pass", resource: str | None = None,
                 log: list[tuple[str, str, float]] | None = None) -> None:
        self.name = name
        self.seconds = seconds
        self.status = status
        self.resource = resource
        self.log = log if log is not None else []

    def run(self, ctx: CheckContext) -> CheckResult:
        self.log.append((self.name, "start", time.monotonic()))
        time.sleep(self.seconds)
        self.log.append((self.name, "end", time.monotonic()))
        if self.status == "boom":
            raise RuntimeError("sensor on fire")
        return self.result(self.status, Text(ja=self.name, en=self.name))  # type: ignore[arg-type]


def test_independent_checks_run_in_parallel_and_devices_one_at_a_time() -> None:
    log: list[tuple[str, str, float]] = []
    checks = [Sleepy("a", 0.5, log=log), Sleepy("b", 0.5, log=log), Sleepy("mic1", 0.3, resource="audio", log=log),
              Sleepy("mic2", 0.3, resource="audio", log=log)]
    progress: list[tuple[str, float]] = []
    lock = threading.Lock()

    def on_progress(name: str, f: float, s: object) -> None:
        with lock:
            progress.append((name, f))

    t0 = time.monotonic()
    rep = run_checks(checks, CheckContext(on_progress=on_progress))
    elapsed = time.monotonic() - t0
    assert [r.name for r in rep.results] == ["a", "b", "mic1", "mic2"]  # the given order
    assert elapsed < 1.0, elapsed  # serial would be 1.6 s
    times = {(n, e): t for n, e, t in log}
    assert times[("mic2", "start")] >= times[("mic1", "end")]  # the audio lane is serial
    assert {n for n, f in progress if f == 1.0} == {"a", "b", "mic1", "mic2"}


def test_an_exception_becomes_an_error_result_not_a_traceback() -> None:
    rep = run_checks([Sleepy("x", 0, "boom")], CheckContext())
    r = rep.results[0]
    assert r.status == "error" and "sensor on fire" in r.summary.en and r.remedy is not None
    assert rep.overall == "error" and exit_code(rep.overall) == 1


def test_overall_status() -> None:
    def r(s: str) -> CheckResult:
        return CheckResult("x", s, Text(ja="", en=""))  # type: ignore[arg-type]

    assert overall_status([r("pass"), r("pass")]) == "pass"
    assert overall_status([r("pass"), r("skipped")]) == "warn"  # not verified is not a clean pass
    assert overall_status([r("pass"), r("warn"), r("fail")]) == "fail"
    assert overall_status([r("skipped")]) == "skipped"
    assert [exit_code(s) for s in ("pass", "warn", "skipped", "fail", "error")] == [0, 0, 0, 1, 1]


def test_cancel_skips_the_remaining_checks() -> None:
    ctx = CheckContext()
    ctx.cancel.set()
    rep = run_checks([Sleepy("a", 0.1)], ctx)
    assert rep.results[0].status == "skipped"


def test_html_report_is_self_contained_japanese_first_and_escaped() -> None:
    res = CheckResult("line", "fail", Text(ja="<script>alert(1)</script> 携帯電話です", en="a mobile phone"),
                      {"line_type": "mobile"}, Text(ja="固定電話を使ってください", en="Use a fixed line"))
    net = CheckResult("network", "pass", Text(ja="良好", en="good"), {"samples_ms": [1.0, 2.0, None, 1.5]})
    rep = run_checks([], CheckContext())
    rep.results = [res, net]
    data = report_mod.to_json(rep)
    page = report_mod.to_html(data)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.index("固定電話を使ってください") < page.index("Use a fixed line")
    assert "<svg" in page and "polyline" in page  # the network chart, inline
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    assert "@media print" in page
    assert data["overall"] == "fail" and data["report_id"]


class Outbox:
    def __init__(self) -> None:
        self.items: list[tuple[str, dict, str]] = []

    def submit(self, kind: str, payload: dict, idempotency_key: str) -> None:
        self.items.append((kind, payload, idempotency_key))


def test_submit_hands_the_report_to_the_center() -> None:
    data = report_mod.to_json(run_checks([Sleepy("a", 0)], CheckContext()))
    box = Outbox()
    key = report_mod.submit(data, box)
    assert box.items == [("self_check", data, key)] and key == data["report_id"]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agentdesk", "check", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def test_cli_full_run_on_this_machine_json_and_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    p = _cli("--json", "--report", str(out), "--quiet-seconds", "1", "--speech-seconds", "0",
             "--number", "03-1234-5678")
    assert p.returncode in (0, 1), p.stderr
    data = json.loads(p.stdout)
    assert set(data) >= {"overall", "checks"}
    assert [c["name"] for c in data["checks"]] == list(CHECKS)
    for c in data["checks"]:
        assert set(c) >= {"name", "status", "summary", "details", "remedy"}
        assert c["status"] in ("pass", "warn", "fail", "skipped", "error")
        assert c["status"] != "error", c
        assert c["summary"]["ja"] and c["summary"]["en"]
    assert p.returncode == (1 if data["overall"] in ("fail", "error") else 0)
    line = next(c for c in data["checks"] if c["name"] == "line")
    assert line["status"] == "pass" and line["details"]["normalized"] == "+81312345678"
    assert out.read_text(encoding="utf-8").count('class="check"') == len(CHECKS)
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["overall"] == data["overall"]


def test_cli_only_and_bad_usage() -> None:
    p = _cli("--only", "line,pc", "--json", "--number", "090-1234-5678")
    assert p.returncode == 1
    assert [c["name"] for c in json.loads(p.stdout)["checks"]] == ["pc", "line"]
    bad = _cli("--only", "line,teleport")
    assert bad.returncode == 2 and "teleport" in bad.stderr
    bad = _cli("line")
    assert bad.returncode == 2 and "--number" in bad.stderr
    bad = _cli("--report", "/no/such/dir/r.html", "--only", "pc")
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_cli_line_json_contract() -> None:
    for number, kind, code in (("03-1234-5678", "fixed_line", 0), ("050-1234-5678", "ip_phone", 1),
                               ("hello", "invalid", 1)):
        p = _cli("line", "--number", number, "--json")
        assert p.returncode == code, p.stderr
        data = json.loads(p.stdout)
        assert data["line_type"] == kind
        assert data["status"] == ("pass" if code == 0 else "fail")
        assert "normalized" in data
