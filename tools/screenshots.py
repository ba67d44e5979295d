"""Start AgentDesk under Xvfb in a given state and save screenshots of the main window.

    python tools/screenshots.py                       # every state, Japanese, into docs/screenshots/
    python tools/screenshots.py --lang en --out /tmp/shots --states ready on_call

States: offline, ready, ringing, on_call, wrap_up, break_overrun. The app runs with the fake center and the fake
engine process of tests/fakes (so no SIP server is needed), a work log filled with a plausible month, and the
real shift screen, translations and fonts. Needs Xvfb (Debian: xvfb) unless DISPLAY is already set or
--offscreen is given; Japanese text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES = ["offline", "ready", "ringing", "on_call", "wrap_up", "break_overrun"]


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        raise SystemExit("Xvfb not found: install the Debian package xvfb (or pass --offscreen)")
    for n in range(90, 120):
        if Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen([xvfb, f":{n}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return proc, f":{n}"
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    raise SystemExit("could not start Xvfb")


def _fill_worklog(worklog, today: datetime) -> None:
    """A plausible month so far: five-hour days with calls; today a shorter one."""
    start_day = today.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    day = start_day
    n = 0
    while day.date() < today.date():
        if day.weekday() != 2:  # one day off a week
            worklog.start_work(day)
            t = day + timedelta(minutes=10)
            for _ in range(9):
                worklog.record_call(t, t + timedelta(seconds=8), t + timedelta(minutes=7), "inbound", n % 11 == 0)
                t += timedelta(minutes=30)
                n += 1
            worklog.end_work(day + timedelta(hours=5))
        day += timedelta(days=1)
    morning = today.replace(hour=10, minute=0, second=0, microsecond=0)
    if morning < today:
        worklog.start_work(morning)
        t = morning + timedelta(minutes=5)
        for _ in range(4):
            if t + timedelta(minutes=6) < today:
                worklog.record_call(t, t + timedelta(seconds=6), t + timedelta(minutes=6), "inbound", False)
            t += timedelta(minutes=20)
        worklog.end_work(min(today, morning + timedelta(hours=2)))


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="agentdesk-shots-"))
    for name in ("CONFIG", "DATA", "LOG"):
        (tmp / name).mkdir()
        os.environ[f"AGENTDESK_{name}_DIR"] = str(tmp / name)
    import keyring

    from tests.infra.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from agentdesk import settings
    from agentdesk.agent.session import AgentState
    from agentdesk.agent.worklog import WorkLog
    from agentdesk.ui.app import build_main_window, create_app
    from agentdesk.ui.desk.sound import SoundPlayer
    from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
    from tests.fakes.fake_center import FakeCenter
    from tests.fakes.fake_engine import FakeIncoming

    app = create_app()
    store = settings.Settings()
    store.language = args.lang
    center = FakeCenter()
    now = datetime.now().astimezone()
    worklog = WorkLog(tmp / "DATA" / "worklog.sqlite3")
    _fill_worklog(worklog, now - timedelta(minutes=1))
    main = build_main_window(app, store, args.lang, save_settings=False)
    desk = attach_desk(main, Services(center=center, submit=center.outbox, worklog=worklog), store,
                       engine=engine_factory([sys.executable, "-m", "tests.fakes.fake_engine"]),
                       sound=SoundPlayer(enabled=False))
    window = main.view
    window.resize(args.width, args.height)
    window.show()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    session = desk.session

    def wait(cond, seconds: float = 5.0) -> None:
        end = time.monotonic() + seconds
        while not cond() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def shot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
            time.sleep(0.03)
        path = out / f"desk-{name}-{args.lang}.png"
        window.grab().save(str(path))
        print(path)

    wanted = args.states or STATES
    if "offline" in wanted:
        shot("offline")
    desk.sign_in("agent1001", "pass1234")
    wait(lambda: desk.registration.get("state") == "registered")
    desk.view.work_button.click()
    desk.view.ready_button.click()
    if "ready" in wanted:
        shot("ready")
    desk.engine.send(FakeIncoming(remote="sip:center@127.0.0.1",
                      headers={"X-Contract-Id": "C-2024-00042", "X-Queue": "光回線サポート"}))
    wait(lambda: session.state == AgentState.RINGING)
    wait(lambda: desk.contract is not None)
    if "ringing" in wanted:
        shot("ringing")
    desk.answer()
    wait(lambda: session.state == AgentState.ON_CALL)
    session.call.answered_at = time.time() - 263  # four minutes into the call
    note = "ONUのPONランプ消灯。ケーブル差し直し済み。" if args.lang == "ja" else "ONU PON light off; cable re-seated."
    desk.view.call_notes.setPlainText(note)
    wait(lambda: "MOS" in desk.view.quality_label.text(), 4)
    desk.on_tick()
    if "on_call" in wanted:
        shot("on_call")
    desk.hangup()
    wait(lambda: session.state == AgentState.AFTER_CALL_WORK)
    desk.on_tick()
    if "wrap_up" in wanted:
        shot("wrap_up")
    desk.view.wrap_up_codes.item(0).setSelected(True)
    desk.finish_wrap_up(AgentState.READY)
    if "break_overrun" in wanted:
        desk.view.break_reason.setCurrentIndex(desk.view.break_reason.findData("short"))
        desk.go_break()
        session.since -= 12 * 60 + 31
        desk.on_tick()
        shot("break_overrun")
    for hook in main.before_quit:
        hook()
    QTimer.singleShot(0, app.quit)
    app.exec()
    QApplication.processEvents()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--states", nargs="*", choices=STATES)
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--offscreen", action="store_true", help="Qt's offscreen platform instead of Xvfb")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(args)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    xvfb = None
    if args.offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    elif not os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        xvfb, display = _start_xvfb()
        env["DISPLAY"] = display
        env["QT_QPA_PLATFORM"] = "xcb"
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--inner", "--lang", args.lang, "--out", args.out,
               "--width", str(args.width), "--height", str(args.height)]
        if args.states:
            cmd += ["--states", *args.states]
        return subprocess.run(cmd, env=env, cwd=ROOT, timeout=120).returncode
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)


if __name__ == "__main__":
    sys.exit(main())
