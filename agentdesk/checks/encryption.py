"""Encrypted call path: is what the customer says protected between the agent's home and the center?

- The account uses TLS: the check opens a TLS connection to the center's registrar exactly as the phone engine
  does (agentdesk/sip/tls_relay.py: TLS 1.3 preferred, 1.2 at least, the OS trust store or the provisioned CA,
  the provisioned host name, the key pin) and sends nothing over it. Verified: pass, with the protocol and the
  cipher; SRTP (the call audio) off: warn. A certificate the engine would refuse: fail, with the same words the
  agent would see when the phone does not connect.
- The account uses UDP or TCP: warn. Signalling and the call audio cross the internet unencrypted (and SRTP is
  not offered there: its keys would travel in clear).
- No center configured, or the center unreachable: skipped (the network check says why it is unreachable).
"""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

from agentdesk.checks.base import Check, CheckContext, CheckResult
from agentdesk.i18n import Text
from agentdesk.sip.tls_relay import (
    CONNECT_TIMEOUT_S,
    PinMismatch,
    PolicyError,
    TlsConfigError,
    TlsSettings,
    client_context,
    refusal_from,
    spki_sha256,
    srtp_policy,
)

ASK_FOR_TLS = Text(ja="センターの担当者に、通話の暗号化（SIP over TLS と SRTP）の設定を依頼してください。",
                   en="Ask the center to set up encrypted calls (SIP over TLS and SRTP).")
TELL_THE_CENTER = Text(ja="この結果をセンターの担当者に伝えてください。通話はこの状態ではつながりません。",
                       en="Tell the center about this result: calls cannot connect like this.")


class EncryptionCheck(Check):
    name = "encryption"
    title = Text(ja="通話の暗号化", en="Call encryption")

    def run(self, ctx: CheckContext) -> CheckResult:
        host, port, transport = ctx.center_host, ctx.center_port, (ctx.center_transport or "udp").lower()
        account: dict[str, Any] = dict(ctx.extra.get("account") or {})
        details: dict[str, Any] = {"transport": transport, "target": f"{host}:{port}" if host else None}
        if not host:
            return self.result("skipped", Text(ja="センターが設定されていないため、確認できません。",
                                               en="No center is configured: nothing to check."), details)
        try:
            srtp, _ = srtp_policy(transport, account.get("srtp"))
        except PolicyError as exc:
            details.update(encrypted=False, srtp="refused")
            return self.result("fail", exc.text, details, ASK_FOR_TLS)
        details["srtp"] = srtp
        if transport != "tls":
            details["encrypted"] = False
            return self.result("warn", Text(
                ja="通話の経路が暗号化されていません（{t}）。会話の内容がインターネット上を暗号化されずに流れます。",
                en="The call path is not encrypted ({t}): what is said on calls crosses the internet in clear."
            ).format(t=transport.upper()), details, ASK_FOR_TLS)
        try:
            settings = TlsSettings.parse(ctx.extra.get("tls"))
            context = client_context(settings)
        except TlsConfigError as exc:
            return self.result("fail", Text(ja="TLS の設定が正しくありません: {e}", en="The TLS settings are wrong: {e}"
                                            ).format(e=exc), details, TELL_THE_CENTER)
        name = settings.server_name or host
        details.update(server_name=name, trust=settings.trust, pinned=bool(settings.pins))
        started = time.perf_counter()
        try:
            with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S) as raw, \
                    context.wrap_socket(raw, server_hostname=name) as tls:
                details["handshake_ms"] = round((time.perf_counter() - started) * 1000, 1)
                details["protocol"], details["cipher"] = tls.version(), (tls.cipher() or ("",))[0]
                der = tls.getpeercert(binary_form=True)
                if settings.pins and (der is None or spki_sha256(der) not in settings.pins):
                    raise PinMismatch("the center's key does not match the pin")
        except (ssl.SSLError, PinMismatch, ValueError) as exc:
            refusal = refusal_from(exc, name)
            details["encrypted"] = False
            details["refused"] = refusal.kind if refusal else "handshake"
            message = refusal.message if refusal else Text(ja="暗号化接続を確立できませんでした: {e}",
                                                           en="The encrypted connection failed: {e}").format(e=exc)
            return self.result("fail", message, details, TELL_THE_CENTER)
        except OSError as exc:
            details["error"] = str(exc) or type(exc).__name__
            return self.result("skipped", Text(
                ja="センター（{h}:{p}）に接続できないため、暗号化を確認できませんでした。",
                en="The center ({h}:{p}) cannot be reached, so the encryption could not be checked.").format(
                h=host, p=port), details, Text(ja="ネットワークの確認結果を見てください。",
                                               en="See the network check's result."))
        details["encrypted"] = True
        if srtp == "off":
            return self.result("warn", Text(
                ja="SIP は {proto} で暗号化されていますが、通話の音声（SRTP）は暗号化されません。",
                en="SIP is encrypted with {proto}, but the call audio (SRTP) is not.").format(
                proto=details["protocol"]), details, ASK_FOR_TLS)
        return self.result("pass", Text(
            ja="通話の経路は暗号化されています（{proto}、{cipher}、音声は SRTP）。",
            en="The call path is encrypted ({proto}, {cipher}; audio by SRTP).").format(
            proto=details["protocol"], cipher=details["cipher"]), details)
