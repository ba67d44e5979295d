"""Build the Windows installer (packaging/windows/agentdesk.nsi) with NSIS' makensis, on Linux or on Windows.

    python packaging/windows/build_installer.py --dist dist/AgentDesk --out dist
    -> dist/AgentDesk-<version>-setup.exe, its path printed as JSON ({"setup": ..., "version": ...})

The same command runs in the Linux CI (tests/packaging/test_installer.py, against a stand-in bundle: Debian's
``nsis`` package) and in the Windows workflow (.github/workflows/windows-build.yml, against the real bundle:
``choco install nsis``). The version comes from pyproject.toml.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "agentdesk.nsi"


def _version_info():  # type: ignore[no-untyped-def]
    """packaging/windows/version_info.py, the one source of the version and its numeric form."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import version_info

    return version_info


def find_makensis() -> str:
    found = shutil.which("makensis")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):  # case-insensitive there
        candidate = Path(base or "") / "NSIS" / "makensis.exe"
        if base and candidate.exists():
            return str(candidate)
    raise FileNotFoundError("makensis (NSIS 3) is missing: apt-get install nsis, or choco install nsis")


def build(dist: Path, out_dir: Path, version: str | None = None, makensis: str | None = None) -> Path:
    vi = _version_info()
    version = version or vi.project_version()
    if not (dist / "AgentDesk.exe").is_file():
        raise FileNotFoundError(f"{dist} holds no AgentDesk.exe: pass PyInstaller's one-folder output")
    out_dir.mkdir(parents=True, exist_ok=True)
    setup = out_dir.resolve() / f"AgentDesk-{version}-setup.exe"
    numeric = ".".join(str(n) for n in vi.numeric_version(version))
    cmd = [makensis or find_makensis(), "-V2", "-INPUTCHARSET", "UTF8", f"-DAPP_VERSION={version}",
           f"-DAPP_VERSION_NUMERIC={numeric}", f"-DDIST_DIR={dist.resolve()}", f"-DOUT_FILE={setup}", str(SCRIPT)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0 or not setup.exists():
        raise RuntimeError(f"makensis failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return setup


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", type=Path, default=Path("dist/AgentDesk"), help="the one-folder bundle")
    ap.add_argument("--out", type=Path, default=Path("dist"), help="where the setup program goes")
    ap.add_argument("--version", help="default: pyproject.toml's")
    args = ap.parse_args(argv)
    setup = build(args.dist, args.out, args.version)
    print(json.dumps({"setup": str(setup), "version": args.version or _version_info().project_version(),
                      "size_mb": round(setup.stat().st_size / 2**20, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
