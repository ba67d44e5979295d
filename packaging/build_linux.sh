#!/usr/bin/env bash
# The Linux build of the frozen AgentDesk (PyInstaller one-folder) and its portable zip.
#   packaging/build_linux.sh [--force]     prints the JSON summary (exe, size_mb, zip_path, build_s)
# Uses ./.venv (./run creates it) or $PYTHON. See packaging/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-$here/.venv/bin/python}"
[ -x "$py" ] || { echo "build_linux.sh: no Python at $py; run ./run once, or set PYTHON=" >&2; exit 2; }
"$py" -c 'import PyInstaller' 2>/dev/null || { echo "build_linux.sh: PyInstaller missing: $py -m pip install -e '.[test]'" >&2; exit 2; }
cd "$here"
exec "$py" packaging/build.py --zip "$@"
