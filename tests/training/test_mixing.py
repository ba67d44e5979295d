"""Call training with real calls: three engines (customer, trainee, trainer) through Kamailio on loopback.

Each party plays its own tone through the engine's "files" backend and records what it hears; per mode, the
recordings are checked spectrally: who hears whom (agentdesk/sip/training.py has the table).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.infra.engine import EngineProcess
from tests.infra.kamailio import DOMAIN, Kamailio
from tests.training.audio_check import (
    CUSTOMER_HZ,
    JOIN_TONE_HZ,
    TRAINEE_HZ,
    TRAINER_HZ,
    band_levels,
    heard,
    read,
    samples_written,
    write_tone,
)

pytestmark = [pytest.mark.sip, pytest.mark.slow]

TRAINER = f"sip:trainer1@{DOMAIN}"
TONES = [CUSTOMER_HZ, TRAINEE_HZ, TRAINER_HZ]

# mode -> party -> the tones that party must hear (every other party tone must be absent)
EXPECTED: dict[str, dict[str, set[int]]] = {
    "monitor": {"customer": {TRAINEE_HZ}, "trainee": {CUSTOMER_HZ}, "trainer": {CUSTOMER_HZ, TRAINEE_HZ}},
    "whisper": {"customer": {TRAINEE_HZ}, "trainee": {CUSTOMER_HZ, TRAINER_HZ},
                "trainer": {CUSTOMER_HZ, TRAINEE_HZ}},
    "barge": {"customer": {TRAINEE_HZ, TRAINER_HZ}, "trainee": {CUSTOMER_HZ, TRAINER_HZ},
              "trainer": {CUSTOMER_HZ, TRAINEE_HZ}},
}
OWN = {"customer": CUSTOMER_HZ, "trainee": TRAINEE_HZ, "trainer": TRAINER_HZ}


class Party:
    def __init__(self, name: str, engine: EngineProcess, tone: Path, record: Path) -> None:
        self.name, self.engine, self.tone, self.record = name, engine, tone, record


def _parties(tmp_path: Path, kamailio: Kamailio, engine_factory: Callable[..., EngineProcess],
             training: dict[str, Any]) -> dict[str, Party]:
    out = {}
    for name, user, hz in (("customer", "cust1", CUSTOMER_HZ), ("trainee", "agent1", TRAINEE_HZ),
                           ("trainer", "trainer1", TRAINER_HZ)):
        tone = write_tone(tmp_path / f"{name}-says.wav", hz)
        record = tmp_path / f"{name}-hears.wav"
        eng = engine_factory(name)
        extra: dict[str, Any] = {"audio": {"backend": "files", "play": str(tone), "record": str(record)}}
        if name == "trainee":
            extra["training"] = training
        eng.register(user, kamailio, **extra)
        out[name] = Party(name, eng, tone, record)
    return out


def _customer_call(p: dict[str, Party]) -> tuple[int, int]:
    ccall = p["customer"].engine.command({"cmd": "call", "uri": "agent1"})["call"]
    inc = p["trainee"].engine.wait_event({"event": "call", "state": "incoming"}, 10)
    p["trainee"].engine.command({"cmd": "answer", "call": inc["call"]})
    p["customer"].engine.wait_event({"event": "call", "call": ccall, "state": "connected"}, 10)
    return ccall, inc["call"]


def test_trainer_joins_and_switches_modes_each_party_hears_the_right_voices(
        kamailio: Kamailio, tmp_path: Path, engine_factory: Callable[..., EngineProcess]) -> None:
    p = _parties(tmp_path, kamailio, engine_factory, {"trainers": [TRAINER]})
    trainee = p["trainee"].engine
    trainer = p["trainer"].engine
    ccall, tcall = _customer_call(p)

    mark = trainee.mark()
    jcall = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "monitor"})["call"]
    trainer.wait_event({"event": "call", "call": jcall, "state": "connected"}, 10)
    joined = trainee.wait_event({"event": "training", "state": "joined"}, 10, after=mark)
    assert joined["mode"] == "monitor" and joined["trainer"].find("trainer1@") >= 0
    assert joined["customer_calls"] == [tcall]
    # the trainer's leg never rang as a call the trainee would have to handle, and the customer was not held
    assert not trainee.find({"event": "call", "state": "incoming"}, after=mark)
    assert not trainee.find({"event": "call", "state": "held"}, after=mark)
    leg = joined["call"]
    status = trainee.command({"cmd": "training"})
    assert status["legs"] == [{"call": leg, "trainer": joined["trainer"], "mode": "monitor", "audio": True}]

    windows: dict[str, dict[str, tuple[int, int]]] = {}

    def measure(mode: str) -> None:
        time.sleep(1.0)  # the switch settles; jitter buffers refill
        start = {n: samples_written(party.record) for n, party in p.items()}
        time.sleep(1.6)
        windows[mode] = {n: (start[n], samples_written(party.record)) for n, party in p.items()}

    measure("monitor")
    for mode in ("whisper", "barge", "monitor"):
        mark = trainee.mark()
        # the trainer's one click: an in-dialog MESSAGE to the trainee's engine
        trainer.command({"cmd": "training_mode", "call": jcall, "mode": mode})
        ev = trainee.wait_event({"event": "training", "state": "mode"}, 10, after=mark)
        assert ev["mode"] == mode and ev["by"] == "trainer" and ev["call"] == leg
        trainer.wait_event({"event": "training", "state": "delivered", "call": jcall, "code": 200}, 10)
        measure(mode if mode != "monitor" else "monitor again")

    # no leg was dropped by any switch
    for party in p.values():
        assert not party.engine.find({"event": "call", "state": "ended"}), party.name
    assert not trainee.find({"event": "training", "state": "left"})

    trainer.command({"cmd": "hangup", "call": jcall})
    trainee.wait_event({"event": "training", "state": "left", "call": leg}, 10)
    p["customer"].engine.command({"cmd": "hangup", "call": ccall})
    trainee.wait_event({"event": "call", "call": tcall, "state": "ended"}, 10)
    for party in p.values():
        party.engine.stop()  # the recorders' WAVs are complete once released

    failures = []
    report = []
    for mode, per_party in windows.items():
        want_mode = "monitor" if mode == "monitor again" else mode
        for name, (a, b) in per_party.items():
            data, rate = read(p[name].record)
            assert b - a > rate, f"{mode}/{name}: only {b - a} samples recorded in the window"
            seg = data[a:b]
            levels = band_levels(seg, rate, TONES)
            got = heard(seg, rate, TONES)
            report.append(f"{mode:14} {name:8} " + " ".join(f"{f}Hz={v:5.1f}dB" for f, v in levels.items()))
            for f in TONES:
                if f == OWN[name]:
                    continue  # a party's own tone is not in its ear (no sidetone in the files backend)
                expect = f in EXPECTED[want_mode][name]
                if got[f] is not expect:
                    failures.append(f"{mode}: {name} {'should' if expect else 'must not'} hear {f} Hz "
                                    f"({levels[f]:.1f} dB)")
    assert not failures, "\n".join(failures + report)

    # the trainee (only) heard the join tone
    data, rate = read(p["trainee"].record)
    step = rate // 5
    peaks = [band_levels(data[i:i + step], rate, [JOIN_TONE_HZ])[JOIN_TONE_HZ]
             for i in range(0, len(data) - step, step)]
    assert max(peaks) > 40, f"join tone not heard by the trainee: {max(peaks):.1f} dB"
    cdata, crate = read(p["customer"].record)
    cstep = crate // 5
    cpeaks = [band_levels(cdata[i:i + cstep], crate, [JOIN_TONE_HZ])[JOIN_TONE_HZ]
              for i in range(0, len(cdata) - cstep, cstep)]
    assert max(cpeaks) < 30, f"the customer heard the join tone: {max(cpeaks):.1f} dB"


def test_unlisted_trainer_is_refused_and_the_customer_call_goes_on(
        kamailio: Kamailio, tmp_path: Path, engine_factory: Callable[..., EngineProcess]) -> None:
    p = _parties(tmp_path, kamailio, engine_factory, {"trainers": [f"sip:someone-else@{DOMAIN}"]})
    trainee, trainer = p["trainee"].engine, p["trainer"].engine
    ccall, tcall = _customer_call(p)
    mark = trainee.mark()
    jcall = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "barge"})["call"]
    ended = trainer.wait_event({"event": "call", "call": jcall, "state": "ended"}, 10)
    assert ended["code"] == 403
    refused = trainee.wait_event({"event": "training", "state": "refused"}, 10, after=mark)
    assert refused["code"] == 403 and "trainer1@" in refused["remote"]
    assert not trainee.find({"event": "training", "state": "joined"}, after=mark)
    assert not trainee.find({"event": "call", "state": "incoming"}, after=mark)
    calls = trainee.command({"cmd": "calls"})["calls"]
    assert [c["call"] for c in calls] == [tcall] and calls[0]["state"] == "connected"
    # a training_mode for a call that is not a trainer's is refused with a clear message
    err = trainee.command({"cmd": "training_mode", "call": tcall, "mode": "barge"}, ok=False)["error"]
    assert "not a training call" in err
    # recording for a score sheet is for practice calls only: a real customer call is refused
    err = trainee.command({"cmd": "practice_record", "call": tcall, "agent": str(tmp_path / "a.wav")},
                          ok=False)["error"]
    assert err == "only practice calls can be recorded"
    p["customer"].engine.command({"cmd": "hangup", "call": ccall})


def test_hint_dtmf_local_switch_and_one_trainer_at_a_time(
        kamailio: Kamailio, tmp_path: Path, engine_factory: Callable[..., EngineProcess]) -> None:
    p = _parties(tmp_path, kamailio, engine_factory, {"trainers": [TRAINER]})
    trainee, trainer = p["trainee"].engine, p["trainer"].engine
    ccall, tcall = _customer_call(p)
    jcall = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "whisper"})["call"]
    joined = trainee.wait_event({"event": "training", "state": "joined"}, 10)
    assert joined["mode"] == "whisper"
    leg = joined["call"]
    trainer.wait_event({"event": "call", "call": jcall, "state": "connected"}, 10)
    # a text hint that appears on the trainee's screen (Japanese passes through intact)
    trainer.command({"cmd": "training_hint", "call": jcall, "text": "解約理由を先に伺ってください"})
    hint = trainee.wait_event({"event": "training", "state": "hint"}, 10)
    assert hint["text"] == "解約理由を先に伺ってください" and hint["call"] == leg
    # a plain softphone as trainer: DTMF 3 = barge
    mark = trainee.mark()
    trainer.command({"cmd": "dtmf", "call": jcall, "digits": "3"})
    ev = trainee.wait_event({"event": "training", "state": "mode"}, 10, after=mark)
    assert ev["mode"] == "barge" and ev["by"] == "trainer"
    assert not trainee.find({"event": "dtmf"}, after=mark)  # consumed by training, not a customer's digit
    # the trainee's own engine can be switched locally too (the command the brief's protocol names)
    rep = trainee.command({"cmd": "training_mode", "call": leg, "mode": "monitor"})
    assert rep["mode"] == "monitor"
    trainee.wait_event({"event": "training", "state": "mode", "mode": "monitor", "by": "local"}, 5)
    # a second trainer leg is refused (max_trainers 1): the 4-call limit keeps room for an escalation
    mark = trainee.mark()
    second = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "monitor"})["call"]
    assert trainer.wait_event({"event": "call", "call": second, "state": "ended"}, 10)["code"] == 486
    assert trainee.wait_event({"event": "training", "state": "refused"}, 10, after=mark)["code"] == 486
    # the customer leaves: the trainer stays (it follows the trainee to the next call) until it hangs up
    p["customer"].engine.command({"cmd": "hangup", "call": ccall})
    trainee.wait_event({"event": "call", "call": tcall, "state": "ended"}, 10)
    assert trainee.command({"cmd": "training"})["legs"][0]["call"] == leg
    trainer.command({"cmd": "hangup", "call": jcall})
    left = trainee.wait_event({"event": "training", "state": "left", "call": leg}, 10)
    assert left["duration"] > 0
