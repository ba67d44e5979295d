"""The practice center's echo service: the self-check's network check passes against the practice center alone
(its proxy answers the probes, its echo service the 20-second test call), through the real phone engine."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from agentdesk.center.practice.echo import USER, PracticeEcho, answer_sdp
from agentdesk.center.practice.sip_proxy import PracticeSipProxy
from agentdesk.checks.base import CheckContext
from agentdesk.checks.network import DEFAULT_PROBES, NetworkCheck
from agentdesk.checks.runner import estimated_seconds

OFFER = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio 4000 RTP/AVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")


@pytest.fixture
def practice_sip() -> Iterator[tuple[PracticeSipProxy, PracticeEcho]]:
    proxy = PracticeSipProxy().start()
    echo = PracticeEcho().start()
    proxy.bind(USER, echo.contact)
    yield proxy, echo
    echo.stop()
    proxy.stop()


def test_the_answer_takes_the_first_codec_offered_and_refuses_srtp_only() -> None:
    sdp = answer_sdp(OFFER, 5000)
    assert sdp is not None and "m=audio 5000 RTP/AVP 9 101\r\n" in sdp and "a=rtpmap:9 G722/8000" in sdp
    assert answer_sdp(OFFER.replace("RTP/AVP", "RTP/SAVP"), 5000) is None
    assert answer_sdp("v=0\r\n", 5000) is None


def test_options_to_the_echo_service_are_answered(practice_sip) -> None:
    proxy, _echo = practice_sip
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.sendto((f"OPTIONS sip:echo@127.0.0.1:{proxy.port} SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-t1;rport\r\nMax-Forwards: 70\r\n"
                  "From: <sip:t@127.0.0.1>;tag=a\r\nTo: <sip:echo@127.0.0.1>\r\nCall-ID: opt-1\r\n"
                  "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode(), ("127.0.0.1", proxy.port))
        reply = s.recv(65535).decode()
    assert reply.startswith("SIP/2.0 200") and "AgentDesk practice echo" in reply


@pytest.mark.slow
def test_the_network_check_passes_against_the_practice_center(practice_sip) -> None:
    proxy, echo = practice_sip
    ctx = CheckContext(center_host="127.0.0.1", center_port=proxy.port,
                       echo_target=f"sip:{USER}@127.0.0.1:{proxy.port}", extra={"echo_seconds": 6})
    r = NetworkCheck().execute(ctx)
    e = r.details["echo"]
    assert r.status == "pass", r.to_json()
    assert r.details["answered"] == ctx.probe_count == DEFAULT_PROBES  # the practice proxy answered every probe
    assert e["connected_s"] >= 6.0 and e["audio_returned"] is True
    assert e["correlation"] > 0.9 and e["audio_score"] >= 3.8, e
    assert echo.echoed >= 0.9 * 50 * 6  # 20 ms packets for six seconds came back from the echo service
    assert not echo.calls  # the check hung up: the echo service saw the BYE
    # what the wizard announces before the run is what the run takes (give or take a loaded machine)
    announced = estimated_seconds(["network"], ctx)
    assert abs(r.duration_s - announced) <= max(5.0, 0.35 * announced), (r.duration_s, announced, e)
