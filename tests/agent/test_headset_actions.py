"""The desk's reaction to the headset's requests (agentdesk/agent/headset.py)."""

from __future__ import annotations

from agentdesk.agent.headset import desk_action
from agentdesk.agent.session import AgentState, Call
from agentdesk.sip import protocol as P


def _press(request: str | None, call: int | None = 7) -> P.Event:
    ev: dict[str, object] = {"event": "headset", "state": "button", "button": "hook_switch", "value": 1,
                             "pressed": True}
    if request is not None:
        ev["request"] = request
    if call is not None:
        ev["call"] = call
    return P.decode_event(ev)  # as the supervisor delivers it


def test_requests_become_the_desks_own_actions() -> None:
    call = Call(call_id="c1")
    assert desk_action(_press("answer"), AgentState.RINGING, call, 7) == "answer"
    assert desk_action(_press("hangup"), AgentState.ON_CALL, call, 7) == "hangup"
    assert desk_action(_press("mute", None), AgentState.ON_CALL, call, 7) == "toggle_mute"
    assert desk_action(_press("hold"), AgentState.ON_CALL, call, 7) == "toggle_hold"
    call.muted, call.held = True, True
    assert desk_action(_press("unmute", None), AgentState.ON_CALL, call, 7) == "toggle_mute"
    assert desk_action(_press("unhold"), AgentState.ON_CALL, call, 7) == "toggle_hold"


def test_requests_that_no_longer_fit_do_nothing() -> None:
    call = Call(call_id="c1", muted=True)
    assert desk_action(_press("mute", None), AgentState.ON_CALL, call, 7) is None  # already muted
    assert desk_action(_press("answer"), AgentState.ON_CALL, call, 7) is None  # already answered
    assert desk_action(_press("hangup"), AgentState.AFTER_CALL_WORK, call, 7) is None
    assert desk_action(_press("answer", 8), AgentState.RINGING, call, 7) is None  # about another call
    assert desk_action(_press("redial", None), AgentState.READY, None, None) is None
    assert desk_action(_press(None), AgentState.RINGING, call, 7) is None  # a release: no request
    assert desk_action(_press("answer"), AgentState.RINGING, call, 7, enabled=False) is None  # switched off
    other = P.CallEvent(call=7, direction="incoming", state="incoming", remote="x")
    assert desk_action(other, AgentState.RINGING, call, 7) is None
