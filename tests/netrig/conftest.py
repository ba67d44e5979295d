"""The network rig's fixtures: rigs built in namespaces this test creates, torn down after it (also on failure),
their logs (Kamailio, link emulator, rtpengine, the router's NAT table) attached to a failing test's report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import attach_log
from tests.infra.netrig import Rig

if TYPE_CHECKING:
    from tests.infra.netrig.idle import IdleHome

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


IDLE_TEST = "tests/netrig/test_idle_mapping.py"
IDLE_KEY = pytest.StashKey["IdleHome"]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """When the idle-mapping test is selected: start its home now and run it last, so its five idle minutes pass
    while the other tests run (the rig's tests stay within the suite's time budget)."""
    from tests.infra.netrig.idle import IdleHome

    idle = [i for i in items if i.nodeid.startswith(IDLE_TEST)]
    if not idle:
        return
    for item in idle:
        items.remove(item)
    items.extend(idle)
    home = IdleHome().start()
    config.stash[IDLE_KEY] = home
    config.add_cleanup(home.stop)


@pytest.fixture
def idle_home(request: pytest.FixtureRequest) -> IdleHome:
    home = request.config.stash.get(IDLE_KEY, None)
    if home is None:  # collected some other way: start it now (the test then waits the whole idle time)
        from tests.infra.netrig.idle import IdleHome

        home = IdleHome().start()
        request.config.stash[IDLE_KEY] = home
        request.config.add_cleanup(home.stop)
    if home.error is not None:
        raise home.error
    attach_log(request, "idle home", home.logs)
    return home
