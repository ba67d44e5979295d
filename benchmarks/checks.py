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
            out = report or (work / "report.html")
            cmd = [sys.executable, "-m", "agentdesk", "check", "--json", "--report", str(out),
                   "--center", f"127.0.0.1:{kamailio.port}", "--echo-target", f"sip:echo@127.0.0.1:{uas.port}",
                   "--number", "03-1234-5678", "--confirmed", "--fiber", "yes"]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
            elapsed = time.perf_counter() - t0
            if not proc.stdout.strip():
                raise RuntimeError(f"agentdesk check printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}")
            data = json.loads(proc.stdout)
            data["_exit_code"] = proc.returncode
            return elapsed, data
        finally:
            headset.pactl("unload-module", loop)
            uas.stop()
            headset.stop()
            kamailio.stop()


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
