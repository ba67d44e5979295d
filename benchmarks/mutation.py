"""Mutation testing of the Qt-free core with mutmut (the ``mutation`` extra), by hand, never in the CI run.

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python -m benchmarks.mutation                 # every target below, one after the other
    .venv/bin/python -m benchmarks.mutation quality outbox  # some of them
    .venv/bin/python -m benchmarks.mutation --list quality  # also list the surviving mutants (mutmut's names)
    .venv/bin/python -m benchmarks.mutation --again quality # after new tests: re-run the survivors only

Each target runs in its own scratch copy of the tree (build/mutation/<target>/: agentdesk/, tests/, resources/,
docs/, tools/, pyproject.toml with a ``[tool.mutmut]`` section), so the worktree stays untouched; mutmut mutates only the target's
files and runs only the target's own Qt-free tests. ``cd build/mutation/<target> && ../../../.venv/bin/mutmut show
NAME`` shows one mutant's diff. Prints a table: mutants, killed, survived, no tests, timeout, score
(killed / (killed + survived + no tests + timeout)), minutes. Figures and the surviving mutants judged:
docs/testing.md, "Mutation testing".
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")


@dataclass(frozen=True)
class Target:
    files: tuple[str, ...]  # mutmut only_mutate globs
    tests: tuple[str, ...]  # the target's own Qt-free tests


TARGETS: dict[str, Target] = {
    "agent": Target(("agentdesk/agent/*",), ("tests/agent", "tests/availability/test_worklog.py",
                                             "tests/availability/test_worklog_csv.py")),
    "availability": Target(("agentdesk/availability/*",),
                           ("tests/availability/test_rules.py", "tests/availability/test_store.py",
                            "tests/availability/test_worklog.py", "tests/availability/test_cli.py",
                            "tests/availability/test_plan_edges.py")),
    "support_scripts": Target(("agentdesk/support_scripts/*",),
                              tuple(f"tests/scripts/{t}" for t in ("test_bundled.py", "test_lint.py",
                                                                   "test_packages.py", "test_practice_paths.py",
                                                                   "test_runner.py", "test_runner_context.py",
                                                                   "test_search.py"))),
    "quality": Target(("agentdesk/sip/quality.py",), ("tests/unit/test_quality.py",)),
    "outbox": Target(("agentdesk/center/outbox.py",), ("tests/center/test_outbox.py",
                                                       "tests/center/test_outbox_refusals.py")),
}


def _config(target: Target) -> str:
    def arr(items: tuple[str, ...] | list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return ("\n[tool.mutmut]\n"
            'source_paths = ["agentdesk"]\n'
            'also_copy = ["resources", "docs", "tools"]\n'
            f"only_mutate = {arr(target.files)}\n"
            f"pytest_add_cli_args_test_selection = {arr(target.tests)}\n"
            f"pytest_add_cli_args = {arr(['-p', 'no:cacheprovider', '-q', '-x'])}\n")


def scratch(name: str, target: Target) -> Path:
    work = ROOT / "build" / "mutation" / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in ("agentdesk", "tests", "resources", "docs", "tools"):
        shutil.copytree(ROOT / top, work / top, ignore=ignore)
    (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8") + _config(target),
                                         encoding="utf-8")
    return work


def _statuses(work: Path) -> dict[str, str]:
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work, capture_output=True, text=True,
                         timeout=600, check=False).stdout
    return dict(re.findall(r"^\s*(\S+): (.+?)\s*$", out, re.M))


def run(name: str, children: int = 2, again: bool = False) -> dict[str, object]:
    """``again``: keep the scratch copy's results, refresh its tests/ from the worktree and re-run only the
    mutants that survived (new tests cannot revive a killed one): the score after new tests, in minutes."""
    target = TARGETS[name]
    work = ROOT / "build" / "mutation" / name
    names: list[str] = []
    before: dict[str, str] = {}
    if again and (work / "mutants").is_dir():
        before = _statuses(work)
        names = [m for m, st in before.items() if st != "killed"]
        config = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + _config(target)
        for where in (work, work / "mutants"):  # the target's test selection may have grown
            (where / "pyproject.toml").write_text(config, encoding="utf-8")
        shutil.rmtree(work / "tests")
        shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.rmtree(work / "mutants" / "tests", ignore_errors=True)
        shutil.copytree(ROOT / "tests", work / "mutants" / "tests",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        work = scratch(name, target)
    start = time.monotonic()
    proc = subprocess.run([str(MUTMUT), "run", "--max-children", str(children), *names], cwd=work,
                          capture_output=True, text=True, timeout=4 * 3600, check=False)
    minutes = round((time.monotonic() - start) / 60, 1)
    statuses = _statuses(work)
    if before:  # mutmut marks what it did not re-run "not checked": those keep their earlier verdict (killed)
        statuses = {m: (statuses.get(m, st) if m in names else st) for m, st in before.items()}
    if not statuses:
        raise RuntimeError(f"mutmut gave no results for {name}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    count = {st: sum(1 for v in statuses.values() if v == st) for st in set(statuses.values())}
    killed, survived = count.get("killed", 0), count.get("survived", 0)
    no_tests, timeout = count.get("no tests", 0), count.get("timeout", 0)
    scored = killed + survived + no_tests + timeout
    return {"target": name, "mutants": len(statuses), "killed": killed, "survived": survived, "no_tests": no_tests,
            "timeout": timeout, "other": {k: v for k, v in count.items()
                                          if k not in ("killed", "survived", "no tests", "timeout")},
            "score": round(100 * killed / scored, 1) if scored else None, "minutes": minutes,
            "surviving": sorted(m for m, st in statuses.items() if st == "survived")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="mutation scores of the Qt-free core (mutmut)")
    ap.add_argument("targets", nargs="*", help=f"some of: {', '.join(TARGETS)} (default: all)")
    ap.add_argument("--list", action="store_true", help="list the surviving mutants")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--again", action="store_true",
                    help="after adding tests: re-run only the survivors of the previous run, with the new tests")
    args = ap.parse_args(argv)
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        ap.error(f"unknown targets {sorted(unknown)}: choose from {', '.join(TARGETS)}")
    if not MUTMUT.exists():
        print("mutmut is missing: .venv/bin/pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    rows = []
    for name in args.targets or list(TARGETS):
        try:
            rows.append(run(name, again=args.again))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    print(f"mutation testing (mutmut) at commit {commit}")
    print(f"{'target':16} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'timeout':>7} "
          f"{'score %':>7} {'min':>5}")
    for r in rows:
        print(f"{r['target']:16} {r['mutants']:>7} {r['killed']:>6} {r['survived']:>8} {r['no_tests']:>8} "
              f"{r['timeout']:>7} {r['score']!s:>7} {r['minutes']:>5}")
        if args.list:
            for m in r["surviving"]:  # type: ignore[union-attr]
                print(f"    survived: {m}")
    if args.json:
        args.json.write_text(json.dumps({"commit": commit, "rows": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
