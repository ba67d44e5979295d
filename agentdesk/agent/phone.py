"""The phone's set-up from the agent's settings and the center's provisioning, and what an incoming call carries.

- :func:`configure_command`: the engine's ``configure`` (account, transport, the headset, the trainers, the
  headset buttons) from settings (the agent's choices win) and provisioning (the center's account).
- :func:`ring_command` / :func:`stop_ring`: the ring through the engine's own ``ring`` (the ring device, and the
  headset too when the agent chose "ring on the headset too").
- :func:`marks`: what the center put on an incoming call: the contract, the line (queue), the center's call
  reference, a practice call, and whether the center asks for it to be answered by itself.

Auto-answer is the center's decision only: ``Call-Info: <...>;answer-after=N`` or an ``Alert-Info`` asking for
auto-answer on the INVITE (which reaches the engine through the account's registrar only: the engine refuses any
other source), or the provisioning's ``auto_answer`` for the calls the center routes (they carry its call
reference ``X-Call-Ref`` or its queue ``X-Queue``). A call the center did not mark always rings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from agentdesk.center.api import Provisioning
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P

AUDIO_BACKEND_ENV = "AGENTDESK_AUDIO_BACKEND"  # "null" for support staff on a PC without sound
AUTO_ANSWER_TONE = "call_waiting"  # one short tone in the headset before the call opens
_ANSWER_AFTER = re.compile(r"answer-after\s*=\s*(\d+(?:\.\d+)?)", re.I)
_ALERT_AUTO = re.compile(r"(alert-autoanswer|auto-?answer)", re.I)
MAX_ANSWER_AFTER_S = 30.0


def audio_config(settings: Settings, backend: str | None = None) -> P.JsonObject:
    """The engine's headset backend with the agent's device choices and voice-processing switches."""
    chosen = backend if backend is not None else os.environ.get(AUDIO_BACKEND_ENV, "devices")
    if chosen != "devices":
        return {"backend": chosen}
    audio = settings.audio
    return {"backend": "devices", "call_device": audio.call_device, "ring_device": audio.ring_device,
            "ring_on_headset": audio.ring_on_headset, "echo_cancellation": audio.echo_cancellation,
            "noise_suppression": audio.noise_suppression, "auto_gain": audio.auto_gain}


def configure_command(settings: Settings, prov: Provisioning, backend: str | None = None) -> P.Configure | None:
    """The engine's configuration, or None when the center gave no SIP account (fixed-line mode)."""
    sip = prov.sip
    if sip is None or prov.mode == "fixed_line":
        return None
    account = settings.account
    registrars = list(account.registrars or sip.registrars)
    account_cfg: P.JsonObject = {
        "user": account.user or sip.user, "domain": account.domain or sip.domain,
        "auth_user": account.auth_user or sip.auth_user, "registrars": registrars,
        "transport": sip.transport, "srtp": sip.srtp,
        # settings say "G722/16000"; the engine matches codec names ("G722") or full ids
        "codecs": [c.split("/")[0] for c in account.codecs]}
    ref = account.credential_ref or sip.credential_ref
    if ref:
        account_cfg["credential"] = ref  # a keyring reference: the engine reads the secret itself
    loopback = all("127.0.0.1" in r for r in registrars)
    sip_cfg: P.JsonObject = {"bind": "127.0.0.1" if loopback else "0.0.0.0", "port": 0, "stats_interval": 2.0}
    # the path from home (docs/engine-protocol.md): the center's RTP range, STUN, keep-alives
    if sip.rtp_ports:
        sip_cfg["rtp_ports"] = sip.rtp_ports
    if sip.stun_servers:
        sip_cfg["stun"] = list(sip.stun_servers)
    if sip.keepalive_interval:
        sip_cfg["keepalive_interval"] = sip.keepalive_interval
    if sip.transport == "tls":
        sip_cfg["tls"] = tls_config(settings, prov)  # the center's CA, host name and key pins
    return P.Configure(
        account=account_cfg,
        sip=sip_cfg,
        audio=audio_config(settings, backend),  # the USB headset (docs/audio.md)
        training={"trainers": list(prov.trainers)},  # who may monitor/whisper/barge (docs/training.md)
        headset={"enabled": settings.audio.headset_buttons},  # the headset's call buttons (docs/headset.md)
    )


def tls_config(settings: Settings, prov: Provisioning) -> P.JsonObject:
    """How the engine verifies the center's certificate: the provisioning's, the agent's settings where the
    provisioning says nothing (docs/security.md)."""
    out: P.JsonObject = dict(settings.account.tls.engine_config())
    sip = prov.sip
    if sip is not None:
        if sip.tls.server_name:
            out["server_name"] = sip.tls.server_name
        if sip.tls.ca_pem:
            out["ca_pem"] = sip.tls.ca_pem
        if sip.tls.pins:
            out["pin"] = list(sip.tls.pins)
    return out


def ring_command(settings: Settings) -> P.Ring:
    return P.Ring(action="start", tone="ring", loop=True, on_headset=settings.audio.ring_on_headset)


def stop_ring() -> P.Ring:
    return P.Ring(action="stop")


@dataclass(frozen=True)
class CallMarks:
    contract_id: str = ""
    line: str = ""  # the center's line / queue (never the caller's number)
    call_ref: str = ""  # the center's reference for the wrap-up
    practice_id: str = ""  # a practice call (the practice center's simulated customer)
    answer_after: float | None = None  # seconds: the center asks for the call to be answered by itself


def _header(headers: dict[str, str], *names: str) -> str:
    low = {k.lower(): v for k, v in headers.items()}
    return next((low[n] for n in names if low.get(n)), "")


def marks(headers: dict[str, str], prov: Provisioning, fallback_ref: str) -> CallMarks:
    contract = _header(headers, "x-contract-id", "x-agentdesk-contract")
    line = _header(headers, "x-queue", "x-line")
    center_ref = _header(headers, "x-call-ref")
    practice = _header(headers, "x-agentdesk-practice")
    answer_after: float | None = None
    found = _ANSWER_AFTER.search(_header(headers, "call-info"))
    if found:
        answer_after = min(MAX_ANSWER_AFTER_S, float(found.group(1)))
    elif _ALERT_AUTO.search(_header(headers, "alert-info")):
        answer_after = 0.0
    elif prov.auto_answer and (center_ref or line):
        answer_after = float(prov.auto_answer_seconds)
    return CallMarks(contract_id=contract, line=line, call_ref=center_ref or practice or fallback_ref,
                     practice_id=practice, answer_after=answer_after)
