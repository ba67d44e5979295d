"""Fuzzing the CLIs' inputs (issue 16): every file or value a user can hand a subcommand gets exit 0, 1 or 2 with
a message, never a traceback and never the internal-error exit (70, which would mean an exception nobody
foresaw). In-process through ``agentdesk.cli.main``; hypothesis, derandomized, bounded."""

from __future__ import annotations

import io
import json
import struct
import wave
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk import cli
from agentdesk import settings as app_settings

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) |
    st.text(max_size=20) | st.sampled_from(["0001-01-01", "9999-12-31", "2027-01-04", "10:00", "25:61", "24:00"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["slots", "date", "start", "end", "period", "from", "to", "min_entry_hours",
                         "service_start", "entry_lead_days"]) | st.text(max_size=8), inner, max_size=4),
    max_leaves=15)
slot = st.fixed_dictionaries({"date": st.sampled_from(["2027-01-04", "0001-01-01", "9999-12-31", "2027-02-30",
                                                        "", 3]),
                              "start": st.sampled_from(["10:00", "9:00", "23:59", "00:00", 10]),
                              "end": st.sampled_from(["15:00", "10:00", "24:00", None])})
plans = st.fixed_dictionaries({"slots": st.lists(slot, max_size=6)}) | json_values
raw_files = st.binary(max_size=300) | st.sampled_from([b"[" * 50_000, b"\xef\xbb\xbf{}", b'{"slots": 1e999}'])


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert code in (0, 1, 2), (argv, code, out.err[-2000:])
    return code, out.err


@FUZZ
@given(plan=plans, rules=json_values | st.none())
def test_availability_validate_never_crashes(plan: object, rules: object, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    argv = ["availability", "validate", str(path), "--today", "2027-01-01", "--json"]
    if rules is not None:
        (tmp_path / "rules.json").write_text(json.dumps(rules), encoding="utf-8")
        argv += ["--rules", str(tmp_path / "rules.json")]
    _run(argv, capsys)


@FUZZ
@given(raw=raw_files, today=st.sampled_from(["2027-01-01", "0001-01-01", "9999-12-31", "x", "2027-13-01"]))
def test_availability_validate_takes_any_bytes(raw: bytes, today: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(raw)
    _run(["availability", "validate", str(path), "--today", today], capsys)


yaml_texts = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"\n #%@`,?0123456789\t")), max_size=200) | \
    st.sampled_from(["a: &a [*a]\n", "!!python/object:os.system ls\n", "x: !!binary AAAA\n", "- " * 2000,
                     "a: &a ['x','x']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b]\n"])


@FUZZ
@given(text=yaml_texts)
def test_scripts_lint_never_crashes(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s").mkdir(exist_ok=True)
    (tmp_path / "s" / "fuzzed.yaml").write_text(text, encoding="utf-8")
    _run(["scripts", "lint", str(tmp_path / "s")], capsys)


def _wav(frames: bytes, rate: int, channels: int, width: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


wavs = st.builds(_wav, st.binary(max_size=4000), st.sampled_from([8000, 16000, 1, 192000]),
                 st.sampled_from([1, 2]), st.sampled_from([1, 2, 4])) | st.binary(max_size=200) | \
    st.just(b"RIFF" + struct.pack("<I", 2**31) + b"WAVEfmt ")


@FUZZ
@given(noise=wavs, speech=wavs)
def test_check_noise_takes_any_recording(noise: bytes, speech: bytes, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "n.wav").write_bytes(noise)
    (tmp_path / "s.wav").write_bytes(speech)
    _run(["check", "noise", "--input", str(tmp_path / "n.wav"), "--speech", str(tmp_path / "s.wav"), "--json"],
         capsys)


@FUZZ
@given(number=st.text(max_size=40) | st.sampled_from(["０３－１２３４－５６７８", "+81" + "9" * 40, "\ud800", "-"]))
def test_check_line_takes_any_number(number: str, capsys: pytest.CaptureFixture[str]) -> None:
    if "\ud800" in number or "\x00" in number:
        number = number.replace("\ud800", "?").replace("\x00", "")  # argv cannot carry these
    _run(["check", "line", "--number", number, "--json"], capsys)


@FUZZ
@given(raw=raw_files | st.builds(lambda v: json.dumps(v).encode(), json_values))
def test_settings_files_never_stop_the_app(raw: bytes) -> None:
    path = app_settings.settings_path()
    path.write_bytes(raw)
    loaded = app_settings.load()
    assert isinstance(loaded.settings, app_settings.Settings)
    assert loaded.problem is None or (loaded.problem.ja and loaded.problem.en)
