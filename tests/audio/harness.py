"""A minimal phone engine for the audio tests: one pjsua2 Endpoint on one thread, the null sound device for the
conference clock, and DeviceCallAudio as the call audio; JSON Lines commands on stdin, events on stdout.

It places a real SIP call to itself over loopback UDP (G.722 RTP by default): the outgoing leg is the agent's
(its audio goes through DeviceCallAudio to the virtual headset), the incoming leg is the far end (a WAV player
and a WAV recorder), so speech is scored end to end through real codecs, real RTP and real PortAudio streams.

Run: python -m tests.audio.harness   (the tests start it with the virtual headset's environment)
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import sys
import threading
import time
import traceback
from typing import Any

_out = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # pjlib prints to stdout: keep the protocol on the duplicate

import pjsua2 as pj  # noqa: E402

from agentdesk.sip.audio import DeviceCallAudio  # noqa: E402
from agentdesk.sip.protocol import Event  # noqa: E402


def emit(ev: dict[str, Any] | Event) -> None:
    """The harness's own events (dicts) and the backend's protocol events, one JSON line each."""
    _out.write(json.dumps(ev.to_json() if isinstance(ev, Event) else ev) + "\n")


class Call(pj.Call):
    def __init__(self, h: Harness, acc: pj.Account, call_id: int = pj.PJSUA_INVALID_ID, role: str = "agent") -> None:
        super().__init__(acc, call_id)
        self.h = h
        self.role = role
        self.media: Any = None

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        try:
            ci = self.getInfo()
            emit({"event": "call_state", "role": self.role, "state": ci.stateText})
            if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self.h.on_disconnected(self)
        except Exception:
            traceback.print_exc()

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        try:
            ci = self.getInfo()
            for mi in ci.media:
                if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    self.media = self.getAudioMedia(mi.index)
                    self.h.on_media(self)
                    emit({"event": "media", "role": self.role})
        except Exception:
            traceback.print_exc()


class Account(pj.Account):
    def __init__(self, h: Harness) -> None:
        super().__init__()
        self.h = h

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        try:
            call = Call(self.h, self, prm.callId, role="far")
            self.h.far = call
            op = pj.CallOpParam()
            op.statusCode = 200
            call.answer(op)
        except Exception:
            traceback.print_exc()


class Harness:
    def __init__(self) -> None:
        self.ep = pj.Endpoint()
        self.audio: DeviceCallAudio | None = None
        self.acc: Account | None = None
        self.agent: Call | None = None
        self.far: Call | None = None
        self.player: Any = None
        self.recorder: Any = None
        self.play_wav = ""
        self.record_wav = ""
        self.port = 0
        self.commands: queue.Queue[dict[str, Any]] = queue.Queue()
        self.running = True
        self.configured = False
        self.far_echo = False

    def configure(self, cmd: dict[str, Any]) -> None:
        ep = self.ep
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.clockRate = 16000
        cfg.medConfig.sndClockRate = 16000
        cfg.medConfig.channelCount = 1
        cfg.medConfig.audioFramePtime = 20
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        tcfg = pj.TransportConfig()
        tcfg.port = 0
        tcfg.boundAddress = "127.0.0.1"
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
        self.port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        codec = cmd.get("codec", "G722/16000")
        for c in ep.codecEnum2():
            ep.codecSetPriority(c.codecId, 255 if c.codecId.startswith(codec.split("/")[0] + "/") else 0)
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:agent@127.0.0.1:{self.port}"
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        # RTP away from pjsua's default 4000, which other engines on this machine use at the same time
        acfg.mediaConfig.transportConfig.port = random.randrange(20000, 60000, 2)
        acfg.mediaConfig.transportConfig.portRange = 200
        self.acc = Account(self)
        self.acc.create(acfg)
        self.far_echo = bool(cmd.get("far_echo", False))  # the far end sends back what it hears (delay tests)
        audio = cmd.get("audio", {})
        if audio.get("backend", "devices") == "devices":
            self.audio = DeviceCallAudio(emit, audio)
            self.audio.start()
        self.configured = True
        emit({"event": "configured", "port": self.port})

    def call(self, cmd: dict[str, Any]) -> None:
        assert self.acc is not None
        self.play_wav = cmd.get("play", "")
        self.record_wav = cmd.get("record", "")
        self.agent_play_wav = cmd.get("agent_play", "")  # with backend "none": the codec path without the headset
        self.agent = Call(self, self.acc, role="agent")
        op = pj.CallOpParam(True)
        self.agent.makeCall(f"sip:far@127.0.0.1:{self.port}", op)

    def on_media(self, call: Call) -> None:
        if call.role == "agent" and self.audio is not None:
            self.audio.attach(0, call.media)
        elif call.role == "agent" and getattr(self, "agent_play_wav", ""):
            self.agent_player = pj.AudioMediaPlayer()
            self.agent_player.createPlayer(self.agent_play_wav, pj.PJMEDIA_FILE_NO_LOOP)
            self.agent_player.startTransmit(call.media)
        elif call.role == "far":
            if self.far_echo:
                call.media.startTransmit(call.media)
            if self.record_wav and self.recorder is None:
                self.recorder = pj.AudioMediaRecorder()
                self.recorder.createRecorder(self.record_wav)
                call.media.startTransmit(self.recorder)
            if self.play_wav and self.player is None:
                self.player = pj.AudioMediaPlayer()
                self.player.createPlayer(self.play_wav, pj.PJMEDIA_FILE_NO_LOOP)
                self.player.startTransmit(call.media)

    def on_disconnected(self, call: Call) -> None:
        if call.role == "agent" and self.audio is not None:
            self.audio.detach(0)

    def hangup(self) -> None:
        if self.audio is not None:
            self.audio.detach(0)
        if self.agent is not None and self.agent.isActive():
            self.agent.hangup(pj.CallOpParam())
        end = time.monotonic() + 3
        while time.monotonic() < end and any(c is not None and c.isActive() for c in (self.agent, self.far)):
            self.ep.libHandleEvents(10)
        if self.far is not None and self.far.media is not None:
            for m in (self.player, self.recorder):
                if m is not None:
                    with contextlib.suppress(Exception):
                        self.far.media.stopTransmit(m) if m is self.recorder else m.stopTransmit(self.far.media)
        self.player = None
        self.recorder = None  # closes the WAV file
        import gc

        gc.collect()
        self.ep.libHandleEvents(10)
        emit({"event": "hung_up"})

    def run(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()
        while self.running:
            try:
                cmd = self.commands.get_nowait()
            except queue.Empty:
                cmd = None
            if cmd is not None:
                self._do(cmd)
            if self.configured:
                self.ep.libHandleEvents(10)
                if self.audio is not None:
                    self.audio.poll()
            else:
                time.sleep(0.01)
        self.shutdown()

    def _do(self, cmd: dict[str, Any]) -> None:
        name = cmd.get("cmd")
        try:
            if name == "configure":
                self.configure(cmd)
            elif name == "call":
                self.call(cmd)
            elif name == "hangup":
                self.hangup()
            elif name == "mute":
                assert self.audio is not None
                self.audio.set_mute(bool(cmd.get("muted", True)))
                emit({"event": "reply", "cmd": "mute"})
            elif name == "cpu":
                t = os.times()
                emit({"event": "reply", "cmd": "cpu", "user": t.user, "system": t.system,
                      "monotonic": time.monotonic()})
            elif name == "quit":
                self.running = False
            else:
                assert self.audio is not None
                extra = self.audio.handle(cmd)
                emit({"event": "reply", "cmd": name, **(extra or {"unknown": True})})
        except Exception as exc:
            emit({"event": "error", "cmd": name, "message": str(exc)})

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.commands.put(json.loads(line))
        self.commands.put({"cmd": "quit"})

    def shutdown(self) -> None:
        try:
            if self.agent is not None or self.far is not None:
                self.hangup()
            if self.audio is not None:
                self.audio.stop()
                self.audio = None
            self.agent = self.far = None
            self.acc = None
            import gc

            gc.collect()
            self.ep.libDestroy()
        finally:
            emit({"event": "stopped"})


if __name__ == "__main__":
    Harness().run()
