"""AgentDesk: the desktop app for the home agents of a virtual call center.

The packages ``sip``, ``checks``, ``agent``, ``center``, ``availability`` and ``support_scripts`` never import Qt;
only ``agentdesk.ui`` does (docs/architecture.md).
"""

import sys
from importlib import metadata
from pathlib import Path

APP_NAME = "AgentDesk"


def _version() -> str:
    """The frozen bundle carries agentdesk/VERSION (written by packaging/agentdesk.spec from pyproject.toml);
    a source checkout reads pyproject.toml; an installed wheel has its metadata."""
    here = Path(__file__).resolve().parent
    if getattr(sys, "frozen", False):
        try:
            return (here / "VERSION").read_text(encoding="utf-8").strip()
        except OSError:
            pass
    try:  # a source checkout: pyproject.toml beside the package is the truth (an editable install's metadata lags)
        import tomllib

        with (here.parent / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, ValueError):
        pass
    try:
        return metadata.version("agentdesk")
    except metadata.PackageNotFoundError:
        return "0.0.0"


__version__ = _version()
