"""Single-producer single-consumer sample rings shared by a PortAudio callback and the bridge's clock thread.

Everything is preallocated. The producer only advances ``_written`` and the consumer only advances ``_read``;
each counter is a Python int assigned in one bytecode, so no lock is needed (and none can be held by the SIP
thread). The producer never overwrites unread samples: when the ring is full the new samples are dropped and
counted (``overflows``); bounding the delay is the consumer's job (:meth:`discard`).
"""

from __future__ import annotations

import numpy as np


class SampleRing:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._buf = np.zeros(capacity, dtype=np.float32)
        self._written = 0  # total samples ever written (producer side)
        self._read = 0  # total samples ever read or discarded (consumer side)
        self.overflows = 0  # write calls that had to drop samples
        self.underruns = 0  # read calls that found fewer samples than asked

    def available(self) -> int:
        return self._written - self._read

    def free(self) -> int:
        return self.capacity - (self._written - self._read)

    def write(self, data: np.ndarray) -> int:
        """Copy ``data`` (1-D float32) in; returns the samples taken (fewer when full)."""
        n = len(data)
        free = self.capacity - (self._written - self._read)
        if n > free:
            self.overflows += 1
            n = free
        if n <= 0:
            return 0
        start = self._written % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start:start + first] = data[:first]
        if first < n:
            self._buf[: n - first] = data[first:n]
        self._written += n
        return n

    def read_into(self, out: np.ndarray, n: int | None = None) -> int:
        """Fill ``out[:n]``; samples missing are zeros (counted as an underrun). Returns the samples read."""
        if n is None:
            n = len(out)
        avail = self._written - self._read
        got = min(n, avail)
        if got > 0:
            start = self._read % self.capacity
            first = min(got, self.capacity - start)
            out[:first] = self._buf[start:start + first]
            if first < got:
                out[first:got] = self._buf[: got - first]
            self._read += got
        if got < n:
            out[got:n] = 0.0
            self.underruns += 1
        return got

    def discard(self, n: int) -> int:
        """Drop up to ``n`` of the oldest samples (consumer side); returns how many."""
        n = max(0, min(n, self._written - self._read))
        self._read += n
        return n

    def clear(self) -> None:
        """Consumer side: forget everything buffered."""
        self._read = self._written
