"""One flow on one call: follow choices, go back, restart; every move recorded with its time.

The path taken (with timestamps) and the last step go into the escalation context and the wrap-up, so that
the center knows what was already done when the call arrives there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from agentdesk.i18n import Text
from agentdesk.support_scripts.model import KNOWN_VARIABLES, VARIABLE_RE, Flow, Step, pick

Action = Literal["start", "choice", "back", "restart", "escalate"]


def variables_from_contract(contract: Any | None) -> dict[str, str]:
    """Variables for ``{plan}``, ``{line_type}``, ``{equipment}``, ``{contract_id}`` from a ContractInfo."""
    if contract is None:
        return {}
    equipment = getattr(contract, "equipment", None) or []
    values = {
        "contract_id": getattr(contract, "contract_id", "") or "",
        "plan": getattr(contract, "plan", "") or "",
        "line_type": getattr(contract, "line_type", "") or "",
        "equipment": "、".join(equipment),
    }
    return {k: v for k, v in values.items() if v}


def fill(text: str, variables: dict[str, str], language: str = "ja") -> str:
    """Replace ``{name}`` by its value; a value we do not have is shown as a visible gap, never as a brace."""

    def sub(m: Any) -> str:
        name = m.group(1)
        if name in variables:
            return variables[name]
        label = KNOWN_VARIABLES.get(name)
        shown = label.pick(language) if label else name
        return f"［{shown}：未確認］" if language == "ja" else f"[{shown}: unknown]"

    return VARIABLE_RE.sub(sub, text)


@dataclass(frozen=True)
class PathEntry:
    step: str
    at: datetime
    action: Action
    choice: Text | None = None  # the label of the choice that led here

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"step": self.step, "at": self.at.isoformat(timespec="seconds"), "action": self.action}
        if self.choice is not None:
            d["choice"] = self.choice.as_dict()
        return d


class FlowRunner:
    """Runs one flow. ``clock`` returns an aware datetime (tests pass their own)."""

    def __init__(self, flow: Flow, variables: dict[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.flow = flow
        self.variables = dict(variables or {})
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stack: list[str] = []
        self.path: list[PathEntry] = []
        self.checked: dict[str, set[int]] = {}
        self.started_at: datetime | None = None

    # --- moving ---
    def start(self) -> Step:
        now = self._clock()
        self.started_at = self.started_at or now
        self._stack = [self.flow.start]
        self.path.append(PathEntry(self.flow.start, now, "start"))
        return self.current

    @property
    def started(self) -> bool:
        return bool(self._stack)

    @property
    def current(self) -> Step:
        if not self._stack:
            raise RuntimeError("the flow has not started")
        return self.flow.steps[self._stack[-1]]

    def choose(self, index: int) -> Step:
        """Follow choice ``index`` (0-based) of the current step."""
        step = self.current
        if not 0 <= index < len(step.choices):
            raise IndexError(f"step {step.id!r} has {len(step.choices)} choices, not {index + 1}")
        choice = step.choices[index]
        self._stack.append(choice.next)
        self.path.append(PathEntry(choice.next, self._clock(), "choice", choice.label))
        return self.current

    def can_go_back(self) -> bool:
        return len(self._stack) > 1

    def back(self) -> Step:
        if not self.can_go_back():
            return self.current
        self._stack.pop()
        self.path.append(PathEntry(self._stack[-1], self._clock(), "back"))
        return self.current

    def restart(self) -> Step:
        self._stack = [self.flow.start]
        self.checked.clear()
        self.path.append(PathEntry(self.flow.start, self._clock(), "restart"))
        return self.current

    def mark_escalated(self) -> None:
        """Record that the agent escalated from the current step (it stays the last step)."""
        self.path.append(PathEntry(self.current.id, self._clock(), "escalate"))

    def toggle(self, item: int, done: bool | None = None) -> bool:
        """Tick (or untick) checklist item ``item`` of the current step; returns the new state."""
        marks = self.checked.setdefault(self.current.id, set())
        now_done = (item not in marks) if done is None else done
        (marks.add if now_done else marks.discard)(item)
        return now_done

    # --- where we are ---
    @property
    def trail(self) -> list[Step]:
        """The steps from the start to here, as the agent walked them (the breadcrumb)."""
        return [self.flow.steps[s] for s in self._stack]

    @property
    def step_number(self) -> int:
        """Where the agent is on the route walked so far (1 at the start; going back lowers it)."""
        return len(self._stack)

    @property
    def steps_total(self) -> int:
        """The route's length as far as it can be known: the steps walked plus the most that can still follow."""
        return len(self._stack) + self.flow.longest_to_end(self.current.id, frozenset(self._stack))

    @property
    def at_escalation_point(self) -> bool:
        return self.started and self.current.escalation is not None

    @property
    def finished(self) -> bool:
        return self.started and self.current.is_end

    def render(self, text: Text, language: str = "ja") -> str:
        return fill(pick(text, language), self.variables, language)

    # --- what goes to the center ---
    def escalation_context(self) -> dict[str, Any]:
        step = self.current if self.started else None
        esc = step.escalation if step else None
        return {
            "flow_id": self.flow.id,
            "flow_version": self.flow.version,
            "flow_title": self.flow.title.as_dict(),
            "language": self.flow.language,
            "started_at": self.started_at.isoformat(timespec="seconds") if self.started_at else None,
            "path": [e.step for e in self.path],  # step ids in the order visited (the center's script_path)
            "path_log": [e.as_dict() for e in self.path],  # the same moves with time, action and choice
            "trail": [s.id for s in self.trail] if step else [],
            "last_step": step.id if step else None,
            "last_step_title": step.title.as_dict() if step else None,
            "checked": {sid: sorted(v) for sid, v in self.checked.items() if v},
            "escalation_reason": esc.reason.as_dict() if esc else None,
            "escalation_target": esc.target if esc else None,
            "escalation_tier": esc.tier if esc else None,
        }

    def wrap_up(self) -> dict[str, Any]:
        """The flow's part of the wrap-up: which flow, the outcome, the steps walked."""
        step = self.current if self.started else None
        return {
            "flow_id": self.flow.id,
            "flow_version": self.flow.version,
            "outcome": step.end if step and step.end else ("escalated" if step and step.escalation else "unfinished"),
            "last_step": step.id if step else None,
            "steps": [e.step for e in self.path],
        }
