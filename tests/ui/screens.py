"""Every screen of AgentDesk, opened in representative states with plausible (long) content.

One catalog serves the size test (tests/ui/test_screen_sizes.py: every text fits at laptop sizes) and the
screenshot tool (tools/screenshots.py). A screen is a generator: it builds its window, then yields
``(state, window)`` after arranging each state; the caller resizes, checks or photographs, then resumes it.

Needs a QApplication, the AGENTDESK_* directories pointed at a temporary folder and an in-memory keyring (the
caller sets them up). The shift screen runs with the fake center and the fake engine process of tests/fakes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from agentdesk.availability.calendar_jp import JST
from tests.fakes.fake_engine import FakeIncoming

FAKE_ENGINE = [sys.executable, "-m", "tests.fakes.fake_engine"]
TODAY = date(2026, 11, 24)  # a Tuesday: the weeks of 11-30 (deadline passed) and 12-07 (open) are both shown


@dataclass
class Env:
    language: str
    tmp: Path
    place: Callable[[QWidget, str], None]  # (window, "window" | "dialog"): size and show it as the caller wants
    cleanup: list[Callable[[], None]] = field(default_factory=list)


Screen = Callable[[Env], Iterator[tuple[str, QWidget]]]


def settle(seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while True:
        QApplication.processEvents()
        if time.monotonic() >= end:
            break
        time.sleep(0.01)


def wait(cond: Callable[[], bool], seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > end:
            return False
        QApplication.processEvents()
        time.sleep(0.02)
    return True


def fill_worklog(worklog: Any, today: datetime) -> None:
    """A plausible month so far: five-hour days with calls, one day off a week; today a shorter one."""
    day = today.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    n = 0
    while day.date() < today.date():
        if day.weekday() != 2:
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


# ---- the shift screen in the main window ------------------------------------------------------------------------
def shift_screen(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk import settings
    from agentdesk.agent.session import AgentState
    from agentdesk.agent.worklog import WorkLog
    from agentdesk.ui.app import build_main_window
    from agentdesk.ui.desk.sound import SoundPlayer
    from agentdesk.ui.desk.wiring import Services, attach_desk, engine_factory
    from tests.fakes.fake_center import FakeCenter

    store = settings.Settings()
    store.language = env.language  # type: ignore[assignment]
    center = FakeCenter()
    worklog = WorkLog(env.tmp / "shift-worklog.sqlite3")
    fill_worklog(worklog, datetime.now().astimezone() - timedelta(minutes=1))
    main = build_main_window(QApplication.instance(), store, env.language, save_settings=False)
    desk = attach_desk(main, Services(connection=center.connection(store.center), worklog=worklog), store,
                       engine=engine_factory(FAKE_ENGINE), sound=SoundPlayer(enabled=False))
    env.cleanup += [*main.before_quit, worklog.close]
    window = main.view
    env.place(window, "window")
    session = desk.session
    yield "offline", window
    desk.sign_in("agent1001", "pass1234")
    wait(lambda: desk.registration is not None and desk.registration.state == "registered")
    desk.view.work_button.click()
    desk.view.ready_button.click()
    yield "ready", window
    desk.engine.send(FakeIncoming(remote="sip:center@127.0.0.1",
                      headers={"X-Contract-Id": "C-2024-00042", "X-Queue": "tech-connect"}))
    wait(lambda: session.state == AgentState.RINGING)
    wait(lambda: desk.contract is not None)
    yield "ringing", window
    desk.answer()
    wait(lambda: session.state == AgentState.ON_CALL)
    note = "ONUのPONランプ消灯。ケーブル差し直し済み。" if env.language == "ja" else "ONU PON light off; cable re-seated."
    desk.view.call_notes.setPlainText(note)
    desk.on_tick()
    yield "on_call", window
    desk.core.toggle_mute()  # the banner that cannot be missed
    wait(lambda: session.call is not None and session.call.muted)
    yield "on_call-muted", window
    desk.core.toggle_mute()
    wait(lambda: session.call is not None and not session.call.muted)
    panel = desk.script_panel
    if panel is not None:
        ctl = panel.controller
        ctl.start_flow("internet-not-connecting")
        for step in range(4):
            settle()
            yield f"on_call-script-step{step + 1}", window
            if ctl.runner is None or not ctl.runner.current.choices:
                break
            ctl.choose(0)
        articles = list(ctl.library.articles)
        if articles:
            ctl.open_article(articles[0])
            yield "on_call-script-article", window
            ctl.close_article()
    desk.escalate()  # the ticket's confirmation stays into the wrap-up
    wait(lambda: session.state == AgentState.AFTER_CALL_WORK)
    desk.on_tick()
    yield "wrap_up", window
    desk.view.wrap_up_codes.item(0).setSelected(True)
    desk.finish_wrap_up(AgentState.READY)
    desk.view.break_reason.setCurrentIndex(desk.view.break_reason.findData("short"))
    desk.go_break()
    session.since -= 12 * 60 + 31
    desk.on_tick()
    yield "break_overrun", window


# ---- tool windows ------------------------------------------------------------------------------------------------
def settings_dialog(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk import settings
    from agentdesk.ui.settings.dialog import SettingsDialog

    store = settings.Settings()
    inputs = [("alsa:Jabra Evolve2 40 Mono", "Jabra Evolve2 40 Mono (USB Audio)"),
              ("alsa:Built-in Audio Analog Stereo", "Built-in Audio Analog Stereo")]
    outputs = [*inputs, ("alsa:HDMI / DisplayPort 1 Output", "HDMI / DisplayPort 1 Output (monitor)")]
    dialog = SettingsDialog(store, devices=lambda: (inputs, outputs))
    env.cleanup.append(dialog.deleteLater)
    env.place(dialog, "dialog")
    for i in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(i)
        settle()
        yield f"tab{i + 1}", dialog
    dialog.reject()


def self_check(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk.checks.base import CheckResult
    from agentdesk.checks.runner import Report
    from agentdesk.i18n import Text
    from agentdesk.ui.checks import open_self_check

    widget = open_self_check(None, language=env.language, context={"line_number": "03-1234-5678"})
    env.cleanup.append(widget.deleteLater)
    env.place(widget, "window")
    yield "start", widget
    c = widget.controller  # type: ignore[attr-defined]
    v = c.view
    c.show_run_page(["pc", "wired", "network", "line", "headset", "noise"])
    from agentdesk.checks.headset import HEARD_QUESTION

    c._on_progress(("network", 0.4, {"seq": 3, "rtt_ms": 14.2}))
    import threading

    c._show_question((HEARD_QUESTION, threading.Event(), [None]))
    settle()
    yield "run", widget
    long = Text(ja="ルーターと PC を LAN ケーブルで直接つなぎ、動画や大きなダウンロードを止めてください。" * 2,
                en="Connect the PC straight to the router with a LAN cable and stop videos and large downloads. " * 2)
    results = [CheckResult(name, status, long, {}, long if status != "pass" else None)
               for name, status in (("pc", "pass"), ("wired", "warn"), ("network", "pass"), ("line", "fail"),
                                    ("headset", "warn"), ("noise", "skipped"))]
    c._on_done(Report(results, datetime.now(JST), 28.4))
    v.result_chart.set_samples([12.0, 14.5, None, 13.1] * 5)
    c._saved(str(env.tmp / "agentdesk-self-check.html"), ok=True)
    settle()
    yield "results", widget
    v.pages.setCurrentIndex(v.PAGE_START)


def availability(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk.availability.store import EntryStore
    from agentdesk.ui.availability import open_availability

    store = EntryStore(env.tmp / f"availability-{env.language}.json")
    view = open_availability(None, lambda payload: None, store=store, today=lambda: TODAY)
    env.cleanup.append(view.deleteLater)
    env.place(view, "window")
    ctl = view.controller  # type: ignore[attr-defined]
    yield "open-week", view
    grid = view.grid  # type: ignore[attr-defined]
    for col in range(5):
        for row in range(2, 12):
            grid.set_cell((grid.day(col), grid.rows[row]), True)
    grid.cellsChanged.emit()
    yield "painted", view
    ctl.show_week(ctl.monday - timedelta(days=7))
    yield "past-deadline", view


def work_log(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk.agent.worklog import WorkLog
    from agentdesk.ui.availability import open_work_log

    worklog = WorkLog(env.tmp / f"worklog-{env.language}.sqlite3")
    fill_worklog(worklog, datetime.combine(TODAY, datetime.min.time(), JST) + timedelta(hours=13))
    view = open_work_log(None, worklog, today=lambda: TODAY)
    env.cleanup += [view.deleteLater, worklog.close]
    env.place(view, "window")
    yield "this-month", view


def trainer(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk.ui.training.trainer import LiveCall, TrainerController, TrainerView

    sheets = env.tmp / f"sheets-{env.language}"
    _write_sheet(sheets)
    view = TrainerView()
    controller = TrainerController(view, None, sheets_base=sheets)
    view.controller = controller  # type: ignore[attr-defined]
    env.cleanup.append(view.deleteLater)
    env.place(view, "window")
    controller.add_call(LiveCall(trainee="山田 花子 (agent1001)", uri="sip:agent1001@center.example.jp",
                                 call_id="c-42", since="2026-11-24T10:42:00+09:00"))
    yield "calls", view


def _write_sheet(base: Path) -> None:
    import json

    folder = base / "training" / "sheets"
    folder.mkdir(parents=True, exist_ok=True)
    sheet = {"scored_at": "2026-11-24T01:15:00+00:00", "trainee": "agent1001", "scenario": "router-restart",
             "time_to_answer_s": 3.2, "talk": {"longest_silence_s": 6.5},
             "script": {"path_score": 0.83, "missed": ["confirm_lamps"]}, "escalation": {"ok": True}}
    (folder / "sheet-1.json").write_text(json.dumps(sheet), encoding="utf-8")


def end_work_confirmation(env: Env) -> Iterator[tuple[str, QWidget]]:
    from agentdesk.ui.shell.confirm import EndWorkConfirmation

    dialog = EndWorkConfirmation(None, worked="4:12", calls=23)
    env.cleanup.append(dialog.deleteLater)
    env.place(dialog, "dialog")
    yield "shown", dialog
    dialog.reject()


SCREENS: dict[str, Screen] = {
    "desk": shift_screen,  # the shift screen (業務画面)
    "settings": settings_dialog,
    "self-check": self_check,
    "availability": availability,
    "work-log": work_log,
    "trainer": trainer,
    "end-work": end_work_confirmation,
}
