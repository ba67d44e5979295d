"""The practice-call score sheet: how a trainee handled a call with the simulated customer (practice center).

Figures: time to answer; the agent's and the customer's talk share and the silence (nobody talking) share; the
longest silence; the script path taken against the scenario's expected path; whether and when the trainee
escalated; the recordings' quality figures (speech level, noise floor, speech-to-noise ratio, clipping) and the
call's network quality (MOS from the engine's stats).

Practice calls only: the two recordings (the trainee's voice, the simulated customer's) come from the engine's
``practice_record`` command, which refuses any call that is not a practice call. The sheet holds no customer data
(no contract details, no notes, no numbers) and is saved under ``data_dir()/training/practice/`` for the trainer.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdesk import paths
from agentdesk.i18n import Text
from agentdesk.safefiles import read_json
from agentdesk.sip import protocol as P

FRAME_S = 0.02
HANGOVER_S = 0.3  # gaps shorter than this inside speech are still speech (breaths, plosives)
MIN_THRESHOLD_DBFS = -50.0
SHEET_VERSION = 1
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")

if TYPE_CHECKING:
    import numpy as np
# numpy (~20 MB) is imported by the functions that score a finished practice call, not when the shift screen
# starts (the UI process imports this module for PracticeScorer; issue 20's memory budget)


# ---- audio figures ---------------------------------------------------------------------------------------------
def read_wav(path: Path) -> tuple[np.ndarray, int]:
    import numpy as np
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path.name}: expected 16-bit PCM")
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def frame_levels(samples: np.ndarray, rate: int) -> np.ndarray:
    """dBFS of each 20 ms frame."""
    import numpy as np
    n = int(rate * FRAME_S)
    count = len(samples) // n
    if count == 0:
        return np.zeros(0)
    frames = samples[: count * n].reshape(count, n)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-3) / 32768.0)


def voice_activity(levels: np.ndarray) -> tuple[np.ndarray, float]:
    """Active frames (energy above the noise floor + 12 dB, at least -50 dBFS), short gaps filled."""
    import numpy as np
    if len(levels) == 0:
        return np.zeros(0, dtype=bool), MIN_THRESHOLD_DBFS
    floor = float(np.percentile(levels, 10))
    threshold = max(MIN_THRESHOLD_DBFS, floor + 12.0)
    active = levels > threshold
    gap = int(HANGOVER_S / FRAME_S)
    idx = np.flatnonzero(active)
    for a, b in itertools.pairwise(idx):
        if 1 < b - a <= gap:
            active[a:b] = True
    return active, threshold


def recording_figures(samples: np.ndarray, rate: int) -> dict[str, Any]:
    import numpy as np
    levels = frame_levels(samples, rate)
    active, _threshold = voice_activity(levels)
    speech = levels[active]
    quiet = levels[~active]
    speech_db = float(np.median(speech)) if len(speech) else None
    noise_db = float(np.median(quiet)) if len(quiet) else float(np.percentile(levels, 10)) if len(levels) else None
    clipped = float(np.mean(np.abs(samples) >= 32700)) * 100 if len(samples) else 0.0
    return {"seconds": round(len(samples) / rate, 2) if rate else 0.0,
            "speech_level_dbfs": _r(speech_db), "noise_floor_dbfs": _r(noise_db),
            "speech_to_noise_db": _r(speech_db - noise_db) if speech_db is not None and noise_db is not None else None,
            "clipped_percent": round(clipped, 3), "active_percent": round(100 * float(np.mean(active)), 1)
            if len(active) else 0.0}


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, nd)


def talk_figures(agent: np.ndarray, customer: np.ndarray) -> dict[str, Any]:
    """Shares of the call (aligned activity frames) and the longest stretch of silence (nobody talking)."""
    import numpy as np
    n = min(len(agent), len(customer)) if len(customer) else len(agent)
    a = agent[:n]
    c = customer[:n] if len(customer) else np.zeros(n, dtype=bool)
    if n == 0:
        return {"agent_talk_percent": 0.0, "customer_talk_percent": 0.0, "overlap_percent": 0.0,
                "silence_percent": 0.0, "longest_silence_s": 0.0, "longest_silence_at_s": None}
    silent = ~(a | c)
    longest, at, run, start = 0, None, 0, 0
    for i, s in enumerate(silent):
        if s:
            if run == 0:
                start = i
            run += 1
            if run > longest:
                longest, at = run, start
        else:
            run = 0
    def pct(x: np.ndarray) -> float:
        return round(100 * float(np.mean(x)), 1)

    return {"agent_talk_percent": pct(a), "customer_talk_percent": pct(c), "overlap_percent": pct(a & c),
            "silence_percent": pct(silent), "longest_silence_s": round(longest * FRAME_S, 2),
            "longest_silence_at_s": round(at * FRAME_S, 2) if at is not None else None}


# ---- the script path -------------------------------------------------------------------------------------------
def path_match(expected: list[str], taken: list[str]) -> tuple[float, list[str], list[str]]:
    """(share of the expected steps taken in order, the missed ones, the extra ones) by longest common
    subsequence."""
    n, m = len(expected), len(taken)
    t = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            t[i][j] = t[i + 1][j + 1] + 1 if expected[i] == taken[j] else max(t[i + 1][j], t[i][j + 1])
    hit_e, hit_t = set(), set()
    i = j = 0
    while i < n and j < m:
        if expected[i] == taken[j]:
            hit_e.add(i)
            hit_t.add(j)
            i += 1
            j += 1
        elif t[i + 1][j] >= t[i][j + 1]:
            i += 1
        else:
            j += 1
    missed = [s for k, s in enumerate(expected) if k not in hit_e]
    extra = [s for k, s in enumerate(taken) if k not in hit_t]
    return (round(t[0][0] / n, 3) if n else 1.0), missed, extra


# ---- the sheet -------------------------------------------------------------------------------------------------
@dataclass
class PracticeTimeline:
    """What happened on one practice call (monotonic seconds)."""

    call_id: str
    scenario_id: str = ""
    expected_path: list[str] = field(default_factory=list)
    expected_wrap_up: str = ""
    should_escalate: bool = False
    engine_call: int | None = None
    offered_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    escalated_at: float | None = None
    script_path: list[str] = field(default_factory=list)
    wrap_up_code: str = ""
    escalated: bool = False
    quality: dict[str, Any] = field(default_factory=dict)  # the engine's last stats event
    agent_wav: Path | None = None
    customer_wav: Path | None = None


def score_sheet(tl: PracticeTimeline, trainee: str = "", trainee_name: str = "") -> dict[str, Any]:
    import numpy as np
    answer = (tl.answered_at - tl.offered_at) if tl.answered_at is not None and tl.offered_at is not None else None
    talk_s = (tl.ended_at - tl.answered_at) if tl.ended_at is not None and tl.answered_at is not None else None
    score, missed, extra = path_match(tl.expected_path, tl.script_path)
    rec: dict[str, Any] = {}
    talk: dict[str, Any] = {}
    act_a = act_c = np.zeros(0, dtype=bool)
    for who, path in (("agent", tl.agent_wav), ("customer", tl.customer_wav)):
        if path is None or not Path(path).is_file():
            rec[who] = None
            continue
        samples, rate = read_wav(Path(path))
        rec[who] = recording_figures(samples, rate)
        act, _ = voice_activity(frame_levels(samples, rate))
        if who == "agent":
            act_a = act
        else:
            act_c = act
    if len(act_a):
        talk = talk_figures(act_a, act_c)
    q = tl.quality
    rec["call"] = {k: q.get(k) for k in ("codec", "mos", "r", "quality", "jitter_ms", "loss_percent", "rtt_ms")} \
        if q else None
    escalated_after = (tl.escalated_at - tl.answered_at) if tl.escalated_at is not None and \
        tl.answered_at is not None else None
    escalation_ok = tl.escalated == tl.should_escalate
    feedback: list[Text] = []
    if answer is not None and answer > 10:
        feedback.append(Text(ja="応答まで {s} 秒かかりました。3 コール（約 10 秒）以内に出ましょう。",
                             en="It took {s} s to answer: answer within three rings (about 10 s).")
                        .format(s=f"{answer:.0f}"))
    if talk and talk["longest_silence_s"] >= 10:
        feedback.append(Text(ja="{s} 秒の沈黙がありました。調べている間も「お調べしますので少々お待ちください」と"
                                "声をかけましょう。",
                             en="There was a {s} s silence: tell the customer what you are doing while you look "
                                "things up.").format(s=f"{talk['longest_silence_s']:.0f}"))
    if missed:
        feedback.append(Text(ja="抜けていた手順: {steps}", en="Steps missed: {steps}").format(steps=", ".join(missed)))
    if not escalation_ok:
        feedback.append(Text(ja="この問い合わせはエスカレーションすべきでした。", en="This call should have been escalated.")
                        if tl.should_escalate else
                        Text(ja="この問い合わせはエスカレーションせずに解決できました。",
                             en="This call could have been solved without escalating."))
    if tl.expected_wrap_up and tl.wrap_up_code != tl.expected_wrap_up:
        feedback.append(Text(ja="後処理コードは「{code}」が適切です。", en='The right wrap-up code is "{code}".')
                        .format(code=tl.expected_wrap_up))
    return {
        "version": SHEET_VERSION,
        "practice": True,
        "call_id": tl.call_id,
        "scenario": tl.scenario_id,
        "trainee": trainee,
        "trainee_name": trainee_name or trainee,  # how the trainer's screen names the trainee
        "scored_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "time_to_answer_s": _r(answer, 2),
        "talk_seconds": _r(talk_s, 1),
        "talk": talk or None,
        "script": {"expected": list(tl.expected_path), "taken": list(tl.script_path), "path_score": score,
                   "missed": missed, "extra": extra},
        "escalation": {"expected": tl.should_escalate, "escalated": tl.escalated,
                       "after_s": _r(escalated_after, 1), "ok": escalation_ok},
        "wrap_up": {"code": tl.wrap_up_code, "expected": tl.expected_wrap_up,
                    "ok": (tl.wrap_up_code == tl.expected_wrap_up) if tl.expected_wrap_up else None},
        "recording": rec,
        "feedback": [t.as_dict() for t in feedback] or [Text(ja="よくできました。", en="Well done.").as_dict()],
    }


# ---- the store -------------------------------------------------------------------------------------------------
def sheets_dir(base: Path | None = None) -> Path:
    d = (base or paths.data_dir()) / "training" / "practice"
    d.mkdir(parents=True, exist_ok=True)
    return d


ALLOWED_KEYS = {"version", "practice", "call_id", "scenario", "trainee", "trainee_name", "scored_at", "time_to_answer_s",
                "talk_seconds", "talk", "script", "escalation", "wrap_up", "recording", "feedback"}


def save_sheet(sheet: dict[str, Any], base: Path | None = None) -> Path:
    """Write a sheet for the trainer; refuses anything that is not a practice sheet or carries other fields."""
    if sheet.get("practice") is not True:
        raise ValueError("only practice calls are scored and saved")
    unknown = set(sheet) - ALLOWED_KEYS
    if unknown:
        raise ValueError(f"unexpected fields in a score sheet: {sorted(unknown)}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{_SAFE_ID.sub('_', str(sheet.get('call_id') or 'call'))}.json"
    path = sheets_dir(base) / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sheet, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def load_sheets(base: Path | None = None) -> list[dict[str, Any]]:
    """Every saved sheet, newest first; unreadable files are skipped."""
    out = []
    for p in sorted(sheets_dir(base).glob("*.json"), reverse=True):
        try:
            data = read_json(p)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("practice") is True:
            data["_file"] = p.name
            out.append(data)
    return out


# ---- following a practice call ---------------------------------------------------------------------------------
class PracticeScorer:
    """Follows a practice call through the center's and the engine's events and writes its score sheet.

    ``send`` sends an engine command (the desk's engine ``send``); ``scenarios`` maps a scenario id to an object
    with ``expected_script_path``, ``expected_wrap_up`` and ``escalate`` (agentdesk.center.practice.data.Scenario).
    Thread-safe: events may arrive on different threads. ``on_sheet`` gets (path, sheet) when one is saved.
    """

    def __init__(self, send: Callable[[P.Command], object], scenarios: dict[str, Any], trainee: str = "",
                 base: Path | None = None, workdir: Path | None = None,
                 on_sheet: Callable[[Path, dict[str, Any]], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 lookup: Callable[[str], Any] | None = None,
                 enabled: Callable[[], bool] = lambda: True) -> None:
        self.send = send
        self.scenarios = scenarios
        self.trainee = trainee
        self.trainee_name = ""  # the name the center knows the trainee by (set by the shift screen at sign-in)
        self.base = base
        self.workdir = workdir or (sheets_dir(base).parent / "recordings")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.on_sheet = on_sheet
        self.clock = clock
        self.lookup = lookup  # practice call id -> scenario, when no practice_call event was seen
        self.enabled = enabled  # False: the center is not the practice center; nothing is recorded or scored
        self.calls: dict[str, PracticeTimeline] = {}
        self.by_engine: dict[int, str] = {}
        self.lock = threading.Lock()
        self.saved: list[Path] = []

    def on_center_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind != "practice_call":
            return
        call_id = str(data.get("call_id") or "")
        scenario = self.scenarios.get(str(data.get("scenario") or ""))
        if not call_id:
            return
        with self.lock:
            tl = self.calls.setdefault(call_id, PracticeTimeline(call_id))
            tl.scenario_id = str(data.get("scenario") or "")
            if scenario is not None:
                tl.expected_path = list(scenario.expected_script_path)
                tl.expected_wrap_up = str(scenario.expected_wrap_up)
                tl.should_escalate = bool(scenario.escalate)

    def on_engine_event(self, event: P.Event) -> None:
        now = self.clock()
        with self.lock:
            if isinstance(event, P.CallEvent) and event.state == "incoming":
                headers = {k.lower(): v for k, v in event.headers.items()}
                call_id = headers.get("x-agentdesk-practice")
                if not call_id or not self.enabled():
                    return
                tl = self.calls.setdefault(str(call_id), PracticeTimeline(str(call_id)))
                scenario = self.lookup(str(call_id)) if self.lookup is not None and not tl.scenario_id else None
                if scenario is not None:
                    tl.scenario_id = str(scenario.id)
                    tl.expected_path = list(scenario.expected_script_path)
                    tl.expected_wrap_up = str(scenario.expected_wrap_up)
                    tl.should_escalate = bool(scenario.escalate)
                tl.engine_call = event.call
                tl.offered_at = now
                self.by_engine[event.call] = tl.call_id
                return
            number = event.call if isinstance(event, P.CallEvent | P.TransferProgress | P.Stats) else None
            call_id = self.by_engine.get(number) if number is not None else None
            found = self.calls.get(call_id) if call_id else None
            if found is None:
                return
            tl = found
            if isinstance(event, P.CallEvent) and event.state == "connected" and tl.answered_at is None:
                tl.answered_at = now
                safe = _SAFE_ID.sub("_", tl.call_id)
                tl.agent_wav = self.workdir / f"{safe}-agent.wav"
                tl.customer_wav = self.workdir / f"{safe}-customer.wav"
                self.send(P.PracticeRecord(call=tl.engine_call, agent=str(tl.agent_wav),
                                           customer=str(tl.customer_wav)))
            elif isinstance(event, P.CallEvent) and event.state == "ended":
                tl.ended_at = now
            elif isinstance(event, P.TransferProgress) and tl.escalated_at is None:
                tl.escalated_at = now
            elif isinstance(event, P.Stats):
                tl.quality = event.to_json()

    def on_consult(self, engine_call: int) -> None:
        """A warm escalation started (the consult command) for this engine call."""
        with self.lock:
            tl = self.calls.get(self.by_engine.get(engine_call, ""))
            if tl is not None and tl.escalated_at is None:
                tl.escalated_at = self.clock()

    def on_wrap_up(self, payload: dict[str, Any], timeout: float = 3.0) -> Path | None:
        """The trainee's wrap-up of a practice call: score it and save the sheet (after the call has ended)."""
        call_id = str(payload.get("call_id") or "")
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                tl = self.calls.get(call_id)
                ready = tl is not None and (tl.ended_at is not None or tl.answered_at is None)
            if ready or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if tl is None:
            return None
        with self.lock:
            tl.script_path = [str(x) for x in payload.get("script_path") or []]
            tl.wrap_up_code = str(payload.get("code") or "")
            tl.escalated = bool(payload.get("escalated")) or tl.escalated_at is not None
            if tl.escalated_at is None and payload.get("escalated"):
                tl.escalated_at = tl.ended_at
        time.sleep(0.3)  # the engine finishes the recordings' WAV headers as the call's audio stops
        sheet = score_sheet(tl, self.trainee, self.trainee_name)
        path = save_sheet(sheet, self.base)
        for wav in (tl.agent_wav, tl.customer_wav):  # the figures are in the sheet: the voices are not kept
            if wav is not None:
                wav.unlink(missing_ok=True)
        self.saved.append(path)
        if self.on_sheet is not None:
            self.on_sheet(path, sheet)
        return path
