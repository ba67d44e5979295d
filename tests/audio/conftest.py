"""Fixtures of the audio tests: the pjsua2 harness process with the devices backend on the virtual headset."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.audio.driver import HarnessProcess
from tests.conftest import attach_log
from tests.infra import require
from tests.infra.pulse import VirtualHeadset

HEADSET = "ALSA:agentdesk_headset"


@pytest.fixture
def harness_factory(request: pytest.FixtureRequest,
                    virtual_headset: VirtualHeadset) -> Iterator[Callable[..., HarnessProcess]]:
    """``harness_factory(**audio_config)``: a configured harness whose call device is the virtual headset."""
    require.portaudio()
    made: list[HarnessProcess] = []

    def make(**audio: Any) -> HarnessProcess:
        h = HarnessProcess(env=virtual_headset.env)
        made.append(h)
        attach_log(request, f"audio harness #{len(made)} stderr", lambda: h.log()[-8000:])
        attach_log(request, f"audio harness #{len(made)} events", lambda: "\n".join(map(str, h.events[-60:])))
        cfg = {"backend": "devices", "call_device": HEADSET, **audio}
        h.send(cmd="configure", audio=cfg, codec=audio.pop("codec", "G722/16000"))
        h.wait_for(lambda e: e.get("event") == "configured", 30)
        h.wait_for(lambda e: e.get("event") == "audio_device" and e.get("state") in ("active", "fallback"), 30)
        return h

    yield make
    for h in made:
        h.close()
