"""Runtime hook replacing PyInstaller's ``pyi_rth_pyside6`` (removed from the build in agentdesk.spec).

PyInstaller's hook imports ``PySide6.QtCore`` at the start of EVERY run of the executable, to register an
embedded qt.conf. Our one executable is also the phone engine, which must stay Qt-free (design.md: no Qt in the
engine process; tests/packaging checks that no Qt library is mapped into it). This hook sets the same
environment, and registers the qt.conf only when something imports ``PySide6.QtCore`` (the window, the check
wizard), right after that import.
"""

import importlib.util
import os
import sys


def _qt_prefix() -> str:
    if sys.platform.startswith("win"):
        return os.path.join(sys._MEIPASS, "PySide6")
    return os.path.join(sys._MEIPASS, "PySide6", "Qt")


def _register_qt_conf() -> None:
    try:
        from _pyi_rth_utils import qt as qt_rth_utils
    except ImportError:  # PyInstaller's helper is missing: Qt's relocatable prefix still finds its files
        return
    try:
        qt_rth_utils.create_embedded_qt_conf("PySide6", _qt_prefix())
    except Exception as exc:  # never let packaging glue stop the app
        print(f"AgentDesk: could not register qt.conf: {exc}", file=sys.stderr)


class _AfterQtCoreImport:
    """A meta-path finder that steps aside on first use and wraps QtCore's loader to register qt.conf."""

    def find_spec(self, name, path=None, target=None):
        if name != "PySide6.QtCore":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            _register_qt_conf()

        loader.exec_module = exec_then_register
        return spec

    def find_module(self, name, path=None):  # pragma: no cover - legacy protocol, unused on 3.12
        return None


def _pyi_rthook() -> None:
    prefix = _qt_prefix()
    os.environ["QT_PLUGIN_PATH"] = os.path.join(prefix, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(prefix, "qml")
    if sys.platform.startswith("win"):  # QtNetwork finds OpenSSL DLLs collected beside the app
        os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
    sys.meta_path.insert(0, _AfterQtCoreImport())


_pyi_rthook()
del _pyi_rthook
