"""Render every screen (tests/ui/screens.py) at laptop sizes and report every text that does not fit (tests/ui/fit.py).

    QT_SCALE_FACTOR=1.5 python -m tests.ui.size_check --lang ja [--screens shift settings] [--shots DIR]

Run by tests/ui/test_screen_sizes.py in a fresh process per scale and language: Qt's scale factor is fixed when the
QApplication starts. Prints one JSON object: {"scale", "language", "checked": [...], "problems": [...]}.

How 150 % is emulated: ``QT_SCALE_FACTOR=1.5`` on the offscreen platform, whose screen is configured to a physical
size (``offscreen:configfile=``). Qt then works exactly as on a Windows laptop set to 150 %: the device pixel ratio
is 1.5, the logical DPI stays 96, so a 9 pt font is 12 logical pixels (18 physical) and a 1366x768 screen is a
logical 911x512 area. The windows are laid out in that logical area, with the real fonts, the real translations
and the real layout engine; nothing is scaled after the fact.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

# The window sizes tried (logical pixels) at each scale: the main window's default size (960x640) and a maximized
# window on a 1366x768 laptop screen (at 150 %: 911x512 logical).
AREAS: dict[str, list[tuple[int, int]]] = {"1": [(960, 640), (1366, 768)], "1.5": [(960, 640), (911, 512)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=["ja", "en"], required=True)
    parser.add_argument("--screens", nargs="*")
    parser.add_argument("--shots", help="also save a PNG of every state into this folder")
    parser.add_argument("--shot-area", default="", help="the size the PNGs are taken at, e.g. 1366x768 "
                        "(default: the last size tried)")
    args = parser.parse_args(argv)
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    tmp = Path(tempfile.mkdtemp(prefix="agentdesk-sizes-"))
    for name in ("CONFIG", "DATA", "LOG"):
        (tmp / name).mkdir()
        os.environ[f"AGENTDESK_{name}_DIR"] = str(tmp / name)
    import keyring

    from tests.infra.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    from PySide6.QtWidgets import QWidget

    from agentdesk.ui.app import create_app
    from agentdesk.ui.translation import LanguageSwitcher
    from tests.ui import fit, screens

    app = create_app()
    LanguageSwitcher(app).set_language(args.lang)
    ratio = app.primaryScreen().devicePixelRatio()
    areas = AREAS.get(scale, AREAS["1"])
    current: dict[str, tuple[int, int]] = {"area": areas[0]}

    def place(window: QWidget, kind: str) -> None:
        window.setProperty("screenKind", kind)
        _size(window, current["area"])
        window.show()
        screens.settle()

    checked: list[str] = []
    found: list[str] = []
    wanted = args.screens or list(screens.SCREENS)
    for name in wanted:
        env = screens.Env(language=args.lang, tmp=tmp, place=place)
        try:
            for state, window in screens.SCREENS[name](env):
                for area in areas:
                    current["area"] = area
                    _size(window, area)
                    screens.settle()
                    label = f"{name}/{state} at {area[0]}x{area[1]} x{scale} [{args.lang}]"
                    checked.append(label)
                    size = window.size()
                    if size.width() > area[0] or size.height() > area[1]:
                        found.append(f"{label}: the window needs {size.width()}x{size.height()} "
                                     f"(minimum {window.minimumSizeHint().width()}x"
                                     f"{window.minimumSizeHint().height()})")
                    found += [f"{label}: {p}" for p in fit.problems(window)]
                    if area == areas[0]:
                        found += [f"{name}/{state} [{args.lang}]: {p}" for p in fit.duplicate_access_keys(window)]
                        bar = window.menuBar() if hasattr(window, "menuBar") else None
                        if bar is not None:
                            found += [f"{name}/{state} [{args.lang}]: {p}" for p in fit.duplicate_menu_keys(bar)]
                    shot_area = tuple(int(x) for x in args.shot_area.split("x")) if args.shot_area else areas[-1]
                    if args.shots and area == shot_area:
                        out = Path(args.shots)
                        out.mkdir(parents=True, exist_ok=True)
                        window.grab().save(str(out / f"{name}-{state}-{args.lang}.png"))
        except Exception as exc:  # a screen that cannot be built is a finding, not a crash of the whole run
            import traceback

            found.append(f"{name}: could not be shown: {exc!r}\n{traceback.format_exc()}")
        finally:
            for step in reversed(env.cleanup):
                with contextlib.suppress(Exception):
                    step()
            screens.settle()
    print(json.dumps({"scale": scale, "ratio": ratio, "language": args.lang, "checked": checked,
                      "problems": found}, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # the fake engine processes and Qt's teardown are not what is measured here


def _size(window, area: tuple[int, int]) -> None:
    """A window takes the area (maximized on the laptop, or the default window size); a dialog its own size,
    at most the area."""
    from PySide6.QtCore import QSize

    if window.property("screenKind") == "dialog":
        hint = window.sizeHint()
        window.resize(QSize(min(hint.width(), area[0]), min(hint.height(), area[1])))
    else:
        window.resize(*area)


if __name__ == "__main__":
    sys.exit(main())
