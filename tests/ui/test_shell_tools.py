"""The shell around the shift screen: ending work asks first (Enter and Esc keep working), trainer mode is offered
only to trainers, and the self-check gets the center's SIP server and echo service from the provisioning."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from agentdesk import settings
from agentdesk.agent.session import AgentState
from agentdesk.ui.shell.confirm import EndWorkConfirmation
from agentdesk.ui.shell.tools import self_check_context
from tests.fakes.fake_center import FakeCenter, provisioning


def make_window(shell_window, trainer: bool = False, worklog=None):
    return shell_window(FakeCenter(replace(provisioning(), trainer=trainer, agent_name="山田 花子")), worklog=worklog)


def answer_next_question(qtbot, answer) -> list[str]:
    """Answer the modal end-work question when it appears (``answer(dialog)``); returns its texts."""
    seen: list[str] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, EndWorkConfirmation):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog.question.text() + " " + dialog.detail.text())
        answer(dialog)

    QTimer.singleShot(0, look)
    return seen


def test_ending_work_during_a_shift_asks_and_enter_or_esc_keep_working(qtbot, shell_window, tmp_path) -> None:
    from agentdesk.agent.worklog import WorkLog

    worklog = WorkLog(tmp_path / "worklog.sqlite3")
    _main, desk, _center = make_window(shell_window, worklog=worklog)
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    desk.view.work_button.click()  # starting work asks nothing
    assert desk.session.working and desk.session.state == AgentState.NOT_READY
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Escape):  # a key pressed by habit never ends the shift
        seen = answer_next_question(qtbot, lambda d, key=key: qtbot.keyClick(d.focusWidget() or d, key))
        desk.view.work_button.click()
        assert seen and "業務を終了しますか" in seen[0] and "応対件数" in seen[0]
        assert desk.session.working
    seen = answer_next_question(qtbot, lambda d: d.end_button.click())
    desk.toggle_work()  # the shortcut's path (Ctrl+F2) asks the same question
    assert seen and not desk.session.working
    worklog.close()


def test_trainer_mode_is_offered_only_to_trainers(qtbot, shell_window) -> None:
    from agentdesk.ui.training.trainer import TrainerView

    main, desk, _center = make_window(shell_window, trainer=False)
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    assert not main.view.trainer_action.isVisible()
    main.view.trainer_action.trigger()
    assert not any(isinstance(w, TrainerView) and w.isVisible() for w in QApplication.topLevelWidgets())

    main, desk, _center = make_window(shell_window, trainer=True)
    assert not main.view.trainer_action.isVisible()  # not before the center said so
    desk.sign_in("agent1001", "pass1234")
    qtbot.waitUntil(lambda: desk.signed_in, timeout=5000)
    assert main.view.trainer_action.isVisible() and main.view.trainer_action.isEnabled()
    main.view.trainer_action.trigger()
    trainer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, TrainerView) and w.isVisible())
    trainer.close()


def test_the_self_check_gets_the_center_from_the_provisioning() -> None:
    store = settings.Settings()
    prov = replace(provisioning(registrar="sip:127.0.0.1:5099"), echo_target="sip:echo@127.0.0.1:5099")
    assert self_check_context(prov, store) == {"center_host": "127.0.0.1", "center_port": 5099,
                                               "center_transport": "udp", "echo_target": "sip:echo@127.0.0.1:5099"}
    store.account.registrars = ["sip:sip1.example.jp:5060"]  # the agent's own setting wins for the server
    assert self_check_context(prov, store) == {"echo_target": "sip:echo@127.0.0.1:5099"}


def test_the_work_log_shows_the_incentive_as_the_shift_screen_does(qtbot, shell_window, tmp_path) -> None:
    from datetime import timedelta

    from agentdesk.agent.worklog import WorkLog
    from agentdesk.availability.calendar_jp import now
    from agentdesk.ui.availability.worklog_view import WorkLogView

    worklog = WorkLog(tmp_path / "worklog.sqlite3")
    start = now() - timedelta(hours=2)
    worklog.start_work(start)
    for i in range(3):
        t = start + timedelta(minutes=10 * i)
        worklog.record_call(t, t + timedelta(seconds=5), t + timedelta(minutes=4))
    main, desk, _center = make_window(shell_window, worklog=worklog)
    qtbot.waitUntil(lambda: desk.view.incentive_bar.value_text == "3 / 1 件", timeout=3000)  # read on a worker
    shift = desk.view.incentive_bar.value_text
    assert shift == "3 / 1 件"  # the first month: at least one call
    main.view.work_log_action.trigger()
    log_view = next(w for w in QApplication.topLevelWidgets() if isinstance(w, WorkLogView) and w.isVisible())
    assert log_view.chart.bars[1].numbers() == shift
    log_view.close()
    worklog.close()
