"""The path to the center, Qt-free and pjsua-free parts: NAT settings, what the registrar saw, the media watch and
the INFO digit queue (the real calls are in tests/netrig/)."""

from __future__ import annotations

import pytest

from agentdesk.sip.dtmf import InfoDtmfQueue, info_body
from agentdesk.sip.media_watch import MediaWatch, MediaWatchSettings
from agentdesk.sip.nat import NatSettings, PublicAddress, parse_port_range, sdp_with_address, via_mapping
from agentdesk.sip.protocol import CommandError

REG_OK = ("SIP/2.0 200 OK\r\n"
          "Via: SIP/2.0/UDP 192.168.1.10:5060;rport=40001;received=203.0.113.2;branch=z9hG4bKabc\r\n"
          "Contact: <sip:agent1@203.0.113.2:40001>;expires=300\r\n\r\n")


def test_nat_settings_defaults_and_ranges() -> None:
    s = NatSettings.parse({})
    assert (s.sdp_address, s.keepalive_s, s.rtp_port, s.rtp_port_last, s.stun) == ("auto", 15, 4000, None, ())
    s = NatSettings.parse({"rtp_ports": "10001-10099", "keepalive_interval": 10, "stun": "stun.example.jp:3478"})
    assert (s.rtp_port, s.rtp_port_last, s.keepalive_s, s.stun) == (10002, 10099, 10, ("stun.example.jp:3478",))
    assert parse_port_range([20000, 20001]) == (20000, 20001)
    for bad, words in (({"sdp_address": "public"}, "sdp_address"), ({"keepalive_interval": 2}, "keepalive"),
                       ({"rtp_ports": "9-20"}, "rtp_ports"), ({"rtp_ports": "20000-20000"}, "rtp_ports"),
                       ({"rtp_ports": "abc"}, "rtp_ports"), ({"rtp_ports": "10000-10010", "rtp_port": 4000}, "not both"),
                       ({"stun": ["bad host!"]}, "STUN")):
        with pytest.raises(CommandError, match=words):
            NatSettings.parse(bad)


def test_via_mapping_reads_received_and_rport() -> None:
    assert via_mapping(REG_OK) == ("203.0.113.2", 40001)
    plain = "SIP/2.0 200 OK\r\nv: SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bK1\r\n\r\n"
    assert via_mapping(plain) == ("10.0.0.5", 5070)
    assert via_mapping("SIP/2.0 200 OK\r\nTo: <sip:a@b>\r\n\r\n") is None


def test_sdp_behind_the_tls_relay_names_the_public_address() -> None:
    sdp = ("v=0\r\no=- 3912 3913 IN IP4 192.168.1.10\r\ns=pjmedia\r\nc=IN IP4 192.168.1.10\r\nt=0 0\r\n"
           "m=audio 4000 RTP/AVP 9 0\r\nc=IN IP4 192.168.1.100\r\na=rtcp:4001 IN IP4 192.168.1.10\r\n")
    out = sdp_with_address(sdp, "192.168.1.10", "203.0.113.2")
    assert "IN IP4 192.168.1.10\r" not in out and out.count("IN IP4 203.0.113.2") == 3
    assert "c=IN IP4 192.168.1.100\r\n" in out  # another address (not ours) stays
    assert sdp_with_address(sdp, "192.168.1.10", "192.168.1.10") == sdp  # no NAT: nothing to do


def test_public_address_moves_and_keepalive_halves_when_the_mapping_was_forgotten() -> None:
    pub = PublicAddress(keepalive_s=15)
    assert pub.registered(REG_OK) is None and pub.public_text == "203.0.113.2:40001"
    assert pub.registered(REG_OK) is None  # a refresh through the same mapping: nothing to tell
    assert not pub.probe_answer("203.0.113.2") and pub.probe_answer("203.0.113.3")
    forgot = REG_OK.replace("rport=40001", "rport=40777")
    assert pub.registered(forgot) == ("203.0.113.2", 40001) and pub.keepalive_s == 7
    moved = forgot.replace("203.0.113.2", "203.0.113.3")
    assert pub.registered(moved) == ("203.0.113.2", 40777) and pub.keepalive_s == 7  # a new IP: a restart
    for _ in range(5):
        pub.registered(moved.replace("40777", str(41000 + _)))
    assert pub.keepalive_s == 5  # never below the floor


