"""The network rig's fixtures: rigs built in namespaces this test creates, torn down after it (also on failure),
their logs (Kamailio, link emulator, rtpengine, the router's NAT table) attached to a failing test's report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import attach_log
from tests.infra.netrig import Rig

pytestmark = pytest.mark.sip


@pytest.fixture
def rig_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Rig]]:
    """``rig_factory(relay=False, udp_timeout_s=None, backup=False, ...)``: a rig that is up; down after the test."""
    made: list[Rig] = []

    def make(**kw: Any) -> Rig:
        rig = Rig(tmp_path / f"rig{len(made)}", **kw)
        made.append(rig)
        attach_log(request, f"rig {rig.name}", rig.logs)
        return rig.up()

    yield make
    for rig in made:
        rig.down()
