"""The script model: flows made of steps, and reference articles. Immutable once loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from agentdesk.i18n import Text

Outcome = Literal["resolved", "escalated", "callback", "unresolved"]
EscalationTargetName = Literal["tier2", "security", "billing", "onsite", "supervisor"]

# Variables a script may use as {name}: contract data only (never the customer's personal data).
KNOWN_VARIABLES: dict[str, Text] = {
    "contract_id": Text(ja="契約ID", en="contract ID"),
    "plan": Text(ja="ご契約プラン", en="plan"),
    "line_type": Text(ja="回線種別", en="line type"),
    "equipment": Text(ja="レンタル機器", en="equipment"),
}
VARIABLE_RE = re.compile(r"\{([^{}\s]*)\}")


def text_from(data: dict[str, str] | None) -> Text:
    data = data or {}
    return Text(ja=data.get("ja", ""), en=data.get("en", ""))


def pick(text: Text, language: str) -> str:
    """The text in ``language``, or the other language when this one is missing."""
    primary = text.en if language == "en" else text.ja
    return primary or text.ja or text.en


@dataclass(frozen=True)
class Choice:
    label: Text
    next: str


@dataclass(frozen=True)
class Escalation:
    reason: Text
    target: EscalationTargetName
    tier: int = 2


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    say: tuple[Text, ...] = ()
    check: tuple[Text, ...] = ()
    checklist: tuple[Text, ...] = ()
    note: Text | None = None
    articles: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    escalation: Escalation | None = None
    end: Outcome | None = None

    @property
    def is_end(self) -> bool:
        return self.end is not None

    @property
    def successors(self) -> tuple[str, ...]:
        return tuple(c.next for c in self.choices)


@dataclass(frozen=True)
class Suggest:
    queues: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    line_types: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    id: str
    version: str
    language: str
    title: Text
    start: str
    steps: dict[str, Step]
    summary: Text = field(default_factory=lambda: Text("", ""))
    keywords: tuple[str, ...] = ()
    suggest: Suggest = field(default_factory=Suggest)
    source: str = ""

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def longest_to_end(self, step: str, avoid: frozenset[str] = frozenset()) -> int:
        """Most steps after ``step`` on a route to an end, never through ``avoid`` or a step twice (for "step 3
        of 9": the count stays put along the longest route and only drops when a choice takes a shorter one)."""
        budget = [20_000]  # a flow is a few dozen steps; the bound keeps a pathological one cheap

        def walk(sid: str, seen: frozenset[str]) -> int:
            budget[0] -= 1
            s = self.steps.get(sid)
            if s is None or budget[0] <= 0:
                return 0
            nexts = [n for n in s.successors if n in self.steps and n not in seen]
            return max((1 + walk(n, seen | {n}) for n in nexts), default=0)

        return walk(step, avoid | {step})


@dataclass(frozen=True)
class Article:
    id: str
    version: str
    language: str
    title: Text
    body: Text
    keywords: tuple[str, ...] = ()
    source: str = ""


def flow_from_dict(data: dict[str, Any], source: str = "") -> Flow:
    """Build a flow from validated data (see loader.validate)."""
    steps: dict[str, Step] = {}
    for sid, s in data["steps"].items():
        choices = [Choice(label=text_from(c["label"]), next=c["next"]) for c in s.get("choices", [])]
        if "next" in s and not choices:
            choices = [Choice(label=Text(ja="次へ", en="Next"), next=s["next"])]
        esc = s.get("escalation")
        steps[str(sid)] = Step(
            id=str(sid),
            title=text_from(s.get("title")),
            say=tuple(text_from(t) for t in s.get("say", [])),
            check=tuple(text_from(t) for t in s.get("check", [])),
            checklist=tuple(text_from(t) for t in s.get("checklist", [])),
            note=text_from(s["note"]) if "note" in s else None,
            articles=tuple(s.get("articles", [])),
            choices=tuple(choices),
            escalation=Escalation(reason=text_from(esc["reason"]), target=esc["target"], tier=esc.get("tier", 2))
            if esc else None,
            end=s.get("end"),
        )
    sg = data.get("suggest", {})
    return Flow(
        id=data["id"],
        version=data["version"],
        language=data["language"],
        title=text_from(data["title"]),
        summary=text_from(data.get("summary")),
        keywords=tuple(data.get("keywords", [])),
        suggest=Suggest(
            queues=tuple(sg.get("queues", [])),
            plans=tuple(sg.get("plans", [])),
            line_types=tuple(sg.get("line_types", [])),
            equipment=tuple(sg.get("equipment", [])),
        ),
        start=data["start"],
        steps=steps,
        source=source,
    )


def article_from_dict(data: dict[str, Any], source: str = "") -> Article:
    return Article(
        id=data["id"],
        version=data["version"],
        language=data["language"],
        title=text_from(data["title"]),
        body=text_from(data["body"]),
        keywords=tuple(data.get("keywords", [])),
        source=source,
    )
