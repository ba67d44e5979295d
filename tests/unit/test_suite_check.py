"""The suite checks itself (docs/testing.md, "Tests that can fail"): every test can fail, and nothing skips in CI.

1. Every test function (``test_*`` at module level or in a ``Test*`` class, under tests/) checks something: it has
   an ``assert``, an expected exception or failure (``pytest.raises``, ``pytest.warns``, ``pytest.fail``, a
   ``raise``), a pytest-qt wait that fails on timeout (``qtbot.waitUntil``, ``waitSignal``...), or it calls a helper
   that does. A helper is any function or method defined under tests/, recognised by the name it is called by
   (``name(...)`` or ``obj.name(...)``), that checks in one of these ways itself or through another helper. An
   ``assert X is not None`` alone does not make a helper a check: it narrows a type for mypy, it tests nothing.
2. No skip can trigger with ``CI=true``: ``pytest.skip``, ``pytest.importorskip``, ``pytest.xfail`` and the
   ``skip``/``skipif``/``xfail`` marks appear only where the same function fails first in CI (the pattern of
   tests/infra/require.py: ``if in_ci(): pytest.fail(...)``), or in ALLOWED_SKIPS below, each with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# (file under tests/, function) -> why this skip may trigger in CI. Platform skips belong here.
ALLOWED_SKIPS: dict[tuple[str, str], str] = {
    ("center/conformance/test_conformance.py", "test_refresh_gives_new_tokens"):
        "an external center under test (AGENTDESK_CENTER_URL) may issue no refresh tokens; the project's double, "
        "which CI runs against, must (the test fails there instead)",
    ("unit/test_hostile_files.py", "test_every_file_and_folder_the_app_writes_is_the_users_alone"):
        "file modes are POSIX (0600/0700); on Windows the user's profile ACL is what keeps the files private, and "
        "CI runs on Linux, where this skip never triggers",
    ("headset/recordings.py", "load"):
        "the recorded headset descriptors are third-party data kept outside the repository (shared/"
        "headset-descriptors, tests/headset/README.md); the synthetic descriptors run everywhere",
}

QT_WAITS = {"waitUntil", "waitSignal", "waitSignals", "assertNotEmitted", "waitCallback", "waitExposed",
            "waitActive"}
PYTEST_CHECKS = {"raises", "warns", "fail", "deprecated_call"}
# Callables from outside tests/ that raise on a mismatch by contract (called by this name).
EXTERNAL_CHECKS = {"validate"}  # jsonschema's validate (and the conformance suite's fixture that wraps it)
SKIPS = {"skip", "importorskip", "xfail", "skipif"}


def _called_name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _is_pytest_attr(node: ast.AST, names: set[str]) -> bool:
    """``pytest.NAME`` or ``pytest.mark.NAME`` for NAME in names."""
    if not isinstance(node, ast.Attribute) or node.attr not in names:
        return False
    base = node.value
    if isinstance(base, ast.Name):
        return base.id == "pytest"
    return isinstance(base, ast.Attribute) and base.attr == "mark" and isinstance(base.value, ast.Name) \
        and base.value.id == "pytest"


def _is_type_guard(node: ast.Assert) -> bool:
    """``assert x is not None`` (and ``and`` chains of such): a mypy narrowing, not a check."""
    def guard(t: ast.expr) -> bool:
        if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.And):
            return all(guard(v) for v in t.values)
        return isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.IsNot) \
            and isinstance(t.comparators[0], ast.Constant) and t.comparators[0].value is None
    return guard(node.test)


def _own_nodes(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of fn's body, not of functions or classes defined inside it."""
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


@dataclass
class Function:
    path: Path
    node: ast.FunctionDef | ast.AsyncFunctionDef
    is_test: bool
    checks: bool  # checks by itself
    calls: set[str]


def _direct_check(node: ast.AST, is_test: bool) -> bool:
    if isinstance(node, ast.Assert):
        return is_test or not _is_type_guard(node)
    if isinstance(node, ast.Raise) and node.exc is not None:
        return True
    if isinstance(node, ast.Call):
        if _is_pytest_attr(node.func, PYTEST_CHECKS):
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr in QT_WAITS:
            return True
    return False


