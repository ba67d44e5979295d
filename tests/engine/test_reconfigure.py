"""A settings change re-sends configure to a registered engine: calls must keep working afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import Kamailio

pytestmark = pytest.mark.sip


def test_calls_work_after_configure_again(kamailio: Kamailio,
                                          engine_factory: Callable[..., EngineProcess]) -> None:
    agent = engine_factory(name="agent")
    customer = engine_factory(name="customer")
    agent.register("agent1", kamailio)
    customer.register("customer1", kamailio)
    # a settings change: the UI sends configure again, then register (both sides, to cover caller and callee)
    agent.register("agent1", kamailio)
    customer.register("customer1", kamailio)
    mark = agent.mark()
    cid = customer.command({"cmd": "call", "uri": "sip:agent1@agentdesk.test"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": cid, "state": "connected"}, 10)
    agent.command({"cmd": "hangup", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": cid, "state": "ended"}, 10)


def test_calls_work_after_configure_again_without_register(
        kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    agent = engine_factory(name="agent")
    customer = engine_factory(name="customer")
    agent.register("agent1", kamailio)
    customer.register("customer1", kamailio)
    customer.command(account_config("customer1", kamailio))  # configure only: not registered any more
    mark = agent.mark()
    cid = customer.command({"cmd": "call", "uri": "sip:agent1@agentdesk.test"})["call"]
    incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
    agent.command({"cmd": "answer", "call": incoming["call"]})
    customer.wait_event({"event": "call", "call": cid, "state": "connected"}, 10)
    customer.command({"cmd": "hangup", "call": cid})
    agent.wait_event({"event": "call", "call": incoming["call"], "state": "ended"}, 10)


def test_a_second_call_after_configure_with_new_audio(kamailio: Kamailio, tmp_path,
                                                      engine_factory: Callable[..., EngineProcess]) -> None:
    from tests.infra import pulse

    agent = engine_factory(name="agent")
    customer = engine_factory(name="customer")
    agent.register("agent1", kamailio)
    for n in range(2):
        wav = pulse.write_wav(tmp_path / f"line{n}.wav", pulse.tone(440.0 + 100 * n, 1.0, 16000), 16000)
        customer.register("customer1", kamailio,
                          audio={"backend": "files", "play": str(wav), "record": str(tmp_path / f"rec{n}.wav")})
        mark = agent.mark()
        cid = customer.command({"cmd": "call", "uri": "sip:agent1@agentdesk.test"})["call"]
        incoming = agent.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
        agent.command({"cmd": "answer", "call": incoming["call"]})
        customer.wait_event({"event": "call", "call": cid, "state": "connected"}, 10)
        agent.command({"cmd": "hangup", "call": incoming["call"]})
        customer.wait_event({"event": "call", "call": cid, "state": "ended"}, 10)
