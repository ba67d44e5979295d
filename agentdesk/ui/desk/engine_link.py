"""The desk's link to the phone engine process: ``agentdesk.sip.supervisor.EngineSupervisor`` (Qt-free; its events
reach Qt through QtBridge in the controller).

    sup = make_engine(on_event)          # on_event(protocol Event) runs on the supervisor's reader thread
    sup.start(); sup.send(Command) -> id; sup.request(Command, timeout) -> Reply; sup.stop()

``on_event`` also receives the supervisor's ``EngineState`` ``died`` / ``restarted`` / ``failed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from agentdesk.sip import protocol as P
from agentdesk.sip.supervisor import EngineSupervisor

EventHandler = Callable[[P.Event], None]


class EngineLike(Protocol):
    def start(self) -> None: ...
    def send(self, cmd: P.Command) -> str: ...
    def request(self, cmd: P.Command, timeout: float = ...) -> P.Reply: ...
    def stop(self, timeout: float = ...) -> None: ...


def make_engine(on_event: EventHandler, argv: list[str] | None = None,
                env: dict[str, str] | None = None) -> EngineLike:
    return EngineSupervisor(on_event, argv=argv, env=env, restart=True)
