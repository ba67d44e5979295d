"""AgentDesk: the desktop app for the home agents of a virtual call center.

The packages ``sip``, ``checks``, ``agent``, ``center``, ``availability`` and ``support_scripts`` never import Qt;
only ``agentdesk.ui`` does (docs/architecture.md).
"""

from importlib import metadata

APP_NAME = "AgentDesk"

try:
    __version__ = metadata.version("agentdesk")
except metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle without metadata
    __version__ = "0.1.0"
