"""Network quality to the center: RTT, jitter and loss from SIP OPTIONS probes over UDP, MOS by the E-model.

Any SIP response (200, 404, 405, 483...) proves the round trip; a probe without a response within
PROBE_TIMEOUT_S is lost. The E-model is ``agentdesk.sip.quality`` (shared with the engine).

What a call hears is one direction, a probe measures the round trip: the figures are one-way, for a line taken as
symmetric (the same loss and jitter both ways, independent packet to packet):
- loss: a probe is lost when either leg loses it, so the round-trip loss L gives one-way 1 - sqrt(1 - L);
- jitter: consecutive round trips differ by both legs' variations, so the one-way RFC 3550 jitter is the mean
  absolute difference of consecutive round-trip times divided by sqrt(2).
Enough probes that a 3 %-loss line cannot read 0 %: DEFAULT_PROBES (200, 10 s at 20 a second) see a 3 % one-way
line lose 5.9 % of its probes; 0 of 200 then happens with probability 5e-6, and the one-way figure's 95 %
interval is about +-1.7 points (given as ``loss_ci95_percent``). The echo call (1,000 packets each way in 20 s)
narrows it to about +-0.8 points; its figures are converted the same way (the echo sends our own stream back).

Thresholds (design.md, peers: Teams, Twilio; Japan's 0AB-J class A):
- pass: RTT < 100 ms, jitter < 30 ms, loss < 1 %, and R > 80;
- fail: no answer at all, RTT > 400 ms, loss >= 5 %, or MOS <= 3.0 (Twilio's "degraded");
- otherwise warn.
When an echo target is configured and the phone engine is available, a 20-second echo-test call adds RTCP
figures (``agentdesk.checks.echo``).
"""

from __future__ import annotations

import itertools
import math
import secrets
import select
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from agentdesk.checks.base import Check, CheckContext, CheckResult, Status
from agentdesk.i18n import Text
from agentdesk.sip import quality

PROBE_TIMEOUT_S = 1.0
RTT_GOOD_MS = 100.0
RTT_BAD_MS = 400.0
JITTER_GOOD_MS = 30.0
LOSS_GOOD_PERCENT = 1.0
LOSS_BAD_PERCENT = 5.0
MOS_DEGRADED = 3.0
DEFAULT_PROBES = 200  # CheckContext.probe_count: see the module's docstring for the confidence it buys


def one_way_loss(round_trip_percent: float) -> float:
    """One direction's loss on a symmetric line that loses ``round_trip_percent`` of round trips."""
    rt = min(max(round_trip_percent, 0.0), 100.0) / 100
    return 100.0 * (1.0 - math.sqrt(1.0 - rt))


