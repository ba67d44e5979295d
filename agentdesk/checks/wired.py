"""Wired connection: the adapter that carries the route to the center's SIP server must be Ethernet, not Wi-Fi.

The route is found the way the OS would send a packet: a UDP socket connected to the SIP host (no packet is
sent) tells the local address; the adapter holding that address carries the route (design.md).
- Ethernet: pass. Another Wi-Fi adapter up with an address at the same time: warn (the OS may switch to it).
- Wi-Fi: fail. Mobile broadband: warn (allowed only when the center lends a router).
- A VPN or tunnel carries the route: the physical path is the adapter(s) with a default route other than
  tunnels; all Ethernet passes, any Wi-Fi without Ethernet fails, a mix or an unknown kind warns.
- The center on this PC (loopback, the practice center): the same judgement on the default-route adapters.
- Fiber cannot be detected: the agent declares it; fiber is recommended, so "not fiber" is a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentdesk.checks import netif
from agentdesk.checks.base import Check, CheckContext, CheckResult, Status
from agentdesk.checks.netif import Adapter
from agentdesk.i18n import Text

# Used for the route lookup when no center is configured: a documentation address (RFC 5737), so the lookup
# follows the default route and nothing is ever sent.
INTERNET_PROBE = "198.51.100.1"

FIBER_QUESTION = Text(ja="インターネット回線は光回線（FTTH）ですか？", en="Is your internet connection fiber (FTTH)?")
USE_CABLE = Text(
    ja="Wi-Fi は使えません。ルーターと PC を LAN ケーブルでつなぎ、PC の Wi-Fi をオフにしてください。",
    en="Wi-Fi is not allowed. Connect the PC to the router with a LAN cable and switch the PC's Wi-Fi off.")
WIFI_OFF = Text(ja="有線接続中も Wi-Fi が有効です。通話中に切り替わらないよう、PC の Wi-Fi をオフにしてください。",
                en="Wi-Fi is also active while you are wired. Switch the PC's Wi-Fi off so that calls cannot move "
                "to it.")
KIND_TEXT = {
    "ethernet": Text(ja="有線（イーサネット）", en="wired (Ethernet)"),
    "wifi": Text(ja="Wi-Fi", en="Wi-Fi"),
    "tunnel": Text(ja="VPN・トンネル", en="VPN/tunnel"),
    "cellular": Text(ja="モバイル回線", en="mobile broadband"),
    "loopback": Text(ja="この PC 内", en="this PC (loopback)"),
    "other": Text(ja="種類不明のアダプター", en="an adapter of unknown kind"),
}


def assess(adapters: list[Adapter], local_ip: str | None, target: str, fiber: bool | None
           ) -> tuple[Status, Text, Text | None, dict[str, Any]]:
    details: dict[str, Any] = {"target": target, "local_address": local_ip,
                               "adapters": [a.as_dict() for a in adapters if a.kind != "loopback"]}
    if local_ip is None:
        return ("fail", Text(ja="センター（{t}）への経路がありません。", en="There is no route to the center ({t})."
                             ).format(t=target), Text(
            ja="LAN ケーブルとルーターの電源を確認し、インターネットにつながっているか確かめてください。",
            en="Check the LAN cable and the router, and make sure the PC is connected to the internet."), details)
    carrier = next((a for a in adapters if a.has_address(local_ip)), None)
    details["interface"] = carrier.name if carrier else None
    details["interface_kind"] = carrier.kind if carrier else None
    if carrier is None:
        return ("warn", Text(ja="センターへの経路のアダプター（{ip}）を特定できませんでした。",
                             en="The adapter of the route to the center ({ip}) could not be identified."
                             ).format(ip=local_ip),
                Text(ja="VPN やセキュリティソフトの設定を確認し、もう一度実行してください。",
                     en="Check your VPN or security software and run the check again."), details)
    path = [carrier]
    via = ""
    if carrier.kind in ("tunnel", "loopback"):
        path = [a for a in adapters if a.up and a.gateway and a.kind not in ("tunnel", "loopback")]
        details["physical"] = [a.name for a in path]
        via = carrier.kind
        if not path:
            if carrier.kind == "loopback":
                return ("skipped", Text(ja="センターはこの PC 内にあり、外部への接続がないため確認できません。",
                                        en="The center is on this PC and there is no outside connection to "
                                        "check."), None, details)
            return ("warn", Text(ja="VPN の下の回線の種類を確認できませんでした。",
                                 en="The connection beneath the VPN could not be identified."),
                    Text(ja="VPN を切って、もう一度確認してください。", en="Disconnect the VPN and check again."),
                    details)
    kinds = {a.kind for a in path}
    names = ", ".join(a.name for a in path)
    prefix = Text(ja="VPN 経由。", en="Through a VPN. ") if via == "tunnel" else Text(ja="", en="")
    if "wifi" in kinds and "ethernet" not in kinds:
        return ("fail", Text(ja=prefix.ja + "センターへの通信は Wi-Fi（{n}）を通っています。",
                             en=prefix.en + "Traffic to the center goes over Wi-Fi ({n}).").format(n=names),
                USE_CABLE, details)
    if kinds == {"cellular"}:
        return ("warn", Text(ja=prefix.ja + "センターへの通信はモバイル回線（{n}）を通っています。",
                             en=prefix.en + "Traffic to the center goes over mobile broadband ({n}).").format(n=names),
                Text(ja="センターから貸与されたルーター以外のモバイル回線は使えません。有線の固定回線を使ってください。",
                     en="Mobile broadband is only allowed with a router lent by the center. Use a wired line."),
                details)
    if kinds != {"ethernet"}:
        return ("warn", Text(ja=prefix.ja + "回線の種類を特定できませんでした（{n}）。",
                             en=prefix.en + "The kind of connection could not be identified ({n}).").format(n=names),
                Text(ja="LAN ケーブルで接続し、VPN や仮想アダプターを使っていないか確認してください。",
                     en="Connect with a LAN cable and check for VPNs or virtual adapters."), details)
    other_wifi = [a.name for a in adapters if a.kind == "wifi" and a.up and a.addresses and a not in path]
    details["active_wifi"] = other_wifi
    if other_wifi:
        return ("warn", Text(ja=prefix.ja + "有線接続（{n}）ですが、Wi-Fi（{w}）も有効です。",
                             en=prefix.en + "Wired ({n}), but Wi-Fi ({w}) is also active.").format(
            n=names, w=", ".join(other_wifi)), WIFI_OFF, details)
    summary = Text(ja=prefix.ja + "有線（{n}）で接続しています。", en=prefix.en + "Wired connection ({n}).").format(
        n=names)
    if fiber is False:
        return ("warn", Text(ja=summary.ja + "光回線ではないと申告されています。",
                             en=summary.en + " You declared that it is not fiber."),
                Text(ja="光回線をお勧めします。通話品質が悪い場合はセンターに相談してください。",
                     en="Fiber is recommended. If call quality is poor, ask the center."), details)
    return "pass", summary, None, details


class WiredCheck(Check):
    name = "wired"
    title = Text(ja="有線接続", en="Wired connection")

    def __init__(self, adapters: Callable[[], list[Adapter]] | None = None,
                 local_address: Callable[[str, int], str | None] | None = None) -> None:
        self._adapters = adapters or netif.adapters
        self._local_address = local_address or netif.local_address_for

    def run(self, ctx: CheckContext) -> CheckResult:
        target = ctx.center_host or INTERNET_PROBE
        local_ip = self._local_address(target, ctx.center_port)
        status, summary, remedy, details = assess(self._adapters(), local_ip, target, ctx.fiber_declared)
        details["center_configured"] = ctx.center_host is not None
        details["fiber_declared"] = ctx.fiber_declared
        confirmation = FIBER_QUESTION if ctx.fiber_declared is None and status in ("pass", "warn") else None
        return self.result(status, summary, details, remedy, confirmation)
