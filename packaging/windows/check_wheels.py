"""Can every dependency of the Windows build be installed on Windows? Resolved from Linux, nothing installed.

    python packaging/windows/check_wheels.py          # both groups; exit 1 naming what has no Windows wheel

It runs pip's own resolver in dry-run mode (``pip install --dry-run --report``, into an empty ``--target`` with
``--ignore-installed``) for CPython 3.12 on win_amd64 with ``--only-binary=:all:``, for two groups from
pyproject.toml: the runtime dependencies (``project.dependencies``), and the frozen bundle's build environment:
the same plus the ``frozen`` extra (PyInstaller and what it pulls in), resolved together as the Windows workflow
installs them. A package with no wheel for that platform
fails the group with its name and what the index offers instead.

``--platform`` alone is not enough: pip evaluates environment markers (``sys_platform == "win32"``) against the
machine it runs on, so a Linux resolution would pull keyring's SecretStorage and leave out its pywin32-ctypes. The
resolver runs here with the markers of a Windows 10 x64 CPython 3.12 (``WINDOWS_MARKERS``), so the tree is the
one a Windows PC installs. It needs the package index (pip's default, or ``--index-url``); an unreachable index
is said as such, never reported as a missing wheel.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# packaging.markers.default_environment() of CPython 3.12 (64-bit) on Windows 10 22H2.
WINDOWS_MARKERS = {
    "implementation_name": "cpython", "implementation_version": "3.12.0", "os_name": "nt",
    "platform_machine": "AMD64", "platform_release": "10", "platform_system": "Windows",
    "platform_version": "10.0.19045", "python_full_version": "3.12.0", "platform_python_implementation": "CPython",
    "python_version": "3.12", "sys_platform": "win32",
}
TARGET = ["--platform", "win_amd64", "--python-version", "3.12", "--implementation", "cp", "--abi", "cp312",
          "--only-binary=:all:"]
# A wheel installs on win_amd64 CPython 3.12 when its platform tag is one of these.
WINDOWS_PLATFORM_TAGS = {"win_amd64", "any"}
NETWORK_ERRORS = re.compile(r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|"
                            r"Name or service not known|ConnectTimeout|ReadTimeout|Network is unreachable|"
                            r"Connection refused|ProxyError|SSLError|CERTIFICATE_VERIFY_FAILED")


@dataclass
class Resolution:
    group: str
    requirements: list[str]
    installed: list[tuple[str, str, str]] = field(default_factory=list)  # (name, version, wheel file name)
    missing: list[str] = field(default_factory=list)  # requirements pip found no Windows wheel for
    offered: dict[str, list[str]] = field(default_factory=dict)  # missing name -> files the index has
    unreachable: str = ""  # why the index could not be asked
    error: str = ""  # pip's own words, when it failed

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unreachable or self.error)

    def explain(self) -> str:
        if self.unreachable:
            return (f"{self.group}: the package index is unreachable ({self.unreachable}): this check needs it, to "
                    "resolve the Windows dependency tree (set --index-url or PIP_INDEX_URL for a mirror)")
        if self.missing:
            lines = [f"{self.group}: no win_amd64 wheel for CPython 3.12: {', '.join(self.missing)} (design.md: "
                     "a library without a Windows wheel may serve tests, never the shipped app)"]
            for name in self.missing:
                files = self.offered.get(name)
                lines.append(f"  {name}: the index offers " + (", ".join(files) if files else "nothing usable"))
            return "\n".join(lines)
        if self.error:
            return f"{self.group}: pip could not resolve the Windows tree:\n{self.error}"
        return f"{self.group}: {len(self.installed)} packages, each with a Windows wheel"


def project_groups(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, list[str]]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    runtime = list(project["dependencies"])
    # the build environment installs both at once (the Windows workflow: pip install -e ".[frozen]")
    return {"runtime": runtime, "frozen build": runtime + list(project["optional-dependencies"]["frozen"])}


def default_index() -> str:
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


def index_problem(index_url: str, timeout: float = 20.0) -> str:
    """'' when the index answers for a known project, else what went wrong."""
    try:
        with urllib.request.urlopen(f"{index_url.rstrip('/')}/pip/", timeout=timeout) as r:
            return "" if r.status == 200 else f"HTTP {r.status}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


def index_files(index_url: str, name: str, timeout: float = 20.0) -> list[str]:
    """The newest release's file names of a project on the index (PEP 691 JSON), at most 8."""
    from pip._vendor.packaging.version import InvalidVersion, Version

    url = f"{index_url.rstrip('/')}/{re.sub(r'[-_.]+', '-', name).lower()}/"
    req = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            files = [str(f["filename"]) for f in json.load(r).get("files", [])]
    except (urllib.error.URLError, OSError, ValueError):
        return []
    by_version: dict[Version, list[str]] = {}
    for f in files:
        m = re.match(r"[^-]+-([0-9][^-]*?)(?:\.tar\.gz|\.zip|\.tar\.bz2|-)", f)
        try:
            by_version.setdefault(Version(m.group(1)), []).append(f) if m else None
        except InvalidVersion:
            continue
    return by_version[max(by_version)][:8] if by_version else files[-8:]


