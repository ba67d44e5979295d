"""A short shift through the real engine with the headset backend (benchmarks/soak.py runs the 500-call one):
50 calls in a row through Kamailio (answer, talk, hold and resume, hang up), and afterwards the engine and the
UI side (the supervisor in this process) hold no more open files and run no more threads than after the first
calls. Memory growth is printed (the 500-call benchmark reports it against its 10 MB target)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.soak import run_soak
from tests.infra import require

pytestmark = [pytest.mark.sip, pytest.mark.audio, pytest.mark.slow, pytest.mark.timeout(300)]

CALLS = 50
WARMUP = 5  # the first calls open what stays open (the headset's streams, codecs, the RTP port's sockets)


def test_fifty_calls_leave_no_file_descriptor_or_thread_behind(tmp_path: Path) -> None:
    require.portaudio()
    result = run_soak(CALLS, talk_s=(0.2, 0.4), sample_every=5, workdir=tmp_path)
    figures = {"calls": result.calls, "seconds": round(result.seconds, 1),
               "samples": [s.__dict__ for s in result.samples],
               "engine_rss_growth_mb": result.growth("engine_rss_mb", WARMUP),
               "ui_rss_growth_mb": result.growth("ui_rss_mb", WARMUP)}
    print(json.dumps(figures, indent=1))
    assert result.calls == CALLS
    assert result.audio_stats.get("errors") == 0, result.audio_stats
    for what in ("engine_fds", "engine_threads", "ui_fds", "ui_threads"):
        assert result.growth(what, WARMUP) <= 0, (what, [getattr(s, what) for s in result.samples])
