"""The architecture rules that a test can hold: no Qt outside agentdesk/ui."""

from __future__ import annotations

import ast
from pathlib import Path

import agentdesk

PACKAGE = Path(agentdesk.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtpy")


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names = [str(node.args[0].value)]
        found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {n}" for n in names
                  if n.split(".")[0] in QT_MODULES]
    return found


def test_only_agentdesk_ui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "ui") in path.parents:
            continue
        offenders += _qt_imports(path)
    assert offenders == [], "Qt imported outside agentdesk/ui:\n" + "\n".join(offenders)


def test_the_check_itself_catches_a_qt_import(tmp_path: Path) -> None:
    bad = PACKAGE / "_arch_probe_tmp.py"
    bad.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    try:
        assert _qt_imports(bad)
    finally:
        bad.unlink()
