from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from agentdesk.sip.audio.ring import SampleRing


def test_wraps_and_keeps_order() -> None:
    r = SampleRing(10)
    out = np.zeros(10, np.float32)
    for start in range(0, 100, 7):
        assert r.write(np.arange(start, start + 7, dtype=np.float32)) == 7
        assert r.read_into(out, 7) == 7
        assert out[:7].tolist() == list(range(start, start + 7))
    assert r.underruns == 0 and r.overflows == 0


def test_full_ring_drops_new_samples_and_counts() -> None:
    r = SampleRing(8)
    assert r.write(np.ones(6, np.float32)) == 6
    assert r.write(np.full(6, 2.0, np.float32)) == 2
    assert r.overflows == 1 and r.available() == 8


def test_short_read_is_zero_filled_and_counted() -> None:
    r = SampleRing(8)
    r.write(np.ones(3, np.float32))
    out = np.full(5, 9.0, np.float32)
    assert r.read_into(out) == 3
    assert out.tolist() == [1, 1, 1, 0, 0]
    assert r.underruns == 1


def test_discard_bounds_the_delay() -> None:
    r = SampleRing(100)
    r.write(np.arange(50, dtype=np.float32))
    assert r.discard(40) == 40
    out = np.zeros(10, np.float32)
    r.read_into(out)
    assert out[0] == 40
    with pytest.raises(ValueError):
        SampleRing(0)


def test_one_producer_one_consumer_threads_lose_nothing() -> None:
    r = SampleRing(257)
    total = 50_000
    got: list[np.ndarray] = []

    def produce() -> None:
        i = 0
        while i < total:
            n = min(61, total - i)
            chunk = np.arange(i, i + n, dtype=np.float32)
            w = r.write(chunk)
            i += w
            if w < n:
                time.sleep(0.0005)

    t = threading.Thread(target=produce)
    t.start()
    out = np.zeros(97, np.float32)
    received = 0
    deadline = time.monotonic() + 30
    while received < total and time.monotonic() < deadline:
        n = min(97, r.available())
        if n:
            r.read_into(out, n)
            got.append(out[:n].copy())
            received += n
        else:
            time.sleep(0.0005)
    t.join(10)
    data = np.concatenate(got)
    assert len(data) == total
    assert np.array_equal(data, np.arange(total, dtype=np.float32))
