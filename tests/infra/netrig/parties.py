"""The people on the rig: the agent's engine at home, customers and Tier-2 desks at the center."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.infra import net
from tests.infra.baresip import Baresip
from tests.infra.engine import EngineProcess
from tests.infra.kamailio import DOMAIN, PASSWORD
from tests.infra.netrig import tones
from tests.infra.netrig.rig import PEER_IPS, PRIMARY_IP, Rig


def agent_configure(rig: Rig, user: str = "agent1", transport: str = "udp", play: Path | None = None,
                    record: Path | None = None, registrars: list[int] | None = None, srtp: str | None = None,
                    **sip: Any) -> dict[str, Any]:
    """The ``configure`` command of an agent at home: the rig's registrars, bound to any address (as on a PC),
    the files backend when ``play``/``record`` are given."""
    account: dict[str, Any] = {"user": user, "domain": DOMAIN, "transport": transport,
                               "registrars": [rig.registrar(i, transport) for i in (registrars or [0])]}
    if rig.auth:
        account["password"] = PASSWORD
    if srtp is not None:
        account["srtp"] = srtp
    cmd: dict[str, Any] = {"cmd": "configure", "account": account, "sip": dict(sip)}
    if transport == "tls":
        cmd["sip"].setdefault("tls", rig.tls_settings())
    if play is not None or record is not None:
        cmd["audio"] = {"backend": "files", **({"play": str(play)} if play else {}),
                        **({"record": str(record)} if record else {})}
    return cmd


def start_agent(rig: Rig, engine_factory: Callable[..., EngineProcess], workdir: Path, user: str = "agent1",
                transport: str = "udp", freq: float = tones.AGENT_HZ, srtp: str | None = None,
                **sip: Any) -> tuple[EngineProcess, Path]:
    """An engine at home playing its tone, recording what it hears, registered; returns it and its recording."""
    play = tones.write_tone(workdir / f"{user}-plays.wav", freq)
    record = workdir / f"{user}-heard.wav"
    eng = engine_factory(user, argv=rig.engine_argv("home"))
    eng.command(agent_configure(rig, user, transport, play, record, srtp=srtp, **sip))
    mark = eng.mark()
    eng.command({"cmd": "register"})
    eng.wait_event({"event": "registration", "state": "registered"}, 10, after=mark)
    return eng, record


def baresip_peer(rig: Rig, workdir: Path, user: str, ip: str = PEER_IPS[0], freq: float = tones.CUSTOMER_HZ,
                 codecs: str = "PCMU") -> Baresip:
    """A baresip on its own center host: plays ``freq``, records what it hears, auto-answers. It sends its RTP
    where the far end's SDP says (no latching): the party that finds out whether the agent's SDP is right."""
    b = Baresip(workdir, user=user, host=ip, netns=rig.host(ip), codecs=codecs,
                source=tones.write_tone(workdir / f"{user}-plays.wav", freq, rate=8000),
                record_dir=workdir / f"{user}-rec")
    return b.start()


def agent_uri(user: str = "agent1") -> str:
    return f"sip:{user}@{PRIMARY_IP}"


def hears(path: Callable[[], Path | None], freq: float, timeout: float = 8.0) -> tuple[bool, float]:
    """Wait (bounded) until the recording ``path()`` carries ``freq`` over its last second and a half."""
    last = [-120.0]

    def check() -> bool:
        p = path()
        if p is None or not p.exists():
            return False
        ok, last[0] = tones.heard(p, freq)
        return ok

    ok = net.wait_until(check, timeout, interval=0.25)
    return ok, last[0]


def newest(b: Baresip, kind: str = "dec") -> Callable[[], Path | None]:
    return lambda: (b.recordings(kind) or [None])[-1]
