"""The headset check on the virtual headset (PulseAudio null sinks seen by PortAudio through ALSA)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from agentdesk.checks import audio
from agentdesk.checks.base import CheckContext
from agentdesk.checks.headset import HeadsetCheck, tone_in
from agentdesk.checks.noise import NoiseCheck
from tests.infra.pulse import VirtualHeadset, tone, write_wav

pytestmark = pytest.mark.audio


@pytest.fixture
def acoustic_loop(virtual_headset: VirtualHeadset) -> Iterator[VirtualHeadset]:
    """What the headset plays reaches its microphone (an earpiece leaking into the boom mic)."""
    module = virtual_headset.pactl("load-module", "module-loopback", "source=agentdesk_call.monitor",
                                   "sink=agentdesk_mic_feed", "latency_msec=20")
    yield virtual_headset
    virtual_headset.pactl("unload-module", module)


def test_the_virtual_headset_is_found_by_name(virtual_headset: VirtualHeadset) -> None:
    devices = audio.list_devices()
    mic = audio.find_device(devices, None, "input")
    spk = audio.find_device(devices, None, "output")
    assert mic is not None and mic.name == "agentdesk_headset"
    assert spk is not None and spk.name == "agentdesk_headset"  # not "agentdesk_speaker", the ring device


def test_loopback_tone_is_heard_at_its_frequency(acoustic_loop: VirtualHeadset) -> None:
    r = HeadsetCheck().execute(CheckContext(extra={"call_device": "agentdesk_headset"}))
    assert r.status == "pass", r.to_json()
    assert r.details["selected"] is True
    assert r.details["microphone"] == "agentdesk_headset"
    assert abs(r.details["dominant_hz"] - r.details["tone_hz"]) <= 15
    assert r.details["tone_heard"] is True


def test_a_working_headset_not_selected_for_calls_warns(acoustic_loop: VirtualHeadset) -> None:
    """Nothing chosen in Settings and the system default is the built-in audio: calls would not use the headset."""
    r = HeadsetCheck().execute(CheckContext())
    assert r.details["tone_heard"] is True
    assert r.details["system_default"] == "default" and r.details["selected"] is False
    assert r.status == "warn" and r.remedy is not None and "通話用デバイス" in r.remedy.ja


def test_a_silent_microphone_fails(virtual_headset: VirtualHeadset) -> None:
    r = HeadsetCheck().execute(CheckContext())
    assert r.status == "fail" and r.details["mic_level_dbfs"] <= -95
    assert "ミュート" in r.summary.ja


def test_unplugged_headset_fails(virtual_headset: VirtualHeadset) -> None:
    virtual_headset.unplug_headset()
    try:
        r = HeadsetCheck().execute(CheckContext(extra={"call_device": "agentdesk_headset"}))
        # ALSA still lists the PCM name, but the stream fails or records nothing: never a pass.
        assert r.status == "fail", r.to_json()
    finally:
        virtual_headset.plug_headset()


def test_configured_device_that_does_not_exist_fails(virtual_headset: VirtualHeadset) -> None:
    r = HeadsetCheck().execute(CheckContext(extra={"call_device": "Jabra Evolve2 40"}))
    assert r.status == "fail" and "Jabra" in r.summary.ja


def test_tone_detector_rejects_other_frequencies() -> None:
    x = tone(1000, 1.0, 48000, 0.3)
    assert tone_in(x, 48000, 1000)[0]
    assert not tone_in(x, 48000, 800)[0]
    assert not tone_in(np.zeros(48000, dtype=np.float32), 48000, 1000)[0]


def test_live_noise_check_hears_the_room_through_the_headset_mic(virtual_headset: VirtualHeadset, tmp_path) -> None:
    """The live microphone path: a fan-like noise played into the headset's microphone fails the check."""
    from tests.checks.recordings import fan

    wav = write_wav(tmp_path / "fan.wav", np.concatenate([fan(4.0, -30.0)]), 16000)
    player = virtual_headset.play_into_mic(wav)
    levels: list[float] = []
    try:
        r = NoiseCheck().execute(CheckContext(
            quiet_seconds=2.0, speech_seconds=0,
            on_progress=lambda n, f, s: levels.append(s["level_dbfs"]) if s and "level_dbfs" in s else None))
    finally:
        player.kill()
        player.wait(5)
    assert r.details["source"] == "microphone" and r.details["device"] == "agentdesk_headset"
    assert r.status == "fail", r.to_json()
    assert r.details["background_dbfs"] > -45
    assert len(levels) >= 10 and max(levels) > -45  # the live meter saw the level


@pytest.mark.parametrize(("name", "headset"), [
    ("Headset Microphone (Jabra EVOLVE 20 MS)", True),
    ("Speakers (Jabra EVOLVE 20 MS)", True),  # Windows names a headset's output "Speakers (...)"
    ("ヘッドセット マイク (Plantronics Blackwire 3220 Series)", True),
    ("マイク (USB Audio Device)", True),
    ("Microphone (Logitech USB Headset H340)", True),
    ("スピーカー (Realtek(R) Audio)", False),
    ("マイク配列 (Realtek(R) Audio)", False),
    ("LG ULTRAGEAR (NVIDIA High Definition Audio)", False),
    ("DELL U2720Q (HDMI USB-C audio)", False),
    ("agentdesk_headset", True),
    ("agentdesk_speaker", False),
    ("pulse", False),
])
def test_headset_names(name: str, headset: bool) -> None:
    assert audio.is_headset_name(name) is headset


def test_the_check_names_the_call_buttons_of_the_headset(acoustic_loop: VirtualHeadset, tmp_path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A headset whose HID name matches the call device (the stand-in device named like the virtual headset)."""
    from tests.headset import synthetic
    from tests.headset.standin import StandinFolder

    hid = StandinFolder(tmp_path / "hid")
    for k, v in hid.env().items():
        monkeypatch.setenv(k, v)
    r = HeadsetCheck().execute(CheckContext(extra={"call_device": "agentdesk_headset"}))
    assert r.status == "pass" and "通話ボタン（応答・終了・ミュート）は見つかりませんでした" in r.summary.ja
    assert r.details["call_buttons"]["found"] == []
    hid.plug("h", synthetic.headset(), 0x1234, 0x0001, "agentdesk_headset")
    r = HeadsetCheck().execute(CheckContext(extra={"call_device": "agentdesk_headset"}))
    assert r.status == "pass", r.to_json()
    assert "通話ボタン（agentdesk_headset: 応答/終了・ミュート・保留）が使えます" in r.summary.ja, r.summary.ja
    assert r.details["call_buttons"]["paired"]["buttons"] == ["flash", "hook_switch", "phone_mute"]
    assert hid.written("h") == []  # the check only looks
