"""A separate process that uses the outbox and is then killed with SIGKILL by tests/center/test_outbox.py.

    python -m tests.center.outbox_child enqueue DB N       store N wrap-ups, printing each key once it is stored
    python -m tests.center.outbox_child deliver DB URL     deliver to the center at URL until killed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from agentdesk.center.http import HttpCenterClient
from agentdesk.center.outbox import Outbox
from tests.fakes.center_double import DEFAULT_AGENT, DEFAULT_SECRET


def wrap_up(i: int) -> dict[str, object]:
    return {"call_id": f"call-{i:04d}", "code": "resolved", "contract_id": "C-1001", "script_path": ["start"]}


def main(argv: list[str]) -> int:
    mode, db = argv[0], Path(argv[1])
    outbox = Outbox(db)
    if mode == "enqueue":
        for i in range(int(argv[2])):
            key = outbox.enqueue("wrap_up", wrap_up(i))
            print("stored", i, key, flush=True)
        time.sleep(60)
    elif mode == "deliver":
        client = HttpCenterClient(argv[2], backoff_base=0.01, backoff_cap=0.05)
        client.sign_in(DEFAULT_AGENT, DEFAULT_SECRET)
        print("delivering", flush=True)
        outbox.start(client, backoff_base=0.01, backoff_cap=0.1)
        time.sleep(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
