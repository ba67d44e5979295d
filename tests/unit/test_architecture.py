"""The architecture rules a test can hold (docs/architecture.md, "Layout and rules"): the whole import graph.

1. No Qt outside agentdesk/ui.
2. The packages depend on each other only along the arrows in LAYERS (the core never imports the UI; the engine
   never imports the center or the desk core; the center reaches checks only through the line-type rule).
3. No module imports another package's private names (``_x``) or private modules.
4. The command-line entry points that open windows import the UI lazily (inside a function), so ``agentdesk
   --version`` and ``agentdesk engine`` never load Qt.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import agentdesk

PACKAGE = Path(agentdesk.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtpy")
FOUNDATION = "agentdesk"  # the top-level modules: i18n, paths, settings, credentials, log, the version

# package -> the packages (or single modules) it may import, besides itself and the foundation
LAYERS: dict[str, set[str]] = {
    "agentdesk": set(),
    "agentdesk.sip": set(),
    "agentdesk.checks": {"agentdesk.sip"},
    "agentdesk.availability": set(),
    "agentdesk.support_scripts": set(),
    "agentdesk.training": {"agentdesk.sip.protocol"},
    "agentdesk.center": {"agentdesk.sip.protocol", "agentdesk.sip.supervisor", "agentdesk.checks.line"},
    "agentdesk.agent": {"agentdesk.center", "agentdesk.availability", "agentdesk.sip.protocol",
                        "agentdesk.checks.line", "agentdesk.training", "agentdesk.support_scripts"},
    "agentdesk.ui": {"*"},
    "agentdesk.cli": {"*"},  # the entry point: every subcommand, lazily
}
# Entry points allowed to reach the UI (lazily, inside a function): the window and the self-check wizard.
UI_ENTRY_POINTS = {"agentdesk.cli", "agentdesk.checks.cli"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module (or module.name) imported
    names: tuple[str, ...]
    line: int
    lazy: bool  # inside a function

    def where(self) -> str:
        return f"{self.source}:{self.line}: {self.target}"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, root: Path = PACKAGE) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    source = _module_name(path, root)
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(Import(source, a.name, (), child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append(Import(source, child.module, tuple(a.name for a in child.names), child.lineno, lazy))
            elif isinstance(child, ast.Call) and getattr(child.func, "attr", getattr(child.func, "id", "")) in (
                    "import_module", "__import__") and child.args and isinstance(child.args[0], ast.Constant):
                found.append(Import(source, str(child.args[0].value), (), child.lineno, lazy))
            visit(child, inner)

    visit(tree, False)
    return found


def _layer(module: str) -> str:
    """The package a module belongs to in LAYERS (top-level modules are the foundation)."""
    best = FOUNDATION
    for name in LAYERS:
        if (module == name or module.startswith(name + ".")) and len(name) > len(best):
            best = name
    if best == FOUNDATION and module in ("agentdesk.cli", "agentdesk.__main__"):
        return "agentdesk.cli"
    return best


def _is_foundation(target: str) -> bool:
    return _layer(target) == FOUNDATION


def _permitted(target: str, allowed: set[str]) -> bool:
    return "*" in allowed or any(target == a or target.startswith(a + ".") for a in allowed)


def _violations(imports: list[Import]) -> list[str]:
    out = []
    for imp in imports:
        if imp.target.split(".")[0] in QT_MODULES and _layer(imp.source) != "agentdesk.ui":
            out.append(f"Qt outside agentdesk/ui: {imp.where()}")
        if not imp.target.startswith("agentdesk"):
            continue
        here, there = _layer(imp.source), _layer(imp.target)
        if here != there and not _is_foundation(imp.target):
            allowed = LAYERS.get(here, set())
            # "from agentdesk.sip import protocol" imports the module agentdesk.sip.protocol
            ok = _permitted(imp.target, allowed) or (
                bool(imp.names) and all(_permitted(f"{imp.target}.{n}", allowed) for n in imp.names))
            if there == "agentdesk.ui" and imp.source in UI_ENTRY_POINTS:
                ok = imp.lazy
            if not ok:
                out.append(f"{here} may not import {there}: {imp.where()}")
        if here != there:
            private = [p for p in imp.target.split(".") if p.startswith("_") and not p.startswith("__")]
            private += [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
            if private:
                out.append(f"private name(s) {private} of another package: {imp.where()}")
    return out


def _all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports(path)]


def test_the_import_graph_follows_the_layers() -> None:
    problems = _violations(_all_imports())
    assert problems == [], "import rules broken (docs/architecture.md):\n" + "\n".join(problems)


def test_every_package_has_a_layer() -> None:
    packages = {_module_name(p.parent, PACKAGE) for p in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(LAYERS), f"packages without a rule in LAYERS: {sorted(packages - set(LAYERS))}"


def test_the_rules_catch_each_kind_of_breach(tmp_path: Path) -> None:
    root = tmp_path / "agentdesk"
    (root / "sip").mkdir(parents=True)
    (root / "center").mkdir()
    (root / "checks").mkdir()
    probes = {
        root / "sip" / "qt.py": "from PySide6.QtCore import QObject\n",
        root / "sip" / "up.py": "from agentdesk.agent.session import AgentSession\n",
        root / "center" / "ui.py": "import agentdesk.ui.desk.view\n",
        root / "center" / "peek.py": "from agentdesk.checks.network import _probe\n",
        root / "checks" / "cli.py": "from agentdesk.ui.checks import run_wizard\n",
    }
    for path, text in probes.items():
        path.write_text(text, encoding="utf-8")
    found = _violations([imp for path in probes for imp in _imports(path, root)])
    assert any("Qt outside" in p and "agentdesk.sip.qt" in p for p in found)
    assert any("agentdesk.sip may not import agentdesk.agent" in p for p in found)
    assert any("agentdesk.center may not import agentdesk.ui" in p for p in found)
    assert any("agentdesk.center may not import agentdesk.checks" in p for p in found)
    assert any("private name" in p and "_probe" in p for p in found)
    assert any("agentdesk.checks.cli" in p and "agentdesk.ui" in p for p in found)  # not lazy: refused
    lazy = root / "checks" / "cli.py"
    lazy.write_text("def gui():\n    from agentdesk.ui.checks import run_wizard\n", encoding="utf-8")
    assert _violations(_imports(lazy, root)) == []


def test_the_center_test_double_does_not_ship() -> None:
    """The double's accounts have a fixed secret: it lives in tests/, outside the package and the frozen bundle."""
    assert not (PACKAGE / "center" / "testing").exists()
    assert not any("center_double" in p.name or p.name == "double.py" for p in PACKAGE.rglob("*.py"))
    spec = (PACKAGE.parent / "packaging" / "agentdesk.spec").read_text(encoding="utf-8")
    assert 'collect_submodules("agentdesk")' in spec and "collect_submodules(\"tests" not in spec
    assert "tests." not in spec.replace("# tests.", "")
    import agentdesk.center.cli as center_cli

    assert "double" not in (center_cli.__doc__ or "") and "double" not in center_cli.add_arguments.__code__.co_consts
