"""Every dependency of the Windows build has a win_amd64 wheel for CPython 3.12, resolved from Linux with pip's own
resolver in dry-run mode and Windows' environment markers (packaging/windows/check_wheels.py). It needs the
package index; an unreachable index fails with that said, never as a missing wheel and never as a skip."""

from __future__ import annotations

import importlib.util
import socket
import sys
from types import ModuleType

import pytest

from tests.packaging.frozen import ROOT


def _check_wheels() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agentdesk_check_wheels", ROOT / "packaging/windows/check_wheels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


cw = _check_wheels()


def _resolve(group: str, requirements: list[str]):  # type: ignore[no-untyped-def]
    res = cw.resolve(group, requirements)
    if res.unreachable:
        pytest.fail(res.explain(), pytrace=False)
    return res


def test_the_runtime_and_the_frozen_build_resolve_for_windows() -> None:
    groups = cw.project_groups()
    assert "pyinstaller>=6.10" in groups["frozen build"]
    trees = {}
    for group, requirements in groups.items():
        res = _resolve(group, requirements)
        assert res.ok, res.explain()
        trees[group] = {cw._key(name): wheel for name, _v, wheel in res.installed}
        assert all(cw._platform_tags(w) <= {"win_amd64", "any"} for w in trees[group].values()), trees[group]
    runtime, build = trees["runtime"], trees["frozen build"]
    # Windows' markers, not this machine's: keyring brings its Credential Manager backend, not SecretStorage
    assert "pywin32-ctypes" in runtime and "secretstorage" not in runtime and "jeepney" not in runtime, runtime
    assert runtime["pjsua2-python"].endswith("-cp312-cp312-win_amd64.whl"), runtime
    assert {"pyinstaller", "pefile", "pyinstaller-hooks-contrib"} <= set(build) and set(runtime) <= set(build)


def test_a_dependency_without_a_windows_wheel_is_named() -> None:
    """webrtcvad (design.md: no Windows wheel; the project uses webrtcvad-wheels) added beside a real one."""
    res = _resolve("probe", ["keyring>=24", "webrtcvad"])
    assert not res.ok and res.missing == ["webrtcvad"], res
    text = res.explain()
    assert "no win_amd64 wheel for CPython 3.12: webrtcvad" in text
    assert "webrtcvad: the index offers webrtcvad-" in text and ".tar.gz" in text, text


def test_an_unreachable_index_is_said_as_such() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = cw.resolve("runtime", ["keyring>=24"], index_url=f"http://127.0.0.1:{port}/simple")
    assert res.unreachable and not res.missing and not res.ok
    assert "the package index is unreachable" in res.explain() and str(port) in res.explain()
