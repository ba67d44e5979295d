"""Practice-call scoring on the shift screen: follows practice calls with agentdesk.training.score.PracticeScorer.

Active only while the desk is signed in to the practice center (provisioning ``practice``): real customer calls
are never recorded (the engine also refuses ``practice_record`` on any call without the practice header).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from agentdesk.agent.jobs import Jobs
from agentdesk.center.api import Provisioning
from agentdesk.i18n import Text
from agentdesk.settings import Settings
from agentdesk.sip import protocol as P
from agentdesk.training.score import PracticeScorer

log = logging.getLogger(__name__)


class PracticeDesk(Protocol):
    """What practice scoring needs of the shift screen (agentdesk.ui.desk.controller.DeskController)."""

    engine: Any  # EngineLike | None: ``send(Command)``
    jobs: Jobs
    settings: Settings

    @property
    def provisioning(self) -> Provisioning: ...
    @property
    def center(self) -> object: ...
    @property
    def engine_listeners(self) -> list[Callable[[P.Event], None]]: ...
    @property
    def record_listeners(self) -> list[Callable[[str, dict[str, Any]], None]]: ...
    def show_notice(self, text: Text) -> None: ...


def attach_practice_scoring(desk: PracticeDesk, base: Path | None = None) -> PracticeScorer:
    """Feed the desk's engine events to a scorer and score each practice wrap-up (saved for the trainer)."""

    def send(cmd: P.Command) -> None:
        if desk.engine is not None:
            desk.engine.send(cmd)

    def lookup(call_id: str) -> Any:
        calls = getattr(desk.center, "calls", None)
        return calls.get(call_id) if isinstance(calls, dict) else None

    def saved(path: Path, sheet: dict[str, Any]) -> None:
        score = sheet.get("script", {}).get("path_score")
        text = Text(ja="練習通話の採点表を保存しました（手順一致率 {p}%）。トレーナーが確認できます。",
                    en="The practice call's score sheet was saved (script match {p}%). Your trainer can see it.")
        pct = f"{100 * score:.0f}" if isinstance(score, (int, float)) else "-"
        desk.jobs.call_soon(lambda: desk.show_notice(text.format(p=pct)))

    scorer = PracticeScorer(send, {}, trainee=str(getattr(desk.settings.center, "agent_id", "") or ""), base=base,
                            on_sheet=saved, lookup=lookup,
                            enabled=lambda: bool(getattr(desk.provisioning, "practice", False)))
    desk.engine_listeners.append(scorer.on_engine_event)

    def recorded(kind: str, payload: dict[str, Any]) -> None:
        if kind == "wrap_up" and str(payload.get("call_id")) in scorer.calls:  # scoring never disturbs the shift
            desk.jobs.run("practice-score", lambda: scorer.on_wrap_up(dict(payload)), lambda _path: None)

    desk.record_listeners.append(recorded)
    return scorer
