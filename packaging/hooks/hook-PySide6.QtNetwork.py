"""Override of PyInstaller's hook: the same collection, minus the Qt plugins AgentDesk does not ship
(qt_plugin_filter.py)."""

from PyInstaller.utils.hooks.qt import add_qt6_dependencies
from qt_plugin_filter import filter_binaries

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = filter_binaries(binaries)
