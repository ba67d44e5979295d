"""Wired vs Wi-Fi with the OS facts faked (Linux sysfs trees, Windows GetAdaptersAddresses buffers), and a real
run on this machine."""

from __future__ import annotations

import ctypes
import ipaddress
import itertools
import socket
from pathlib import Path
from typing import Any

import pytest

from agentdesk.checks import netif
from agentdesk.checks.base import CheckContext
from agentdesk.checks.netif import (
    IP_ADAPTER_ADDRESSES,
    IP_ADAPTER_GATEWAY_ADDRESS,
    IP_ADAPTER_UNICAST_ADDRESS,
    SOCKET_ADDRESS,
    Adapter,
)
from agentdesk.checks.wired import WiredCheck

# --- Linux: a fake /sys/class/net and /proc/net/route ----------------------------------------------------


def make_sysfs(root: Path, ifaces: dict[str, dict[str, Any]], default: list[str]) -> tuple[Path, Path, Path]:
    sysfs = root / "sys"
    for name, spec in ifaces.items():
        d = sysfs / name
        d.mkdir(parents=True)
        (d / "type").write_text(f"{spec.get('type', 1)}\n")
        (d / "flags").write_text(spec.get("flags", "0x1003") + "\n")
        (d / "operstate").write_text(spec.get("operstate", "up") + "\n")
        uevent = f"INTERFACE={name}\nIFINDEX=2\n"
        if spec.get("devtype"):
            uevent += f"DEVTYPE={spec['devtype']}\n"
        (d / "uevent").write_text(uevent)
        if spec.get("wireless"):
            (d / "wireless").mkdir()
        if spec.get("tun"):
            (d / "tun_flags").write_text("0x1001\n")
        if spec.get("device", True) and not spec.get("tun"):
            (d / "device").mkdir()
        for member in spec.get("brif", []):
            (d / "brif").mkdir(exist_ok=True)
            (d / "brif" / member).mkdir()
    route = root / "route"
    lines = ["Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"]
    lines += [f"{n}\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0" for n in default]
    lines += ["lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0"]
    route.write_text("\n".join(lines) + "\n")
    route6 = root / "ipv6_route"
    route6.write_text("")
    return sysfs, route, route6


def linux_check(tmp_path: Path, ifaces: dict[str, dict[str, Any]], default: list[str],
                addrs: dict[str, list[str]], local: str | None):
    sysfs, route, route6 = make_sysfs(tmp_path, ifaces, default)
    adapters = lambda: netif.linux_adapters(sysfs, route, route6, addresses=lambda: addrs)  # noqa: E731
    return WiredCheck(adapters=adapters, local_address=lambda host, port: local)


LO = {"lo": {"type": 772, "flags": "0x9", "operstate": "unknown", "device": False}}


def test_linux_ethernet_passes(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "enp3s0": {}}, ["enp3s0"], {"enp3s0": ["192.168.1.20"]}, "192.168.1.20")
    r = check.execute(CheckContext(center_host="sip.example.jp", fiber_declared=True))
    assert r.status == "pass", r.to_json()
    assert r.details["interface"] == "enp3s0" and r.details["interface_kind"] == "ethernet"
    assert r.confirmation is None  # fiber was declared


def test_linux_wifi_fails(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "wlp2s0": {"wireless": True, "devtype": "wlan"}}, ["wlp2s0"],
                        {"wlp2s0": ["192.168.1.30"]}, "192.168.1.30")
    r = check.execute(CheckContext(center_host="sip.example.jp"))
    assert r.status == "fail"
    assert r.details["interface_kind"] == "wifi"
    assert r.remedy is not None and "LAN ケーブル" in r.remedy.ja


def test_linux_wifi_by_uevent_devtype_only(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "wlan0": {"devtype": "wlan"}}, ["wlan0"], {"wlan0": ["10.0.0.5"]},
                        "10.0.0.5")
    assert check.execute(CheckContext(center_host="x")).status == "fail"


def test_linux_second_active_wifi_warns(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "eth0": {}, "wlan0": {"wireless": True}}, ["eth0"],
                        {"eth0": ["192.168.1.20"], "wlan0": ["192.168.1.31"]}, "192.168.1.20")
    r = check.execute(CheckContext(center_host="x"))
    assert r.status == "warn"
    assert r.details["active_wifi"] == ["wlan0"]


