"""Every visible string has a Japanese translation, and the shipped .qm files match their .ts sources."""

from __future__ import annotations

from pathlib import Path

from tools import i18n


def test_every_ui_string_has_a_japanese_translation(tmp_path: Path) -> None:
    fresh = i18n.update(target_dir=tmp_path)  # what lupdate finds in the code today, merged with the .ts files
    missing = [f"{ts.stem}: [{ctx}] {src!r}" for ts in fresh for ctx, src, tr in i18n.messages(ts) if tr is None]
    assert missing == [], "strings without a Japanese translation (python tools/i18n.py all FILE.json):\n" + \
        "\n".join(missing)


def test_compiled_qm_files_are_up_to_date(tmp_path: Path) -> None:
    built = i18n.compile_all(target_dir=tmp_path)
    assert built, "no .ts files found"
    for qm in built:
        shipped = i18n.I18N / qm.name
        assert shipped.exists(), f"{shipped} is missing: run python tools/i18n.py compile"
        assert shipped.read_bytes() == qm.read_bytes(), f"{shipped} is stale: run python tools/i18n.py compile"


def test_the_check_catches_an_untranslated_string(tmp_path: Path) -> None:
    ts = tmp_path / "probe_ja.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><TS version="2.1" language="ja_JP"><context>'
                  "<name>X</name><message><source>Hello</source><translation type=\"unfinished\"/></message>"
                  "</context></TS>", encoding="utf-8")
    assert i18n.messages(ts) == [("X", "Hello", None)]
