"""Practice-call scoring on the shift screen: follows practice calls with agentdesk.training.score.PracticeScorer.

Active only while the desk is signed in to the practice center (provisioning ``practice``): real customer calls
are never recorded (the engine also refuses ``practice_record`` on any call without the practice header).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from agentdesk.i18n import Text
from agentdesk.sip import protocol as P
from agentdesk.training.score import PracticeScorer

log = logging.getLogger(__name__)


def trainee_identity(desk: Any) -> tuple[str, str]:
    """(agent id, name) of the trainee for the score sheet: the center's name for the agent, else the agent id,
    else (the practice center, where nobody signs in with an id) the name of this PC's user."""
    agent_id = str(getattr(desk.settings.center, "agent_id", "") or "")
    name = str(getattr(desk.provisioning, "agent_name", "") or "")
    if not name and not agent_id:
        import getpass

        try:
            name = getpass.getuser()
        except Exception:
            name = ""
    return agent_id, name or agent_id


def attach_practice_scoring(desk: Any, base: Path | None = None) -> PracticeScorer:
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
        desk.bridge.post(lambda _=None: desk.show_notice(text.format(p=pct)), None)

    scorer = PracticeScorer(send, {}, trainee=str(getattr(desk.settings.center, "agent_id", "") or ""), base=base,
                            on_sheet=saved, lookup=lookup,
                            enabled=lambda: bool(getattr(desk.provisioning, "practice", False)))
    desk.engine_listeners.append(scorer.on_engine_event)
    original = desk.submit

    def submit(kind: str, payload: dict[str, Any]) -> None:
        original(kind, payload)  # a refusal propagates as before, and nothing is scored
        if kind == "wrap_up" and str(payload.get("call_id")) in scorer.calls:
            scorer.trainee, scorer.trainee_name = trainee_identity(desk)
            def work() -> None:
                try:
                    scorer.on_wrap_up(dict(payload))
                except Exception:  # scoring must never disturb the shift
                    log.exception("practice scoring failed")

            threading.Thread(target=work, name="practice-score", daemon=True).start()

    desk.submit = submit
    desk.practice_scorer = scorer
    return scorer