def test_media_watch_tells_interrupted_restored_and_times_out() -> None:
    now = [0.0]
    w = MediaWatch(MediaWatchSettings.parse({"media_gap": 1.5, "media_timeout": 10}), clock=lambda: now[0])
    assert w.observe(1, 10) is None
    now[0] = 1.0
    assert w.observe(1, 60) is None
    now[0] = 2.4
    assert w.observe(1, 60) is None
    now[0] = 2.6
    assert w.observe(1, 60) == {"state": "interrupted", "silent_s": 1.6}
    now[0] = 3.0
    assert w.observe(1, 60) is None  # told once
    now[0] = 5.0
    assert w.observe(1, 61) == {"state": "restored", "gap_s": 4.0}
    now[0] = 9.0
    assert w.observe(1, 61, watched=False) is None  # on hold: silence is expected
    now[0] = 15.0
    assert w.observe(1, 61) == {"state": "interrupted", "silent_s": 6.0}
    now[0] = 19.5
    assert w.observe(1, 61) == {"state": "timeout", "silent_s": 10.5}
    assert w.observe(1, 61) is None
    with pytest.raises(CommandError):
        MediaWatchSettings.parse({"media_gap": 5, "media_timeout": 3})


def test_info_digits_leave_one_at_a_time_in_order() -> None:
    sent: list[tuple[int, str]] = []
    q = InfoDtmfQueue(lambda call, digit, ms: sent.append((call, digit)))
    assert q.add(7, "123") == 3
    assert sent == [(7, "1")]  # the next waits for the answer
    q.add(7, "4")
    q.answered(7, 200)
    assert sent == [(7, "1"), (7, "2")]
    q.answered(7, 200)
    q.answered(7, 481)  # "3" refused: reported, the queue moves on
    assert sent[-1] == (7, "4") and q.failed == [(7, "3", 481)]
    q.answered(7, 200)
    q.answered(7, 200)  # a late duplicate answer sends nothing
    assert len(sent) == 4 and not q.pending and not q.in_flight
    q.add(8, "56")
    q.drop(8)
    q.answered(8, 200)
    assert sent[-1] == (8, "5")
    assert info_body("5", 160) == "Signal=5\r\nDuration=160\r\n"


def test_info_digit_that_cannot_be_sent_does_not_block_the_rest() -> None:
    sent: list[str] = []

    def send(call: int, digit: str, ms: int) -> None:
        if digit == "1":
            raise RuntimeError("call ended")
        sent.append(digit)

    q = InfoDtmfQueue(send)
    q.add(3, "12")
    assert sent == ["2"] and q.failed == [(3, "1", 0)]


def test_provisioning_carries_the_path_settings_and_refuses_bad_ones() -> None:
    import dataclasses

    import yaml

    from agentdesk.center import wire
    from agentdesk.center.api import CenterError
    from tests.center.conformance.conftest import SPEC_PATH, Validate
    from tests.fakes.center_double import default_provisioning

    validate = Validate(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))

    base = default_provisioning()
    assert base.sip is not None
    prov = dataclasses.replace(base, sip=dataclasses.replace(base.sip, rtp_ports="10000-10999",
                                                             stun_servers=("stun.example.jp:3478",),
                                                             keepalive_interval=10))
    validate(wire.provisioning_to_wire(prov), "Provisioning")
    assert wire.provisioning_from_wire(wire.provisioning_to_wire(prov)) == prov
    bad = wire.provisioning_to_wire(prov)
    bad["sip"]["keepalive_interval"] = "often"
    with pytest.raises(CenterError):
        wire.provisioning_from_wire(bad)
    # what the engine makes of them (the desk passes them on as configure's "sip")
    nat = NatSettings.parse({"rtp_ports": prov.sip.rtp_ports, "stun": list(prov.sip.stun_servers),
                             "keepalive_interval": prov.sip.keepalive_interval})
    assert (nat.rtp_port, nat.rtp_port_last, nat.keepalive_s) == (10000, 10999, 10)
