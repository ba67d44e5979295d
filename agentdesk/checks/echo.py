"""The 20-second echo-test call: the phone engine (``agentdesk engine``, driven through EngineSupervisor) calls
the center's echo service, plays a reference signal and records what comes back.

Figures: RTCP round trip, jitter and loss from the engine's ``stats`` events (one a second, charted live), MOS by
the E-model (``agentdesk.sip.quality``, computed by the engine), and a score of the returned audio against what was
sent: ViSQOL (speech mode, pure Python; shipped) on a few seconds, or PESQ where the ``pesq`` package is installed
(it has no Windows wheel: development and tests only).

The reference is generated, not shipped: an artificial voice (ITU-T P.50 in spirit) of harmonic "syllables" with a
moving pitch and formants, separated by pauses.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from agentdesk.checks import audio

ECHO_SECONDS = 20.0
REFERENCE_RATE = 16000
SCORE_SECONDS = 4.0  # ViSQOL in pure Python takes about 1.4 s per second of audio on a slow machine
CONNECT_TIMEOUT_S = 15.0


def artificial_voice(seconds: float, rate: int = REFERENCE_RATE, seed: int = 7) -> np.ndarray:
    """Speech-like test signal: voiced syllables (150-250 ms, pitch 100-220 Hz, two formants shaped in the
    frequency domain) in words, with pauses, at about -20 dBFS active level. Numpy only (fast to make)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * rate), dtype=np.float64)
    harmonics = np.arange(1, 30)[:, None]
    pos = int(0.3 * rate)
    while pos < out.size - rate // 2:
        for _ in range(int(rng.integers(2, 6))):  # a word of 2-5 syllables
            n = int(rng.uniform(0.15, 0.25) * rate)
            if pos + n >= out.size:
                break
            t = np.arange(n) / rate
            f0 = rng.uniform(100, 220) * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(1, 3) * t))
            phase = 2 * np.pi * np.cumsum(f0) / rate
            source = (np.sin(harmonics * phase) / harmonics).sum(axis=0)
            spectrum = np.fft.rfft(source)
            freqs = np.fft.rfftfreq(n, 1 / rate)
            shape = np.zeros_like(freqs)
            for formant, bw in ((rng.uniform(300, 900), 80.0), (rng.uniform(900, 2500), 120.0)):
                shape += 1.0 / np.sqrt(1.0 + ((freqs - formant) / (bw / 2)) ** 2)
            syl = np.fft.irfft(spectrum * shape, n) * np.hanning(n)
            out[pos: pos + n] += syl
            pos += n + int(rng.uniform(0.02, 0.06) * rate)
        pos += int(rng.uniform(0.25, 0.6) * rate)
    active = out[np.abs(out) > 1e-4]
    level = np.sqrt(np.mean(active**2)) if active.size else 1.0
    return (out * (10 ** (-20 / 20) / level)).astype(np.float32)


def write_pcm16(path: Path, samples: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def align(reference: np.ndarray, returned: np.ndarray, rate: int, max_delay_s: float = 2.0) -> tuple[int, float]:
    """Delay (samples) of ``reference`` inside ``returned`` by cross-correlation, and the peak's correlation."""
    n = min(reference.size, returned.size)
    ref = reference[: min(n, int(6 * rate))]
    seg = returned[: ref.size + int(max_delay_s * rate)]
    if ref.size == 0 or seg.size < ref.size:
        return 0, 0.0
    size = 1 << int(np.ceil(np.log2(seg.size + ref.size)))
    full = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(ref, size)), size)
    c = full[: seg.size - ref.size + 1]  # "valid" lags: the reference wholly inside the returned audio
    lag = int(np.argmax(np.abs(c)))
    window = seg[lag: lag + ref.size]
    denom = float(np.linalg.norm(ref) * np.linalg.norm(window)) or 1.0
    return lag, float(abs(c[lag]) / denom)


def track_delay(reference: np.ndarray, returned: np.ndarray, rate: int, lag: int, window_s: float = 1.0,
                search_s: float = 0.1) -> list[tuple[int, float]]:
    """(lag, correlation) of each ``window_s`` of the reference, found within ``search_s`` of the previous window's
    lag: a jitter buffer that adds or drops a frame mid-call moves the delay by 20 ms, which no single lag fits."""
    win, search = int(window_s * rate), int(search_s * rate)
    out: list[tuple[int, float]] = []
    for start in range(0, reference.size - win + 1, win):
        ref = reference[start: start + win]
        norm = float(np.linalg.norm(ref))
        if norm < 1e-3:  # a pause in the voice: nothing to align on
            continue
        lo = max(0, start + lag - search)
        seg = returned[lo: start + lag + search + win]
        if seg.size < win:
            break
        c = np.correlate(seg, ref, mode="valid")
        best = int(np.argmax(np.abs(c)))
        window = seg[best: best + win]
        denom = norm * float(np.linalg.norm(window)) or 1.0
        lag = lo + best - start
        out.append((lag, float(abs(c[best]) / denom)))
    return out


