"""docs/engine-protocol.md lists exactly the messages agentdesk/sip/protocol.py defines, and documents each one;
the typed messages encode to the documented shapes byte for byte and decode back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentdesk.sip import protocol as P

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine-protocol.md"


def _index_line(text: str, kind: str) -> str:
    match = re.search(rf"^- {kind}: (.*?)(?=^- |^\n|\Z)", text, re.M | re.S)
    assert match, f"docs/engine-protocol.md has no '- {kind}:' line in its index"
    return " ".join(match.group(1).split())


def _documented() -> tuple[set[str], set[tuple[str, str]]]:
    text = DOC.read_text(encoding="utf-8")
    commands = set(re.findall(r"`([a-z_]+)`", _index_line(text, "commands")))
    events: set[tuple[str, str]] = set()
    line = _index_line(text, "events")
    for name, detail in re.findall(r"`([a-z_]+)`(?: \(([^)]*)\))?", line):
        events.add((name, ""))
        for state in re.findall(r"state[s]? ((?:`[a-z_]+`(?:, )?)+)", detail or ""):
            events.update((name, s) for s in re.findall(r"`([a-z_]+)`", state))
    return commands, events


def _defined() -> tuple[set[str], set[tuple[str, str]]]:
    events: set[tuple[str, str]] = set()
    for name, states in P.event_shapes():
        events.add((name, ""))
        events.update((name, s) for s in states)
    return set(P.command_names()), events


def test_the_index_lists_exactly_the_defined_messages() -> None:
    doc_commands, doc_events = _documented()
    commands, events = _defined()
    assert doc_commands == commands, (f"only in the doc: {sorted(doc_commands - commands)}; "
                                      f"only in protocol.py: {sorted(commands - doc_commands)}")
    assert doc_events == events, (f"only in the doc: {sorted(doc_events - events)}; "
                                  f"only in protocol.py: {sorted(events - doc_events)}")


def test_every_message_is_documented_in_the_body() -> None:
    text = DOC.read_text(encoding="utf-8")
    body = text.split("## Rules", 1)[1]
    missing = [c for c in P.command_names() if f'"cmd": "{c}"' not in body]
    assert missing == [], f"commands without an example in docs/engine-protocol.md: {missing}"
    for name, states in P.event_shapes():
        assert f'"event": "{name}"' in body or f"`{name}`" in body, f"event {name} is not documented"
        for state in states:
            assert f"`{state}`" in body or f'"state": "{state}"' in body, f"{name} state {state} is not documented"


def test_the_index_check_catches_a_missing_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(P.COMMAND_TYPES, "undocumented_probe", P.Quit)
    doc_commands, _ = _documented()
    commands, _ = _defined()
    assert "undocumented_probe" in commands - doc_commands


# The documented examples, as the engine writes them (compact JSON, keys in this order).
SHAPES = [
    '{"event":"engine","state":"ready","protocol":1,"version":"0.1.0","pid":4242,"max_calls":4}',
    '{"event":"engine","state":"stopped"}',
    '{"event":"engine","state":"died","code":-9,"lost_calls":[7]}',
    '{"event":"reply","id":1,"cmd":"configure","ok":true,"port":40123,"transport":"udp","audio":"null"}',
    '{"event":"reply","id":null,"ok":false,"error":"not JSON: Expecting value at column 1"}',
    '{"event":"reply","id":"x","cmd":"nope","ok":false,"error":"unknown command"}',
    '{"event":"registration","state":"registered","registrar":"sip:pbx1.example.jp","code":200,"reason":"OK",'
    '"expires":300,"primary":true}',
    '{"event":"registration","state":"retrying","registrar":"sip:127.0.0.1:5070","code":0,"reason":"failover",'
    '"previous":"sip:127.0.0.1:5060"}',
    '{"event":"call","call":7,"direction":"incoming","state":"incoming","remote":"<sip:c@x>",'
    '"headers":{"X-Contract-Id":"C-1"},"others":[],"local":"<sip:agent1@x>"}',
    '{"event":"call","call":7,"direction":"outgoing","state":"ended","remote":"sip:p@x","code":200,'
    '"reason":"Normal call clearing","duration":3.2}',
    '{"event":"call","call":8,"direction":"outgoing","state":"calling","remote":"sip:s@x","consult_for":7}',
    '{"event":"call","call":7,"direction":"incoming","state":"held","remote":"x","by":"local"}',
    '{"event":"transfer","call":7,"code":200,"reason":"OK","final":true}',
    '{"event":"transfer","call":7,"state":"fallback","method":"blind","target":"sip:t@x","final":false,"code":0}',
    '{"event":"dtmf","call":7,"digit":"5","method":"rfc4733"}',
    '{"event":"stats","call":7,"codec":"G722/16000","rtt_ms":0.3,"jitter_ms":0.6,"loss_percent":0.0,'
    '"rx_packets":250,"tx_packets":251,"rx_bytes":40000,"tx_bytes":40160,"mos":4.36,"r":90.8,'
    '"quality":"excellent","srtp":false}',
    '{"event":"limit","what":"calls","max":4,"reason":"at most 4 calls at a time"}',
    '{"event":"limit","what":"calls","max":4,"remote":"<sip:c@x>","code":486,"reason":"a call was refused"}',
    '{"event":"call_refused","remote":"<sip:c@x>","code":488,"reason":"Not Acceptable Here"}',
    '{"event":"security","what":"invite_refused","source":"203.0.113.9:5060","reason":"INVITE not through the '
    'account\'s registrar/proxy"}',
    '{"event":"security","what":"rate_limited","reason":"many requests or packets from outside were refused",'
    '"refused":295,"sources":3,"seconds":10.0}',
    '{"event":"security","what":"refer_refused","source":"<sip:c@x>","reason":"REFER refused","call":7}',
    '{"event":"limit","what":"calls","max":4,"reason":"calls that were just hung up are still closing (up to 32 s)",'
    '"closing":4}',
    '{"event":"call","call":7,"direction":"incoming","state":"ended","remote":"<sip:c@x>","code":200,'
    '"reason":"OK","duration":61.0,"cause":"media_timeout"}',
    '{"event":"security","what":"tls_refused","source":"sip:127.0.0.1:5061;transport=tls","reason":"bad name",'
    '"kind":"hostname","message":{"ja":"名前","en":"bad name"}}',
    '{"event":"tls","state":"connected","registrar":"sip:127.0.0.1:5061;transport=tls","protocol":"TLSv1.3",'
    '"cipher":"TLS_AES_256_GCM_SHA384","server_name":"center.agentdesk.test","trust":"ca","pinned":false,'
    '"handshake_ms":11.4,"local_address":"127.0.0.1:49038","contact_address":"127.0.0.1:49038"}',
    '{"event":"registration","state":"failed","registrar":"sip:127.0.0.1:5061;transport=tls","code":503,'
    '"reason":"Connection reset","tls":"expired","message":{"ja":"期限切れ","en":"expired"}}',
    '{"event":"mute","muted":true}',
    '{"event":"network","state":"changed","previous":"192.168.1.5","address":"192.168.1.7"}',
    '{"event":"network","state":"public_address","previous":"203.0.113.2:5060","address":"203.0.113.3:5060"}',
    '{"event":"network","state":"recovering","reason":"link back"}',
    '{"event":"media","call":7,"state":"interrupted","silent_s":1.5}',
    '{"event":"media","call":7,"state":"restored","gap_s":10.3}',
    '{"event":"call","call":7,"direction":"incoming","state":"ended","remote":"x","code":200,"reason":"No audio",'
    '"duration":41.0,"cause":"media_timeout"}',
    '{"event":"audio_device","role":"call","state":"fallback","id":"ALSA:hs","to":"ALSA:default",'
    '"reason":"device lost"}',
    '{"event":"audio_device","role":"call","state":"restored","id":"ALSA:hs","name":"USB headset"}',
    '{"event":"room_noise","state":"voice","level_dbfs":-38.5,"below_agent_db":17.2}',
    '{"event":"room_noise","state":"quiet","level_dbfs":-90.0,"below_agent_db":null}',
    '{"event":"audio_level","mic_dbfs":-40.1,"mic_peak_dbfs":-30.0,"speaker_dbfs":-50.0,'
    '"speaker_peak_dbfs":-45.0,"muted":false}',
    '{"event":"training","state":"joined","call":9,"trainer":"<sip:trainer1@agentdesk.test>","mode":"monitor",'
    '"customer_calls":[3]}',
    '{"event":"training","state":"refused","remote":"<sip:intruder@agentdesk.test>;tag=8f2","code":403,'
    '"reason":"not an authorised trainer"}',
]


@pytest.mark.parametrize("line", SHAPES)
def test_events_round_trip_byte_for_byte(line: str) -> None:
    event = P.decode_event(json.loads(line))
    assert not isinstance(event, P.UnknownEvent)
    assert P.encode(event) == line + "\n"


def test_commands_encode_as_documented_and_decode_typed() -> None:
    dial = P.Dial(uri="sip:0312345678@agentdesk.test", headers={"X-Campaign": "retention"}, id=3)
    assert P.encode(dial) == ('{"cmd":"call","id":3,"uri":"sip:0312345678@agentdesk.test",'
                              '"headers":{"X-Campaign":"retention"}}\n')
    assert P.decode_command(json.loads(P.encode(dial))) == dial
    assert P.encode(P.Answer(call=7)) == '{"cmd":"answer","call":7}\n'
    assert P.decode_command({"cmd": "reject", "call": 7}) == P.Reject(call=7)
    unknown = P.decode_command({"cmd": "fancy", "id": 1, "x": [1]})
    assert isinstance(unknown, P.UnknownCommand) and unknown.to_json() == {"x": [1], "cmd": "fancy", "id": 1}


@pytest.mark.parametrize(("obj", "message"), [
    ({"cmd": "answer", "call": "7"}, '"call" must be an integer (or null)'),
    ({"cmd": "answer", "call": True}, '"call" must be an integer (or null)'),
    ({"cmd": "transfer", "call": 7}, '"target" is missing'),
    ({"cmd": "call", "uri": "1002", "headers": {"X-A": 1}}, '"headers.X-A" must be a string'),
    ({"cmd": "configure", "account": "1001"}, '"account" must be an object'),
    ({"cmd": "dtmf", "digits": "1", "method": "morse"}, '"method" must be "rfc4733" or "rfc2833" or "info"'),
    ({"cmd": ""}, 'a command needs a "cmd" string'),
])
def test_a_field_that_does_not_fit_is_named(obj: dict[str, object], message: str) -> None:
    with pytest.raises(P.ProtocolError) as err:
        P.decode_command(obj)
    assert message in str(err.value)


def test_events_from_a_newer_engine_are_ignored_not_fatal() -> None:
    assert isinstance(P.decode_event({"event": "headset_button", "button": "hook"}), P.UnknownEvent)
    assert isinstance(P.decode_event({"event": "training", "state": "teleport"}), P.UnknownEvent)
    extra = P.decode_event({"event": "mute", "muted": True, "by": "headset"})
    assert extra == P.MuteChanged(muted=True)


def test_a_reply_keeps_its_result_and_types_it_on_request() -> None:
    reply = P.decode_event({"event": "reply", "id": "s1", "cmd": "stats", "ok": True, "call": 7,
                            "codec": "PCMU/8000", "rtt_ms": 1, "jitter_ms": 0, "loss_percent": 0,
                            "rx_packets": 1, "tx_packets": 1, "rx_bytes": 1, "tx_bytes": 1, "mos": 4.4, "r": 93,
                            "quality": "excellent", "srtp": False})
    assert isinstance(reply, P.Reply) and reply.call == 7
    assert reply.result_as(P.Stats).codec == "PCMU/8000"


def test_the_open_parts_take_any_json_value() -> None:
    cmd = P.decode_command({"cmd": "configure", "id": {"n": [1, None]}, "account": {"a": [1, {"b": None}]},
                            "audio": {"backend": "files", "gain": 0.5}})
    assert isinstance(cmd, P.Configure) and cmd.account == {"a": [1, {"b": None}]} and cmd.id == {"n": [1, None]}
    reply = P.decode_event({"event": "reply", "id": [1, {"z": 2}], "ok": True, "x": {"y": [1.5, "s"]}})
    assert isinstance(reply, P.Reply) and reply.result == {"x": {"y": [1.5, "s"]}}