def test_linux_wifi_present_but_down_does_not_warn(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "eth0": {}, "wlan0": {"wireless": True, "flags": "0x1002",
                                                                "operstate": "down"}},
                        ["eth0"], {"eth0": ["192.168.1.20"]}, "192.168.1.20")
    assert check.execute(CheckContext(center_host="x")).status == "pass"


def test_linux_vpn_over_ethernet_passes_and_over_wifi_fails(tmp_path: Path) -> None:
    over_eth = linux_check(tmp_path / "a", {**LO, "tun0": {"type": 65534, "tun": True}, "eth0": {}},
                           ["tun0", "eth0"], {"tun0": ["10.8.0.2"], "eth0": ["192.168.1.20"]}, "10.8.0.2")
    r = over_eth.execute(CheckContext(center_host="x"))
    assert r.status == "pass", r.to_json()
    assert r.details["interface_kind"] == "tunnel" and r.details["physical"] == ["eth0"]
    assert "VPN" in r.summary.ja
    over_wifi = linux_check(tmp_path / "b", {**LO, "wg0": {"type": 65534, "devtype": "wireguard", "device": False},
                                             "wlp2s0": {"wireless": True}},
                            ["wlp2s0"], {"wg0": ["10.9.0.2"], "wlp2s0": ["192.168.1.30"]}, "10.9.0.2")
    r = over_wifi.execute(CheckContext(center_host="x"))
    assert r.status == "fail" and r.details["physical"] == ["wlp2s0"]


def test_linux_bridge_over_wifi_is_wifi(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "br0": {"devtype": "bridge", "brif": ["wlan0"], "device": False},
                                   "wlan0": {"wireless": True}}, ["br0"], {"br0": ["192.168.1.40"]}, "192.168.1.40")
    r = check.execute(CheckContext(center_host="x"))
    assert r.status == "fail"


def test_no_route_fails(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "eth0": {"operstate": "down", "flags": "0x1002"}}, [], {}, None)
    r = check.execute(CheckContext(center_host="sip.example.jp"))
    assert r.status == "fail" and "経路" in r.summary.ja


def test_not_fiber_declared_warns(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "eth0": {}}, ["eth0"], {"eth0": ["192.168.1.20"]}, "192.168.1.20")
    assert check.execute(CheckContext(center_host="x", fiber_declared=False)).status == "warn"
    undeclared = check.execute(CheckContext(center_host="x"))
    assert undeclared.status == "pass" and undeclared.confirmation is not None and "光回線" in undeclared.confirmation.ja


# --- Windows: GetAdaptersAddresses answered from ctypes structures built here ---------------------------------

class FakeIpHelper:
    """Behaves like iphlpapi.GetAdaptersAddresses: ERROR_BUFFER_OVERFLOW with the size first, then the list."""

    def __init__(self, adapters: list[dict[str, Any]]) -> None:
        self.keep: list[Any] = []
        self.calls = 0
        nodes = []
        for spec in adapters:
            a = IP_ADAPTER_ADDRESSES()
            a.Length = ctypes.sizeof(IP_ADAPTER_ADDRESSES)
            a.IfType = spec["if_type"]
            a.OperStatus = spec.get("oper", 1)
            a.TunnelType = spec.get("tunnel_type", 0)
            for attr in ("Description", "FriendlyName"):
                s = ctypes.create_unicode_buffer(spec.get(attr.lower(), spec["friendlyname"]))
                self.keep.append(s)
                setattr(a, attr, ctypes.cast(s, ctypes.c_wchar_p))
            a.AdapterName = b"{00000000-0000-0000-0000-000000000000}"
            prev = None
            for ip in reversed(spec.get("addresses", [])):
                u = IP_ADAPTER_UNICAST_ADDRESS()
                u.Address = self._sockaddr(ip)
                if prev is not None:
                    u.Next = ctypes.pointer(prev)
                self.keep.append(u)
                prev = u
            if prev is not None:
                a.FirstUnicastAddress = ctypes.pointer(prev)
            if spec.get("gateway"):
                g = IP_ADAPTER_GATEWAY_ADDRESS()
                g.Address = self._sockaddr(spec["gateway"])
                self.keep.append(g)
                a.FirstGatewayAddress = ctypes.pointer(g)
            nodes.append(a)
        for a, b in itertools.pairwise(nodes):
            a.Next = ctypes.pointer(b)
        self.keep += nodes
        self.head = nodes[0] if nodes else None

    def _sockaddr(self, ip: str) -> SOCKET_ADDRESS:
        addr = ipaddress.ip_address(ip)
        if addr.version == 4:
            raw = (2).to_bytes(2, "little") + b"\x13\xc4" + addr.packed + b"\0" * 8
        else:
            raw = (23).to_bytes(2, "little") + b"\x13\xc4" + b"\0" * 4 + addr.packed + b"\0" * 4
        buf = ctypes.create_string_buffer(raw, len(raw))
        self.keep.append(buf)
        return SOCKET_ADDRESS(ctypes.cast(buf, ctypes.c_void_p), len(raw))

    def __call__(self, family: int, flags: int, reserved: Any, buf: Any, size_ptr: Any) -> int:
        self.calls += 1
        assert flags & netif.GAA_FLAG_INCLUDE_GATEWAYS
        size = ctypes.cast(size_ptr, ctypes.POINTER(ctypes.c_ulong)).contents
        if self.head is None:
            return netif.ERROR_NO_DATA
        need = ctypes.sizeof(IP_ADAPTER_ADDRESSES) + 4096
        if self.calls == 1 or size.value < need:
            size.value = need
            return netif.ERROR_BUFFER_OVERFLOW
        ctypes.memmove(buf, ctypes.addressof(self.head), ctypes.sizeof(IP_ADAPTER_ADDRESSES))
        return 0


