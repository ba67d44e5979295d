from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentdesk.center.http import HttpCenterClient
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET, CenterDouble


@pytest.fixture
def double() -> Iterator[CenterDouble]:
    d = CenterDouble(heartbeat=0.2).start()
    yield d
    d.stop()


@pytest.fixture
def client(double: CenterDouble) -> Iterator[HttpCenterClient]:
    c = HttpCenterClient(double.url, backoff_base=0.01, backoff_cap=0.05, timeout=5.0)
    c.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
    yield c
    c.close()
