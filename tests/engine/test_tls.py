"""SIP over TLS through the engine's own relay (Python's ssl), against Kamailio's tls module as the center.

Every engine here runs as on Windows: pjsip's own TLS transport is disabled (``AGENTDESK_PJSIP_TLS=0``, set by
tests/infra/engine.py), so everything that works here works without it. The CA is made in the test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.infra import net
from tests.infra.certs import CENTER_NAME, TestCA
from tests.infra.engine import EngineProcess, account_config
from tests.infra.kamailio import Kamailio, KamailioTls
from tests.infra.sipp import Sipp

pytestmark = pytest.mark.sip


def seen(kamailio: Kamailio, method: str) -> list[tuple[str, str]]:
    """(protocol, contact) of every ``method`` request Kamailio received (its WITH_TLS log lines)."""
    return re.findall(rf"agentdesk-seen {method} proto=(\w+) from=\S+ contact=(.*)", kamailio.log())


def tls_center(kamailio_factory: Callable[..., Kamailio], ca: TestCA, **tls: object) -> Kamailio:
    issue = {k: tls.pop(k) for k in ("names", "expired", "self_signed") if k in tls}
    server = ca.issue(f"server-{time.monotonic_ns()}", **issue)  # type: ignore[arg-type]
    return kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=ca.path, **tls))  # type: ignore[arg-type]


def refused(eng: EngineProcess, kind: str) -> dict:
    """The registration fails, says why in both languages, and a security event names the kind."""
    failed = eng.wait_event({"event": "registration", "state": "failed"}, 15)
    assert failed["tls"] == kind, failed
    assert failed["message"]["ja"] and failed["message"]["en"]
    security = eng.wait_event({"event": "security", "what": "tls_refused"}, 5)
    assert security["kind"] == kind and security["message"] == failed["message"]
    assert not eng.find({"event": "registration", "state": "registered"})
    return failed


def test_register_over_tls13_the_center_sees_an_ordinary_tls_client(
        kamailio_tls: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    reply = eng.command(account_config("agent1", kamailio_tls, transport="tls"))
    assert reply["tls"]["stack"] == "python" and reply["tls"]["trust"] == "ca"
    assert reply["srtp"] == "mandatory"  # the default with TLS
    eng.command({"cmd": "register"})
    eng.wait_event({"event": "registration", "state": "registered"}, 10)
    tls = eng.wait_event({"event": "tls", "state": "connected"}, 5)
    assert tls["protocol"] == "TLSv1.3" and tls["cipher"].startswith("TLS_")
    assert tls["server_name"] == CENTER_NAME and tls["handshake_ms"] > 0
    registers = seen(kamailio_tls, "REGISTER")
    assert registers and all(proto == "tls" for proto, _ in registers), registers
    contact = registers[-1][1]
    # the TLS connection's own address with transport=tls: Kamailio reaches the agent over that connection
    assert f"127.0.0.1:{tls['local_address'].rsplit(':', 1)[1]}" in contact and "transport=tls" in contact
    status = eng.command({"cmd": "tls"})
    assert status["registrars"][0]["protocol"] == "TLSv1.3" and status["openssl"].startswith("OpenSSL 3")


def _connect(caller: EngineProcess, callee: EngineProcess, uri: str) -> tuple[int, int]:
    mark = callee.mark()
    ccall = caller.command({"cmd": "call", "uri": uri})["call"]
    incoming = callee.wait_event({"event": "call", "state": "incoming"}, 10, after=mark)
    callee.command({"cmd": "answer", "call": incoming["call"]})
    callee.wait_event({"event": "call", "call": incoming["call"], "state": "connected"}, 10)
    caller.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
    return ccall, incoming["call"]


def test_call_with_srtp_and_escalation_with_context_over_tls(
        kamailio_tls: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    agent, customer, center = engine_factory("agent"), engine_factory("customer"), engine_factory("center")
    for eng, user in ((agent, "agent1"), (customer, "cust1"), (center, "escalation")):
        # the customer's phone follows the agent's REFER (an engine refuses REFERs unless told otherwise)
        eng.register(user, kamailio_tls, transport="tls", sip={"transfer_requests": "accept"})
    ccall, acall = _connect(customer, agent, "agent1")
    assert agent.wait_event({"event": "call", "call": acall, "state": "incoming"})["remote"].find("cust1") > 0
    time.sleep(0.5)
    stats = agent.command({"cmd": "stats", "call": acall})
    assert stats["srtp"] is True and stats["rx_packets"] > 0
    invites = seen(kamailio_tls, "INVITE")
    assert invites and all(proto == "tls" for proto, _ in invites)
    # hold and resume: re-INVITEs inside the dialog go through the relay too
    agent.command({"cmd": "hold", "call": acall})
    agent.wait_event({"event": "call", "call": acall, "state": "held"}, 10)
    agent.command({"cmd": "unhold", "call": acall})
    agent.wait_event({"event": "call", "call": acall, "state": "connected", "resumed": True}, 10)
    # the escalation button: blind transfer with the call's context as headers
    agent.command({"cmd": "transfer", "call": acall, "target": "escalation",
                   "headers": {"X-Escalation-Ticket": "T-42", "X-Contract-Id": "C-1234"}})
    at_center = center.wait_event({"event": "call", "state": "incoming"}, 10)
    assert at_center["headers"]["X-Escalation-Ticket"] == "T-42"
    assert at_center["headers"]["X-Contract-Id"] == "C-1234"
    center.command({"cmd": "answer", "call": at_center["call"]})
    agent.wait_event({"event": "call", "call": acall, "state": "ended"}, 10)
    center.wait_event({"event": "call", "call": at_center["call"], "state": "connected"}, 10)
    time.sleep(0.5)
    assert center.command({"cmd": "stats", "call": at_center["call"]})["srtp"] is True
    center.command({"cmd": "hangup", "call": at_center["call"]})
    customer.wait_event(lambda e: e.get("event") == "call" and e.get("state") == "ended" and e["call"] != ccall, 10)


def test_failover_over_tls(kamailio_factory: Callable[..., Kamailio], center_ca: TestCA,
                           engine_factory: Callable[..., EngineProcess]) -> None:
    primary, backup = tls_center(kamailio_factory, center_ca), tls_center(kamailio_factory, center_ca)
    agent = engine_factory("agent")
    agent.register("agent1", [primary, backup], transport="tls")
    customer = engine_factory("customer")
    customer.register("cust1", backup, transport="tls")
    killed = time.monotonic()
    primary.stop(kill=True)
    on_backup = agent.wait_event(lambda e: e.get("event") == "registration" and e.get("state") == "registered"
                                 and e.get("registrar") == backup.uri_for("tls"), 15)
    assert on_backup["_t"] - killed < 6  # probes every second, two misses, then the backup
    assert seen(backup, "REGISTER")[-1][0] == "tls"
    _connect(customer, agent, "agent1")  # the backup's TLS connection rings the agent


def test_a_tls12_only_center_still_works(kamailio_factory: Callable[..., Kamailio], center_ca: TestCA,
                                         engine_factory: Callable[..., EngineProcess]) -> None:
    center = tls_center(kamailio_factory, center_ca, method="TLSv1.2")
    eng = engine_factory()
    eng.register("agent1", center, transport="tls")
    tls = eng.wait_event({"event": "tls", "state": "connected"}, 5)
    assert tls["protocol"] == "TLSv1.2" and ("GCM" in tls["cipher"] or "CHACHA" in tls["cipher"]), tls


def test_a_center_older_than_tls12_is_refused(kamailio_factory: Callable[..., Kamailio], center_ca: TestCA,
                                              engine_factory: Callable[..., EngineProcess]) -> None:
    center = tls_center(kamailio_factory, center_ca, method="TLSv1.1")
    eng = engine_factory()
    eng.command(account_config("agent1", center, transport="tls"))
    eng.command({"cmd": "register"})
    failed = refused(eng, "protocol")
    assert "TLS 1.2" in failed["message"]["en"]
    assert not seen(center, "REGISTER")


@pytest.mark.parametrize("case", ["untrusted", "self_signed", "expired", "hostname"])
def test_bad_certificates_are_refused_with_the_reason(case: str, kamailio_factory: Callable[..., Kamailio],
                                                      center_ca: TestCA, tmp_path: Path,
                                                      engine_factory: Callable[..., EngineProcess]) -> None:
    if case == "untrusted":  # a certificate from another CA than the provisioned one
        server = TestCA(tmp_path / "other-ca", "Somebody Else").issue()
        center = kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=center_ca.path))
    elif case == "self_signed":
        center = tls_center(kamailio_factory, center_ca, self_signed=True)
    elif case == "expired":
        center = tls_center(kamailio_factory, center_ca, expired=True)
    else:  # a valid certificate, for another host than the provisioned one
        center = tls_center(kamailio_factory, center_ca, names=("other.agentdesk.test",))
    eng = engine_factory()
    eng.command(account_config("agent1", center, transport="tls", sip={"probe": False}))
    eng.command({"cmd": "register"})
    kind = {"self_signed": "untrusted"}.get(case, case)
    failed = refused(eng, kind)
    if case == "hostname":
        assert CENTER_NAME in failed["message"]["en"] and CENTER_NAME in failed["message"]["ja"]
    assert "never falls back" in failed["message"]["en"]
    # nothing reached the center, over TLS or in clear
    assert not seen(center, "REGISTER")


def test_key_pin(kamailio_factory: Callable[..., Kamailio], center_ca: TestCA,
                 engine_factory: Callable[..., EngineProcess]) -> None:
    server = center_ca.issue("pinned")
    center = kamailio_factory(tls=KamailioTls(server.cert, server.key, ca=center_ca.path))
    good = engine_factory("good")
    good.register("agent1", center, transport="tls",
                  sip={"tls": {"ca": str(center_ca.path), "server_name": CENTER_NAME,
                               "pin": f"sha256/{server.spki_sha256}"}})
    assert good.wait_event({"event": "tls", "state": "connected"})["pinned"] is True
    other = center_ca.issue("another-key")  # same CA, same name, another key: only the pin can tell
    wrong = engine_factory("wrong")
    wrong.command(account_config("agent2", center, transport="tls",
                                 sip={"tls": {"ca": str(center_ca.path), "server_name": CENTER_NAME,
                                              "pin": other.spki_sha256}, "probe": False}))
    wrong.command({"cmd": "register"})
    refused(wrong, "pin")


def test_srtp_over_plain_signalling_is_refused(kamailio: Kamailio,
                                               engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    for transport in ("udp", "tcp"):
        rid = eng.send(account_config("agent1", kamailio, transport=transport, account={"srtp": "mandatory"}))
        reply = eng.reply(rid)
        assert reply["ok"] is False and "TLS" in reply["error"], reply
        assert "SRTP" in reply["message"]["ja"] and "TLS" in reply["message"]["ja"]
    # optional: keys are never offered in clear; the reply says so
    reply = eng.command(account_config("agent1", kamailio, transport="udp", account={"srtp": "optional"}))
    assert reply["srtp"] == "off" and reply["warnings"][0]["en"].startswith("The call path is not encrypted")
    assert eng.command(account_config("agent1", kamailio))["srtp"] == "off"  # UDP default


def test_only_the_registrars_tls_connection_rings_the_agent(kamailio_tls: Kamailio,
                                                            engine_factory: Callable[..., EngineProcess],
                                                            sipp_factory: Callable[..., Sipp]) -> None:
    """pjsip's loopback TCP listener can be reached by any local program: an INVITE that did not come through
    the relay's registrar connection is refused, even with a Via that names the registrar."""
    eng = engine_factory()
    # srtp optional: the scanner's plain-RTP offer must reach the source check, not the SRTP refusal
    eng.register("agent1", kamailio_tls, transport="tls", account={"srtp": "optional"})
    scanner = sipp_factory("direct_invite.xml", remote=f"127.0.0.1:{eng.port}",
                           args=["-m", "1", "-s", "agent1", "-t", "t1"])
    assert scanner.run(15) == 0  # 403
    assert eng.wait_event({"event": "security", "what": "invite_refused"}, 5)
    assert not eng.find({"event": "call"})
    # SRTP mandatory by default with TLS: a customer offering plain RTP is refused (488), never rings
    eng.register("agent1", kamailio_tls, transport="tls")
    customer = sipp_factory("customer_call.xml", remote=f"127.0.0.1:{kamailio_tls.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-s", "agent1"])
    assert customer.run(15) != 0
    assert "SIP/2.0 488" in customer.messages()
    assert not eng.find({"event": "call", "state": "incoming"})


