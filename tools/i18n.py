"""Qt translations: one .ts/.qm pair per UI area, so that areas are translated independently.

Areas: the modules directly in ``agentdesk/ui`` form the area ``core``; each subpackage ``agentdesk/ui/NAME/``
forms the area ``NAME``. Each area has ``resources/i18n/NAME_ja.ts`` (source strings are English, so English
needs no file) and the compiled ``NAME_ja.qm`` the app loads.

    python tools/i18n.py update            # lupdate every area (adds new strings as unfinished)
    python tools/i18n.py todo              # list strings without a Japanese translation
    python tools/i18n.py apply FILE.json   # {"Context": {"English source": "日本語", ...}, ...} fills them in
    python tools/i18n.py compile           # lrelease every area into .qm
    python tools/i18n.py all FILE.json     # update, apply, compile
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "agentdesk" / "ui"
I18N = ROOT / "resources" / "i18n"
LANG = "ja"


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / f"pyside6-{name}"
    if exe.exists():
        return str(exe)
    found = shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials in this environment")
    return found


def areas() -> dict[str, list[Path]]:
    result: dict[str, list[Path]] = {"core": sorted(p for p in UI.glob("*.py"))}
    for pkg in sorted(p for p in UI.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        result[pkg.name] = sorted(pkg.rglob("*.py"))
    return result


def ts_path(area: str) -> Path:
    return I18N / f"{area}_{LANG}.ts"


def update(target_dir: Path = I18N) -> list[Path]:
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for area, files in areas().items():
        ts = target_dir / f"{area}_{LANG}.ts"
        if target_dir != I18N and ts_path(area).exists():
            shutil.copy(ts_path(area), ts)
        subprocess.run(
            [_tool("lupdate"), "-silent", "-no-obsolete", "-locations", "none", "-target-language", "ja_JP",
             *[str(f) for f in files], "-ts", str(ts)],
            check=True,
        )
        written.append(ts)
    return written


def messages(ts: Path) -> list[tuple[str, str, str | None]]:
    """(context, source, translation or None when unfinished/empty)."""
    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            text = None
            if tr is not None and tr.get("type") not in ("unfinished", "vanished", "obsolete"):
                text = "".join(tr.itertext()) or None
            out.append((name, msg.findtext("source") or "", text))
    return out


def todo() -> list[tuple[str, str, str]]:
    return [(ts.stem, c, s) for ts in sorted(I18N.glob(f"*_{LANG}.ts")) for c, s, t in messages(ts) if t is None]


def apply(mapping: dict[str, dict[str, str]]) -> int:
    count = 0
    for ts in sorted(I18N.glob(f"*_{LANG}.ts")):
        tree = ET.parse(ts)
        changed = False
        for ctx in tree.getroot().iter("context"):
            table = mapping.get(ctx.findtext("name") or "", {})
            for msg in ctx.iter("message"):
                src = msg.findtext("source") or ""
                if src in table:
                    tr = msg.find("translation")
                    if tr is None:
                        tr = ET.SubElement(msg, "translation")
                    tr.attrib.pop("type", None)
                    tr.text = table[src]
                    changed = True
                    count += 1
        if changed:
            ET.indent(tree)
            with open(ts, "wb") as fh:
                fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
                tree.write(fh, encoding="utf-8", xml_declaration=False)
    return count


def compile_all(source_dir: Path = I18N, target_dir: Path = I18N) -> list[Path]:
    target_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for ts in sorted(source_dir.glob(f"*_{LANG}.ts")):
        qm = target_dir / ts.with_suffix(".qm").name
        subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
        out.append(qm)
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    cmd = argv[0]
    if cmd in ("update", "all"):
        update()
    if cmd in ("apply", "all") and len(argv) > 1:
        src = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8")
        print(f"applied {apply(json.load(src))} translations")
    if cmd in ("compile", "all"):
        compile_all()
    if cmd in ("todo", "all"):
        missing = todo()
        for area, ctx, src in missing:
            print(f"{area}\t{ctx}\t{src}")
        return 1 if missing and cmd == "todo" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
