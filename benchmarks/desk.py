"""Benchmarks of the agent desktop: memory of the UI and engine processes idle and during a call, and the time from
an incoming call to the ring being visible.

The probe runs in its own process (a fresh QApplication, offscreen): the real shift screen and the real phone
engine (``agentdesk engine``, pjsua2) registered at a real Kamailio on loopback; a SIPp customer calls the agent
five times. The ring latency is measured from the engine's own ``incoming`` event timestamp (``_t``,
CLOCK_MONOTONIC, shared by both processes on Linux) to the ringing page becoming current on the GUI thread.

    python -m benchmarks.desk          # prints the rows
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CALLS = 5


def _rss_mb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20


def probe() -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    for name in ("CONFIG", "DATA", "LOG"):
        (tmp / name).mkdir()
        os.environ[f"AGENTDESK_{name}_DIR"] = str(tmp / name)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import keyring

    from tests.infra import net
    from tests.infra.kamailio import Kamailio
    from tests.infra.memory_keyring import MemoryKeyring
    from tests.infra.sipp import Sipp

    keyring.set_keyring(MemoryKeyring())
    from PySide6.QtWidgets import QApplication

    from agentdesk import settings
    from agentdesk.agent.session import AgentState
    from agentdesk.sip import protocol as P
    from agentdesk.sip.supervisor import EngineSupervisor
    from agentdesk.ui.desk.controller import DeskController
    from agentdesk.ui.desk.sound import SoundPlayer
    from agentdesk.ui.desk.view import ShiftView
    from agentdesk.ui.qt_bridge import QtBridge
    from tests.fakes.fake_center import FakeCenter, provisioning

    (tmp / "k").mkdir()
    kamailio = Kamailio(workdir=tmp / "k").start()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    center = FakeCenter(provisioning(registrar=kamailio.uri_for("udp"), domain="agentdesk.test",
                                     wrap_up_required=False))
    view = ShiftView()
    view.resize(1100, 720)
    incoming_t: list[float] = []

    def factory(on_event):
        def stamped(event: P.Event) -> None:
            if isinstance(event, P.CallEvent) and event.state == "incoming":
                incoming_t.append(time.monotonic())
            on_event(event)

        return EngineSupervisor(stamped)

    desk = DeskController(view, center.connection(), factory, QtBridge(view), settings.Settings(),
                          notifier=lambda *a: None, sound=SoundPlayer(enabled=False))
    visible: list[float] = []
    desk.ringVisible.connect(lambda _t: visible.append(time.monotonic()))
    view.show()
    desk.start()

    def wait(cond, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return True
            time.sleep(0.005)
        return False

    result: dict[str, Any] = {}
    sipps: list[Sipp] = []
    try:
        desk.sign_in("agent1001", "pass1234")
        if not wait(lambda: desk.registration is not None and desk.registration.state == "registered", 15):
            raise RuntimeError(f"not registered: {desk.registration}")
        desk.session.start_work()
        desk.session.set_ready()
        wait(lambda: False, 1.0)
        engine_pid = desk.engine.pid  # type: ignore[attr-defined]
        result["ui_idle_mb"] = _rss_mb(os.getpid())
        result["engine_idle_mb"] = _rss_mb(engine_pid)
        latencies, ui_call, engine_call = [], [], []
        for _ in range(CALLS):
            customer = Sipp(scenario="customer_call.xml", workdir=tmp, remote=f"127.0.0.1:{kamailio.port}",
                            args=["-m", "1", "-mp", str(net.free_port()), "-rtp_echo", "-s", "agent1001"])
            sipps.append(customer.start())
            before = len(visible)
            if not wait(lambda b=before: len(visible) > b, 15):
                raise RuntimeError("the call did not ring")
            latencies.append((visible[-1] - incoming_t[-1]) * 1000)
            desk.answer()
            wait(lambda: desk.session.state == AgentState.ON_CALL, 10)
            wait(lambda: False, 1.5)
            ui_call.append(_rss_mb(os.getpid()))
            engine_call.append(_rss_mb(engine_pid))
            wait(lambda: desk.session.state == AgentState.AFTER_CALL_WORK, 15)
            desk.finish_wrap_up(AgentState.READY)
            customer.wait(15)
        result.update(ring_ms=latencies, ui_call_mb=max(ui_call), engine_call_mb=max(engine_call))
    finally:
        desk.stop()
        for s in sipps:
            s.stop()
        kamailio.stop()
    return result


def run() -> list[dict[str, Any]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    try:
        out = subprocess.run([sys.executable, "-m", "benchmarks.desk", "--probe"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=240)
        data = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        note = f"probe failed: {exc}"
        return [{"name": "desk: probe", "value": None, "unit": "", "peer": None, "peer_value": None, "note": note}]
    if "error" in data:
        return [{"name": "desk: probe", "value": None, "unit": "", "peer": None, "peer_value": None,
                 "note": data["error"]}]
    ring = data["ring_ms"]
    return [
        {"name": "desk: UI process RSS, idle (signed in, ready)", "value": round(data["ui_idle_mb"], 1),
         "unit": "MB", "peer": "bare PySide6 window", "peer_value": 58, "note": "offscreen, real shift screen"},
        {"name": "desk: engine process RSS, idle (registered)", "value": round(data["engine_idle_mb"], 1),
         "unit": "MB", "peer": "pjsua2 loaded", "peer_value": 13, "note": "agentdesk engine at Kamailio"},
        {"name": "desk: UI + engine RSS, idle", "value": round(data["ui_idle_mb"] + data["engine_idle_mb"], 1),
         "unit": "MB", "peer": "Linphone desktop", "peer_value": 260, "note": "target <= 150 MB"},
        {"name": "desk: UI process RSS, during a call", "value": round(data["ui_call_mb"], 1), "unit": "MB",
         "peer": None, "peer_value": None, "note": f"max over {CALLS} SIPp calls"},
        {"name": "desk: engine process RSS, during a call", "value": round(data["engine_call_mb"], 1),
         "unit": "MB", "peer": None, "peer_value": None, "note": f"max over {CALLS} SIPp calls"},
        {"name": "desk: incoming call to ring visible (median)", "value": round(statistics.median(ring), 1),
         "unit": "ms", "peer": None, "peer_value": None,
         "note": f"engine incoming event to ringing page shown; {CALLS} calls, max {max(ring):.1f} ms"},
    ]


if __name__ == "__main__":
    if "--probe" in sys.argv:
        try:
            print(json.dumps(probe()))
        except Exception as exc:
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(0)
    for row in run():
        print(row)