def test_network_change_and_center_restart_reconnect_over_tls(
        kamailio_tls: Kamailio, engine_factory: Callable[..., EngineProcess]) -> None:
    agent, customer = engine_factory("agent"), engine_factory("customer")
    agent.register("agent1", kamailio_tls, transport="tls")
    customer.register("cust1", kamailio_tls, transport="tls")
    first = agent.wait_event({"event": "tls", "state": "connected"})
    mark = agent.mark()
    agent.command({"cmd": "network_changed"})
    agent.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
    second = agent.wait_event({"event": "tls", "state": "connected"}, 5, after=mark)
    assert second["local_address"] != first["local_address"]  # a new TLS connection
    mark = agent.mark()
    _connect(customer, agent, "agent1")
    # the REGISTER on the new connection removed the old binding: Kamailio never tried the address that is gone
    assert "tcpconn_1st_send(): connect" not in kamailio_tls.log()
    customer.command({"cmd": "hangup"})
    agent.wait_event({"event": "call", "state": "ended"}, 10, after=mark)
    # the center restarts (its TLS connections go): the engine registers again over a new connection
    mark, cmark = agent.mark(), customer.mark()
    kamailio_tls.restart()
    agent.wait_event({"event": "registration", "state": "registered"}, 15, after=mark)
    customer.wait_event({"event": "registration", "state": "registered"}, 15, after=cmark)
    _connect(customer, agent, "agent1")


