"""The JSON shapes of docs/center-api.yaml, to and from the dataclasses of :mod:`agentdesk.center.api`.

One place for the mapping, shared by the HTTPS client, the test double and the practice center. Parsing is
strict about types (a center that sends the wrong shape gets a clear :class:`CenterError`) and lenient about
extra fields (a newer center may add some).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from agentdesk.center.api import (
    CenterError,
    CenterEvent,
    ContractInfo,
    EscalationTarget,
    Provisioning,
    ReasonCode,
    ScriptPackage,
    SipAccount,
    SipTls,
    WrapUpCode,
)
from agentdesk.i18n import Text

API_VERSION = "v1"

# The writes that go through the outbox, and the path each one is posted to.
SUBMIT_PATHS: dict[str, str] = {
    "wrap_up": "/v1/wrap-ups",
    "availability": "/v1/availability",
    "work_log": "/v1/work-log",
    "self_check": "/v1/self-checks",
    "state_change": "/v1/state-changes",
}

AGENT_STATES = ("offline", "not_ready", "ready", "ringing", "on_call", "after_call_work", "break")
CALL_ACTIONS = ("hold", "resume", "escalate", "hangup")


def bad_shape(what: str) -> CenterError:
    return CenterError(
        Text(
            ja="センターからの応答の形式が正しくありません（{what}）。しばらくしてからもう一度お試しください。",
            en="The center's answer has an unexpected shape ({what}). Please try again shortly.",
        ).format(what=what),
        retryable=True,
    )


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_shape(f"{what} is not an object")
    return value


def _str(d: dict[str, Any], key: str, what: str, default: str | None = None) -> str:
    value = d.get(key, default)
    if not isinstance(value, str):
        raise bad_shape(f"{what}.{key} is not a string")
    return value


def _list(d: dict[str, Any], key: str, what: str) -> list[Any]:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise bad_shape(f"{what}.{key} is not a list")
    return value


def text_to_wire(text: Text) -> dict[str, str]:
    return text.as_dict()


def text_from_wire(value: Any, what: str) -> Text:
    if isinstance(value, str):
        return Text(ja=value, en=value)
    d = _obj(value, what)
    ja = d.get("ja")
    en = d.get("en")
    if not isinstance(ja, str) and not isinstance(en, str):
        raise bad_shape(f"{what} has neither ja nor en")
    return Text(ja=ja if isinstance(ja, str) else str(en), en=en if isinstance(en, str) else str(ja))


def _time(value: Any, what: str) -> time:
    if not isinstance(value, str):
        raise bad_shape(f"{what} is not a time")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise bad_shape(f"{what} is not a time") from None


def provisioning_to_wire(p: Provisioning) -> dict[str, Any]:
    return {
        "center_name": p.center_name,
        "sip": None
        if p.sip is None
        else {
            "user": p.sip.user,
            "domain": p.sip.domain,
            "registrars": list(p.sip.registrars),
            "auth_user": p.sip.auth_user,
            "transport": p.sip.transport,
            "srtp": p.sip.srtp,
            "credential_ref": p.sip.credential_ref,
            "tls": {"server_name": p.sip.tls.server_name, "ca_pem": p.sip.tls.ca_pem, "pins": list(p.sip.tls.pins)},
            "rtp_ports": p.sip.rtp_ports,
            "stun_servers": list(p.sip.stun_servers),
            "keepalive_interval": p.sip.keepalive_interval,
        },
        "service_hours": {"start": p.service_hours[0].isoformat("minutes"), "end": p.service_hours[1].isoformat("minutes")},
        "reason_codes": [
            {"code": r.code, "label": text_to_wire(r.label), "kind": r.kind, "max_minutes": r.max_minutes}
            for r in p.reason_codes
        ],
        "wrap_up_codes": [{"code": w.code, "label": text_to_wire(w.label)} for w in p.wrap_up_codes],
        "wrap_up_required": p.wrap_up_required,
        "after_call_work_seconds": p.after_call_work_seconds,
        "escalation_targets": [
            {
                "name": e.name,
                "label": text_to_wire(e.label),
                "uri": e.uri,
                "mode": e.mode,
                "no_answer_seconds": e.no_answer_seconds,
            }
            for e in p.escalation_targets
        ],
        "trainers": list(p.trainers),
        "agent_name": p.agent_name,
        "trainer": p.trainer,
        "echo_target": p.echo_target,
        "auto_answer": p.auto_answer,
        "auto_answer_seconds": p.auto_answer_seconds,
        "mode": p.mode,
        "support_script_packages": [
            {"name": k.name, "version": k.version, "url": k.url, "sha256": k.sha256} for k in p.script_packages
        ],
    }


def _sip_tls(value: Any) -> SipTls:
    if value is None:
        return SipTls()
    t = _obj(value, "sip.tls")
    pins = t.get("pins", [])
    if not isinstance(pins, list) or not all(isinstance(p, str) for p in pins):
        raise bad_shape("sip.tls.pins")
    return SipTls(server_name=_str(t, "server_name", "sip.tls", ""), ca_pem=_str(t, "ca_pem", "sip.tls", ""),
                  pins=list(pins))


def _stun_servers(s: dict[str, Any]) -> list[str]:
    servers = s.get("stun_servers", [])
    if not isinstance(servers, list) or not all(isinstance(x, str) for x in servers):
        raise bad_shape("sip.stun_servers")
    return servers


def _keepalive(s: dict[str, Any]) -> int:
    value = s.get("keepalive_interval", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
        raise bad_shape("sip.keepalive_interval")
    return value


def provisioning_from_wire(value: Any) -> Provisioning:
    d = _obj(value, "provisioning")
    sip_raw = d.get("sip")
    sip: SipAccount | None = None
    if sip_raw is not None:
        s = _obj(sip_raw, "sip")
        registrars = _list(s, "registrars", "sip")
        if not all(isinstance(r, str) for r in registrars):
            raise bad_shape("sip.registrars")
        transport = s.get("transport", "udp")
        # SRTP keys travel only over TLS (docs/security.md): without a word, SRTP is mandatory with TLS, off without
        srtp = s.get("srtp", "mandatory" if transport == "tls" else "off")
        if transport not in ("udp", "tcp", "tls") or srtp not in ("off", "optional", "mandatory"):
            raise bad_shape("sip.transport/srtp")
        sip = SipAccount(
            user=_str(s, "user", "sip"),
            domain=_str(s, "domain", "sip"),
            registrars=registrars,
            auth_user=_str(s, "auth_user", "sip", ""),
            transport=transport,
            srtp=srtp,
            credential_ref=_str(s, "credential_ref", "sip", ""),
            tls=_sip_tls(s.get("tls")),
            rtp_ports=_str(s, "rtp_ports", "sip", ""),
            stun_servers=tuple(_stun_servers(s)),
            keepalive_interval=_keepalive(s),
        )
    hours = _obj(d.get("service_hours", {"start": "10:00", "end": "17:00"}), "service_hours")
    reasons = []
    for i, r in enumerate(_list(d, "reason_codes", "provisioning")):
        r = _obj(r, f"reason_codes[{i}]")
        kind = r.get("kind", "not_ready")
        if kind not in ("not_ready", "break"):
            raise bad_shape(f"reason_codes[{i}].kind")
        max_minutes = r.get("max_minutes")
        if max_minutes is not None and not isinstance(max_minutes, int):
            raise bad_shape(f"reason_codes[{i}].max_minutes")
        reasons.append(
            ReasonCode(
                code=_str(r, "code", f"reason_codes[{i}]"),
                label=text_from_wire(r.get("label"), f"reason_codes[{i}].label"),
                kind=kind,
                max_minutes=max_minutes,
            )
        )
    wrap_ups = []
    for i, w in enumerate(_list(d, "wrap_up_codes", "provisioning")):
        w = _obj(w, f"wrap_up_codes[{i}]")
        wrap_ups.append(
            WrapUpCode(code=_str(w, "code", f"wrap_up_codes[{i}]"), label=text_from_wire(w.get("label"), "label"))
        )
    targets = []
    for i, e in enumerate(_list(d, "escalation_targets", "provisioning")):
        e = _obj(e, f"escalation_targets[{i}]")
        mode = e.get("mode", "blind")
        no_answer = e.get("no_answer_seconds", 30)
        if mode not in ("blind", "warm") or not isinstance(no_answer, int):
            raise bad_shape(f"escalation_targets[{i}]")
        targets.append(
            EscalationTarget(
                name=_str(e, "name", f"escalation_targets[{i}]"),
                label=text_from_wire(e.get("label"), "label"),
                uri=_str(e, "uri", f"escalation_targets[{i}]"),
                mode=mode,
                no_answer_seconds=no_answer,
            )
        )
    trainers = _list(d, "trainers", "provisioning")
    if not all(isinstance(t, str) for t in trainers):
        raise bad_shape("trainers")
    acw = d.get("after_call_work_seconds")
    if acw is not None and not isinstance(acw, int):
        raise bad_shape("after_call_work_seconds")
    mode = d.get("mode", "softphone")
    if mode not in ("softphone", "fixed_line"):
        raise bad_shape("mode")
    packages = []
    for i, k in enumerate(_list(d, "support_script_packages", "provisioning")):
        k = _obj(k, f"support_script_packages[{i}]")
        where = f"support_script_packages[{i}]"
        packages.append(
            ScriptPackage(_str(k, "name", where), _str(k, "version", where), _str(k, "url", where), _str(k, "sha256", where, ""))
        )
    trainer = d.get("trainer", False)
    if not isinstance(trainer, bool):
        raise bad_shape("trainer")
    auto_answer = d.get("auto_answer", False)
    if not isinstance(auto_answer, bool):
        raise bad_shape("auto_answer")
    auto_after = d.get("auto_answer_seconds", 0)
    if isinstance(auto_after, bool) or not isinstance(auto_after, int | float) or not 0 <= auto_after <= 30:
        raise bad_shape("auto_answer_seconds")
    return Provisioning(
        center_name=_str(d, "center_name", "provisioning"),
        sip=sip,
        service_hours=(_time(hours.get("start"), "service_hours.start"), _time(hours.get("end"), "service_hours.end")),
        reason_codes=reasons,
        wrap_up_codes=wrap_ups,
        wrap_up_required=bool(d.get("wrap_up_required", False)),
        after_call_work_seconds=acw,
        escalation_targets=targets,
        trainers=trainers,
        mode=mode,
        script_packages=packages,
        agent_name=_str(d, "agent_name", "provisioning", ""),
        trainer=trainer,
        echo_target=_str(d, "echo_target", "provisioning", ""),
        auto_answer=auto_answer,
        auto_answer_seconds=float(auto_after),
    )


def contract_to_wire(c: ContractInfo) -> dict[str, Any]:
    return {
        "contract_id": c.contract_id,
        "plan": c.plan,
        "line_type": c.line_type,
        "equipment": list(c.equipment),
        "extra": dict(c.extra),
    }


def contract_from_wire(value: Any) -> ContractInfo:
    d = _obj(value, "contract")
    equipment = _list(d, "equipment", "contract")
    extra = _obj(d.get("extra", {}), "contract.extra")
    if not all(isinstance(x, str) for x in equipment) or not all(isinstance(v, str) for v in extra.values()):
        raise bad_shape("contract.equipment/extra")
    return ContractInfo(
        contract_id=_str(d, "contract_id", "contract"),
        plan=_str(d, "plan", "contract", ""),
        line_type=_str(d, "line_type", "contract", ""),
        equipment=equipment,
        extra=extra,
    )


def event_from_sse(kind: str, data: str, event_id: str) -> CenterEvent:
    import json

    try:
        body = json.loads(data) if data else {}
    except ValueError:
        raise bad_shape(f"event {kind} data is not JSON") from None
    body = _obj(body, f"event {kind}")
    at: datetime | None = None
    if isinstance(body.get("at"), str):
        try:
            at = datetime.fromisoformat(body["at"])
        except ValueError:
            at = None
    return CenterEvent(kind=kind or "message", data=body, id=event_id, at=at)


def error_from_wire(status: int, value: Any) -> CenterError:
    """The one error shape: {"error": {"code": str, "message": {"ja","en"}, "retryable": bool}}."""
    retryable_default = status >= 500 or status in (408, 429)
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        err = value["error"]
        code = err.get("code") if isinstance(err.get("code"), str) else "error"
        try:
            message = text_from_wire(err.get("message"), "error.message")
        except CenterError:
            message = Text(ja=code, en=code)
        retryable = err.get("retryable")
        return CenterError(
            message,
            retryable=retryable if isinstance(retryable, bool) else retryable_default,
            status=status,
            code=code,
        )
    return CenterError(
        Text(
            ja="センターがエラーを返しました（HTTP {status}）。",
            en="The center answered with an error (HTTP {status}).",
        ).format(status=status),
        retryable=retryable_default,
        status=status,
    )


def error_body(code: str, message: Text, retryable: bool = False) -> dict[str, Any]:
    return {"error": {"code": code, "message": message.as_dict(), "retryable": retryable}}