def loss_interval(lost: int, sent: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % (Wilson) interval of the one-way loss, from ``lost`` of ``sent`` round trips, in percent."""
    if sent <= 0:
        return 0.0, 100.0
    p = lost / sent
    centre = (p + z * z / (2 * sent)) / (1 + z * z / sent)
    half = z * math.sqrt(p * (1 - p) / sent + z * z / (4 * sent * sent)) / (1 + z * z / sent)
    return one_way_loss(100 * max(0.0, centre - half)), one_way_loss(100 * min(1.0, centre + half))


@dataclass
class ProbeRun:
    sent: int = 0
    rtts_ms: list[float | None] = field(default_factory=list)  # per probe, None = lost
    response_codes: dict[int, int] = field(default_factory=dict)

    @property
    def received(self) -> list[float]:
        return [r for r in self.rtts_ms if r is not None]

    @property
    def round_trip_loss_percent(self) -> float:
        return 100.0 * (self.sent - len(self.received)) / self.sent if self.sent else 100.0

    @property
    def loss_percent(self) -> float:
        """One-way (symmetric line)."""
        return one_way_loss(self.round_trip_loss_percent)

    @property
    def loss_ci95_percent(self) -> tuple[float, float]:
        return loss_interval(self.sent - len(self.received), self.sent)

    @property
    def rtt_ms(self) -> float | None:
        return statistics.median(self.received) if self.received else None

    @property
    def rtt_jitter_ms(self) -> float | None:
        """Mean absolute difference of consecutive round-trip times."""
        r = self.received
        if len(r) < 2:
            return 0.0 if r else None
        return statistics.fmean(abs(b - a) for a, b in itertools.pairwise(r))

    @property
    def jitter_ms(self) -> float | None:
        """One-way RFC 3550 jitter (symmetric line)."""
        j = self.rtt_jitter_ms
        return None if j is None else j / math.sqrt(2)


def _options(host: str, port: int, local: tuple[str, int], branch: str, call_id: str, seq: int) -> bytes:
    lhost = f"[{local[0]}]" if ":" in local[0] else local[0]
    rhost = f"[{host}]" if ":" in host else host
    return (
        f"OPTIONS sip:{rhost}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {lhost}:{local[1]};branch={branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:selfcheck@{lhost}>;tag={call_id[:10]}\r\n"
        f"To: <sip:{rhost}:{port}>\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: {seq} OPTIONS\r\n"
        "User-Agent: AgentDesk self-check\r\n"
        "Accept: application/sdp\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def _header(msg: str, name: str) -> str | None:
    for line in msg.split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name:
            return value.strip()
    return None


def probe(host: str, port: int, count: int = 20, interval_s: float = 0.05, timeout_s: float = PROBE_TIMEOUT_S,
          on_sample: Any = None, cancel: Any = None) -> tuple[ProbeRun, dict[str, Any]]:
    """Send ``count`` OPTIONS to host:port over UDP, ``interval_s`` apart; collect responses until every probe
    is answered or ``timeout_s`` after the last one. Returns the run and facts (the Date header, if any)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _t, _p, _n, addr = infos[0]
    run = ProbeRun()
    facts: dict[str, Any] = {"address": addr[0]}
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect(addr)
        local = s.getsockname()[:2]
        s.setblocking(False)
        call_id = f"selfcheck-{secrets.token_hex(8)}"
        branches: dict[str, int] = {}
        sent_at: list[float] = []
        run.rtts_ms = [None] * count
        next_send = time.monotonic()
        deadline = None
        while True:
            now = time.monotonic()
            if cancel is not None and cancel.is_set():
                break
            if run.sent < count and now >= next_send:
                branch = f"z9hG4bK{secrets.token_hex(8)}"
                branches[branch] = run.sent
                sent_at.append(time.monotonic())
                try:
                    s.send(_options(host, port, local, branch, call_id, run.sent + 1))
                except OSError as exc:  # ICMP unreachable from an earlier probe, or no route
                    facts.setdefault("send_errors", []).append(str(exc))
                run.sent += 1
                next_send += interval_s
                if run.sent == count:
                    deadline = time.monotonic() + timeout_s
            if deadline is not None and (now >= deadline or len(run.received) == count):
                break
            wait = max(0.0, min(next_send if run.sent < count else deadline or now, now + 0.2) - now)
            ready, _, _ = select.select([s], [], [], wait)
            if not ready:
                continue
            try:
                data = s.recv(65535)
            except OSError as exc:  # ECONNREFUSED: nothing listens on that port
                facts["receive_error"] = str(exc)
                continue
            t = time.monotonic()
            text = data.decode("utf-8", errors="replace")
            if not text.startswith("SIP/2.0 "):
                continue
            via = _header(text, "via") or _header(text, "v") or ""
            idx = next((i for b, i in branches.items() if b in via), None)
            if idx is None or run.rtts_ms[idx] is not None:
                continue
            rtt = (t - sent_at[idx]) * 1000
            run.rtts_ms[idx] = rtt
            code = int(text[8:11]) if text[8:11].isdigit() else 0
            run.response_codes[code] = run.response_codes.get(code, 0) + 1
            date = _header(text, "date")
            if date:
                facts["date_header"] = date
                facts["date_received_utc"] = time.time()
            if on_sample is not None:
                on_sample(idx, rtt)
    return run, facts


def grade(rtt: float, jitter: float, loss: float, q: quality.Quality) -> Status:
    if rtt > RTT_BAD_MS or loss >= LOSS_BAD_PERCENT or q.mos <= MOS_DEGRADED:
        return "fail"
    if rtt >= RTT_GOOD_MS or jitter >= JITTER_GOOD_MS or loss >= LOSS_GOOD_PERCENT or q.r <= quality.R_CLASS_A:
        return "warn"
    return "pass"


class NetworkCheck(Check):
    name = "network"
    title = Text(ja="通信品質", en="Network quality")

    def run(self, ctx: CheckContext) -> CheckResult:
        if not ctx.center_host:
            return self.result(
                "skipped", Text(ja="センターの SIP サーバーが設定されていないため、通信品質を測れません。",
                                en="No SIP server of the center is configured, so the network cannot be measured."),
                {"target": None},
                Text(ja="センターから届いた設定を取り込んでから、もう一度確認してください。",
                     en="Import the settings from the center, then run the check again."))
        target = f"{ctx.center_host}:{ctx.center_port}"
        span = 0.15 if ctx.echo_target else 0.9  # the share of the progress bar the probes take
        echo_job = self._start_echo(ctx) if ctx.echo_target else None
        try:
            run, facts = probe(ctx.center_host, ctx.center_port, ctx.probe_count, ctx.probe_interval_s,
                               on_sample=lambda i, rtt: ctx.progress(
                                   self.name, span * (i + 1) / ctx.probe_count,
                                   {"seq": i, "rtt_ms": round(rtt, 2)}),
                               cancel=ctx.cancel)
        except OSError as exc:
            self._abandon(echo_job)
            return self.result("fail", Text(ja="センター（{t}）に接続できません: {e}",
                                            en="Cannot reach the center ({t}): {e}").format(t=target, e=exc),
                               {"target": target}, _NO_ANSWER_REMEDY)
        details: dict[str, Any] = {
            "target": target, "transport": "udp", "probes": run.sent, "answered": len(run.received),
            "loss_percent": round(run.loss_percent, 2),
            "round_trip_loss_percent": round(run.round_trip_loss_percent, 2),
            "loss_ci95_percent": [round(x, 2) for x in run.loss_ci95_percent],
            "rtt_jitter_ms": _r(run.rtt_jitter_ms),
            "rtt_ms": _r(run.rtt_ms), "rtt_min_ms": _r(min(run.received, default=None)),
            "rtt_max_ms": _r(max(run.received, default=None)), "jitter_ms": _r(run.jitter_ms),
            "samples_ms": [_r(x) for x in run.rtts_ms],
            "response_codes": {str(k): v for k, v in sorted(run.response_codes.items())},
        }
        details.update({k: v for k, v in facts.items() if k in ("date_header", "send_errors", "receive_error")})
        if run.rtt_ms is None or run.jitter_ms is None:
            self._abandon(echo_job)
            return self.result("fail", Text(ja="センター（{t}）から応答がありません（{n} 回送信）。",
                                            en="The center ({t}) did not answer ({n} probes).").format(
                t=target, n=run.sent), details, _NO_ANSWER_REMEDY)
        q = quality.estimate(run.rtt_ms, run.jitter_ms, run.loss_percent)
        echo_status: Status | None = None
        echo_text: Text | None = None
        if echo_job is not None:
            thread, box, _stop = echo_job
            thread.join(float(ctx.extra.get("echo_seconds", 20.0)) + 90.0)
            echo_status, echo_text, details["echo"] = self._judge_echo(ctx, box, run.rtt_ms)
        details.update({"r_factor": round(q.r, 1), "mos": round(q.mos, 2), "mos_bucket": q.bucket,
                        "one_way_delay_ms": round(q.delay_ms, 1)})
        status = grade(run.rtt_ms, run.jitter_ms, run.loss_percent, q)
        summary = Text(
            ja="往復 {rtt:.1f} ms、ゆらぎ {j:.1f} ms、損失 {loss:.1f} %、推定 MOS {mos:.2f}。",
            en="Round trip {rtt:.1f} ms, jitter {j:.1f} ms, loss {loss:.1f} %, estimated MOS {mos:.2f}.",
        ).format(rtt=run.rtt_ms, j=run.jitter_ms, loss=run.loss_percent, mos=q.mos)
        if echo_status is not None and echo_text is not None:
            status = max((status, echo_status), key=lambda st: _ORDER[st])
            summary = Text(ja=summary.ja + echo_text.ja, en=summary.en + " " + echo_text.en)
        remedy = None
        if status != "pass":
            remedy = Text(
                ja="ルーターと PC を LAN ケーブルで直接つなぎ、動画や大きなダウンロードを止めてください。"
                "改善しない場合は回線事業者またはセンターに相談してください（モバイルルーターの貸し出しがあります）。",
                en="Connect the PC straight to the router with a LAN cable and stop videos and large downloads. "
                "If it does not improve, ask your provider or the center (the center can lend a mobile router).")
        return self.result(status, summary, details, remedy)

    @staticmethod
    def _abandon(job: tuple[threading.Thread, dict[str, Any], threading.Event] | None) -> None:
        """The center did not answer the probes: stop the test call and wait for the engine to quit."""
        if job is not None:
            job[2].set()
            job[0].join(30)

    def _start_echo(self, ctx: CheckContext) -> tuple[threading.Thread, dict[str, Any], threading.Event]:
        """Start the 20-second test call on its own thread, so that the engine starts while the probes run."""
        box: dict[str, Any] = {}
        stop = threading.Event()

        class _Either:
            def is_set(self) -> bool:
                return stop.is_set() or ctx.cancel.is_set()

        def work() -> None:
            try:
                box["data"] = self._echo_call(ctx, _Either())
            except BaseException as exc:
                box["error"] = exc

        thread = threading.Thread(target=work, name="self-check-echo", daemon=True)
        thread.start()
        return thread, box, stop

    def _echo_call(self, ctx: CheckContext, cancel: Any) -> dict[str, Any]:
        """The 20-second test call through the phone engine (agentdesk.checks.echo)."""
        from agentdesk.checks import echo, netif

        host, port = str(ctx.center_host), ctx.center_port
        account = dict(ctx.extra.get("account") or {})
        if not account.get("registrars"):
            account["registrars"] = [f"sip:{host}:{port};transport={ctx.center_transport}"]
        account.setdefault("user", "selfcheck")
        account.setdefault("domain", host)
        account.setdefault("transport", ctx.center_transport)
        bind = netif.local_address_for(host, port) or "0.0.0.0"
        base = ctx.probe_count
        seconds = float(ctx.extra.get("echo_seconds", echo.ECHO_SECONDS))

        def on_sample(t: float, ev: dict[str, Any]) -> None:
            ctx.progress(self.name, 0.2 + 0.7 * min(1.0, t / seconds), {
                "seq": base + round(t), "rtt_ms": ev.get("rtt_ms") or None, "echo": True,
                "jitter_ms": ev.get("jitter_ms"), "loss_percent": ev.get("loss_percent"), "mos": ev.get("mos")})

        ctx.progress(self.name, 0.15, {"phase": "echo", "prompt": Text(
            ja="テスト通話中です（{s:.0f} 秒）。そのままお待ちください。",
            en="Test call in progress ({s:.0f} s). Please wait.").format(s=seconds)})
        return echo.run_echo_test(ctx.echo_target or "", account, bind, seconds, on_sample, cancel,
                                  register=bool(account.get("credential") or account.get("password")),
                                  engine_argv=ctx.extra.get("engine_argv"), engine_env=ctx.extra.get("engine_env"))

    def _judge_echo(self, ctx: CheckContext, box: dict[str, Any], probe_rtt_ms: float
                    ) -> tuple[Status, Text, dict[str, Any]]:
        from agentdesk.checks import echo

        try:
            if "error" in box:
                raise box["error"]
            if "data" not in box:
                raise echo.EchoTestError("the test call did not finish in time")
            data = box["data"]
        except echo.EngineUnavailable as exc:
            return "error", Text(ja=f"テスト通話の仕組み（通話エンジン）が起動しませんでした（{exc}）。",
                                 en=f"The test call could not run: {exc}."), {"target": ctx.echo_target,
                                                                              "error": str(exc)}
        except echo.EchoTestError as exc:
            return "fail", Text(ja=f"テスト通話ができませんでした（{exc}）。", en=f"The test call failed: {exc}."), {
                "target": ctx.echo_target, "error": str(exc)}
        except Exception as exc:  # the engine or its driver broke: not a verdict on the agent's environment
            return "error", Text(ja=f"テスト通話の仕組みに問題があります（{exc}）。",
                                 en=f"The test call could not run: {exc}."), {"target": ctx.echo_target,
                                                                              "error": str(exc)}
        data.pop("password", None)
        if not data.get("audio_returned"):
            return "fail", Text(ja="テスト通話の音声が戻ってきませんでした（片通話の可能性）。",
                                en="No audio came back in the test call (one-way audio)."), data
        # An echo service reflects our own RTCP, so its RTCP round trip can read 0: then the OPTIONS round trip
        # stands in for it, and the E-model is computed again with it.
        rtt = float(data.get("rtt_ms") or 0.0)
        data["rtt_source"] = "rtcp"
        if rtt <= 0.0:
            rtt = probe_rtt_ms
            data["rtt_source"] = "sip_options"
        # The echo sends our own stream back: what the engine received crossed the line twice (module docstring).
        rt_jitter = float(data.get("jitter_ms") or 0.0)
        rt_loss = float(data.get("loss_percent") or 0.0)
        jitter, loss = rt_jitter / math.sqrt(2), one_way_loss(rt_loss)
        received = int(data.get("rx_packets") or 0)
        expected = round(received / (1 - rt_loss / 100)) if rt_loss < 100 else received
        data.update(round_trip_jitter_ms=round(rt_jitter, 2), round_trip_loss_percent=round(rt_loss, 3),
                    jitter_ms=round(jitter, 2), loss_percent=round(loss, 3),
                    loss_ci95_percent=[round(x, 2) for x in loss_interval(expected - received, expected)])
        codec = str(data.get("codec") or "PCMU").split("/")[0]
        q = quality.estimate(rtt, jitter, loss, codec)
        data["mos"], data["r"], data["quality"] = round(q.mos, 2), round(q.r, 1), q.bucket
        mos = q.mos
        st = grade(rtt, jitter, loss, q)
        score = data.get("audio_score")
        if score is not None:
            if score < AUDIO_SCORE_FAIL:
                st = "fail"
            elif score < AUDIO_SCORE_WARN and st == "pass":
                st = "warn"
        score_ja = f"、音声スコア {score:.2f}" if score is not None else ""
        score_en = f", audio score {score:.2f}" if score is not None else ""
        return st, Text(
            ja=f"テスト通話 {data.get('connected_s', 0):.0f} 秒: MOS {mos:.2f}、損失 {data.get('loss_percent', 0)} %{score_ja}。",
            en=f"Test call of {data.get('connected_s', 0):.0f} s: MOS {mos:.2f}, loss {data.get('loss_percent', 0)} %"
            f"{score_en}."), data


_ORDER = {"pass": 0, "skipped": 1, "warn": 1, "error": 2, "fail": 3}

# The returned audio's score (MOS-LQO, PESQ or ViSQOL): below these the audio is poor / doubtful.
AUDIO_SCORE_FAIL = 2.5
AUDIO_SCORE_WARN = 3.5

_NO_ANSWER_REMEDY = Text(
    ja="インターネットにつながっているか、ファイアウォールやセキュリティソフトが通話（SIP）を止めていないか確認してください。",
    en="Check that the PC is online and that no firewall or security software blocks calls (SIP).")


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
