"""packaging/build.py's cache key: what changes the bundle rebuilds it, what does not keeps it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.packaging import frozen


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import PyInstaller  # noqa: F401  (the key includes PyInstaller's version; in the test extra: missing fails)
    builder = frozen.load_builder()
    root = tmp_path / "repo"
    for top in ("agentdesk", "resources", "packaging"):
        (root / top).mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "agentdesk"\nversion = "1.2.3"\n')
    (root / "agentdesk" / "__init__.py").write_text("x = 1\n")
    (root / "resources" / "i18n").mkdir()
    (root / "resources" / "i18n" / "shell_ja.qm").write_bytes(b"qm")
    (root / "packaging" / "agentdesk.spec").write_text("# spec\n")
    (root / "packaging" / "README.md").write_text("docs\n")
    monkeypatch.setattr(builder, "ROOT", root)
    return builder, root


def test_source_hash_follows_what_goes_into_the_bundle(tree) -> None:
    builder, root = tree
    first = builder.source_hash()
    assert builder.source_hash() == first  # stable
    assert builder.project_version() == "1.2.3"

    (root / "packaging" / "README.md").write_text("more docs\n")  # documentation only
    (root / "agentdesk" / "__pycache__").mkdir()
    (root / "agentdesk" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert builder.source_hash() == first

    for path, content in (
        (root / "resources" / "i18n" / "shell_ja.qm", b"qm2"),  # a translation
        (root / "agentdesk" / "new.py", b"y = 2\n"),  # a new module
        (root / "packaging" / "agentdesk.spec", b"# spec 2\n"),  # the spec
        (root / "resources" / "guide.md", b"a shipped resource\n"),  # .md outside packaging/ is shipped
    ):
        before = builder.source_hash()
        path.write_bytes(content)
        assert builder.source_hash() != before, f"{path.relative_to(root)} did not change the cache key"


def test_prune_keeps_the_newest_builds(tree, tmp_path: Path) -> None:
    builder, _ = tree
    out = tmp_path / "frozen"
    made = []
    for i in range(4):
        d = out / f"build{i}"
        d.mkdir(parents=True)
        (d / builder.STAMP).write_text("{}")
        (out / f"build{i}.lock").write_text("")
        made.append(d)
    for i, d in enumerate(made):
        os.utime(d / builder.STAMP, (1000 + i, 1000 + i))
    builder._prune(out, keep=made[0], count=2)  # the current build plus the newest other one stay
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["build0", "build3"]
    assert not (out / "build1.lock").exists() and (out / "build3.lock").exists()
    shutil.rmtree(out)
