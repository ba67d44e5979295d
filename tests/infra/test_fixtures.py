"""Each fixture proves it really works: SIPp registers through Kamailio; a tone crosses the virtual headset."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.infra import kamailio as kam
from tests.infra import net, pulse, require
from tests.infra.kamailio import Kamailio
from tests.infra.pulse import VirtualHeadset

pytestmark = pytest.mark.sip


@pytest.mark.parametrize("transport", ["u1", "t1"])
def test_sipp_registers_through_kamailio(kamailio: Kamailio, sipp_factory, transport: str) -> None:
    sipp = sipp_factory("register.xml", remote=f"127.0.0.1:{kamailio.port}",
                        args=["-s", "agent1", "-t", transport, "-m", "1"])
    assert sipp.run(timeout=20) == 0, sipp.errors()


def test_sipp_registers_with_digest_auth(kamailio_auth: Kamailio, sipp_factory) -> None:
    sipp = sipp_factory("register.xml", remote=f"127.0.0.1:{kamailio_auth.port}",
                        args=["-s", "agent1", "-au", "agent1", "-ap", kam.PASSWORD, "-m", "1"])
    assert sipp.run(timeout=20) == 0, sipp.errors()
    assert "Authorization: Digest" in sipp.messages()


def test_digest_auth_rejects_a_wrong_password(kamailio_auth: Kamailio, sipp_factory) -> None:
    sipp = sipp_factory("register.xml", remote=f"127.0.0.1:{kamailio_auth.port}",
                        args=["-s", "agent1", "-au", "agent1", "-ap", "wrong", "-m", "1",
                              "-recv_timeout", "3000"])
    assert sipp.run(timeout=20) != 0


def test_kamailio_stops_answering_when_killed(kamailio: Kamailio) -> None:
    assert net.sip_options_ping(kamailio.host, kamailio.port)
    kamailio.stop(kill=True)
    assert not net.sip_options_ping(kamailio.host, kamailio.port, timeout=0.3)


@pytest.mark.audio
def test_tone_into_virtual_microphone_is_recorded_through_sounddevice(virtual_headset: VirtualHeadset,
                                                                      tmp_path) -> None:
    require.portaudio()
    import sounddevice as sd

    names = [d["name"] for d in sd.query_devices()]
    assert "agentdesk_headset" in names, names
    assert "agentdesk_speaker" in names, names
    rate = 16000
    wav = pulse.write_wav(tmp_path / "tone.wav", pulse.tone(1000.0, 3.0, rate), rate)
    player = virtual_headset.play_into_mic(wav)
    try:
        time.sleep(0.4)
        recorded = sd.rec(int(1.0 * rate), samplerate=rate, channels=1, dtype="float32",
                          device="agentdesk_headset", blocking=True)[:, 0]
    finally:
        player.kill()
        player.wait(5)
    assert np.sqrt(np.mean(recorded**2)) > 0.05, "the microphone recorded silence"
    assert abs(pulse.dominant_frequency(recorded, rate) - 1000.0) < 20.0


@pytest.mark.audio
def test_sounddevice_playback_reaches_the_headset_sink(virtual_headset: VirtualHeadset) -> None:
    require.portaudio()
    import threading

    import sounddevice as sd

    rate = 16000
    signal = pulse.tone(700.0, 2.0, rate)
    player = threading.Thread(target=lambda: sd.play(signal, samplerate=rate, device="agentdesk_headset",
                                                     blocking=True))
    player.start()
    try:
        heard = virtual_headset.record(1.0, source="agentdesk_call.monitor", rate=rate)
    finally:
        player.join(10)
    assert np.sqrt(np.mean(heard**2)) > 0.05, "nothing reached the headset sink"
    assert abs(pulse.dominant_frequency(heard, rate) - 700.0) < 20.0


@pytest.mark.audio
def test_headset_can_be_unplugged_and_plugged_back(virtual_headset: VirtualHeadset) -> None:
    virtual_headset.unplug_headset()
    try:
        assert "agentdesk_call\t" not in virtual_headset.pactl("list", "short", "sinks")
    finally:
        virtual_headset.plug_headset()
    assert "agentdesk_call" in virtual_headset.pactl("list", "short", "sinks")
