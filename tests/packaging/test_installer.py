"""The Windows installer, compiled here from packaging/windows/agentdesk.nsi by the same script the Windows
workflow runs (packaging/windows/build_installer.py, Debian's makensis), against a stand-in bundle, and read back:
its payload (7-Zip), its manifest and version resource, and the strings of its installer and uninstaller scripts
(tests/packaging/nsis.py). What it does when run on Windows is the Windows workflow's part (packaging/README.md)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.infra import require
from tests.packaging import nsis
from tests.packaging.frozen import ROOT

NSI = ROOT / "packaging" / "windows" / "agentdesk.nsi"
VERSION = "9.8.7"  # not the project's: the version the build is given is the one Windows shows
STAND_IN = {  # a one-folder bundle's shape: the exe, _internal/, a resource with a Japanese name
    "AgentDesk.exe": b"MZ stand-in for the PyInstaller executable",
    "_internal/base_library.zip": b"PK stand-in",
    "_internal/resources/i18n/shell_ja.qm": b"qm",
    "_internal/resources/support_scripts/通信障害.yaml": "title: 通信障害\n".encode(),
}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"agentdesk_{name}", ROOT / "packaging" / "windows" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    makensis = require.binary("makensis")
    require.binary("7zz")
    work = tmp_path_factory.mktemp("installer")
    dist = work / "dist" / "AgentDesk"
    for rel, data in STAND_IN.items():
        (dist / rel).parent.mkdir(parents=True, exist_ok=True)
        (dist / rel).write_bytes(data)
    setup = _load("build_installer").build(dist, work / "out", VERSION, makensis=makensis)
    unpacked = work / "unpacked"
    subprocess.run([nsis.seven_zip(), "x", f"-o{unpacked}", "-y", str(setup)], capture_output=True, timeout=60,
                   check=True)
    return {"setup": setup, "unpacked": unpacked, "work": work,
            "strings": nsis.strings(setup), "uninstall": nsis.strings(unpacked / "uninstall.exe")}


def test_the_setup_holds_the_whole_bundle_and_an_uninstaller(built: dict) -> None:
    setup: Path = built["setup"]  # type: ignore[assignment]
    assert setup.name == f"AgentDesk-{VERSION}-setup.exe"
    props, paths = nsis.listing(setup)
    assert props["Type"] == "Nsis" and props["SubType"] == "NSIS-3 Unicode 64-bit", props
    payload = {p for p in paths if not p.startswith("$PLUGINSDIR/")}
    assert payload == set(STAND_IN) | {"uninstall.exe"}, payload
    for rel, data in STAND_IN.items():
        assert (built["unpacked"] / rel).read_bytes() == data, rel  # type: ignore[operator]


def test_it_installs_per_user_without_administrator_rights(built: dict) -> None:
    res = nsis.pe_resources(built["setup"], built["work"] / "pe")  # type: ignore[operator]
    assert 'requestedExecutionLevel level="asInvoker"' in res["manifest"], res["manifest"]  # no UAC prompt
    strings = built["strings"]
    assert r"$LOCALAPPDATA\Programs\AgentDesk" in strings  # the install folder, in the user's profile
    text = NSI.read_text(encoding="utf-8")
    assert re.search(r"(?m)^RequestExecutionLevel user$", text)
    registry = re.findall(r"(?m)^\s*(?:WriteReg\w+|DeleteReg\w+)\s+(\w+)", text)
    assert registry and set(registry) == {"HKCU"}, registry  # nothing in HKLM
    assert "SetShellVarContext all" not in text and text.count("SetShellVarContext current") >= 3


def test_programs_and_features_shows_the_given_version(built: dict) -> None:
    strings = built["strings"]
    key = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\AgentDesk"
    assert key in strings and key in built["uninstall"]  # written on install, deleted on uninstall
    for value in ("DisplayName", "DisplayVersion", "Publisher", "DisplayIcon", "UninstallString",
                  "QuietUninstallString", "InstallLocation", "EstimatedSize"):
        assert value in strings, value
    # DisplayName "AgentDesk 9.8.7"; DisplayVersion "9.8.7" is its tail (makensis stores a string that ends
    # another once), so no other version may appear
    assert f"AgentDesk {VERSION}" in strings
    assert {s for s in strings if re.fullmatch(r"(AgentDesk )?\d+(\.\d+)+", s)} == {f"AgentDesk {VERSION}"}
    assert r'"$INSTDIR\uninstall.exe" /S' in strings
    res = nsis.pe_resources(built["setup"], built["work"] / "pe2")  # type: ignore[operator]
    values = nsis.version_values(res["version"])
    assert values["ProductVersion"] == values["FileVersion"] == VERSION, values
    assert values["ProductName"] == "AgentDesk" and values["FileDescription"] == "AgentDesk Setup"
    assert re.search(r"PRODUCTVERSION\s+9,8,7,0", res["version"]), res["version"]  # the numeric form


def test_shortcuts_and_start_with_windows(built: dict) -> None:
    strings, uninstall = built["strings"], built["uninstall"]
    run_key = r"Software\Microsoft\Windows\CurrentVersion\Run"
    for s in (r"$SMPROGRAMS\AgentDesk.lnk", r"$DESKTOP\AgentDesk.lnk", run_key):
        assert s in strings and s in uninstall, s  # created by the setup, removed by the uninstaller
    assert r'"$INSTDIR\AgentDesk.exe"' in strings  # the Run value, quoted (the path has spaces)
    text = NSI.read_text(encoding="utf-8")
    # the desktop shortcut and start-with-Windows are options, unticked by default; the program is not optional
    assert re.search(r'(?m)^Section /o "\$\(DesktopIcon\)" SecDesktop$', text)
    assert re.search(r'(?m)^Section /o "\$\(StartWithWindows\)" SecStartup$', text)
    assert re.search(r'(?ms)^Section "\$\(Program\)" SecProgram\n\s+SectionIn RO$', text)
    assert '${GetOptions} $R0 "/DESKTOP"' in text and '${GetOptions} $R0 "/STARTUP"' in text


def test_uninstall_keeps_the_agents_data_unless_asked(built: dict) -> None:
    uninstall = built["uninstall"]
    assert "$LOCALAPPDATA\\AgentDesk" in uninstall and "/PURGE" in uninstall
    text = NSI.read_text(encoding="utf-8")
    section = text[text.index('Section "Uninstall"'):]
    section = section[:section.index("SectionEnd")]
    # the data folder goes only when $Purge is 1: /PURGE, or Yes in a dialog whose default (and silent answer) is No
    assert section.count('RMDir /r "${USER_DATA_DIR}"') == 1
    assert re.search(r'\$\{If\} \$Purge == 1\n\s+RMDir /r "\$\{USER_DATA_DIR\}"', section)
    assert re.search(r'MessageBox MB_YESNO\|MB_ICONQUESTION\|MB_DEFBUTTON2 "\$\(DeleteUserData\)" /SD IDNO IDNO keep',
                     section)
    assert re.findall(r"StrCpy \$Purge 1", text) and 'StrCpy $Purge 0' in text
    for language_text in ("Also delete AgentDesk's settings", "AgentDesk の設定、ログ、未送信データも削除しますか"):
        assert any(language_text in s for s in uninstall), language_text


def test_the_data_folder_is_platformdirs_windows_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the uninstaller keeps or purges, $LOCALAPPDATA\\AgentDesk, is where the app writes on Windows:
    platformdirs' Windows rules with agentdesk/paths.py's arguments (the folder lookup faked, the rules real)."""
    import platformdirs.windows

    from agentdesk import paths

    local = r"C:\Users\agent\AppData\Local"
    monkeypatch.setattr(platformdirs.windows, "get_win_folder",
                        lambda csidl: {"CSIDL_LOCAL_APPDATA": local}.get(csidl, r"C:\elsewhere"))
    d = platformdirs.windows.Windows(appname=paths._APP_DIRS.appname, appauthor=paths._APP_DIRS.appauthor,
                                     roaming=paths._APP_DIRS.roaming)
    base = local + "\\AgentDesk"
    win = {k: getattr(d, k).replace("/", "\\") for k in ("user_data_dir", "user_config_dir", "user_log_dir")}
    assert win["user_data_dir"] == win["user_config_dir"] == base, win  # (os.path.join uses / on Linux)
    assert win["user_log_dir"].startswith(base + "\\"), win
    assert '!define USER_DATA_DIR "$LOCALAPPDATA\\AgentDesk"' in NSI.read_text(encoding="utf-8")


def test_the_build_takes_the_project_version_by_default(built: dict) -> None:
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as f:
        version = str(tomllib.load(f)["project"]["version"])
    work: Path = built["work"]  # type: ignore[assignment]
    setup = _load("build_installer").build(work / "dist" / "AgentDesk", work / "out-default")
    assert setup.name == f"AgentDesk-{version}-setup.exe"
    assert f"AgentDesk {version}" in nsis.strings(setup)
