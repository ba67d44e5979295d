"""The desk's line banners through the shipped shift screen, with its engine behind the rig's NAT.

The Qt desk runs in the test's own namespace (it needs the X/offscreen screen and talks HTTP to the center double
on loopback); only its engine is at home: the desk's engine command (``engine_factory(argv)``, the setting a
support engineer uses too) is ``ip netns exec <home> python -m agentdesk engine``. That is the whole difference to
an agent's PC: the engine is the process whose SIP and RTP cross the NAT and the link, and the desk only reads its
events over the pipe. A customer (baresip at the center, no media relay) calls, the agent answers with F5, the link
is cut: the desk says there is no sound from the customer; the link returns: it says the sound is back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agentdesk.agent.session import AgentState
from agentdesk.center.api import SipAccount
from tests.fakes.center_double import DEFAULT_AGENT, CenterDouble, default_provisioning
from tests.infra.desk import banners, center_store, press
from tests.infra.kamailio import DOMAIN
from tests.infra.netrig import AGENT_IP, PEER_IPS, Rig, tones
from tests.infra.netrig.parties import agent_uri, baresip_peer

pytestmark = [pytest.mark.sip, pytest.mark.slow]

NO_SOUND = "お客さまの音声が届いていません"
SOUND_BACK = "お客さまの音声が戻りました"
CUT_S = 6.0  # several seconds: longer than the media watch's gap (1.5 s), shorter than its timeout (30 s)


def test_link_cut_during_a_call_shows_no_sound_then_sound_back(
        qtbot: Any, shift_screen: Callable[..., tuple[Any, Any]], rig_factory: Callable[..., Rig],
        tmp_path: Path) -> None:
    rig = rig_factory(relay=False)
    prov = replace(default_provisioning(),
                   sip=SipAccount(user=DEFAULT_AGENT, domain=DOMAIN, registrars=[rig.registrar(0)], srtp="off"))
    with CenterDouble(provisioning=prov) as double:
        _main, desk = shift_screen(center_store(double), engine_argv=rig.engine_argv("home"))
        v = desk.view
        press(qtbot, desk, Qt.Key.Key_F2, Qt.KeyboardModifier.ControlModifier)  # start work: signs in first
        qtbot.waitUntil(lambda: desk.session.state == AgentState.NOT_READY, timeout=10000)
        qtbot.waitUntil(lambda: "接続済み" in v.phone_label.text(), timeout=15000)  # registered through the NAT
        press(qtbot, desk, Qt.Key.Key_F2)  # ready
        assert desk.session.state == AgentState.READY

        customer = baresip_peer(rig, tmp_path, "customer1", PEER_IPS[0], tones.CUSTOMER_HZ)
        customer.dial(agent_uri(DEFAULT_AGENT))
        qtbot.waitUntil(lambda: desk.session.state == AgentState.RINGING, timeout=15000)
        press(qtbot, desk, Qt.Key.Key_F5)  # answer
        qtbot.waitUntil(lambda: desk.session.state == AgentState.ON_CALL, timeout=10000)
        qtbot.wait(3000)  # the call's audio runs: no banner about the customer's sound
        assert NO_SOUND not in banners(desk) and SOUND_BACK not in banners(desk)

        assert f"src={AGENT_IP} " in rig.mappings()  # the desk's engine is at home: its flows cross the NAT

        rig.cut()
        cut_at = time.monotonic()
        qtbot.waitUntil(lambda: NO_SOUND in banners(desk), timeout=5000)
        qtbot.wait(max(0, int((CUT_S - (time.monotonic() - cut_at)) * 1000)))
        assert desk.session.state == AgentState.ON_CALL and NO_SOUND in banners(desk)  # still told, still on
        rig.restore()
        qtbot.waitUntil(lambda: SOUND_BACK in banners(desk), timeout=5000)
        assert NO_SOUND not in banners(desk), banners(desk)  # one banner for the media: replaced, not stacked
        assert desk.session.state == AgentState.ON_CALL
