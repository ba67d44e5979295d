"""Practice calls on the shift screen (the practice center only): when to offer one, the customer's words as
captions, and the result, kept until the agent dismisses it, with the script's step names in the agent's language.

The scenario list shows what the customer says first, never the scenario's title: the title names the answer
("... suspected line fault: escalate"), which the agent is meant to find. Practice calls count toward nothing
(the session keeps them out of the numbers, the work log and the incentive: ``Call.practice``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentdesk.center.api import CenterEvent
from agentdesk.i18n import Text

OFFER_AFTER_S = 120.0  # Ready this long without a call: a practice call is offered
MAX_CAPTIONS = 3
OFFER = Text(ja="着信を待つ間に練習通話をしてみませんか（{key}）。",
             en="While you wait, why not take a practice call ({key})?")
PASSED = Text(ja="練習通話の結果: 合格（手順一致 {score}%）", en="Practice call: passed (script match {score}%)")
TRY_AGAIN = Text(ja="練習通話の結果: もう一度挑戦しましょう（手順一致 {score}%）",
                 en="Practice call: try again (script match {score}%)")
MISSED = Text(ja="抜けていた手順: {steps}", en="Steps missed: {steps}")

StepNames = Callable[[str, str], Text | None]  # (script flow id, step id) -> the step's title


@dataclass(frozen=True)
class ScenarioChoice:
    id: str
    label: Text  # the level and the customer's first words


@dataclass(frozen=True)
class PracticeResult:
    passed: bool
    headline: Text
    missed: Text | None
    feedback: list[Text] = field(default_factory=list)


def choices(scenarios: list[Any]) -> list[ScenarioChoice]:
    """Scenarios as the agent picks them: by level and what the customer says first, never by the answer."""
    out = []
    for i, sc in enumerate(scenarios, 1):
        first = sc.lines[0].text if getattr(sc, "lines", None) else ""
        level = int(getattr(sc, "level", 1))
        out.append(ScenarioChoice(str(sc.id), Text(ja=f"練習 {i}（難易度 {level}）: 「{first}」",
                                                  en=f"Practice {i} (level {level}): \u201c{first}\u201d")))
    return out


class PracticeCoach:
    def __init__(self, step_names: StepNames | None = None) -> None:
        self.step_names = step_names
        self.scripts: dict[str, str] = {}  # practice call id -> the scenario's script flow id
        self.captions: dict[str, list[str]] = {}  # practice call id -> the customer's last lines
        self.result: PracticeResult | None = None

    def offer(self, ready_for: float | None, available: bool, key: str) -> Text | None:
        """The offer to show, or None: after OFFER_AFTER_S of Ready with nothing else going on."""
        if not available or ready_for is None or ready_for < OFFER_AFTER_S or self.result is not None:
            return None
        return OFFER.format(key=key)

    def on_center_event(self, event: CenterEvent) -> bool:
        """The practice center's events; True when one changed what the screen shows."""
        data = event.data
        call_id = str(data.get("call_id") or "")
        if event.kind == "practice_call":
            self.scripts[call_id] = str(data.get("script") or "")
            self.captions[call_id] = []
            return False
        if event.kind == "practice_line":
            lines = self.captions.setdefault(call_id, [])
            lines.append(str(data.get("text") or ""))
            del lines[:-MAX_CAPTIONS]
            return True
        if event.kind == "practice_result":
            self.result = self._result(call_id, data)
            self.captions.pop(call_id, None)
            return True
        return False

    def _step(self, flow: str, step: str) -> Text:
        name = self.step_names(flow, step) if self.step_names is not None and flow else None
        return name or Text(ja=step, en=step)

    def _result(self, call_id: str, data: dict[str, Any]) -> PracticeResult:
        score = data.get("path_score")
        pct = f"{100 * float(score):.0f}" if isinstance(score, int | float) else "-"
        passed = bool(data.get("passed"))
        flow = self.scripts.get(call_id, "")
        missed_ids = [str(s) for s in data.get("missed_steps") or []]
        missed = None
        if missed_ids:
            names = [self._step(flow, s) for s in missed_ids]
            missed = MISSED.format(steps=Text(ja="、".join(n.ja for n in names), en=", ".join(n.en for n in names)))
        feedback = [Text(ja=str(f.get("ja") or f.get("en") or ""), en=str(f.get("en") or f.get("ja") or ""))
                    for f in data.get("feedback") or [] if isinstance(f, dict)]
        # the center's own "steps missed" line names step ids: the translated list above replaces it
        feedback = [f for f in feedback if not f.ja.startswith("抜けていた手順")]
        return PracticeResult(passed, (PASSED if passed else TRY_AGAIN).format(score=pct), missed, feedback)

    def dismiss(self) -> None:
        self.result = None


def bundled_step_names(flow_id: str, step_id: str) -> Text | None:
    """A step's title from the bundled support scripts (loaded once; the desk warms it up off the GUI thread)."""
    from agentdesk.support_scripts.library import load_bundled

    flow = load_bundled().flows.get(flow_id)
    step = flow.steps.get(step_id) if flow is not None else None
    return step.title if step is not None else None
