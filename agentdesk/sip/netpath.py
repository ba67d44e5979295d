"""The engine's side of the path to the center: NAT, keep-alives, recovery after the link returns, the media watch
and DTMF by SIP INFO. The engine (agentdesk/sip/engine.py) owns one :class:`NetPath` and calls it from a few hooks;
every pjsua2 call here happens on the endpoint thread, like the engine's own.

Recovery: when the registrar in use answers again after it stopped (a link cut, the home router restarting), or
when the registrar's answers show the router's public address changed, the engine runs pjsua's IP-change handling
(``handleIpChange``, listener kept): a fresh REGISTER at once (also when one was stuck retransmitting), dead TCP
connections closed, and every call re-INVITEd with new media (new RTP socket, the current public address in the
SDP), so a call in progress gets its audio back. If it cannot, the media watch ends it with a clear cause.
"""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from agentdesk.sip import protocol as P
from agentdesk.sip.dtmf import CONTENT_TYPE as DTMF_INFO_TYPE
from agentdesk.sip.dtmf import InfoDtmfQueue, info_body
from agentdesk.sip.media_watch import MediaWatch, MediaWatchSettings
from agentdesk.sip.nat import NatSettings, PublicAddress, sdp_with_address
from agentdesk.sip.sip_rewrite import split_hostport

if TYPE_CHECKING:
    from agentdesk.sip.engine import Engine, EngineCall

log = logging.getLogger("agentdesk.sip.netpath")

MEDIA_LOOK_S = 0.25   # how often connected calls' RTP counters are read
RECOVER_EVERY_S = 5.0  # at most one recovery (handleIpChange) in this time
RECOVER_JITTER_S = 1.0  # a random pause first: agents whose link returns together do not register in step
DEFAULT_FAILOVER_SPREAD_S = 2.0  # sip.failover_spread: the backup center gets its agents over this many seconds
FAILBACK_SPREAD_S = 5.0  # no hurry back to the primary (the backup works): spread wider


def failover_spread_setting(sip: dict[str, Any]) -> float:
    value = sip.get("failover_spread", DEFAULT_FAILOVER_SPREAD_S)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 30:
        raise P.CommandError("sip.failover_spread must be 0-30 seconds")
    return float(value)