def functions(sources: dict[Path, str]) -> list[Function]:
    out: list[Function] = []
    for path, text in sources.items():
        tree = ast.parse(text, str(path))
        tests: set[ast.AST] = set()
        for top in tree.body:
            if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)) and top.name.startswith("test"):
                tests.add(top)
            if isinstance(top, ast.ClassDef) and top.name.startswith("Test"):
                tests |= {f for f in top.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                          and f.name.startswith("test")}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_test = node in tests and path.name.startswith("test_")
                own = list(_own_nodes(node))
                out.append(Function(path, node, is_test, any(_direct_check(n, is_test) for n in own),
                                    {name for n in own if isinstance(n, ast.Call) and (name := _called_name(n))}))
    return out


def unchecked_tests(sources: dict[Path, str]) -> list[str]:
    fns = functions(sources)
    checking = {f.node.name for f in fns if f.checks} | EXTERNAL_CHECKS
    while True:  # a helper that calls a checking helper checks
        more = {f.node.name for f in fns if f.node.name not in checking and f.calls & checking}
        if not more:
            break
        checking |= more
    return [f"{_rel(f.path)}:{f.node.lineno}: {f.node.name}" for f in fns
            if f.is_test and not f.checks and not (f.calls & checking)]


def _rel(path: Path) -> str:
    return path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else str(path)


def ci_skips(sources: dict[Path, str], root: Path = TESTS) -> list[str]:
    found = []
    for path, text in sources.items():
        tree = ast.parse(text, str(path))
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if not _is_pytest_attr(node, SKIPS):
                continue
            fn = node
            while fn in parents and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fn = parents[fn]
            name = fn.name if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else "<module>"
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                calls = {c for n in _own_nodes(fn) if isinstance(n, ast.Call) and (c := _called_name(n))}
                if "in_ci" in calls and "fail" in calls:
                    continue  # fails first with CI=true
            rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
            if (rel, name) in ALLOWED_SKIPS:
                continue
            found.append(f"{rel}:{node.lineno}: {name}: {ast.unparse(node)}")
    return found


def _suite() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(TESTS.rglob("*.py"))}


def test_every_test_can_fail() -> None:
    offenders = unchecked_tests(_suite())
    assert offenders == [], "tests that assert nothing (tests/unit/test_suite_check.py's docstring):\n" + "\n".join(offenders)


def test_no_skip_can_trigger_in_ci() -> None:
    offenders = ci_skips(_suite())
    assert offenders == [], "skips that can trigger with CI=true (fail in CI instead, or list them in " \
        "ALLOWED_SKIPS with the reason):\n" + "\n".join(offenders)


def test_allowed_skips_still_exist() -> None:
    """An entry of ALLOWED_SKIPS whose skip is gone is stale: the list stays the list of real skips."""
    sources = _suite()
    skips = set()
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    _is_pytest_attr(n, SKIPS) for n in ast.walk(node)):
                skips.add((path.relative_to(TESTS).as_posix(), node.name))
    assert set(ALLOWED_SKIPS) <= skips, set(ALLOWED_SKIPS) - skips


# ---- the checks themselves can fail ---------------------------------------------------------------------------

PROBE = '''
import pytest
from tests.infra import require

def helper_that_checks(x):
    assert x == 1

def helper_that_delegates(x):
    helper_that_checks(x)

def helper_with_a_type_guard(proc):
    assert proc is not None
    return proc.wait()

def test_asserts():
    assert 1 + 1 == 2

def test_expects_an_error():
    with pytest.raises(ValueError):
        int("x")

def test_through_helpers():
    helper_that_delegates(1)

def test_waits_with_qtbot(qtbot):
    qtbot.waitUntil(lambda: True)

def test_calls_but_checks_nothing(proc):
    helper_with_a_type_guard(proc)

def test_nothing():
    x = 1

class TestGroup:
    def test_empty_method(self):
        print("hi")

def test_optional_module():
    pytest.importorskip("visqol")
    assert True

@pytest.mark.skipif(True, reason="never here")
def test_marked():
    assert True

def needs_tool():
    if require.in_ci():
        pytest.fail("missing")
    pytest.skip("missing")
'''


def test_the_checks_catch_a_test_that_asserts_nothing_and_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "test_probe.py"
    sources = {path: PROBE}
    lines = PROBE.splitlines()
    at = {name: next(i for i, ln in enumerate(lines, 1) if f"def {name}(" in ln)
          for name in ("test_calls_but_checks_nothing", "test_nothing", "test_empty_method")}
    assert unchecked_tests(sources) == [f"{path}:{line}: {name}" for name, line in at.items()]
    assert sorted(s.split(": ", 2)[1] for s in ci_skips(sources, tmp_path)) == [
        "test_marked", "test_optional_module"]
