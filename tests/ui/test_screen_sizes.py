"""Every screen fits a laptop: each screen of tests/ui/screens.py (the shift screen in each phase with the support
script, settings on every tab, the self-check wizard's three pages, availability entry, the work log, trainer mode,
the end-work question) is rendered at the main window's default size (960x640) and maximized on a 1366x768 laptop,
at 100 % and at 150 % (a logical 911x512), in Japanese and English; the test fails on any visible label, button,
header or caption whose text does not fit (tests/ui/fit.py) and on any access key used twice in one window.

150 % is Qt's own high-DPI scaling (QT_SCALE_FACTOR=1.5, in a fresh process per scale and language: it is fixed
when Qt starts), on the offscreen platform with a configured physical screen; see tests/ui/size_check.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.screens import SCREENS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_every_screen_fits_at_laptop_sizes(scale: str, language: str, tmp_path: Path) -> None:
    screen = tmp_path / "screen.json"  # a physical screen large enough for every window size tried
    screen.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 2100, "height": 1300,
                                               "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.ui.size_check", "--lang", language], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert float(report["ratio"]) == float(scale)  # Qt really scaled: 1366x768 at 150 % is 911x512 logical
    shown = {label.split("/")[0] for label in report["checked"]}
    assert shown == set(SCREENS), f"screens that could not be shown: {set(SCREENS) - shown}\n{report['problems']}"
    assert len(report["checked"]) >= 2 * 20  # every state of every screen at both sizes
    assert report["problems"] == [], "\n".join(report["problems"])