def test_pjsip_tls_is_refused_where_the_wheel_has_none(kamailio_tls: Kamailio,
                                                       engine_factory: Callable[..., EngineProcess]) -> None:
    eng = engine_factory()
    rid = eng.send(account_config("agent1", kamailio_tls, transport="tls",
                                  sip={"tls": {"stack": "pjsip", "ca": str(kamailio_tls.tls.ca)}}))  # type: ignore[union-attr]
    reply = eng.reply(rid)
    assert reply["ok"] is False and "no TLS of its own" in reply["error"]


def test_pjsip_own_tls_on_linux_for_comparison(kamailio_tls: Kamailio,
                                               engine_factory: Callable[..., EngineProcess]) -> None:
    """The Linux wheel's own TLS (OpenSSL 1.0.2k) still registers where it exists; it stops at TLS 1.2."""
    import os

    eng = engine_factory(env=dict(os.environ, AGENTDESK_PJSIP_TLS="1"))
    eng.register("agent1", kamailio_tls, transport="tls",
                 sip={"tls": {"stack": "pjsip", "ca": str(kamailio_tls.tls.ca)}})  # type: ignore[union-attr]
    assert eng.command({"cmd": "tls"})["stack"] == "pjsip"
    assert seen(kamailio_tls, "REGISTER")[-1][0] == "tls"
