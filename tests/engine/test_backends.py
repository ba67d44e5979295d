"""Choosing the audio backend: clear errors, never a traceback."""

from __future__ import annotations

import sys

import pytest

from agentdesk.sip.null_audio import FilesCallAudio, NullCallAudio, make_backend


def test_default_and_named_backends(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(make_backend(print, None), NullCallAudio)
    assert isinstance(make_backend(print, {"backend": "null"}), NullCallAudio)
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    files = make_backend(print, {"backend": "files", "play": str(wav), "record": str(tmp_path / "r.wav")})
    assert isinstance(files, FilesCallAudio)
    assert files.handle({"cmd": "audio_files"}) == {"play": str(wav), "record": str(tmp_path / "r.wav")}
    assert files.handle({"cmd": "devices"}) is None


def test_devices_backend_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "agentdesk.sip.audio", None)  # import fails as if not installed
    with pytest.raises(ValueError, match="headset audio backend is not available"):
        make_backend(print, {"backend": "devices"})


def test_bad_backend_arguments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown audio backend"):
        make_backend(print, {"backend": "bluetooth-magic"})
    with pytest.raises(ValueError, match="not found"):
        make_backend(print, {"backend": "files", "play": str(tmp_path / "missing.wav")})
    with pytest.raises(ValueError, match="does not exist"):
        make_backend(print, {"backend": "files", "record": str(tmp_path / "no" / "dir.wav")})