def _missing_from(stderr: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"No matching distribution found for ([A-Za-z0-9_.\-]+)", stderr)))


def resolve(group: str, requirements: list[str], index_url: str | None = None, timeout: float = 600.0,
            python: str = sys.executable, rounds: int = 5) -> Resolution:
    """pip stops at the first requirement it cannot satisfy: a missing top-level requirement is set aside and the
    rest resolved again (at most ``rounds`` times), so every top-level culprit is named at once."""
    res = Resolution(group, requirements)
    index = index_url or os.environ.get("PIP_INDEX_URL") or default_index()
    problem = index_problem(index)
    if problem:
        res.unreachable = f"{index}: {problem}"
        return res
    left = list(requirements)
    for _ in range(rounds):
        installed, stderr = _dry_run(left, index, python, timeout)
        if installed is not None:
            res.installed = installed
            not_windows = [f for _n, _v, f in installed if _platform_tags(f) - WINDOWS_PLATFORM_TAGS]
            if not_windows:
                res.error = f"wheels for another platform in the tree: {', '.join(not_windows)}"
            break
        if NETWORK_ERRORS.search(stderr):
            res.unreachable = f"{index}: " + next(ln for ln in stderr.splitlines() if NETWORK_ERRORS.search(ln))
            return res
        missing = _missing_from(stderr)
        if not missing:
            res.error = "\n".join(stderr.strip().splitlines()[-15:])
            break
        res.missing += [m for m in missing if m not in res.missing]
        keys = {_key(m) for m in missing}
        rest = [r for r in left if _key(re.split(r"[\s\[<>=!~;@]", r, maxsplit=1)[0]) not in keys]
        if rest == left:  # a dependency of a dependency: nothing to set aside
            break
        left = rest
    res.offered = {name: index_files(index, name) for name in res.missing}
    return res


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dry_run(requirements: list[str], index: str, python: str, timeout: float
             ) -> tuple[list[tuple[str, str, str]] | None, str]:
    with tempfile.TemporaryDirectory(prefix="agentdesk-winwheels-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [python, str(Path(__file__).resolve()), "pip", "--isolated", "install", "--dry-run",
               "--ignore-installed", "--target", str(Path(tmp) / "target"), "--report", str(report),
               "--no-input", "--retries", "2", "--timeout", "30", "--index-url", index, *TARGET, *requirements]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not report.exists():
            return None, proc.stderr
        return [(i["metadata"]["name"], i["metadata"]["version"], i["download_info"]["url"].rsplit("/", 1)[-1])
                for i in json.loads(report.read_text(encoding="utf-8"))["install"]], proc.stderr


def _platform_tags(wheel: str) -> set[str]:
    if not wheel.endswith(".whl"):
        return {"sdist"}
    return set(wheel[:-4].split("-")[-1].split("."))


def _pip(args: list[str]) -> int:
    """pip, with the environment markers of a Windows PC (see the module's docstring)."""
    import pip._vendor.packaging.markers as markers

    markers.default_environment = lambda: dict(WINDOWS_MARKERS)  # type: ignore[assignment,return-value]
    from pip._internal.cli.main import main as pip_main

    return int(pip_main(args))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pip"]:
        return _pip(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-url", help="the package index (default: pip's)")
    ap.add_argument("--also", nargs="*", default=[], help="extra requirements for both groups (try one out)")
    args = ap.parse_args(argv)
    failed = False
    for group, reqs in project_groups().items():
        res = resolve(group, reqs + args.also, args.index_url)
        print(res.explain())
        for name, version, wheel in res.installed:
            print(f"  {name} {version}: {wheel}")
        failed |= not res.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
