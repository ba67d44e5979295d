"""RTP ports from a configured range (a center's firewall rule names one); a busy port pair is skipped, as pjsua
skips it by default from 4000 up; a full range is refused with a sentence, never a crash."""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Callable, Iterator

import pytest

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import Kamailio

pytestmark = pytest.mark.sip


def _free_range(size: int) -> int:
    """An even first port of ``size`` ports all free on 127.0.0.1 now (20000-29999: other engines use 4000 up)."""
    for _ in range(50):
        first = random.randrange(20000, 29990 - size, 2)
        socks = []
        try:
            for port in range(first, first + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range on 127.0.0.1")


@contextlib.contextmanager
def _occupied(*ports: int) -> Iterator[None]:
    socks = []
    try:
        for port in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", port))
            socks.append(s)
        yield
    finally:
        for s in socks:
            s.close()


def _connected_call(agent: EngineProcess, customer: EngineProcess) -> tuple[int, int]:
    """The agent calls the customer, who answers; returns the agent's call id and the RTP port its SDP gave."""
    mark = customer.mark()
    call = agent.command({"cmd": "call", "uri": "cust1"})["call"]
    incoming = customer.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
    customer.command({"cmd": "answer", "call": incoming["call"]})
    agent.wait_event({"event": "call", "call": call, "state": "connected"}, 10)
    port = int(agent.command({"cmd": "stats", "call": call})["local_rtp"].rsplit(":", 1)[1])
    return call, port


def test_rtp_ports_from_the_configured_range_busy_pair_skipped(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    first = _free_range(10)
    customer = engine_factory("customer")
    customer.register("cust1", kamailio)
    agent = engine_factory("agent")
    agent.register("agent1", kamailio, sip={"rtp_ports": f"{first}-{first + 9}"})
    with _occupied(first):  # someone else holds the range's first RTP port
        call, port = _connected_call(agent, customer)
        assert port == first + 2
        second_call, second_port = _connected_call(agent, customer)  # the first call goes on hold
        assert second_port == first + 4
        assert first <= port < second_port <= first + 8  # RTCP (port + 1) stays inside the range too
    for cid in (second_call, call):
        agent.command({"cmd": "hangup", "call": cid})
        agent.wait_event({"event": "call", "call": cid, "state": "ended"}, 10)


def test_a_full_range_refuses_the_call_with_a_sentence(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    first = _free_range(4)
    agent = engine_factory("agent")
    agent.register("agent1", kamailio, sip={"rtp_ports": f"{first}-{first + 3}"})
    with _occupied(*range(first, first + 4)):
        reply = agent.command({"cmd": "call", "uri": "nobody"}, ok=False)
    assert "RTP" in reply["error"] and f"{first}-{first + 3}" in reply["error"], reply
    assert agent.alive() and agent.command({"cmd": "calls"})["calls"] == []
    bad = agent.command({"cmd": "configure", "account": {"user": "a", "domain": "d", "registrars": [kamailio.uri]},
                         "sip": {"rtp_ports": "5000-4000"}}, ok=False)
    assert "rtp_ports" in bad["error"]


def test_default_ports_start_at_4000_and_skip_a_busy_pair(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    customer = engine_factory("customer")
    customer.register("cust1", kamailio)
    agent = engine_factory("agent")
    agent.register("agent1", kamailio)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        with contextlib.suppress(OSError):  # another engine on this machine holds 4000 already: just as good
            holder.bind(("127.0.0.1", 4000))
        call, port = _connected_call(agent, customer)
    assert port > 4000 and port % 2 == 0 and port < 4400  # pjsua's next free pair above the busy one
    agent.command({"cmd": "hangup", "call": call})
