"""Fixed-line mode on the desk: the center rings the agent's landline and call control goes through the Center
API (agentdesk/center/fixed_line.py holds the API side; this maps it onto the agent's session).

    offer (fixed_line_offer)         -> the session rings: "the center is calling your phone, pick up"
    leg connected with the call      -> on a call (the agent picked up the landline)
    leg held / connected again       -> on hold / back
    leg idle, the call gone          -> the call ended: wrap-up, as in softphone mode
    leg dropped                      -> "reconnect my line" (the customer stays with the center meanwhile)

Hold, resume, hang up and the escalation's hand-over are API calls, made as background jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agentdesk.agent.jobs import Jobs
from agentdesk.center.api import CallAction, CenterEvent, EscalationTarget, FixedLineControl
from agentdesk.center.fixed_line import ACTION_DONE, LEG_TEXT, FixedLineSession
from agentdesk.i18n import Text

if TYPE_CHECKING:
    from agentdesk.agent.escalation import EscalationFlow

CALLING_YOU = Text(ja="センターがあなたの固定電話を呼び出しています。受話器を取ってください。",
                   en="The center is calling your phone. Please pick up the receiver.")
LINE_DROPPED = Text(ja="固定電話の回線が切れました。「回線をつなぎ直す」を押すと、センターがかけ直します。",
                    en="Your landline dropped. Press \u201cReconnect my line\u201d and the center calls it again.")


class Landline:
    """The agent's landline leg as the desk sees it; events and results come in on the owner's thread."""

    def __init__(self, client: FixedLineControl, number: str, jobs: Jobs) -> None:
        self.fixed = FixedLineSession(client, number)
        self.jobs = jobs
        self.connected_call = ""  # the customer call the agent is on through the landline

    @property
    def leg(self) -> str:
        return self.fixed.status.leg

    @property
    def leg_text(self) -> Text:
        return self.fixed.leg_text

    @property
    def can_reconnect(self) -> bool:
        return self.fixed.can_reconnect

    @property
    def call_id(self) -> str:
        return self.fixed.call_id

    def on_event(self, event: CenterEvent) -> bool:
        """A center event; True when it was about the landline."""
        if event.kind not in ("fixed_line_offer", "fixed_line_leg", "connection"):
            return False
        self.fixed.on_event(event)
        return event.kind != "connection"

    def act(self, action: CallAction, then: Callable[[Text, bool], None], target: str = "") -> None:
        """hold / resume / hangup / escalate through the API; ``then(words, ok)`` on the owner's thread."""
        self.jobs.run(f"landline-{action}", lambda: self.fixed.act(action, target),
                      lambda words: then(words, words is ACTION_DONE[action]),
                      lambda exc: then(Text(ja=str(exc), en=str(exc)), False))

    def refresh(self, then: Callable[[], None]) -> None:
        """Read the leg's state from the center (after the event stream connects: an offer made before it did
        is not missed)."""
        self.jobs.run("landline-status", self.fixed.refresh, lambda _problem: then())

    def reconnect(self, then: Callable[[Text], None]) -> None:
        self.jobs.run("landline-reconnect", self.fixed.reconnect, then)


class LandlineCarrier:
    """The escalation's hand-over in fixed-line mode: the center moves the customer (Center API ``escalate``)."""

    def __init__(self, line: Landline, after: Callable[[], None] = lambda: None) -> None:
        self.line = line
        self.after = after  # once the center has answered (the leg may have gone idle before its answer came)
        self.pending = False

    def hand_over(self, flow: EscalationFlow, target: EscalationTarget, headers: dict[str, str],
                  ticket: str) -> Text | None:
        self.pending = True

        def then(words: Text, ok: bool) -> None:
            self.pending = False
            if ok:
                flow.succeeded()
            else:
                flow.failed(0)
            self.after()

        self.line.act("escalate", then, target.name)
        return None

    def give_back(self, flow: EscalationFlow) -> None:
        pass  # the center keeps the customer on the agent's line when the hand-over fails


__all__ = ["CALLING_YOU", "LEG_TEXT", "LINE_DROPPED", "Landline", "LandlineCarrier"]
