"""Screenshots of every screen of AgentDesk, maximized on a 1366x768 laptop, into docs/screenshots/.

    python tools/screenshots.py                         # every screen and state, Japanese
    python tools/screenshots.py --lang en --out /tmp/shots --screens desk settings

The screens and their states are the ones the size test renders (tests/ui/screens.py: the shift screen in each
phase with the support script, settings on every tab, the self-check wizard's pages, availability entry, the work
log, trainer mode, the end-work question), with the fake center and the fake engine process of tests/fakes, a
work log filled with a plausible month, and the real translations and fonts (Japanese needs a CJK font, Debian:
fonts-noto-cjk). Files are named SCREEN-STATE-LANG.png. Qt's offscreen platform renders them, so no display or
Xvfb is needed; the same run reports any text that does not fit (it exits 1 then).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--screens", nargs="*", help="screens of tests/ui/screens.py (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="agentdesk-shots-") as tmp:
        screen = Path(tmp) / "screen.json"
        screen.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                                   "logicalDpi": 96, "dpr": 1}]}))
        env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "PYTHONPATH": str(ROOT),
               "QT_SCALE_FACTOR": "1"}
        cmd = [sys.executable, "-m", "tests.ui.size_check", "--lang", args.lang, "--shots", args.out,
               "--shot-area", "1366x768"]
        if args.screens:
            cmd += ["--screens", *args.screens]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return done.returncode
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for name in sorted(Path(args.out).glob(f"*-{args.lang}.png")):
        print(name)
    for problem in report["problems"]:
        print(f"does not fit: {problem}", file=sys.stderr)
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
