"""Registration through a real Kamailio, with and without digest authentication."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import PASSWORD, Kamailio

pytestmark = pytest.mark.sip


def test_register_and_unregister(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    ev = eng.register("agent1", kamailio)
    assert ev["code"] == 200 and ev["registrar"] == kamailio.uri_for("udp") and ev["expires"] > 0
    mark = eng.mark()
    eng.command({"cmd": "unregister"})
    ev = eng.wait_event({"event": "registration", "state": "unregistered"}, after=mark)
    assert ev["code"] == 200


def test_register_with_digest_auth(kamailio_auth: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    assert eng.register("agent2", kamailio_auth, password=PASSWORD)["code"] == 200


def test_wrong_password_fails_then_retries_with_backoff(kamailio_auth: Kamailio,
                                                      engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    eng.command(account_config("agent3", kamailio_auth, password="wrong"))
    mark = eng.mark()
    eng.command({"cmd": "register"})
    failed = eng.wait_event({"event": "registration", "state": "failed"}, after=mark)
    assert failed["code"] in (401, 403)
    retry = eng.wait_event({"event": "registration", "state": "retrying"}, after=mark)
    assert 1.0 <= retry["retry_in"] <= 2.0  # base 2 s scaled by jitter 0.5..1.0
    assert not eng.find({"event": "registration", "state": "registered"})


def test_password_from_keyring_reference(kamailio_auth: Kamailio, engine_factory: Callable[..., EngineProcess],
                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A credential reference the keyring cannot resolve is a clear error, not a crash."""
    eng = engine_factory()
    cmd = account_config("agent4", kamailio_auth, account={"credential": "agentdesk/sip/nobody"})
    assert "keyring" in eng.command(cmd, ok=False)["error"]


def test_tcp_registration(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    ev = eng.register("agent5", kamailio, transport="tcp")
    assert ev["registrar"] == kamailio.uri_for("tcp")


def test_reconfigure_and_register_again(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    eng.register("agent6", kamailio)
    mark = eng.mark()
    eng.command({"cmd": "unregister"})
    eng.wait_event({"event": "registration", "state": "unregistered"}, after=mark)
    assert eng.register("agent6", kamailio)["code"] == 200  # configure again, then register
    # configure while registered: registered again with the new account
    mark = eng.mark()
    eng.command(account_config("agent7", kamailio))
    eng.wait_event({"event": "registration", "state": "registered"}, after=mark)


def test_network_change_reregisters_at_once(kamailio: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    eng.register("agent8", kamailio)
    mark = eng.mark()
    eng.command({"cmd": "network_changed"})
    eng.wait_event({"event": "network", "state": "changed"}, after=mark)
    ev = eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
    assert ev["code"] == 200
