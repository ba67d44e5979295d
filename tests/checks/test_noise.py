"""Room noise on generated recordings: silence, voices, fan noise, a single bang, and the speech-to-noise ratio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentdesk.checks import noise
from agentdesk.checks.base import CheckContext
from agentdesk.checks.noise import NoiseCheck
from tests.checks.recordings import make_set

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_set(tmp_path_factory.mktemp("rooms"))


def run_file(room: Path, speech: Path | None = None):
    return NoiseCheck().execute(CheckContext(noise_input=str(room), speech_input=str(speech) if speech else None))


def test_a_quiet_room_passes(rec: dict[str, Path]) -> None:
    r = run_file(rec["silence"])
    assert r.status == "pass", r.to_json()
    assert r.details["background_dbfs"] == pytest.approx(-72, abs=1.5)
    assert r.details["voices_detected"] == 0 and r.details["transients"] == 0


def test_a_quiet_room_with_clear_speech_passes_with_a_good_snr(rec: dict[str, Path]) -> None:
    r = run_file(rec["silence"], rec["speech"])
    assert r.status == "pass", r.to_json()
    assert r.details["snr_db"] >= noise.SNR_GOOD_DB
    assert r.details["snr_grade"] == "good"


def test_48k_stereo_is_accepted(rec: dict[str, Path]) -> None:
    r = run_file(rec["silence_48k_stereo"])
    assert r.status == "pass"
    assert r.details["background_dbfs"] == pytest.approx(-75, abs=3)  # two uncorrelated channels averaged


def test_voices_in_the_room_fail(rec: dict[str, Path]) -> None:
    r = run_file(rec["voices"])
    assert r.status == "fail", r.to_json()
    assert r.details["voices_detected"] >= 1
    assert 2.0 <= r.details["voice_seconds"] <= 4.0  # three seconds of speech were mixed in at 1 s
    assert 0.7 <= r.details["voices"][0]["start_s"] <= 1.4
    assert "声" in r.summary.ja


def test_a_tv_over_steady_noise_is_heard_as_voices(rec: dict[str, Path]) -> None:
    r = run_file(rec["tv_in_noise"])
    assert r.status == "fail"
    assert r.details["voices_detected"] >= 1


def test_loud_steady_fan_noise_fails_and_is_not_called_a_voice(rec: dict[str, Path]) -> None:
    r = run_file(rec["fan"])
    assert r.status == "fail", r.to_json()
    assert r.details["voices_detected"] == 0
    assert r.details["background_dbfs"] > noise.LEVEL_FAIL_DBFS
    r = run_file(rec["fan"], rec["speech"])  # speech at -22 dBFS over -35 dBFS of fan: SNR about 13 dB
    assert r.status == "fail" and r.details["snr_grade"] == "poor"


def test_a_single_bang_does_not_pass(rec: dict[str, Path]) -> None:
    r = run_file(rec["bang"])
    assert r.status == "warn", r.to_json()
    assert r.details["transients"] == 1
    assert r.details["transient_times"][0]["start_s"] == pytest.approx(2.0, abs=0.1)
    assert r.details["voices_detected"] == 0


def test_mumbled_speech_gives_a_poor_or_marginal_snr(rec: dict[str, Path]) -> None:
    r = run_file(rec["silence"], rec["quiet_speech"])
    assert r.details["snr_db"] is not None and r.details["snr_db"] < noise.SNR_GOOD_DB
    assert r.status in ("warn", "fail")


def test_snr_thresholds_are_the_documented_ones() -> None:
    assert noise.snr_grade(25.0) == "pass"
    assert noise.snr_grade(24.9) == "warn"
    assert noise.snr_grade(20.0) == "warn"
    assert noise.snr_grade(19.9) == "fail"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "agentdesk", "check", *args], capture_output=True, text=True,
                          timeout=60, env=env, cwd=ROOT)


def test_cli_noise_json_and_exit_codes(rec: dict[str, Path], tmp_path: Path) -> None:
    quiet = _cli("noise", "--input", str(rec["silence"]), "--speech", str(rec["speech"]), "--json")
    assert quiet.returncode == 0, quiet.stderr
    data = json.loads(quiet.stdout)
    assert data["status"] == "pass" and data["snr_db"] >= 25 and data["background_dbfs"] < -60
    assert data["voices_detected"] == 0 and data["transients"] == 0
    loud = _cli("noise", "--input", str(rec["voices"]), "--json")
    assert loud.returncode == 1
    assert json.loads(loud.stdout)["voice_seconds"] > 2
    not_wav = tmp_path / "room.wav"
    not_wav.write_text("this is not audio")
    bad = _cli("noise", "--input", str(not_wav), "--json")
    assert bad.returncode == 2 and "not a readable WAV" in bad.stderr and bad.stdout == ""
    missing = _cli("noise", "--input", str(tmp_path / "nope.wav"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_sample_rates_outside_8_to_48_khz_are_bad_input(tmp_path: Path) -> None:
    import numpy as np

    from agentdesk.checks import audio
    from tests.infra.pulse import write_wav

    hi = write_wav(tmp_path / "96k.wav", np.zeros(96000, dtype=np.float32), 96000)
    with pytest.raises(audio.AudioInputError, match="outside 8000-48000"):
        audio.read_wav(hi)
    short = write_wav(tmp_path / "short.wav", np.zeros(100, dtype=np.float32), 8000)
    with pytest.raises(audio.AudioInputError, match="shorter"):
        audio.read_wav(short)
    eight = write_wav(tmp_path / "8k.wav", np.zeros(16000, dtype=np.float32), 8000)
    assert audio.read_wav(eight)[1] == 8000
