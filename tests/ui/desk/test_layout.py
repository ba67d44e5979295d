"""Layouts hold at 150% scaling in Japanese and in (longer) English: every page fits a 1920x1080 screen at 150%
(1280x720 logical, less a taskbar) with no control outside the window and no button text cut off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_fits_at_150_percent(language: str, tmp_path: Path) -> None:
    env = dict(os.environ, QT_SCALE_FACTOR="1.5", QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "tests.ui.desk.layout_probe", language], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["scale"] == "1.5"
    assert set(report["pages"]) == {"idle", "ringing", "call", "wrap_up"}
    for name, page in report["pages"].items():
        assert page["clipped"] == [], f"{language}/{name}: button text cut off: {page['clipped']}"
        assert page["outside"] == [], f"{language}/{name}: controls outside the window: {page['outside']}"
        assert page["min_w"] <= 1280, f"{language}/{name} needs {page['min_w']} px wide"
