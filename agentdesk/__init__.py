"""AgentDesk: the desktop app for the home agents of a virtual call center.

The packages ``sip``, ``checks``, ``agent``, ``center``, ``availability`` and ``support_scripts`` never import Qt;
only ``agentdesk.ui`` does (docs/architecture.md).
"""

APP_NAME = "AgentDesk"
# The same as pyproject.toml's (tests/unit/test_version.py holds them equal). A constant, because reading
# importlib.metadata or pyproject.toml cost 50 ms of every start, and a frozen bundle has neither.
__version__ = "0.1.0"
