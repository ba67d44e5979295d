"""Room noise: background level, voices and transients in a silent interval, and the speech-to-noise ratio.

The agent stays silent for a few seconds while the microphone records, then reads a sentence aloud. A USB
headset rarely reports its microphone's sensitivity, so absolute dB(A) cannot be known; the deciding figure is
the speech-to-noise ratio (SNR): the agent's active speech level against the room's level in the silent interval.

Thresholds (design.md, "Quality figures to use"):
- SNR >= 25 dB good (pass); 20-25 dB marginal (warn); < 20 dB poor (fail).
- Voices in the "silent" interval (voice-activity detection, WebRTC VAD) mean people or a TV in the room: fail
  when they add up to VOICE_FAIL_S or more.
- Transients (a door, an intercom, a siren onset: TRANSIENT_RISE_DB above the steady floor, shorter than
  TRANSIENT_MAX_S): one or two are a warning (the room is not reliably quiet), TRANSIENT_FAIL_COUNT or more fail.
- Without a speech recording only the level can be judged, against the typical digital level of a headset
  microphone at normal gain in a quiet room: above LEVEL_FAIL_DBFS (loud steady noise: a fan, an air conditioner
  nearby, traffic) fails, above LEVEL_WARN_DBFS warns. These are coarse, which is why the wizard always asks for
  the read-aloud step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agentdesk.checks import audio
from agentdesk.checks.base import Check, CheckContext, CheckResult, Status
from agentdesk.i18n import Text

SNR_GOOD_DB = 25.0
SNR_MARGINAL_DB = 20.0
VOICE_FAIL_S = 0.3
TRANSIENT_RISE_DB = 20.0
TRANSIENT_MIN_DBFS = -45.0
TRANSIENT_MAX_S = 0.5
TRANSIENT_FAIL_COUNT = 3
LEVEL_WARN_DBFS = -55.0
LEVEL_FAIL_DBFS = -45.0

RATE = 16000
FRAME_MS = 30
FRAME = RATE * FRAME_MS // 1000
VAD_MODE = 3  # the most aggressive: fewest false voices from noise
VOICE_ABOVE_FLOOR_DB = 6.0
VOICE_MIN_DBFS = -65.0
GAP_FRAMES = 10  # voiced frames closer than 300 ms belong to one segment
MIN_SEGMENT_FRAMES = 10  # a segment needs 300 ms of voiced frames

READ_ALOUD = Text(
    ja="お電話ありがとうございます。サポートセンターの担当でございます。ご契約番号をお伺いできますでしょうか。",
    en="Thank you for calling the support center. May I have your contract number, please?",
)


@dataclass
class Segment:
    start_s: float
    duration_s: float

    def as_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 2), "duration_s": round(self.duration_s, 2)}


@dataclass
class RoomAnalysis:
    duration_s: float
    level_dbfs: float  # power average of the interval without transients
    floor_dbfs: float  # 20th percentile of 30 ms frame levels: the steady background
    peak_dbfs: float
    voices: list[Segment] = field(default_factory=list)
    transients: list[Segment] = field(default_factory=list)

    @property
    def voice_seconds(self) -> float:
        return sum(s.duration_s for s in self.voices)

    def as_dict(self) -> dict[str, Any]:
        return {
            "duration_s": round(self.duration_s, 2),
            "background_dbfs": round(self.level_dbfs, 1),
            "floor_dbfs": round(self.floor_dbfs, 1),
            "peak_dbfs": round(self.peak_dbfs, 1),
            "voices_detected": len(self.voices),
            "voice_seconds": round(self.voice_seconds, 2),
            "voices": [s.as_dict() for s in self.voices],
            "transients": len(self.transients),
            "transient_times": [s.as_dict() for s in self.transients],
        }


def _frames(samples: np.ndarray) -> np.ndarray:
    n = samples.size // FRAME
    return samples[: n * FRAME].reshape(n, FRAME)


def _frame_db(frames: np.ndarray) -> np.ndarray:
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    levels: np.ndarray = np.maximum(audio.FLOOR_DBFS, 10 * np.log10(np.maximum(power, 1e-20)))
    return levels


def _vad_flags(frames: np.ndarray) -> np.ndarray:
    import webrtcvad

    vad = webrtcvad.Vad(VAD_MODE)
    pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
    return np.array([vad.is_speech(f.tobytes(), RATE) for f in pcm], dtype=bool)


def _segments(flags: np.ndarray, gap: int, min_frames: int) -> list[tuple[int, int, int]]:
    """(first, last, count of flagged frames) of runs of flagged frames, bridging gaps up to ``gap`` frames."""
    runs: list[tuple[int, int, int]] = []
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return runs
    start = prev = int(idx[0])
    count = 1
    for i in idx[1:]:
        i = int(i)
        if i - prev > gap + 1:
            runs.append((start, prev, count))
            start, count = i, 0
        prev = i
        count += 1
    runs.append((start, prev, count))
    return [r for r in runs if r[2] >= min_frames]


def _power_mean_db(levels_db: np.ndarray) -> float:
    if levels_db.size == 0:
        return audio.FLOOR_DBFS
    return audio.power_to_db(float(np.mean(np.power(10.0, levels_db / 10.0))))


def analyse_room(samples: np.ndarray, rate: int) -> RoomAnalysis:
    x = audio.resample(samples, rate, RATE)
    frames = _frames(x)
    if len(frames) == 0:
        return RoomAnalysis(0.0, audio.FLOOR_DBFS, audio.FLOOR_DBFS, audio.FLOOR_DBFS)
    levels = _frame_db(frames)
    floor = float(np.percentile(levels, 20))
    frame_s = FRAME_MS / 1000
    # Transients: short loud events well above the floor.
    loud = (levels >= floor + TRANSIENT_RISE_DB) & (levels >= TRANSIENT_MIN_DBFS)
    transients: list[Segment] = []
    transient_frames = np.zeros_like(loud)
    # Loud frames closer than 300 ms form one event (syllables of speech join into one long event); an event
    # no longer than TRANSIENT_MAX_S with quiet around it is a transient.
    for first, last, _ in _segments(loud, gap=GAP_FRAMES, min_frames=1):
        if (last - first + 1) * frame_s <= TRANSIENT_MAX_S:
            transients.append(Segment(first * frame_s, (last - first + 1) * frame_s))
            # The decay after a bang (up to 300 ms) is part of it, not a voice.
            transient_frames[first: min(len(levels), last + 11)] = True
    voiced = _vad_flags(frames) & (levels >= floor + VOICE_ABOVE_FLOOR_DB) & (levels >= VOICE_MIN_DBFS)
    voiced &= ~transient_frames
    voices = [Segment(first * frame_s, (last - first + 1) * frame_s)
              for first, last, _ in _segments(voiced, GAP_FRAMES, MIN_SEGMENT_FRAMES)]
    steady = levels[~transient_frames] if np.any(~transient_frames) else levels
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return RoomAnalysis(
        duration_s=x.size / RATE,
        level_dbfs=_power_mean_db(steady),
        floor_dbfs=floor,
        peak_dbfs=max(audio.FLOOR_DBFS, 20 * math.log10(peak)) if peak > 0 else audio.FLOOR_DBFS,
        voices=voices,
        transients=transients,
    )


def speech_level(samples: np.ndarray, rate: int) -> tuple[float | None, float]:
    """Active speech level (power mean of voiced frames, dBFS) and the seconds of speech found."""
    x = audio.resample(samples, rate, RATE)
    frames = _frames(x)
    if len(frames) == 0:
        return None, 0.0
    levels = _frame_db(frames)
    floor = float(np.percentile(levels, 10))
    voiced = _vad_flags(frames) & (levels >= floor + VOICE_ABOVE_FLOOR_DB) & (levels >= VOICE_MIN_DBFS)
    if int(voiced.sum()) < MIN_SEGMENT_FRAMES:
        return None, float(voiced.sum()) * FRAME_MS / 1000
    return _power_mean_db(levels[voiced]), float(voiced.sum()) * FRAME_MS / 1000


def snr_grade(snr_db: float) -> Status:
    """>= 25 dB good, 20-25 dB marginal, < 20 dB poor (design.md)."""
    if snr_db >= SNR_GOOD_DB:
        return "pass"
    if snr_db >= SNR_MARGINAL_DB:
        return "warn"
    return "fail"


_ORDER = {"pass": 0, "warn": 1, "fail": 2}


def judge(room: RoomAnalysis, speech_db: float | None, speech_s: float, speech_given: bool
          ) -> tuple[Status, list[Text], list[Text], dict[str, Any]]:
    """Status, findings, remedies and the extra details for a room analysis (and a speech level, if any)."""
    status: Status = "pass"
    findings: list[Text] = []
    remedies: list[Text] = []
    details: dict[str, Any] = room.as_dict()

    def worse(s: Status) -> None:
        nonlocal status
        if _ORDER[s] > _ORDER[status]:
            status = s

    if room.voice_seconds >= VOICE_FAIL_S:
        worse("fail")
        findings.append(Text(ja="静かにしている間に人の声（{n} 回、計 {s:.1f} 秒）が聞こえました。",
                             en="Voices were heard while you were silent ({n} times, {s:.1f} s in all)."
                             ).format(n=len(room.voices), s=room.voice_seconds))
        remedies.append(Text(ja="家族やペットの声、テレビ・ラジオの音が入らない、ドアを閉めた個室で行ってください。",
                             en="Work in a closed private room where family, pets, TV and radio cannot be heard."))
    n_tr = len(room.transients)
    if n_tr:
        worse("fail" if n_tr >= TRANSIENT_FAIL_COUNT else "warn")
        findings.append(Text(ja="突発的な大きな音が {n} 回ありました。", en="{n} sudden loud noise(s) occurred."
                             ).format(n=n_tr))
        remedies.append(Text(ja="インターホンやアラームを切り、物音のしないときにもう一度確認してください。"
                             "救急車や工事などの騒音がある間は業務を中断してください。",
                             en="Switch off the intercom and alarms, and check again when it is quiet. Pause work "
                             "while sirens or construction can be heard."))
    snr: float | None = None
    if speech_db is not None:
        snr = speech_db - room.level_dbfs
        details["speech_dbfs"] = round(speech_db, 1)
        details["speech_seconds"] = round(speech_s, 2)
        details["snr_db"] = round(snr, 1)
        grade = snr_grade(snr)
        details["snr_grade"] = {"pass": "good", "warn": "marginal", "fail": "poor"}[grade]
        worse(grade)
        findings.append(Text(ja="話し声と周囲の音の差（SN比）は {v:.1f} dB です（25 dB 以上で良好）。",
                             en="Speech-to-noise ratio is {v:.1f} dB (25 dB or more is good).").format(v=snr))
        if grade != "pass":
            remedies.append(Text(ja="エアコンや扇風機、換気扇から離れるか止め、窓を閉めてください。"
                                 "マイクを口元に近づけてください。",
                                 en="Move away from or switch off air conditioners, fans and vents, close the "
                                 "windows, and bring the microphone closer to your mouth."))
    else:
        details["snr_db"] = None
        if speech_given:
            worse("warn")
            findings.append(Text(ja="読み上げの声が聞き取れず、SN比を測れませんでした。",
                                 en="No speech was found in the read-aloud recording, so the speech-to-noise "
                                 "ratio could not be measured."))
            remedies.append(Text(ja="マイクが正しく選ばれているか確かめ、例文をはっきり読み上げてください。",
                                 en="Check that the right microphone is selected and read the sentence clearly."))
        level = room.level_dbfs
        if level > LEVEL_FAIL_DBFS:
            worse("fail")
        elif level > LEVEL_WARN_DBFS:
            worse("warn")
        if level > LEVEL_WARN_DBFS:
            findings.append(Text(ja="周囲の音が大きめです（{v:.1f} dBFS）。", en="The room is noisy ({v:.1f} dBFS)."
                                 ).format(v=level))
            remedies.append(Text(ja="エアコンや扇風機、換気扇から離れるか止め、窓を閉めてください。",
                                 en="Move away from or switch off air conditioners, fans and vents, and close "
                                 "the windows."))
    details["background_grade"] = ("loud" if room.level_dbfs > LEVEL_FAIL_DBFS else
                                   "noticeable" if room.level_dbfs > LEVEL_WARN_DBFS else "quiet")
    return status, findings, remedies, details


class NoiseCheck(Check):
    name = "noise"
    title = Text(ja="部屋の静かさ", en="Room noise")
    resource = "audio"

    def run(self, ctx: CheckContext) -> CheckResult:
        if ctx.noise_input:
            room_samples, room_rate = audio.read_wav(ctx.noise_input)
            speech = audio.read_wav(ctx.speech_input) if ctx.speech_input else None
            source = {"source": "file", "input": str(ctx.noise_input), "speech_input": ctx.speech_input}
        else:
            live = self._record_live(ctx)
            if isinstance(live, CheckResult):
                return live
            room_samples, room_rate, speech, source = live
        ctx.progress(self.name, 0.9)
        room = analyse_room(room_samples, room_rate)
        speech_db, speech_s = speech_level(*speech) if speech is not None else (None, 0.0)
        status, findings, remedies, details = judge(room, speech_db, speech_s, speech is not None)
        details.update(source)
        if status == "pass":
            summary = Text(ja="静かな環境です（周囲の音 {v:.1f} dBFS）。", en="The room is quiet ({v:.1f} dBFS)."
                           ).format(v=room.level_dbfs)
            if speech_db is not None:
                summary = Text(ja=summary.ja + findings[-1].ja, en=summary.en + " " + findings[-1].en)
        else:
            summary = Text(ja="".join(f.ja for f in findings), en=" ".join(f.en for f in findings))
        remedy = Text(ja="".join(r.ja for r in remedies), en=" ".join(r.en for r in remedies)) if remedies else None
        return self.result(status, summary, details, remedy)

    def _record_live(self, ctx: CheckContext) -> Any:
        devices = audio.list_devices()
        mic = audio.find_device(devices, ctx.input_device, "input")
        if mic is None and ctx.input_device is None:
            mic = next((d for d in devices if d.inputs > 0 and d.name in ("default", "pulse")), None) or next(
                (d for d in devices if d.inputs > 0), None)
        if mic is None:
            return self.result(
                "skipped", Text(ja="マイクが見つからないため、部屋の音を測れませんでした。",
                                en="No microphone was found, so the room could not be measured."),
                {"devices": [d.as_dict() for d in devices]},
                Text(ja="ヘッドセットを接続してから、もう一度確認してください。",
                     en="Connect the headset and run the check again."))
        total = ctx.quiet_seconds + ctx.speech_seconds

        def meter(phase: str, offset: float) -> Any:
            done = [0.0]

            def on_block(block: np.ndarray) -> None:
                done[0] += block.size / RATE
                ctx.progress(self.name, min(0.89, (offset + done[0]) / total * 0.89),
                             {"phase": phase, "level_dbfs": round(audio.dbfs(block), 1)})
            return on_block

        ctx.progress(self.name, 0.0, {"phase": "quiet", "prompt": Text(
            ja="そのまま静かにしていてください（{s:.0f} 秒）。", en="Please stay silent ({s:.0f} s)."
        ).format(s=ctx.quiet_seconds)})
        try:
            room = audio.record(mic.index, ctx.quiet_seconds, RATE, meter("quiet", 0.0), ctx.cancel)
            speech = None
            if ctx.speech_seconds > 0 and not ctx.cancel.is_set():
                ctx.progress(self.name, ctx.quiet_seconds / total * 0.89, {"phase": "speech", "prompt": Text(
                    ja="次の文をふだんの声で読み上げてください:「{t}」", en="Read this sentence aloud in your normal "
                    "voice: \u201c{t}\u201d").format(t=READ_ALOUD.ja)})
                speech = (audio.record(mic.index, ctx.speech_seconds, RATE, meter("speech", ctx.quiet_seconds),
                                       ctx.cancel), RATE)
        except Exception as exc:  # PortAudio could not open or read the microphone
            return self.result(
                "skipped", Text(ja="マイク（{d}）を使えなかったため、部屋の音を測れませんでした: {e}",
                                en="The microphone ({d}) could not be used, so the room was not measured: {e}"
                                ).format(d=mic.name, e=exc),
                {"device": mic.name, "error": str(exc)},
                Text(ja="ヘッドセットを挿し直し、ほかのアプリ（Web 会議など）を閉じてから、もう一度確認してください。",
                     en="Plug the headset in again, close other apps that use it (web meetings), and check again."))
        return room, RATE, speech, {"source": "microphone", "device": mic.name}
