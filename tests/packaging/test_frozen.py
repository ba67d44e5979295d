"""The frozen app (PyInstaller one-folder, packaging/agentdesk.spec), built once per session and run for real.

What breaks in a frozen app and never in the source tree: a module imported by name at run time (subcommands), a
native library loaded with ctypes (pjsua2's OpenSSL, PortAudio), a Qt plugin (platforms), data files (translations,
sounds, scripts), the version. Each test runs the bundle's executable in a clean environment (no PYTHONPATH, cwd
outside the source tree) and fails on any sign of a missing part in its stderr.

The build is cached by a hash of the sources in build/frozen/ (a repeated local run takes seconds); with CI=true
it is built fresh, and a missing PyInstaller or Xvfb fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from agentdesk.cli import SUBCOMMANDS
from tests.infra import require
from tests.packaging import frozen

# The first test also builds the bundle (fresh in CI: about 2-3 minutes on 2 loaded cores).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
ROOT = frozen.ROOT
INTERNAL = "_internal"


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The built bundle (packaging/build.py's ``Build``): built once per session, cached by source hash."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        message = "PyInstaller is missing: pip install -e '.[test]' (or pip install pyinstaller)"
        if require.in_ci():
            pytest.fail(f"CI: {message}", pytrace=False)
        pytest.skip(message)
    builder = frozen.load_builder()
    log_path = tmp_path_factory.mktemp("frozen-build") / "pyinstaller.log"
    with log_path.open("w") as log:
        try:
            info = builder.build(log=log)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')[-6000:]}", pytrace=False)
    build_log = log_path.read_text(errors="replace")
    print(f"\nfrozen bundle: {info.dist} ({info.size_mb} MB, built in {info.build_s} s, cached={info.cached})")
    info.build_log = build_log
    return info


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A cwd outside the source tree, so nothing can be found relative to it."""
    d = tmp_path / "cwd"
    d.mkdir()
    return d


def assert_clean(stderr: str, what: str) -> None:
    bad = frozen.problems(stderr)
    assert not bad, f"{what}: the frozen app reports missing parts:\n" + "\n".join(bad) + f"\n---\n{stderr[-4000:]}"


# ---- the bundle's contents ----------------------------------------------------------------------------------------

def test_bundle_has_every_module_library_plugin_and_resource(bundle: Any) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    dist = Path(bundle.dist)
    internal = dist / INTERNAL
    pyz = CArchiveReader(bundle.exe).open_embedded_archive("PYZ.pyz")
    modules = set(pyz.toc)

    # Every agentdesk module of the source tree (subcommands are imported by name, invisible to analysis).
    source_modules = set()
    for path in (ROOT / "agentdesk").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        source_modules.add(".".join(parts))
    assert source_modules - modules == set(), "agentdesk modules missing from the bundle"
    # What the spec ships on purpose even before a module imports it at top level (the rest follows the imports).
    for module in ("pjsua2", "pjsua2.pjsua2", "sounddevice", "keyring", "keyring.backends.null",
                   "PySide6", "platformdirs", "pydantic"):
        assert module in modules, f"{module} is not in the bundle"

    # Native libraries that are loaded by path or with ctypes.
    assert list(internal.glob("pjsua2/_pjsua2*")), "pjsua2's extension"
    assert list(internal.glob("pjsua2_python.libs/libcrypto*")), "pjsua2's OpenSSL (loaded with ctypes by pjsua2)"
    portaudio = list(internal.glob("libportaudio*")) + list(internal.glob("_sounddevice_data/portaudio-binaries/*"))
    assert portaudio, "PortAudio for sounddevice"
    assert "hid" in modules or list(internal.glob("hid.*")), "hidapi (the headset's call buttons)"
    if sys.platform.startswith("linux"):
        assert (internal / "linux" / "70-agentdesk-headset.rules").exists(), "the headset's udev rule"

    # Data and libraries that third-party packages open by path (when the app imports them at all).
    if "visqol" in modules:
        assert (internal / "visqol" / "model" / "libsvm_nu_svr_model.txt").exists(), "ViSQOL's SVR model"
        assert list(internal.glob("libsvm/clib*")), "libsvm's C library (loaded with ctypes by libsvm.svm)"
    for test_only in ("pesq", "pytest", "ai_edge_litert"):
        assert test_only not in modules and not (internal / test_only).exists(), f"{test_only} was bundled"

    # Qt: the modules and platforms we rely on, and none of the unused modules.
    for used in ("QtCore", "QtGui", "QtWidgets"):
        assert list(internal.glob(f"PySide6/{used}.*")), f"PySide6.{used}"
    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "imageformats/libqsvg.so"):
        assert (plugins / plugin).exists(), f"Qt plugin {plugin}"
    for unused in ("QtQml", "QtQuick", "QtWebEngineCore", "QtPdf", "QtMultimedia", "QtDesigner", "Qt3DCore"):
        assert not list(internal.glob(f"PySide6/{unused}.*")), f"unused Qt module {unused} was bundled"
        assert not list(internal.glob(f"PySide6/Qt/lib/libQt6{unused.removeprefix('Qt')}.so*")), unused
    assert not (plugins / "platformthemes" / "libqgtk3.so").exists(), "the GTK theme (pulls GTK) was bundled"
    assert (internal / "PySide6" / "Qt" / "translations" / "qtbase_ja.qm").exists(), "Qt's own Japanese strings"

    # resources/ as a whole, byte for byte in size.
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file():
            shipped = internal / path.relative_to(ROOT)
            assert shipped.exists(), f"resource {path.relative_to(ROOT)} is not in the bundle"
            assert shipped.stat().st_size == path.stat().st_size, f"resource {path.relative_to(ROOT)} differs"

    # The spec's own hidden imports must all resolve (third-party hooks may name optional ones that do not).
    ours = ("agentdesk", "pjsua2", "sounddevice", "_sounddevice", "keyring")
    unresolved = [ln for ln in bundle.build_log.splitlines()
                  if "not found" in ln and any(f'Hidden import "{name}' in ln for name in ours)]
    assert not unresolved, "the spec names modules that do not exist:\n" + "\n".join(unresolved)
    assert bundle.size_mb < 400, f"the bundle grew to {bundle.size_mb} MB"


