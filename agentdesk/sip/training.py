"""Call training in the trainee's engine: an authorised trainer's call is mixed into the trainee's customer call.

The trainer calls the trainee's engine (through the center's proxy) while the trainee is on a customer call. The
engine answers that leg itself (it never rings, never holds the customer) and wires the conference bridge:

=========  ==============================  ==============================  =======================
mode       the trainer hears               the trainee hears               the customer hears
=========  ==============================  ==============================  =======================
monitor    customer + trainee              customer                        trainee
whisper    customer + trainee              customer + trainer              trainee
barge      customer + trainee              customer + trainer              trainee + trainer
=========  ==============================  ==============================  =======================

Only bridge connections change when the mode changes: no leg is re-INVITEd or dropped. The audio backend keeps
its own connections (the agent's microphone to each customer call, each customer call to the agent's ear); this
module adds the training ones, computed from the state by :func:`connections` (pure, tested without pjsua2) and
applied as a difference by :class:`TrainingMixer` (on the endpoint thread only, like everything pjsua2).

Signalling (docs/engine-protocol.md, "Call training"): the trainer's INVITE carries ``X-AgentDesk-Training:
<mode>``; mode changes and text hints travel as in-dialog SIP MESSAGE requests with the content type
``application/x-agentdesk-training+json``; a plain softphone used as a trainer switches with DTMF 1/2/3.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentdesk.sip.protocol import Emit, TrainerHint, TrainerJoined, TrainerLeft, TrainerMode

log = logging.getLogger("agentdesk.sip.training")

MODES = ("monitor", "whisper", "barge")
HEADER = "X-AgentDesk-Training"
CONTENT_TYPE = "application/x-agentdesk-training+json"
DTMF_MODES = {"1": "monitor", "2": "whisper", "3": "barge"}
MAX_HINT = 500  # characters of one text hint
# The join tone (two short 2.2 kHz beeps) and the mode tone (one short 1.76 kHz beep), to the trainee's ear only.
JOIN_TONE = ((2200, 120, 60), (2200, 120, 60))
MODE_TONE = ((1760, 90, 30),)

Key = tuple[str, int]  # ("call", n), ("mic", 0), ("ear", 0), ("tone", 0)
MIC: Key = ("mic", 0)
EAR: Key = ("ear", 0)
TONE: Key = ("tone", 0)



def address_of(uri: str) -> str:
    """``"Trainer" <sip:Trainer1@agentdesk.test;transport=udp>`` -> ``trainer1@agentdesk.test`` (for comparison)."""
    text = str(uri).strip()
    m = re.search(r"<([^>]*)>", text)
    if m:
        text = m.group(1)
    text = re.sub(r"^sips?:", "", text.strip(), flags=re.I)
    text = text.split(";", 1)[0].split("?", 1)[0]
    user, at, host = text.partition("@")
    if not at:
        return text.lower()
    return f"{user}@{host.split(':', 1)[0].lower()}".lower()


def parse_mode(value: Any) -> str:
    mode = str(value or "").strip().lower()
    if mode not in MODES:
        raise ValueError(f'training mode must be monitor, whisper or barge (not "{value}")')
    return mode


def connections(customers: list[int], legs: dict[int, str], mic: bool, ear: bool,
                tone: bool = False) -> set[tuple[Key, Key]]:
    """The bridge connections call training adds, as (source, sink) pairs.

    ``customers``: the calls the audio backend has attached (the agent's live conversation); ``legs``: trainer
    call -> mode; ``mic``/``ear``: whether the backend exposes the agent's microphone and ear ports.
    """
    out: set[tuple[Key, Key]] = set()
    for t, mode in legs.items():
        tk: Key = ("call", t)
        for c in customers:
            out.add((("call", c), tk))  # every trainer hears the customer...
        if mic:
            out.add((MIC, tk))  # ...and the trainee
        for u, other in legs.items():
            if u != t and other == "barge":
                out.add((("call", u), tk))  # a barging trainer is part of the conversation the others hear
        if mode in ("whisper", "barge") and ear:
            out.add((tk, EAR))
        if mode == "barge":
            for c in customers:
                out.add((tk, ("call", c)))
    if tone and legs and ear:
        out.add((TONE, EAR))
    return out


@dataclass
class TrainerLeg:
    call: int
    trainer: str
    mode: str
    media: Any = None  # the leg's pj.AudioMedia while its audio is active


@dataclass
class TrainingConfig:
    trainers: list[str] = field(default_factory=list)
    max_trainers: int = 1
    tone: bool = True

    @classmethod
    def parse(cls, raw: Any) -> TrainingConfig:
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ValueError('"training" must be an object such as {"trainers": ["sip:trainer1@example.jp"]}')
        trainers = raw.get("trainers") or []
        if isinstance(trainers, str):
            trainers = [trainers]
        if not isinstance(trainers, list) or not all(isinstance(t, str) and t.strip() for t in trainers):
            raise ValueError('"training.trainers" must be a list of SIP addresses')
        max_trainers = int(raw.get("max_trainers", 1))
        if not 1 <= max_trainers <= 2:
            raise ValueError('"training.max_trainers" must be 1 or 2 (the engine holds at most 4 calls)')
        return cls(trainers=[str(t).strip() for t in trainers], max_trainers=max_trainers,
                   tone=bool(raw.get("tone", True)))


class TrainingMixer:
    """Trainer legs and the bridge connections for them. Endpoint thread only.

    ``agent_media`` returns the backend's (microphone, ear) pj.AudioMedia, either None when the backend has none
    (``CallAudio.agent_media``, optional).
    """

    def __init__(self, emit: Emit, agent_media: Callable[[], tuple[Any, Any]]) -> None:
        self.emit = emit
        self.agent_media = agent_media
        self.config = TrainingConfig()
        self.legs: dict[int, TrainerLeg] = {}
        self.customers: dict[int, Any] = {}
        self.active: set[tuple[Key, Key]] = set()
        self._media: dict[Key, Any] = {}  # the objects behind the keys of self.active (to stop them later)
        self.tone: Any = None  # pj.ToneGenerator, made on the first join
        # practice calls only: call -> [(source media, pj.AudioMediaRecorder)] (agent's voice, customer role)
        self.recordings: dict[int, list[tuple[Any, Any]]] = {}

    # ---- configuration and authorisation ----------------------------------------------------------------------
    def configure(self, config: TrainingConfig) -> None:
        self.config = config

    def authorised(self, remote: str) -> bool:
        who = address_of(remote)
        return any(address_of(t) == who for t in self.config.trainers)

    def is_leg(self, call: int) -> bool:
        return call in self.legs

    # ---- legs -------------------------------------------------------------------------------------------------
    def add_leg(self, call: int, remote: str, mode: str) -> TrainerLeg:
        leg = TrainerLeg(call, remote, mode)
        self.legs[call] = leg
        return leg

    def leg_media(self, call: int, media: Any | None) -> None:
        """A trainer leg's audio became active (media) or stopped (None)."""
        leg = self.legs.get(call)
        if leg is None:
            return
        first = leg.media is None and media is not None
        leg.media = media
        self.sync()
        if first:
            self.emit(TrainerJoined(call=call, trainer=leg.trainer, mode=leg.mode,
                                    customer_calls=sorted(self.customers)))
            self.play(JOIN_TONE)

    def leg_ended(self, call: int, code: int, reason: str, duration: float) -> None:
        leg = self.legs.pop(call, None)
        if leg is None:
            return
        self.sync()
        self.emit(TrainerLeft(call=call, trainer=leg.trainer, code=code, reason=reason, duration=duration))

    def set_mode(self, call: int, mode: str, by: str) -> dict[str, Any]:
        leg = self.legs.get(call)
        if leg is None:
            raise ValueError(f"call {call} is not a trainer's call")
        mode = parse_mode(mode)
        changed = mode != leg.mode
        leg.mode = mode
        self.sync()
        if changed:
            self.emit(TrainerMode(call=call, trainer=leg.trainer, mode=mode, by="trainer" if by == "trainer" else "local"))
            self.play(MODE_TONE)
        return {"call": call, "mode": mode}

    def message(self, call: int, content_type: str, body: str) -> None:
        """An in-dialog MESSAGE on a trainer leg: a mode change and/or a text hint."""
        leg = self.legs.get(call)
        if leg is None or content_type.split(";")[0].strip().lower() != CONTENT_TYPE:
            return
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            log.warning("training message on call %s is not a JSON object: ignored", call)
            return
        if data.get("mode") is not None:
            try:
                self.set_mode(call, data["mode"], "trainer")
            except ValueError as exc:
                log.warning("training message on call %s: %s", call, exc)
        hint = data.get("hint")
        if isinstance(hint, str) and hint.strip():
            self.emit(TrainerHint(call=call, trainer=leg.trainer, text=hint.strip()[:MAX_HINT]))

    def dtmf(self, call: int, digit: str) -> bool:
        """DTMF on a trainer leg (a plain softphone as trainer): 1 monitor, 2 whisper, 3 barge."""
        if call not in self.legs:
            return False
        mode = DTMF_MODES.get(digit)
        if mode is not None:
            self.set_mode(call, mode, "trainer")
        return True

    # ---- the trainee's own calls ------------------------------------------------------------------------------
    def customer_media(self, call: int, media: Any | None) -> None:
        """A (non-trainer) call was attached to the audio backend (media) or detached (None)."""
        if media is None:
            self.stop_recording(call)
            if self.customers.pop(call, None) is None:
                return
        else:
            self.customers[call] = media
        if self.legs:
            self.sync()
        elif media is None:
            self._forget(("call", call))

    # ---- practice-call recording (the score sheet's talk/silence and quality figures) --------------------------
    def record_practice(self, call: int, agent_path: str | None, customer_path: str | None) -> dict[str, Any]:
        """Record the agent's own voice and the simulated customer's, each to its own WAV, until the call's audio
        stops. The engine allows this on practice calls only (docs/training.md: no real customer is recorded)."""
        import pjsua2 as pj

        media = self.customers.get(call)
        if media is None:
            raise ValueError(f"call {call} has no audio yet")
        mic, _ear = self.agent_media()
        self.stop_recording(call)
        made: list[tuple[Any, Any]] = []
        for source, path in ((mic, agent_path), (media, customer_path)):
            if not path or source is None:
                continue
            rec = pj.AudioMediaRecorder()
            rec.createRecorder(str(path))
            source.startTransmit(rec)
            made.append((source, rec))
        self.recordings[call] = made
        return {"call": call, "agent": agent_path if mic is not None else None, "customer": customer_path}

    def stop_recording(self, call: int) -> None:
        for source, rec in self.recordings.pop(call, []):
            with contextlib.suppress(Exception):
                source.stopTransmit(rec)
        # the recorders' destructors (when the list goes) finish the WAV headers

    def status(self) -> dict[str, Any]:
        return {"trainers": list(self.config.trainers),
                "legs": [{"call": leg.call, "trainer": leg.trainer, "mode": leg.mode, "audio": leg.media is not None}
                         for leg in self.legs.values()],
                "customer_calls": sorted(self.customers)}

    # ---- the bridge -------------------------------------------------------------------------------------------
    def _objects(self) -> dict[Key, Any]:
        objs: dict[Key, Any] = {}
        mic, ear = self.agent_media()
        if mic is not None:
            objs[MIC] = mic
        if ear is not None:
            objs[EAR] = ear
        for n, media in self.customers.items():
            objs[("call", n)] = media
        for leg in self.legs.values():
            if leg.media is not None:
                objs[("call", leg.call)] = leg.media
        if self.tone is not None:
            objs[TONE] = self.tone
        return objs

    def sync(self) -> None:
        """Make the bridge match :func:`connections` for the current state (stop what is extra, start what is
        missing)."""
        objs = self._objects()
        legs = {leg.call: leg.mode for leg in self.legs.values() if leg.media is not None}
        if legs and self.config.tone and self.tone is None:
            self._make_tone()
            if self.tone is not None:
                objs[TONE] = self.tone
        want = connections(sorted(self.customers), legs, MIC in objs, EAR in objs, self.tone is not None)
        for src, dst in sorted(self.active - want):
            a, b = self._media.get(src), self._media.get(dst)
            if a is not None and b is not None:
                with contextlib.suppress(Exception):  # a port already gone from the bridge
                    a.stopTransmit(b)
        self.active &= want
        for src, dst in sorted(want - self.active):
            a, b = objs.get(src), objs.get(dst)
            if a is None or b is None:
                continue
            try:
                a.startTransmit(b)
            except Exception as exc:  # pj.Error: log and go on, the rest of the mix still works
                log.warning("training: connect %s -> %s failed: %s", src, dst, exc)
                continue
            self.active.add((src, dst))
        self._media = {k: v for k, v in objs.items()}

    def _forget(self, key: Key) -> None:
        self.active = {(a, b) for a, b in self.active if key not in (a, b)}

    def _make_tone(self) -> None:
        try:
            import pjsua2 as pj

            tone = pj.ToneGenerator()
            tone.createToneGenerator(16000, 1)
            self.tone = tone
        except Exception as exc:
            log.warning("training: no tone generator: %s", exc)

    def play(self, pattern: tuple[tuple[int, int, int], ...]) -> None:
        if self.tone is None or not self.config.tone:
            return
        try:
            import pjsua2 as pj

            vec = pj.ToneDescVector()
            for freq, on, off in pattern:
                d = pj.ToneDesc()
                d.freq1 = freq
                d.freq2 = 0
                d.on_msec = on
                d.off_msec = off
                d.volume = 0
                d.flags = 0
                vec.append(d)
            self.tone.play(vec, False)
        except Exception as exc:
            log.warning("training: tone failed: %s", exc)

    def stop(self) -> None:
        """Before libDestroy (and before the audio backend changes): disconnect and drop every pjsua2 object."""
        for call in list(self.recordings):
            self.stop_recording(call)
        self.legs.clear()
        self.customers.clear()
        for src, dst in sorted(self.active):
            a, b = self._media.get(src), self._media.get(dst)
            if a is not None and b is not None:
                with contextlib.suppress(Exception):
                    a.stopTransmit(b)
        self.active.clear()
        self._media.clear()
        self.tone = None
