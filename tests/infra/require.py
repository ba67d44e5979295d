"""Missing system parts: a loud failure in CI (CI=true), a skip that names the package elsewhere."""

from __future__ import annotations

import os
import shutil

import pytest

# binary -> Debian package that provides it
PACKAGES: dict[str, str] = {
    "kamailio": "kamailio",
    "sipp": "sip-tester",
    "baresip": "baresip",
    "pulseaudio": "pulseaudio",
    "pactl": "pulseaudio-utils",
    "xvfb-run": "xvfb",
    "Xvfb": "xvfb",
    "sox": "sox",
    "ip": "iproute2",
    "makensis": "nsis",
    "7zz": "7zip",
    "nft": "nftables",
    "conntrack": "conntrack",
    "rtpengine": "rtpengine-daemon",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str, package: str) -> None:
    message = f"{what} is missing: install the Debian package '{package}' (apt-get install {package})"
    if in_ci():
        pytest.fail(f"CI: {message}", pytrace=False)
    pytest.skip(message)


def root(what: str) -> None:
    """``what`` needs root (network namespaces): a failure in CI, a skip elsewhere."""
    if os.geteuid() != 0:
        message = f"{what} needs root (run the tests as root, e.g. in the CI container)"
        if in_ci():
            pytest.fail(f"CI: {message}", pytrace=False)
        pytest.skip(message)


def binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")
    if not path:
        missing(f"the program {name}", PACKAGES.get(name, name))
        raise AssertionError("unreachable")
    return path


def alsa_pulse_plugin() -> None:
    for d in ("/usr/lib/x86_64-linux-gnu/alsa-lib", "/usr/lib/aarch64-linux-gnu/alsa-lib", "/usr/lib/alsa-lib"):
        if os.path.exists(os.path.join(d, "libasound_module_pcm_pulse.so")):
            return
    missing("the ALSA PulseAudio plugin", "libasound2-plugins")


def portaudio() -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        missing("PortAudio", "libportaudio2")


def kamailio_module(name: str) -> None:
    """A Kamailio module (tls.so comes from kamailio-tls-modules, not from kamailio itself)."""
    import glob

    if glob.glob(f"/usr/lib/*/kamailio/modules/{name}.so") or glob.glob(f"/usr/lib/kamailio/modules/{name}.so"):
        return
    missing(f"Kamailio's {name} module", f"kamailio-{name}-modules")