# ---- running it ---------------------------------------------------------------------------------------------------

def test_version_matches_pyproject(bundle: Any, workdir: Path) -> None:
    # A decoy agentdesk on PYTHONPATH proves the frozen app runs from its bundle, not from a source tree.
    decoy = workdir / "decoy" / "agentdesk"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit('the source tree was used')\n")
    proc = frozen.run(bundle.exe, ["--version"], env=frozen.frozen_env(PYTHONPATH=str(decoy.parent)), cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"AgentDesk {project_version()}"
    assert_clean(proc.stderr, "--version")


def test_help_lists_every_subcommand(bundle: Any, workdir: Path) -> None:
    proc = frozen.run(bundle.exe, ["--help"], cwd=workdir)
    assert proc.returncode == 0, proc.stderr
    for name in SUBCOMMANDS:
        assert name in proc.stdout, f"{name} is missing from the frozen app's --help"
    assert_clean(proc.stderr, "--help")


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_loads_in_the_bundle(bundle: Any, workdir: Path, name: str) -> None:
    """``AgentDesk NAME --help`` imports that subcommand's module inside the bundle."""
    proc = frozen.run(bundle.exe, [name, "--help"], cwd=workdir)
    assert proc.returncode == 0, f"{name} --help: exit {proc.returncode}\n{proc.stderr[-4000:]}"
    assert "usage:" in proc.stdout
    assert_clean(proc.stderr, f"{name} --help")


@pytest.mark.parametrize("platform", ["xcb", "offscreen"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_main_window_opens_and_closes(bundle: Any, workdir: Path, platform: str, lang: str) -> None:
    """The real X11 platform plugin under Xvfb, and the offscreen one; both languages (translations load)."""
    wrapper: list[str] = []
    if platform == "xcb":
        wrapper = [require.binary("xvfb-run"), "-a", "-s", "-screen 0 1280x1024x24"]
    env = frozen.frozen_env(QT_QPA_PLATFORM=platform)
    if platform == "offscreen":
        env.pop("DISPLAY", None)
    result = frozen.startup([*wrapper, bundle.exe, "--lang", lang], env=env, timeout=90)
    assert result["visible"] is True
    assert 0 < result["shown_s"] < 30
    assert_clean(result["stderr"], f"main window ({platform}, {lang})")
    log_file = Path(os.environ["AGENTDESK_LOG_DIR"])
    assert any(log_file.iterdir()), "the frozen app wrote no log file in the user's log directory"


def _write_wav(path: Path, samples: Any, rate: int = 16000) -> Path:
    import wave

    import numpy as np

    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_check_json_runs_the_local_checks(bundle: Any, workdir: Path) -> None:
    """The local checks (no center, no headset): PC and wired connection, line type, and room noise from
    recordings (numpy and scipy inside the bundle). Their verdicts equal the source tree's."""
    import numpy as np

    proc = frozen.run(bundle.exe, ["check", "--only", "pc,wired", "--json"], cwd=workdir, timeout=120)
    assert proc.returncode in (0, 1), f"check --json: exit {proc.returncode}\n{proc.stderr[-4000:]}"
    report = json.loads(proc.stdout)
    assert [c["name"] for c in report["checks"]] == ["pc", "wired"]
    assert report["overall"] in ("pass", "warn", "fail", "not_checked", "skipped")
    assert_clean(proc.stderr, "check --only pc,wired --json")

    proc = frozen.run(bundle.exe, ["check", "line", "--number", "03-1234-5678", "--confirmed", "--json"],
                      cwd=workdir)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = json.loads(proc.stdout)
    assert (line["status"], line["line_type"], line["normalized"]) == ("pass", "fixed_line", "+81312345678")
    assert_clean(proc.stderr, "check line")

    rng = np.random.default_rng(7)
    t = np.arange(16000 * 3) / 16000
    room = _write_wav(workdir / "room.wav", 0.001 * rng.standard_normal(t.size))
    speech = _write_wav(workdir / "speech.wav", 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
                        + 0.001 * rng.standard_normal(t.size))
    args = ["check", "noise", "--input", str(room), "--speech", str(speech), "--json"]
    proc = frozen.run(bundle.exe, args, cwd=workdir)
    assert proc.returncode == 0, proc.stderr[-4000:]
    noise = json.loads(proc.stdout)
    assert_clean(proc.stderr, "check noise")
    source = subprocess.run([sys.executable, "-m", "agentdesk", *args], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, check=False)
    expected = json.loads(source.stdout)
    assert noise["status"] == expected["status"] == "pass"
    assert noise["details"]["snr_db"] == pytest.approx(expected["details"]["snr_db"], abs=0.1)
    assert noise["details"]["snr_db"] > 25


def test_frozen_engine_completes_a_loopback_call_through_kamailio(bundle: Any, kamailio: Any, tmp_path: Path,
                                                                 request: pytest.FixtureRequest) -> None:
    from tests.conftest import attach_log
    from tests.infra.engine import DOMAIN, EngineProcess

    env = frozen.frozen_env()
    engines: list[EngineProcess] = []
    try:
        for name in ("agent", "customer"):
            eng = EngineProcess(tmp_path, env=env, name=f"frozen-{name}", argv=[bundle.exe, "engine"])
            engines.append(eng)
            attach_log(request, f"frozen {name} engine", eng.log)
            eng.start(timeout=30)
        agent, customer = engines
        assert agent.ready_event is not None and agent.ready_event.get("protocol") == 1
        agent.register("agent1", kamailio)
        customer.register("cust1", kamailio)

        a_mark, c_mark = agent.mark(), customer.mark()
        out = customer.command({"cmd": "call", "uri": f"sip:agent1@{DOMAIN}"})["call"]
        incoming = agent.wait_event({"event": "call", "state": "incoming"}, 15, after=a_mark)
        agent.command({"cmd": "answer", "call": incoming["call"]})
        agent.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 15, after=a_mark)
        customer.wait_event({"event": "call", "call": out, "state": "connected"}, 15, after=c_mark)

        # Media flows both ways between the frozen engines (pjsua2's media stack and the null audio clock).
        time.sleep(1.0)
        first = agent.command({"cmd": "stats", "call": incoming["call"]})
        time.sleep(0.6)
        second = agent.command({"cmd": "stats", "call": incoming["call"]})
        assert second["rx_packets"] > first["rx_packets"] > 10, (first, second)
        assert second["tx_packets"] > first["tx_packets"] > 10, (first, second)

        # The engine never loads Qt, frozen or not (design.md: it runs headless, Qt-free).
        maps = Path(f"/proc/{agent.pid}/maps")
        if maps.exists():
            assert "libQt6" not in maps.read_text(), "the frozen engine loaded Qt"

        customer.command({"cmd": "hangup", "call": out})
        agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"}, 15, after=a_mark)
        customer.wait_event({"event": "call", "call": out, "state": "ended"}, 15, after=c_mark)
        assert not agent.find({"event": "garbage"}) and not customer.find({"event": "garbage"}), \
            "non-JSON lines on the frozen engine's protocol stdout"
    finally:
        codes = [eng.stop() for eng in engines]
    assert codes == [0, 0], f"the frozen engines exited with {codes}"
    for eng in engines:
        assert_clean(eng.stderr_path.read_text(errors="replace"), eng.name)



def test_frozen_echo_test_call_scores_the_returned_audio(bundle: Any, kamailio: Any, sipp_factory: Any,
                                                         workdir: Path) -> None:
    """``check network`` with the 20-second echo call: the frozen check starts the frozen engine itself
    (``AgentDesk engine`` through the supervisor), and scores the returned audio with ViSQOL, whose model files and
    libsvm library are opened by path (PESQ, test-only, is not in the bundle)."""
    from tests.infra import net

    scenario = ROOT / "tests" / "checks" / "sipp" / "echo_uas.xml"
    uas = sipp_factory(str(scenario), args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo"]).start()
    args = ["check", "network", "--center", f"{kamailio.host}:{kamailio.port}",
            "--echo-target", f"sip:echo@127.0.0.1:{uas.port}", "--json"]
    proc = frozen.run(bundle.exe, args, cwd=workdir, timeout=150)
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stderr[-4000:]}"
    result = json.loads(proc.stdout)
    network = result["checks"][0] if "checks" in result else result
    echo = network["details"]["echo"]
    # The bundle's part: the call ran, audio came back and ViSQOL scored it. How good the score is on a loaded
    # machine is the checks' business (tests/checks/test_echo.py), not the packaging's.
    assert echo["audio_returned"] is True and echo["rx_packets"] > 500, echo
    assert echo["audio_score_method"] == "ViSQOL v3 (speech mode)", echo
    assert isinstance(echo["audio_score"], float) and 1.0 <= echo["audio_score"] <= 5.0, echo
    assert "visqol_error" not in echo, echo
    assert_clean(proc.stderr, "check network (echo call)")
