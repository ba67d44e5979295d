from __future__ import annotations

import tomllib
from pathlib import Path

import agentdesk


def test_version_constant_matches_pyproject() -> None:
    pyproject = Path(agentdesk.__file__).resolve().parent.parent / "pyproject.toml"
    with pyproject.open("rb") as f:
        assert tomllib.load(f)["project"]["version"] == agentdesk.__version__
