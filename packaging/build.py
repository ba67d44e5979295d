"""Build the frozen AgentDesk (PyInstaller one-folder) and cache it by a hash of its sources.

    python packaging/build.py            build (or reuse the cached build) and print a JSON summary
    python packaging/build.py --force    build fresh even if a cached build matches
    python packaging/build.py --zip      also write AgentDesk-<version>-<platform>.zip beside the folder

The same code serves packaging/build_linux.sh, the Windows CI workflow and tests/packaging/test_frozen.py. A build
lands in ``build/frozen/<hash>/dist/AgentDesk``; the hash covers agentdesk/, resources/, packaging/ (spec, hooks),
pyproject.toml and the PyInstaller and Python versions, so an unchanged tree reuses its bundle in a second.
With CI=true the cache is ignored and every run builds fresh.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "agentdesk.spec"
HASHED = ("agentdesk", "resources", "packaging")
STAMP = "agentdesk-build.json"
EXE_NAME = "AgentDesk.exe" if sys.platform == "win32" else "AgentDesk"


@dataclass
class Build:
    dist: str  # the one-folder bundle
    exe: str  # the executable inside it
    version: str
    source_hash: str
    build_s: float  # seconds the PyInstaller run took (of the original build when cached)
    cached: bool
    size_mb: float
    zip_path: str | None = None
    zip_mb: float | None = None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def project_version() -> str:
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def source_hash() -> str:
    import PyInstaller

    h = hashlib.sha256()
    h.update(f"{sys.version}|{platform.platform()}|{PyInstaller.__version__}".encode())
    files = [ROOT / "pyproject.toml"]
    for top in HASHED:
        files += [p for p in (ROOT / top).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
                  and not (top == "packaging" and p.suffix == ".md")]  # packaging/README.md is not in the bundle
    for path in sorted(files):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


@contextlib.contextmanager
def _lock(path: Path):
    """One build at a time per output directory (parallel test sessions share the cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        try:
            import fcntl

            fcntl.flock(f, fcntl.LOCK_EX)
        except ImportError:  # Windows: CI builds one at a time anyway
            pass
        yield


def build(out_root: Path | None = None, force: bool = False, log=None) -> Build:
    """Build (or reuse) the bundle. ``log`` receives PyInstaller's output (a file object; default: stderr)."""
    digest = source_hash()
    out_root = out_root or Path(os.environ.get("AGENTDESK_BUILD_DIR") or ROOT / "build" / "frozen")
    base = out_root / digest
    dist = base / "dist" / "AgentDesk"
    stamp = base / STAMP
    force = force or in_ci()
    with _lock(out_root / f"{digest}.lock"):
        if not force and stamp.exists() and (dist / EXE_NAME).exists():
            info = json.loads(stamp.read_text())
            return Build(**{**info, "cached": True})
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(base / "dist"), "--workpath", str(base / "work"), str(SPEC)]
        t0 = time.perf_counter()
        result = subprocess.run(cmd, cwd=ROOT, stdout=log or sys.stderr, stderr=subprocess.STDOUT, check=False)
        build_s = time.perf_counter() - t0
        if result.returncode != 0 or not (dist / EXE_NAME).exists():
            raise RuntimeError(f"PyInstaller failed (exit {result.returncode}): {' '.join(cmd)}")
        shutil.rmtree(base / "work", ignore_errors=True)  # intermediate files: not needed after the build
        _strip_libpython(dist)
        _prune(out_root, keep=base)
        info = Build(dist=str(dist), exe=str(dist / EXE_NAME), version=project_version(), source_hash=digest,
                     build_s=round(build_s, 1), cached=False, size_mb=round(dir_size_mb(dist), 1))
        stamp.write_text(json.dumps(asdict(info), indent=2))
        return info


def _strip_libpython(dist: Path) -> None:
    """Debug symbols out of libpython only (Linux): never the wheels' patched libraries, which stripping breaks."""
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return
    for lib in (dist / "_internal").glob("libpython3*.so*"):
        if lib.is_file() and not lib.is_symlink():
            subprocess.run([strip, "--strip-debug", str(lib)], check=False, capture_output=True)


def _prune(out_root: Path, keep: Path, count: int = 2) -> None:
    """Keep the newest ``count`` cached builds (each is ~200 MB)."""
    builds = sorted((p for p in out_root.iterdir() if p.is_dir() and p != keep and (p / STAMP).exists()),
                    key=lambda p: (p / STAMP).stat().st_mtime, reverse=True)
    for old in builds[count - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    for lock in out_root.glob("*.lock"):
        if lock.stem != keep.name and not (out_root / lock.stem).exists():
            lock.unlink(missing_ok=True)


def make_zip(info: Build) -> Build:
    """The bundle as one zip (what a portable download or the installer's payload weighs)."""
    dist = Path(info.dist)
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    target = dist.parent / f"AgentDesk-{info.version}-{system}-{platform.machine().lower()}.zip"
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for p in sorted(dist.rglob("*")):
                if p.is_file():
                    z.write(p, Path("AgentDesk") / p.relative_to(dist))
        tmp.replace(target)
    info.zip_path = str(target)
    info.zip_mb = round(target.stat().st_size / 2**20, 1)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the frozen AgentDesk bundle (PyInstaller one-folder).")
    parser.add_argument("--force", action="store_true", help="build fresh even if a cached build matches")
    parser.add_argument("--zip", action="store_true", help="also write a zip of the bundle")
    parser.add_argument("--out", type=Path, help="output root (default: build/frozen or $AGENTDESK_BUILD_DIR)")
    args = parser.parse_args(argv)
    try:
        info = build(args.out, force=args.force)
    except (RuntimeError, OSError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    if args.zip:
        info = make_zip(info)
    print(json.dumps(asdict(info), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
