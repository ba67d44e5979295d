"""A home that sits idle for five minutes while the rest of the rig's tests run (tests/netrig/test_idle_mapping.py).

The router forgets an idle UDP mapping after 20 s; the center's own OPTIONS pings are off (once an hour), so only
the agents' keep-alives keep their mappings. Two agents register at the start of the test session: ``kept``
with the engine's keep-alives (every 15 s by default), ``bare`` with none (and a 10-minute registration, so no
refresh reopens it). After the idle time a customer calls both: ``kept`` must ring, ``bare`` must not (its
mapping is gone, the router drops the INVITE) — the same router, the same minutes, one difference.

Started from tests/netrig/conftest.py when the idle test is selected, so its five minutes overlap the other tests.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from tests.infra.engine import EngineProcess
from tests.infra.netrig.parties import agent_configure
from tests.infra.netrig.rig import Rig

IDLE_S = float(os.environ.get("AGENTDESK_NETRIG_IDLE_S", "300"))  # the five minutes
MAPPING_S = 20  # the router's UDP timeout (the issue: 20-30 s)


class IdleHome:
    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="agentdesk-idle-"))
        self.rig = Rig(self.workdir / "rig", udp_timeout_s=MAPPING_S, natping_s=3600)
        self.kept: EngineProcess | None = None
        self.bare: EngineProcess | None = None
        self.started_at = 0.0
        self.error: BaseException | None = None

    def start(self) -> IdleHome:
        try:
            self.rig.up()
            self.kept = self._agent("kept", {})
            self.bare = self._agent("bare", {"keepalive_interval": 0}, expires=600)
            self.started_at = time.monotonic()
        except BaseException as exc:  # reported by the test that needs it, not by collection
            self.error = exc
            self.stop()
        return self

    def _agent(self, user: str, sip: dict[str, object], expires: int = 300) -> EngineProcess:
        eng = EngineProcess(self.workdir, name=user, argv=self.rig.engine_argv("home")).start()
        cmd = agent_configure(self.rig, user, **sip)
        cmd["account"]["expires"] = expires
        eng.command(cmd)
        mark = eng.mark()
        eng.command({"cmd": "register"})
        eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
        return eng

    def idle_left(self) -> float:
        return max(0.0, IDLE_S - (time.monotonic() - self.started_at))

    def logs(self) -> str:
        parts = [self.rig.logs()]
        for eng in (self.kept, self.bare):
            if eng is not None:
                parts.append(f"--- engine {eng.name} ---\n{eng.log()[-8000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for eng in (self.kept, self.bare):
            if eng is not None:
                with contextlib.suppress(Exception):
                    eng.stop()
        self.rig.down()