def score_audio(reference: np.ndarray, returned: np.ndarray, rate: int) -> dict[str, Any]:
    """Align the returned audio to the reference and score a few seconds of it: PESQ (narrowband, MOS-LQO) when the
    ``pesq`` package is there, else ViSQOL speech mode. Each score names its method."""
    out: dict[str, Any] = {}
    if returned.size < rate or audio.dbfs(returned) < -70:
        out["audio_returned"] = False
        return out
    out["audio_returned"] = True
    lag, corr = align(reference, returned, rate)
    out["audio_delay_ms"] = round(1000 * lag / rate, 1)
    windows = track_delay(reference, returned, rate, lag)
    if windows:  # how much came back as sent, second by second (a playout step between seconds is no damage)
        corr = float(np.median([c for _lag, c in windows]))
        lags = [w_lag for w_lag, _c in windows]
        out["audio_delay_steps"] = sum(1 for a, b in itertools.pairwise(lags) if abs(a - b) > rate // 500)
        out["audio_delay_range_ms"] = round(1000 * (max(lags) - min(lags)) / rate, 1)
    out["correlation"] = round(corr, 3)
    start = int(1.0 * rate)  # skip the first second (jitter buffer settling)
    n = int(SCORE_SECONDS * rate)
    ref = reference[start: start + n].astype(np.float64)
    deg = returned[lag + start: lag + start + n].astype(np.float64)
    if deg.size < ref.size:
        ref = ref[: deg.size]
    if ref.size < rate:
        return out
    try:
        from pesq import pesq

        nb_ref = audio.resample(ref.astype(np.float32), rate, 8000)
        nb_deg = audio.resample(deg.astype(np.float32), rate, 8000)
        out["pesq_mos_lqo"] = round(float(pesq(8000, nb_ref, nb_deg, "nb")), 2)
        out["audio_score"] = out["pesq_mos_lqo"]
        out["audio_score_method"] = "PESQ (ITU-T P.862, narrowband)"
        return out
    except ImportError:
        pass
    except Exception as exc:  # PESQ refuses some signals (no utterance found): say so, do not fail the check
        out["pesq_error"] = str(exc)
    try:
        from visqol import VisqolApi

        with tempfile.TemporaryDirectory(prefix="agentdesk-visqol-") as tmp:
            rp = write_pcm16(Path(tmp) / "ref.wav", ref.astype(np.float32), rate)
            dp = write_pcm16(Path(tmp) / "deg.wav", deg.astype(np.float32), rate)
            api = VisqolApi()
            api.create(mode="speech", use_lattice_model=False)
            result = api.measure(str(rp), str(dp))
        out["visqol_mos_lqo"] = round(float(result.moslqo), 2)
        out["audio_score"] = out["visqol_mos_lqo"]
        out["audio_score_method"] = "ViSQOL v3 (speech mode)"
    except ImportError:
        out["audio_score_method"] = None
    except Exception as exc:
        out["visqol_error"] = str(exc)
    return out


class EchoTestError(Exception):
    """The test call could not be made; the message is for the agent (English; the check adds Japanese)."""


class EngineUnavailable(EchoTestError):
    """The phone engine itself did not start: a fault of this installation, not of the agent's network."""


def run_echo_test(
    target: str,
    account: dict[str, Any],
    bind: str,
    seconds: float = ECHO_SECONDS,
    on_sample: Any = None,
    cancel: threading.Event | None = None,
    register: bool = False,
    engine_argv: list[str] | None = None,
    engine_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Call ``target`` through the engine for ``seconds``; returns RTCP figures, MOS and the audio score."""
    from agentdesk.sip import protocol as P
    from agentdesk.sip.supervisor import EngineSupervisor

    events: queue.Queue[P.Event] = queue.Queue()
    tmp = Path(tempfile.mkdtemp(prefix="agentdesk-echo-"))
    reference = artificial_voice(seconds + 2.0)
    ref_path = write_pcm16(tmp / "reference.wav", reference, REFERENCE_RATE)
    rec_path = tmp / "returned.wav"
    sup = EngineSupervisor(events.put, argv=engine_argv, env=engine_env, restart=False)
    samples: list[P.Stats] = []
    result: dict[str, Any] = {"target": target, "seconds": seconds}

    def wait_for(pred: Callable[[P.Event], bool], timeout: float) -> P.Event | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                return None
            try:
                ev = events.get(timeout=min(0.2, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                continue
            if isinstance(ev, P.Stats):
                samples.append(ev)
            if pred(ev):
                return ev
        return None

    started_at = time.monotonic()
    try:
        sup.start()
        started = wait_for(lambda e: isinstance(e, P.EngineState) and e.state in ("ready", "died", "failed"), 20)
        if not isinstance(started, P.EngineState) or started.state != "ready":
            tail = " / ".join(list(sup.stderr_tail)[-3:])
            raise EngineUnavailable(f"the phone engine did not start{': ' + tail if tail else ''}")
        result["engine_start_s"] = round(time.monotonic() - started_at, 2)
        rep = sup.request(P.Configure(account=account,
                                      sip={"bind": bind, "port": 0, "stats_interval": 1.0, "probe": False},
                                      audio={"backend": "files", "play": str(ref_path), "record": str(rec_path)}), 15)
        if not rep.ok:
            raise EchoTestError(f"the phone engine refused the settings: {rep.error}")
        if register:
            sup.send(P.Register())
            reg = wait_for(lambda e: isinstance(e, P.Registration) and e.state in ("registered", "failed"), 10)
            if not isinstance(reg, P.Registration) or reg.state != "registered":
                why = reg.reason if isinstance(reg, P.Registration) else "no answer"
                raise EchoTestError(f"registration failed: {why}")
        rep = sup.request(P.Dial(uri=target), 10)
        if not rep.ok:
            raise EchoTestError(f"the test call could not be made: {rep.error}")
        call = rep.call
        ev = wait_for(lambda e: isinstance(e, P.CallEvent) and e.call == call and e.state in ("connected", "ended"),
                      CONNECT_TIMEOUT_S)
        if not isinstance(ev, P.CallEvent) or ev.state != "connected":
            code, reason = (ev.code or "", ev.reason or "no answer") if isinstance(ev, P.CallEvent) else ("", "no answer")
            raise EchoTestError(f"the echo service did not answer ({code} {reason})".strip())
        t0 = time.monotonic()
        result["call_setup_s"] = round(t0 - started_at - result["engine_start_s"], 2)
        while time.monotonic() - t0 < seconds and not (cancel is not None and cancel.is_set()):
            left = seconds - (time.monotonic() - t0)
            ev = wait_for(lambda e: isinstance(e, P.Stats | P.CallEvent) and e.call == call,
                          max(0.05, min(1.5, left)))
            if ev is None:
                continue
            if isinstance(ev, P.CallEvent) and ev.state == "ended":
                raise EchoTestError(f"the test call ended early ({ev.code} {ev.reason or ''})")
            if isinstance(ev, P.Stats) and on_sample is not None:
                on_sample(time.monotonic() - t0, ev.to_json())
        result["connected_s"] = round(time.monotonic() - t0, 1)
        final = sup.request(P.GetStats(call=call), 5)
        if final.ok:
            result.update({k: final.result.get(k) for k in ("codec", "rtt_ms", "jitter_ms", "loss_percent",
                                                            "rx_packets", "tx_packets", "mos", "r", "quality",
                                                            "srtp")})
        hangup_at = time.monotonic()
        sup.request(P.Hangup(call=call), 5)
        wait_for(lambda e: isinstance(e, P.CallEvent) and e.call == call and e.state == "ended", 5)
        result["hangup_s"] = round(time.monotonic() - hangup_at, 2)
    finally:
        stop_at = time.monotonic()
        with contextlib.suppress(Exception):
            sup.stop()
        result["engine_stop_s"] = round(time.monotonic() - stop_at, 2)
    result["samples"] = [{"rtt_ms": s.rtt_ms, "jitter_ms": s.jitter_ms, "loss_percent": s.loss_percent,
                          "mos": s.mos} for s in samples]
    scoring_from = time.monotonic()
    if rec_path.exists():
        try:
            returned, rate = audio.read_wav(rec_path)
            returned = audio.resample(returned, rate, REFERENCE_RATE)
            result.update(score_audio(reference, returned, REFERENCE_RATE))
        except audio.AudioInputError as exc:
            result["audio_returned"] = False
            result["recording_error"] = str(exc)
    else:
        result["audio_returned"] = False
    result["scoring_s"] = round(time.monotonic() - scoring_from, 2)
    with contextlib.suppress(OSError):
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    return result
