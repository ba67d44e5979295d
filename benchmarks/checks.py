"""Self-check figures: the full ``agentdesk check`` (with the 20-second echo-test call) and each check's duration.

The run is real and on loopback: Kamailio as the center's SIP server, a SIPp UAS with ``-rtp_echo`` as its echo
service, and the PulseAudio virtual headset (its earpiece looped into its microphone) for the headset and noise
checks. ``agentdesk check --json`` runs as a separate process, as an agent would start it.

    python -m benchmarks --only checks
    python benchmarks/checks.py --keep REPORT.html     # also keep the HTML and JSON report of the run
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 30.0


def full_run(report: Path | None = None) -> tuple[float, dict[str, Any]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.infra import net
    from tests.infra.kamailio import Kamailio
    from tests.infra.pulse import VirtualHeadset
    from tests.infra.sipp import Sipp

    with tempfile.TemporaryDirectory(prefix="agentdesk-bench-checks-") as tmp:
        work = Path(tmp)
        for d in ("kamailio", "pulse", "config", "data", "log"):
            (work / d).mkdir()
        kamailio = Kamailio(workdir=work / "kamailio").start()
        headset = VirtualHeadset(workdir=work / "pulse").start()
        uas = Sipp(scenario=str(ROOT / "tests" / "checks" / "sipp" / "echo_uas.xml"), workdir=work,
                   args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo"]).start()
        loop = headset.pactl("load-module", "module-loopback", "source=agentdesk_call.monitor",
                             "sink=agentdesk_mic_feed", "latency_msec=20")
        try:
            time.sleep(0.3)
            env = {**os.environ, **headset.env, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
                   "AGENTDESK_CONFIG_DIR": str(work / "config"), "AGENTDESK_DATA_DIR": str(work / "data"),
                   "AGENTDESK_LOG_DIR": str(work / "log")}
            # A configured agent: the headset is chosen as the call device in the settings.
            (work / "config" / "settings.json").write_text(json.dumps(
                {"schema_version": 1, "audio": {"call_device": "agentdesk_headset"}}), encoding="utf-8")
            out = report or (work / "report.html")
            cmd = [sys.executable, "-m", "agentdesk", "check", "--json", "--report", str(out),
                   "--center", f"127.0.0.1:{kamailio.port}", "--echo-target", f"sip:echo@127.0.0.1:{uas.port}",
                   "--number", "03-1234-5678", "--confirmed", "--fiber", "yes"]
            speech = _read_aloud_wav(work)
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
            player = None
            # The agent's part: when asked to read the sentence aloud, "speak" into the headset's microphone.
            assert proc.stderr is not None
            stderr_lines = []
            for line in proc.stderr:
                stderr_lines.append(line)
                if speech is not None and player is None and ("読み上げ" in line or "Read this sentence" in line):
                    player = headset.play_into_mic(speech)
            stdout = proc.stdout.read() if proc.stdout else ""
            proc.wait(120)
            elapsed = time.perf_counter() - t0
            if player is not None:
                player.wait(30)
            if not stdout.strip():
                raise RuntimeError(f"agentdesk check printed nothing (exit {proc.returncode}): "
                                   f"{''.join(stderr_lines)[-2000:]}")
            data = json.loads(stdout)
            data["_exit_code"] = proc.returncode
            return elapsed, data
        finally:
            headset.pactl("unload-module", loop)
            uas.stop()
            headset.stop()
            kamailio.stop()


def _read_aloud_wav(work: Path) -> Path | None:
    """The read-aloud sentence spoken by espeak-ng (None without it: the noise check then warns "no speech")."""
    import shutil

    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    from agentdesk.checks.noise import READ_ALOUD

    out = work / "read_aloud.wav"
    subprocess.run([exe, "-v", "ja", "-w", str(out), READ_ALOUD.ja], check=True, timeout=30, capture_output=True)
    return out


def run() -> list[dict[str, Any]]:
    elapsed, data = full_run()
    rows: list[dict[str, Any]] = [{
        "name": "self-check: full run incl. 20 s echo-test call", "value": round(elapsed, 1), "unit": "s",
        "peer": "Twilio preflight (echo test alone)", "peer_value": 20.0,
        "note": f"goal <= {GOAL_S:.0f} s; process start to JSON; overall {data['overall']}; "
                f"checks in parallel, audio checks in one lane",
    }]
    for c in data["checks"]:
        note = c["status"]
        if c["name"] == "network" and "echo" in c["details"]:
            e = c["details"]["echo"]
            note += (f"; OPTIONS RTT {c['details'].get('rtt_ms')} ms; echo call {e.get('connected_s')} s, "
                     f"MOS {e.get('mos')}, {e.get('audio_score_method')} {e.get('audio_score')}")
        rows.append({"name": f"self-check: {c['name']}", "value": c["duration_s"], "unit": "s", "peer": None,
                     "peer_value": None, "note": note})
    return rows


if __name__ == "__main__":
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]).resolve() if "--keep" in sys.argv else None
    if keep is not None:
        seconds, result = full_run(keep)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        print(f"duration: {seconds:.1f} s", file=sys.stderr)
    else:
        for row in run():
            print(row)
