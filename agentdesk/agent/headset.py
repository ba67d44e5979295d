"""What the desk does when the headset asks (an engine ``headset`` ``button`` event with a ``request``).

The engine turns presses into requests (agentdesk/sip/headset/state.py) and never acts on them; the desk carries
them out through the same actions as its own buttons, so the agent's session (ringing, on call, after-call work)
and the work log see a headset answer exactly as a click. A request that does not fit the session any more (the
call ended meanwhile, a mute that already happened) does nothing: the headset's lights follow the engine and put
the device back in step.

Pure logic: the desk controller maps the returned action name to its method.
"""

from __future__ import annotations

from typing import Literal

from agentdesk.agent.session import AgentState, Call
from agentdesk.sip import protocol as P

DeskAction = Literal["answer", "hangup", "toggle_mute", "toggle_hold"]


def desk_action(event: P.Event, state: AgentState, call: Call | None, engine_call: int | None,
                enabled: bool = True) -> DeskAction | None:
    """The desk action for one engine event, or None. ``engine_call``: the engine's id of the session's call."""
    if not enabled or not isinstance(event, P.HeadsetButton):
        return None
    request = event.request
    if request is None or call is None:
        return None  # redial and the like: the center dials, the desk has nothing to redial
    about = event.call
    if about is not None and engine_call is not None and about != engine_call:
        return None  # a press about another call (a second one ringing while on this one)
    if request == "answer" and state == AgentState.RINGING:
        return "answer"
    if state != AgentState.ON_CALL:
        return None
    if request == "hangup":
        return "hangup"
    if request in ("mute", "unmute") and call.muted != (request == "mute"):
        return "toggle_mute"
    if request in ("hold", "unhold") and call.held != (request == "hold"):
        return "toggle_hold"
    return None
