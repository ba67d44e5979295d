"""Call-training figures on loopback (real Kamailio, three real engines): a trainer's join (training_join command
on the trainer's engine to the trainee's ``joined`` event) and a remote mode switch (training_mode on the trainer's
engine, an in-dialog MESSAGE, to the trainee's ``mode`` event; the bridge is rewired in the same loop turn).
Medians; one monotonic clock in this process, so each figure includes the JSON Lines round trips.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.engine import _Lab
from tests.infra.kamailio import DOMAIN

JOINS = 3
SWITCHES = 9


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="agentdesk-bench-training-") as tmp:
        lab = _Lab(Path(tmp))
        try:
            k = lab.kamailio()
            customer, trainee, trainer = lab.engine("customer"), lab.engine("trainee"), lab.engine("trainer")
            customer.register("cust1", k)
            trainee.register("agent1", k, training={"trainers": [f"sip:trainer1@{DOMAIN}"]})
            trainer.register("trainer1", k)
            customer.command({"cmd": "call", "uri": "agent1"})
            inc = trainee.wait_event({"event": "call", "state": "incoming"}, 10)
            trainee.command({"cmd": "answer", "call": inc["call"]})
            trainee.wait_event({"event": "call", "call": inc["call"], "state": "connected"}, 10)
            joins: list[float] = []
            switches: list[float] = []
            modes = ["whisper", "barge", "monitor"]
            for _ in range(JOINS):
                mark = trainee.mark()
                t0 = time.monotonic()
                jcall = trainer.command({"cmd": "training_join", "uri": "agent1", "mode": "monitor"})["call"]
                ev = trainee.wait_event({"event": "training", "state": "joined"}, 10, after=mark)
                joins.append(ev["_t"] - t0)
                trainer.wait_event({"event": "call", "call": jcall, "state": "connected"}, 10)
                for i in range(SWITCHES // JOINS):
                    mode = modes[i % 3]
                    mark = trainee.mark()
                    t0 = time.monotonic()
                    trainer.command({"cmd": "training_mode", "call": jcall, "mode": mode})
                    ev = trainee.wait_event({"event": "training", "state": "mode"}, 10, after=mark)
                    switches.append(ev["_t"] - t0)
                mark = trainee.mark()
                trainer.command({"cmd": "hangup", "call": jcall})
                trainee.wait_event({"event": "training", "state": "left"}, 10, after=mark)
        finally:
            lab.close()
    return [
        {"name": "training: trainer join (command to trainee's joined event)",
         "value": round(statistics.median(joins) * 1000, 1), "unit": "ms", "peer": None, "peer_value": None,
         "note": f"median of {len(joins)}, loopback via Kamailio, includes the join tone start"},
        {"name": "training: mode switch from the trainer's app (MESSAGE to rewired bridge)",
         "value": round(statistics.median(switches) * 1000, 1), "unit": "ms", "peer": None, "peer_value": None,
         "note": f"median of {len(switches)}; no leg re-INVITEd"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