LOOPBACK_W = {"if_type": 24, "friendlyname": "Loopback Pseudo-Interface 1", "addresses": ["127.0.0.1", "::1"]}


def windows_check(adapters: list[dict[str, Any]], local: str | None) -> WiredCheck:
    api = FakeIpHelper(adapters)
    return WiredCheck(adapters=lambda: netif.windows_adapters(api), local_address=lambda h, p: local)


def test_windows_struct_walk_reads_every_field() -> None:
    api = FakeIpHelper([
        {"if_type": 6, "friendlyname": "イーサネット", "description": "Realtek PCIe GbE Family Controller",
         "addresses": ["fe80::1", "192.168.10.5"], "gateway": "192.168.10.1"},
        {"if_type": 71, "friendlyname": "Wi-Fi", "description": "Intel(R) Wi-Fi 6 AX201", "oper": 2},
        LOOPBACK_W,
    ])
    adapters = netif.windows_adapters(api)
    assert api.calls == 2  # the first call only asked for the size
    assert [(a.name, a.kind, a.up, a.gateway) for a in adapters] == [
        ("イーサネット", "ethernet", True, True), ("Wi-Fi", "wifi", False, False),
        ("Loopback Pseudo-Interface 1", "loopback", True, False)]
    assert adapters[0].addresses == ["fe80::1", "192.168.10.5"]
    assert adapters[0].description == "Realtek PCIe GbE Family Controller"


def test_windows_ethernet_passes_and_wifi_fails() -> None:
    eth = {"if_type": 6, "friendlyname": "イーサネット", "description": "Intel(R) Ethernet Connection I219-V",
           "addresses": ["192.168.10.5"], "gateway": "192.168.10.1"}
    wifi = {"if_type": 71, "friendlyname": "Wi-Fi", "description": "Intel(R) Wi-Fi 6 AX201",
            "addresses": ["192.168.10.6"], "gateway": "192.168.10.1"}
    assert windows_check([eth, LOOPBACK_W], "192.168.10.5").execute(CheckContext(center_host="x")).status == "pass"
    r = windows_check([wifi, LOOPBACK_W], "192.168.10.6").execute(CheckContext(center_host="x"))
    assert r.status == "fail" and r.details["interface"] == "Wi-Fi"
    both = windows_check([eth, wifi, LOOPBACK_W], "192.168.10.5").execute(CheckContext(center_host="x"))
    assert both.status == "warn" and both.details["active_wifi"] == ["Wi-Fi"]


