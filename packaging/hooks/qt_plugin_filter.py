"""Which Qt plugins the frozen AgentDesk carries (used by the hook-PySide6.* overrides beside this file).

PyInstaller's Qt hooks collect every plugin family of a Qt module; filtering the hook's own list (before the
dependency analysis) keeps the plugins we do not ship from dragging in their libraries too (the GTK platform
theme alone pulls GTK, cairo, pango and ATK). Kept: the desktop platforms (windows, xcb), offscreen and minimal
(tests, headless support), the common image formats, input methods (Japanese IMEs via ibus/compose) and TLS.
Wayland sessions run the xcb platform through XWayland.
"""

from __future__ import annotations

DROP = (
    "egldeviceintegrations/", "generic/", "networkinformation/", "networkaccess/", "vectorimageformats/",
    "wayland-decoration-client/", "wayland-graphics-integration-client/", "wayland-shell-integration/",
    "platforms/libqeglfs", "platforms/libqlinuxfb", "platforms/libqminimalegl", "platforms/libqvkkhrdisplay",
    "platforms/libqvnc", "platforms/libqwayland", "platforms/qdirect2d", "platformthemes/libqgtk3",
    "imageformats/libqicns", "imageformats/libqtga", "imageformats/libqtiff", "imageformats/libqwbmp",
    "imageformats/libqwebp", "imageformats/libqpdf", "imageformats/qicns", "imageformats/qtga",
    "imageformats/qtiff", "imageformats/qwbmp", "imageformats/qwebp", "imageformats/qpdf",
)


def wanted(entry: tuple[str, str]) -> bool:
    """``entry`` is a hook's (source, destination directory) pair."""
    src = entry[0].replace("\\", "/")
    return not ("/plugins/" in src and any(f"/plugins/{d}" in src for d in DROP))


def filter_binaries(binaries: list) -> list:
    return [b for b in binaries if wanted(b)]