class NetPath:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.nat = NatSettings()
        self.public = PublicAddress()
        self.watch = MediaWatch()
        self.info_dtmf = InfoDtmfQueue(self._send_info)
        self._next_look = 0.0
        self._recovered_at = -RECOVER_EVERY_S
        self._stun: tuple[str, ...] = ()
        self.failover_spread_s = DEFAULT_FAILOVER_SPREAD_S
        self._relay_seen: dict[int, tuple[str, str]] = {}  # registrar index -> (local IP, IP the center sees)
        self._sdp_public: dict[int, tuple[str, str]] = {}  # call -> (local IP, public IP) its SDP was given

    # ---- configure --------------------------------------------------------------------------------------------
    def configure(self, nat: NatSettings, watch: MediaWatchSettings,
                  failover_spread: float = DEFAULT_FAILOVER_SPREAD_S) -> None:
        if nat.stun != self._stun:
            servers = pj.StringVector()
            for s in nat.stun:
                servers.append(s)
            self.engine.ep.natUpdateStunServers(servers, False)  # resolved in the background
            self._stun = nat.stun
        self.nat = nat
        self.public = PublicAddress(keepalive_s=nat.keepalive_s)
        self.watch.settings = watch
        self.failover_spread_s = failover_spread

    def account_config(self, ac: Any, bind: str) -> None:
        self.nat.apply(ac, bind)
        ac.natConfig.udpKaIntervalSec = self.public.keepalive_s if self.nat.keepalive_s else 0

    def no_rtp_port_text(self) -> str:
        return (f"no free RTP port for the call in {self.nat.rtp_ports_text} (sip.rtp_ports): other programs hold "
                "them, or the range is too small (two ports per call)")

    # ---- what the registrar sees ------------------------------------------------------------------------------
    def reg_answer(self, code: int, expiration: int, message: str) -> None:
        """Every REGISTER answer (onRegState): learn the public address; tell when it moved."""
        if not (200 <= code < 300 and expiration > 0) or not message:
            return
        keepalive_before = self.public.keepalive_s
        before = self.public.registered(message)
        if before is None:
            return
        keepalive = None
        if self.public.keepalive_s != keepalive_before:
            # Same public IP, another port: the router forgot the idle mapping between our keep-alives.
            keepalive = self.public.keepalive_s
            log.info("the router's NAT mapping changed %s -> %s: keep-alives every %s s", before,
                     self.public.mapping, self.public.keepalive_s)
        self.engine.emit(P.PublicAddressChanged(previous=f"{before[0]}:{before[1]}",
                                                address=self.public.public_text or "", keepalive_interval=keepalive))
        mapping = self.public.mapping
        if mapping is not None and before[0] != mapping[0] and time.monotonic() - self._recovered_at > RECOVER_EVERY_S:
            # A new public IP under calls in progress (a retry registered before any recovery ran): their SDP
            # still names the old address, which a far end without a relay keeps sending to.
            self.engine._after(0.0, "reinvite", self.reinvite_calls)

    # ---- the SDP behind the TLS relay ------------------------------------------------------------------------
    def relay_connected(self, index: int, local: str | None, seen: str | None) -> None:
        """The TLS relay's connection to registrar ``index`` is up: ``local`` is its socket's address, ``seen`` the
        address the center reported (``received``/``rport`` of the relay's OPTIONS), both ``host:port``."""
        if not local or not seen:
            return
        self._relay_seen[index] = (split_hostport(local)[0], split_hostport(seen)[0])

    def sdp_created(self, call: EngineCall, prm: Any) -> None:
        """pjsua made our SDP (offer or answer): behind the TLS relay with ``sdp_address: "auto"``, the address the
        center sees replaces the private one, as pjsua's own rewrite does over UDP and TCP."""
        e = self.engine
        if self.nat.sdp_address != "auto" or not e.relay_hops:
            return
        seen = self._relay_seen.get(e.reg_index)
        if seen is None or seen[0] == seen[1]:
            return
        sdp = str(prm.sdp.wholeSdp)
        new = sdp_with_address(sdp, *seen)
        if new != sdp:
            prm.sdp.wholeSdp = new
            self._sdp_public[call.number] = seen
            log.info("call %s: SDP names %s (the address the center sees), not %s", call.number, seen[1], seen[0])

    def reinvite_calls(self) -> None:
        """Re-INVITE every call with new media: a new RTP socket, the current public address in the SDP."""
        for call in self.engine._live_calls():
            if call.state not in ("connected", "held") or not call.isActive():
                continue
            op = pj.CallOpParam(True)
            op.opt.flag = pj.PJSUA_CALL_REINIT_MEDIA | pj.PJSUA_CALL_UPDATE_CONTACT | pj.PJSUA_CALL_UPDATE_VIA
            try:
                call.reinvite(op)
                log.info("call %s re-INVITEd for the new public address %s", call.number, self.public.public_text)
            except pj.Error as exc:
                log.warning("call %s: re-INVITE failed: %s", call.number, exc.info())

    def probe_seen(self, index: int) -> None:
        """A probe of registrar ``index`` was answered: did the public address change under our registration?"""
        e = self.engine
        if index != e.reg_index or e.reg_state != "registered" or index >= len(e.registrars):
            return
        if self.public.probe_answer(e.registrars[index].seen_as):
            self.recover("public address changed")

    def spread_failover(self, index: int) -> None:
        """The registrar in use stopped answering and ``index`` answers: move there after a random pause of up to
        ``sip.failover_spread`` seconds. When a center dies, all its agents notice within the same second or two
        (their probes run every second): without the pause the backup gets every REGISTER at once
        (docs/engine.md, "Failover at scale")."""
        e = self.engine

        def switch() -> None:
            current = e.registrars[e.reg_index]
            if e.want_registered and current.alive is False and e.registrars[index].alive:
                e._switch_to(index, "failover")
            elif e.want_registered and current.alive is False:
                nxt = e._best_alive(exclude=e.reg_index)
                if nxt is not None:
                    e._switch_to(nxt, "failover")

        e._after(random.uniform(0.0, self.failover_spread_s), "failover", switch)

    @staticmethod
    def failback_pause() -> float:
        """The random pause before returning to a higher-priority registrar that answers again."""
        return random.uniform(0.0, FAILBACK_SPREAD_S)

    def registrar_back(self, index: int) -> bool:
        """The registrar in use answers again after an outage: recover now (after a short random pause).
        False when this is not our case (another registrar): the engine's own retry applies."""
        e = self.engine
        if index != e.reg_index or not e.want_registered:
            return False
        e._after(random.uniform(0.0, RECOVER_JITTER_S), "recover", lambda: self.recover("link back"))
        return True

    def recover(self, reason: str) -> None:
        e = self.engine
        now = time.monotonic()
        if e.account is None or not e.want_registered or now - self._recovered_at < RECOVER_EVERY_S:
            return
        self._recovered_at = now
        log.info("path to the center changed (%s): re-registering, re-inviting calls", reason)
        e.emit(P.PathRecovering(reason=reason))
        prm = pj.IpChangeParam()
        prm.restartListener = False  # our local address did not change
        e.relay_path_changed()  # TLS (agentdesk/sip/tls_relay.py): new TLS connections, a REGISTER over them
        e.ep.handleIpChange(prm)

    # ---- media watch ------------------------------------------------------------------------------------------
    def watch_media(self) -> None:
        now = time.monotonic()
        if now < self._next_look:
            return
        self._next_look = now + MEDIA_LOOK_S
        e = self.engine
        for call in e._live_calls():
            if call.training == "trainer" or call.state not in ("connected", "held"):
                continue
            try:
                packets = self._rx_packets(call)
            except pj.Error:
                continue
            if packets is None:
                continue
            watched = call.state == "connected" and not call.held_local and not call.held_remote
            change = self.watch.observe(call.number, packets, watched)
            if change is None:
                continue
            if change["state"] == "timeout":
                self._end_silent(call, change["silent_s"])
            else:
                e.emit(P.MediaEvent(call=call.number, **change))

    @staticmethod
    def _rx_packets(call: EngineCall) -> int | None:
        ci = call.getInfo()
        media = ci.media
        for i in range(len(media)):
            m = media[i]
            if m.type == pj.PJMEDIA_TYPE_AUDIO and m.status != pj.PJSUA_CALL_MEDIA_NONE:
                return int(call.getStreamStat(i).rtcp.rxStat.pkt)
        return None

    def _end_silent(self, call: EngineCall, silent_s: float) -> None:
        log.warning("call %s: no audio from the far end for %.0f s: ending it", call.number, silent_s)
        self.engine.emit(P.MediaEvent(call=call.number, state="lost", silent_s=silent_s))
        call.end_cause = "media_timeout"
        if call.isActive():
            op = pj.CallOpParam()
            op.reason = "No audio"
            call.hangup(op)

    def rtp_addresses(self, call: EngineCall, med_idx: int) -> dict[str, str]:
        """Where this call's RTP goes and comes from, and what our SDP said (stats; support reads it)."""
        out: dict[str, str] = {}
        try:
            si = call.getStreamInfo(med_idx)
            out["remote_rtp"] = str(si.remoteRtpAddress)
            ti = call.getMedTransportInfo(med_idx)
            out["local_rtp"] = str(ti.localRtpName)
            rewritten = self._sdp_public.get(call.number)
            if rewritten is not None and out["local_rtp"].rsplit(":", 1)[0] == rewritten[0]:
                out["local_rtp"] = f"{rewritten[1]}:{out['local_rtp'].rsplit(':', 1)[1]}"  # what our SDP said
            if str(ti.srcRtpName):
                out["rtp_source"] = str(ti.srcRtpName)
        except pj.Error:
            pass
        return out

    # ---- DTMF by SIP INFO -------------------------------------------------------------------------------------
    def _send_info(self, number: int, digit: str, duration_ms: int) -> None:
        call = self.engine.calls.get(number)
        if call is None or call.ended or not call.isActive():
            raise RuntimeError(f"call {number} has ended")
        prm = pj.CallSendRequestParam()
        prm.method = "INFO"
        prm.txOption.contentType = DTMF_INFO_TYPE
        prm.txOption.msgBody = info_body(digit, duration_ms)
        call.sendRequest(prm)

    def call_tsx(self, call: EngineCall, prm: Any) -> None:
        """A transaction of ``call`` changed state: the final answer to our INFO moves the digit queue on."""
        if call.number not in self.info_dtmf.in_flight:
            return
        ev = prm.e
        if ev.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        tsx = ev.body.tsxState.tsx
        if str(tsx.method) != "INFO" or tsx.role != pj.PJSIP_ROLE_UAC:
            return
        state = tsx.state
        if state == pj.PJSIP_TSX_STATE_COMPLETED or (
                state == pj.PJSIP_TSX_STATE_TERMINATED and ev.body.tsxState.prevState != pj.PJSIP_TSX_STATE_COMPLETED):
            self.info_dtmf.answered(call.number, int(tsx.statusCode) or 408)

    def call_ended(self, number: int) -> None:
        self.watch.forget(number)
        self._sdp_public.pop(number, None)
        self.info_dtmf.drop(number)