def test_windows_vpn_adapters_that_claim_to_be_ethernet() -> None:
    tap = {"if_type": 6, "friendlyname": "OpenVPN", "description": "TAP-Windows Adapter V9",
           "addresses": ["10.8.0.6"]}
    wintun = {"if_type": 53, "friendlyname": "wg-center", "description": "WireGuard Tunnel",
              "addresses": ["10.9.0.2"]}
    wifi = {"if_type": 71, "friendlyname": "Wi-Fi", "description": "Qualcomm Atheros", "addresses": ["192.168.0.9"],
            "gateway": "192.168.0.1"}
    eth = {"if_type": 6, "friendlyname": "Ethernet", "description": "Realtek USB GbE", "addresses": ["192.168.0.8"],
           "gateway": "192.168.0.1"}
    r = windows_check([tap, wifi, LOOPBACK_W], "10.8.0.6").execute(CheckContext(center_host="x"))
    assert r.details["interface_kind"] == "tunnel" and r.status == "fail"
    r = windows_check([wintun, eth, LOOPBACK_W], "10.9.0.2").execute(CheckContext(center_host="x"))
    assert r.details["interface_kind"] == "tunnel" and r.status == "pass" and r.details["physical"] == ["Ethernet"]
    ambiguous = windows_check([wintun, eth, wifi, LOOPBACK_W], "10.9.0.2").execute(CheckContext(center_host="x"))
    assert ambiguous.status == "warn"


def test_windows_hyperv_switch_is_not_called_wired() -> None:
    hv = {"if_type": 6, "friendlyname": "vEthernet (External)", "description": "Hyper-V Virtual Ethernet Adapter",
          "addresses": ["192.168.0.7"], "gateway": "192.168.0.1"}
    assert windows_check([hv], "192.168.0.7").execute(CheckContext(center_host="x")).status == "warn"


def test_windows_kind_table() -> None:
    assert netif.windows_kind(71, 0, "", "") == "wifi"
    assert netif.windows_kind(6, 0, "Realtek", "Ethernet") == "ethernet"
    assert netif.windows_kind(131, 0, "", "") == "tunnel"
    assert netif.windows_kind(6, 14, "", "") == "tunnel"  # TunnelType set
    assert netif.windows_kind(243, 0, "", "") == "cellular"
    assert netif.windows_kind(24, 0, "", "") == "loopback"


# --- real runs on this machine ----------------------------------------------------------------------------

def test_real_route_lookup_and_adapters() -> None:
    local = netif.local_address_for("127.0.0.1", 5060)
    assert local == "127.0.0.1"
    adapters = netif.adapters()
    lo = [a for a in adapters if a.kind == "loopback"]
    assert lo and lo[0].has_address("127.0.0.1")
    names = {a.name for a in adapters}
    assert names == set(socket.if_nameindex()[i][1] for i in range(len(socket.if_nameindex())))


def test_real_run_on_this_machine() -> None:
    r = WiredCheck().execute(CheckContext())
    assert r.status in ("pass", "warn", "fail", "skipped")
    assert r.status != "error", r.to_json()
    if r.details["local_address"] is not None:
        carrier = [a for a in r.details["adapters"] if r.details["local_address"] in a["addresses"]]
        assert carrier and carrier[0]["name"] == r.details["interface"]
        if carrier[0]["kind"] == "ethernet":
            assert r.status in ("pass", "warn")


def test_center_on_loopback_judges_the_uplink(tmp_path: Path) -> None:
    check = linux_check(tmp_path, {**LO, "wlan0": {"wireless": True}}, ["wlan0"],
                        {"lo": ["127.0.0.1"], "wlan0": ["192.168.1.9"]}, "127.0.0.1")
    assert check.execute(CheckContext(center_host="127.0.0.1")).status == "fail"
    alone = linux_check(tmp_path / "x", dict(LO), [], {"lo": ["127.0.0.1"]}, "127.0.0.1")
    assert alone.execute(CheckContext(center_host="127.0.0.1")).status == "skipped"


def test_adapter_address_matching_ignores_scope() -> None:
    assert Adapter("eth0", "ethernet", True, ["fe80::1%eth0"]).has_address("fe80::1")


@pytest.mark.parametrize("name", ["tun0", "wg0", "ppp0", "tailscale0"])
def test_tunnel_names(tmp_path: Path, name: str) -> None:
    sysfs, _, _ = make_sysfs(tmp_path, {name: {"device": False}}, [])
    assert netif.linux_kind(sysfs, name)[0] == "tunnel"
