"""Building a :class:`CheckContext` from the agent's settings (the CLI and the wizard both use this)."""

from __future__ import annotations

import re
from typing import Any

from agentdesk.checks.base import CheckContext

_SIP_URI = re.compile(
    r"^(?:sips?:)?(?:[^@;]*@)?(?P<host>\[[0-9a-fA-F:.]+\]|[^:;>]+)(?::(?P<port>\d+))?(?P<params>;.*)?$")


def parse_sip_target(text: str) -> tuple[str, int, str] | None:
    """``sip:host:port;transport=udp``, ``host:port``, ``[::1]:5060`` -> (host, port, transport)."""
    text = text.strip().strip("<>")
    m = _SIP_URI.match(text)
    if not m:
        return None
    host = m.group("host").strip("[]")
    if not host:
        return None
    params = (m.group("params") or "").lower()
    transport = "udp"
    t = re.search(r";transport=(\w+)", params)
    if t:
        transport = t.group(1)
    default_port = 5061 if text.lower().startswith("sips:") or transport == "tls" else 5060
    return host, int(m.group("port") or default_port), transport


def context_from_settings(store: Any | None = None, **overrides: Any) -> CheckContext:
    """The center (first registrar, else the SIP domain), the API URL, the fixed line and the call device from
    settings; keyword overrides win."""
    if store is None:
        from agentdesk import settings

        store = settings.load().settings
    ctx = CheckContext()
    target = None
    for candidate in [*store.account.registrars, store.account.domain]:
        if candidate:
            target = parse_sip_target(candidate)
            if target:
                break
    if target:
        ctx.center_host, ctx.center_port, ctx.center_transport = target
    if store.center.fixed_line_number:
        ctx.line_number = store.center.fixed_line_number
    ctx.extra["center_url"] = store.center.base_url or None
    # The center's echo service for the 20-second test call, once the settings or provisioning carry one.
    echo_target = getattr(store.center, "echo_target", "") or ""
    if echo_target:
        ctx.echo_target = echo_target
    ctx.extra["call_device"] = store.audio.call_device or None
    tls = getattr(store.account, "tls", None)
    if tls is not None:
        ctx.extra["tls"] = tls.engine_config()  # the encryption check verifies the center as the engine does
    acc = store.account
    if acc.user and acc.registrars:
        # The echo-test call's account; the password stays in the keyring (the engine reads it by reference).
        ctx.extra["account"] = {"user": acc.user, "domain": acc.domain or (target[0] if target else ""),
                                "auth_user": acc.auth_user or acc.user, "registrars": list(acc.registrars),
                                "transport": acc.transport, "srtp": acc.srtp, "codecs": list(acc.codecs),
                                **({"credential": acc.credential_ref} if acc.credential_ref else {})}
    for key, value in overrides.items():
        if value is None:
            continue
        if hasattr(ctx, key):
            setattr(ctx, key, value)
        else:
            ctx.extra[key] = value
    return ctx
