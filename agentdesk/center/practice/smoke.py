"""A headless practice call (``agentdesk center practice``): the practice center, its customer and escalation
target, and an agent engine of this PC that answers by itself. Support staff and the packaged app's smoke test use
it to see that a fresh install can take a practice call, escalate it and have it graded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from agentdesk.center.api import CenterError, CenterEvent
from agentdesk.i18n import Text
from agentdesk.sip import protocol as P


def practice_call(scenario_id: str, say: Callable[[Text], None], engine_argv: list[str] | None = None,
                  timeout: float = 30.0) -> int:
    """0: the call connected, the customer was heard, (escalation answered,) wrap-up graded. 1 otherwise."""
    from agentdesk.center.practice.center import PracticeCenter
    from agentdesk.sip.supervisor import EngineSupervisor

    center = PracticeCenter(engine_argv=engine_argv)
    events: list[CenterEvent] = []
    engine_events: list[P.Event] = []
    cond = threading.Condition()

    def on_center(event: CenterEvent) -> None:
        with cond:
            events.append(event)
            cond.notify_all()
        if event.kind == "practice_line":
            say(Text(ja="お客さま: {t}", en="Customer: {t}").format(t=event.data.get("text", "")))

    def on_engine(event: P.Event) -> None:
        with cond:
            engine_events.append(event)
            cond.notify_all()

    def wait(predicate: Callable[[], Any], seconds: float) -> Any:
        deadline = time.monotonic() + seconds
        with cond:
            while True:
                found = predicate()
                if found or time.monotonic() >= deadline:
                    return found
                cond.wait(max(0.01, deadline - time.monotonic()))

    stop = center.events(on_center)
    agent = EngineSupervisor(on_engine, argv=engine_argv, restart=False)
    try:
        try:
            provisioning = center.sign_in("practice", "")
            scenario = next((s for s in center.scenarios() if s.id == scenario_id), None)
            if scenario is None or provisioning.sip is None:
                say(Text(ja="シナリオがありません: {id}", en="No such scenario: {id}").format(id=scenario_id))
                return 2
            sip = provisioning.sip
            agent.start()
            agent.request(P.Configure(account={"user": sip.user, "domain": sip.domain,
                                               "registrars": list(sip.registrars), "srtp": sip.srtp},
                                      sip={"bind": "127.0.0.1", "port": 0}, audio={"backend": "null"}), timeout=15)
            agent.send(P.Register())
            if not wait(lambda: any(isinstance(e, P.Registration) and e.state == "registered"
                                    for e in engine_events), 10):
                say(Text(ja="電話エンジンが練習センターに登録できませんでした。",
                         en="The phone engine could not register with the practice center."))
                return 1
            say(Text(ja="練習通話: {t}", en="Practice call: {t}").format(t=scenario.title.ja))
            call_id = center.start_call(scenario.id)
        except CenterError as exc:
            say(exc.message)
            return 1
        incoming: P.CallEvent | None = wait(lambda: next((e for e in engine_events if isinstance(e, P.CallEvent)
                                                          and e.state == "incoming"), None), timeout)
        if incoming is None:
            say(Text(ja="お客さま役からの着信がありませんでした。", en="The customer's call did not arrive."))
            return 1
        agent.send(P.Answer(call=incoming.call))
        lines = 2 if scenario.escalate else len(scenario.lines)
        wait(lambda: sum(1 for e in events if e.kind == "practice_line") >= lines, timeout + 60)
        stats = agent.request(P.GetStats(call=incoming.call), timeout=5)
        heard = stats.result_as(P.Stats).rx_packets if stats.ok else 0
        escalated = False
        if scenario.escalate:
            ticket = center.open_escalation_ticket({"call_id": call_id, "contract_id": scenario.contract_id})
            target = provisioning.escalation_targets[0]
            agent.send(P.Transfer(call=incoming.call, target=target.uri,
                                  headers={"X-AgentDesk-Ticket": ticket, "X-AgentDesk-Contract": scenario.contract_id}))
            escalated = bool(wait(lambda: any(e.kind == "practice_escalation_answered" for e in events), timeout))
            say(Text(ja="エスカレーション先が応答しました。", en="The escalation target answered.") if escalated
                else Text(ja="エスカレーション先が応答しませんでした。", en="The escalation target did not answer."))
        else:
            agent.send(P.Hangup(call=incoming.call))
        center.submit("wrap_up", {"call_id": call_id, "contract_id": scenario.contract_id,
                                  "code": scenario.expected_wrap_up, "escalated": escalated, "practice": True,
                                  "script_path": scenario.expected_script_path}, f"smoke-{call_id}")
        result = wait(lambda: next((e for e in events if e.kind == "practice_result"), None), 5)
        ok = heard > 0 and result is not None and result.data.get("passed") and (escalated or not scenario.escalate)
        say(Text(ja="受信パケット {n}、採点 {r}", en="Packets heard {n}, graded {r}").format(
            n=heard, r="OK" if result is not None and result.data.get("passed") else "NG"))
        return 0 if ok else 1
    finally:
        stop()
        agent.stop()
        center.close()
