"""Shared fixtures: isolated user directories and keyring, Kamailio, SIPp, the virtual headset.

Every fixture that starts a real program attaches that program's log to a failing test's report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from tests.infra.certs import TestCA
from tests.infra.kamailio import Kamailio, KamailioTls
from tests.infra.memory_keyring import MemoryKeyring
from tests.infra.pulse import VirtualHeadset
from tests.infra.sipp import Sipp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
LOGS_KEY = pytest.StashKey[list[tuple[str, Callable[[], str]]]]()


def attach_log(request: pytest.FixtureRequest, name: str, read: Callable[[], str]) -> None:
    """Show ``read()`` in the report if the test fails."""
    request.node.stash.setdefault(LOGS_KEY, []).append((name, read))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.failed:
        for name, read in item.stash.get(LOGS_KEY, []):
            try:
                report.sections.append((name, read()))
            except Exception as exc:  # a log we cannot read must not hide the failure
                report.sections.append((name, f"<could not read: {exc}>"))
    return report


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data and log directories of this test only; the real user's are never touched."""
    root = tmp_path_factory.mktemp("user")
    for name in ("CONFIG", "DATA", "LOG"):
        d = root / name.lower()
        d.mkdir()
        monkeypatch.setenv(f"AGENTDESK_{name}_DIR", str(d))
    return root


@pytest.fixture(autouse=True)
def untranslated_ui_after_each_test() -> Iterator[None]:
    """A test that switched the UI to Japanese must not leave the next test's widgets translated."""
    yield
    translation = sys.modules.get("agentdesk.ui.translation")
    if translation is not None:
        translation.reset()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def shift_screen(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[Any, Any]]]:
    """``open(store, engine_argv=None) -> (main window controller, desk controller)``: the shipped shift screen
    (tests/infra/desk.py), closed after the test."""
    from tests.infra.desk import close_shift_screen, open_shift_screen

    monkeypatch.setenv("AGENTDESK_AUDIO_BACKEND", "null")  # no sound card on the test machine
    opened: list[Any] = []

    def open_(store: Any, engine_argv: list[str] | None = None) -> tuple[Any, Any]:
        main, desk = open_shift_screen(qtbot, store, engine_argv)
        opened.append(main)
        return main, desk

    yield open_
    for main in opened:
        close_shift_screen(main)


@pytest.fixture
def kamailio_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Kamailio]]:
    """Start any number of Kamailio instances: ``kamailio_factory(auth=False, port=None, tls=None)``
    (``tls=KamailioTls(cert, key)`` adds a TLS listener, ``uri_for("tls")``)."""
    started: list[Kamailio] = []

    def start(auth: bool = False, port: int | None = None, tls: KamailioTls | None = None) -> Kamailio:
        workdir = tmp_path / f"kamailio-{len(started)}"
        workdir.mkdir()
        k = Kamailio(workdir=workdir, auth=auth, tls=tls)
        started.append(k)
        attach_log(request, f"kamailio #{len(started)} log", k.log)
        return k.start(port)

    yield start
    for k in started:
        k.stop()


@pytest.fixture
def kamailio(kamailio_factory: Callable[..., Kamailio]) -> Kamailio:
    """A registrar/proxy on a free loopback port, UDP and TCP, no authentication."""
    return kamailio_factory()


@pytest.fixture
def center_ca(tmp_path: Path) -> TestCA:
    """A private CA made for this test (the provisioned CA of the center's certificates)."""
    return TestCA(tmp_path / "ca")


@pytest.fixture
def kamailio_tls(kamailio_factory: Callable[..., Kamailio], center_ca: TestCA) -> Kamailio:
    """A registrar/proxy with UDP, TCP and TLS (1.2 and 1.3) listeners; its certificate is for
    ``center.agentdesk.test`` and 127.0.0.1, signed by ``center_ca``. ``account_config(..., transport="tls")``
    provisions that CA and host name."""
    server = center_ca.issue()
    return kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=center_ca.path))


@pytest.fixture
def kamailio_auth(kamailio_factory: Callable[..., Kamailio]) -> Kamailio:
    """The same with digest authentication for REGISTER (password ``tests.infra.kamailio.PASSWORD``)."""
    return kamailio_factory(auth=True)


@pytest.fixture
def sipp_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Sipp]]:
    """``sipp_factory(scenario, remote=None, args=[...])``: a SIPp process, stopped after the test."""
    made: list[Sipp] = []

    def make(scenario: str, remote: str | None = None, args: list[str] | None = None, port: int = 0) -> Sipp:
        s = Sipp(scenario=scenario, workdir=tmp_path, remote=remote, args=args or [], port=port)
        made.append(s)
        attach_log(request, f"sipp {scenario} messages", lambda: s.messages()[-20000:])
        attach_log(request, f"sipp {scenario} errors", s.errors)
        return s

    yield make
    for s in made:
        s.stop()


@pytest.fixture(scope="session")
def virtual_headset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualHeadset]:
    """A private PulseAudio server with the virtual headset; its environment is applied to this process and
    inherited by the processes tests start (PULSE_SERVER, XDG_CONFIG_HOME for ALSA, XDG_RUNTIME_DIR)."""
    headset = VirtualHeadset(workdir=tmp_path_factory.mktemp("pulse")).start()
    mp = pytest.MonkeyPatch()
    for key, value in headset.env.items():
        mp.setenv(key, value)
    try:
        import sounddevice as sd

        sd._terminate()  # PortAudio reads the ALSA configuration when it initializes
        sd._initialize()
    except OSError:
        pass
    yield headset
    mp.undo()
    headset.stop()


# ---- the phone engine (tests/infra/engine.py) ------------------------------------------------------------------
from tests.infra.engine import EngineProcess  # noqa: E402


@pytest.fixture
def engine_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., EngineProcess]]:
    """``engine_factory(name="engine", env=None, argv=None)``: a started engine process (``argv``: another program
    that speaks the protocol, e.g. the fake engine), stopped after the test; its stderr log and last events are
    attached to a failing test's report."""
    started: list[EngineProcess] = []

    def start(name: str | None = None, env: dict[str, str] | None = None,
              argv: list[str] | None = None) -> EngineProcess:
        name = name or f"engine{len(started) + 1}"
        eng = EngineProcess(tmp_path, env=env, name=name, argv=argv)
        started.append(eng)
        attach_log(request, f"{name} log", eng.log)
        return eng.start()

    yield start
    for eng in started:
        eng.stop()
