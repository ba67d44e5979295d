"""Choosing the audio backend: clear errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentdesk.sip.null_audio import FilesCallAudio, NullCallAudio, make_backend

ROOT = Path(__file__).resolve().parents[2]


def test_default_and_named_backends(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(make_backend(print, None), NullCallAudio)
    assert isinstance(make_backend(print, {"backend": "null"}), NullCallAudio)
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    files = make_backend(print, {"backend": "files", "play": str(wav), "record": str(tmp_path / "r.wav")})
    assert isinstance(files, FilesCallAudio)
    assert files.handle({"cmd": "audio_files"}) == {"play": str(wav), "record": str(tmp_path / "r.wav")}
    assert files.handle({"cmd": "devices"}) is None


def test_devices_backend_without_portaudio_is_a_clear_error(tmp_path: Path) -> None:
    """A PC without PortAudio (Linux without libportaudio2): sounddevice raises OSError at import, exactly as a
    stand-in ``sounddevice`` on the path does here; the engine gets a clear ValueError, not a traceback."""
    (tmp_path / "sounddevice.py").write_text('raise OSError("PortAudio library not found")\n', encoding="utf-8")
    probe = ("from agentdesk.sip.null_audio import make_backend\n"
             "try:\n    make_backend(print, {'backend': 'devices'})\n"
             "except ValueError as exc:\n    print(exc)\nelse:\n    print('no error')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "the headset audio backend is not available: PortAudio library not found", out


def test_bad_backend_arguments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown audio backend"):
        make_backend(print, {"backend": "bluetooth-magic"})
    with pytest.raises(ValueError, match="not found"):
        make_backend(print, {"backend": "files", "play": str(tmp_path / "missing.wav")})
    with pytest.raises(ValueError, match="does not exist"):
        make_backend(print, {"backend": "files", "record": str(tmp_path / "no" / "dir.wav")})
