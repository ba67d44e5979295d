"""AgentDesk: the desktop app for the home agents of a virtual call center.

The packages ``sip``, ``checks``, ``agent``, ``center``, ``availability`` and ``support_scripts`` never import Qt;
only ``agentdesk.ui`` does (docs/architecture.md).
"""

APP_NAME = "AgentDesk"
# The one place the version is written: pyproject.toml reads it (tool.setuptools.dynamic), and a frozen bundle
# has it without package metadata. Reading importlib.metadata instead cost 50 ms of every start.
__version__ = "0.1.0"
