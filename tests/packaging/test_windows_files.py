"""The Windows build's files agree with each other and with the project (they cannot run here; this keeps a change
in one from silently breaking another): version resource, Inno Setup script, CI workflow, spec."""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
ISS = WINDOWS / "agentdesk.iss"
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


def test_installer_script_is_per_user_and_keeps_settings() -> None:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "ISCC reads non-ASCII (Japanese) text correctly only with a UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    setup = dict(re.findall(r"(?m)^(\w+)=(.*)$", text))
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["AppVersion"] == "{#AppVersion}" and setup["UninstallDisplayName"].endswith("{#AppVersion}")
    assert "HKCU" in text and r"CurrentVersion\Run" in text and "uninsdeletevalue" in text
    assert "{autodesktop}" in text and "Flags: unchecked" in text
    # Uninstall deletes the user's data only when asked (dialog default No, or /PURGE).
    assert "MB_DEFBUTTON2" in text and "/PURGE" in text
    assert '#define UserDataDir "{localappdata}\\AgentDesk"' in text
    for language in ("japanese", "english"):
        for message in ("DesktopIcon", "StartWithWindows", "DeleteUserData", "Launch"):
            assert f"{language}.{message}=" in text, f"{language}.{message}"


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
    assert "choco install innosetup" in runs
    # The installer's identity is the same in the script and in the workflow's Programs-and-Features check.
    app_id = re.search(r"AppId=\{\{([0-9A-F-]+)\}", ISS.read_text(encoding="utf-8-sig"))
    assert app_id and f"{{{app_id.group(1)}}}_is1" in runs
    # PyInstaller's output folder (the spec's COLLECT name) is what the installer packs.
    spec = (ROOT / "packaging" / "agentdesk.spec").read_text(encoding="utf-8")
    assert re.search(r'COLLECT\([^)]*name="AgentDesk"', spec, re.S)
    assert r"dist\AgentDesk" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
