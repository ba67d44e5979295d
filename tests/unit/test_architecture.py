"""The architecture rules that a test can hold: no Qt outside agentdesk/ui."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

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


def test_the_check_itself_catches_a_qt_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule run over a stand-in package in tmp_path (never a probe written into the installed package): a Qt
    import outside ui/ fails it, the same import inside ui/ does not."""
    fake = tmp_path / "agentdesk"
    (fake / "ui").mkdir(parents=True)
    (fake / "ui" / "window.py").write_text("from PySide6.QtWidgets import QWidget\n", encoding="utf-8")
    (fake / "sip").mkdir()
    (fake / "sip" / "probe.py").write_text("import os\nfrom PySide6.QtCore import QObject\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    with pytest.raises(AssertionError, match=r"agentdesk/sip/probe\.py:2: PySide6\.QtCore\n"):
        test_only_agentdesk_ui_imports_qt()
    (fake / "sip" / "probe.py").unlink()
    test_only_agentdesk_ui_imports_qt()  # ui/ may import Qt
