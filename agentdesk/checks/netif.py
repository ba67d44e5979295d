"""Network adapters as the OS reports them: kind (ethernet, wifi, tunnel...), state, addresses, default route.

Linux reads sysfs (``/sys/class/net/IF/wireless``, ``phy80211``, ``uevent`` DEVTYPE, ``type``, ``tun_flags``,
``brif/``) and ``/proc/net/route``; Windows calls ``GetAdaptersAddresses`` (IP Helper API) through ctypes and
reads IfType (6 Ethernet, 71 802.11, 131 tunnel, 23 PPP, 243/244 mobile broadband), OperStatus, TunnelType and
the gateway list. Localized ``netsh``/``ipconfig`` output is never parsed. Every OS fact comes through a
replaceable function or root directory, so tests fake Wi-Fi, Ethernet and VPN machines of both systems.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("ethernet", "wifi", "tunnel", "cellular", "loopback", "other")

# Adapter descriptions of VPN clients that present themselves as Ethernet (Windows) and interface-name prefixes
# of tunnels (Linux).
VPN_WORDS = ("vpn", "tap-windows", "tap-win", "wireguard", "wintun", "anyconnect", "fortinet", "fortissl",
             "juniper", "pulse secure", "globalprotect", "pangp", "openvpn", "tailscale", "zerotier", "nordlynx",
             "forticlient", "sonicwall", "checkpoint", "check point", "virtual private")
VIRTUAL_WORDS = ("hyper-v", "vethernet", "virtualbox", "vmware", "docker", "wsl")
TUNNEL_PREFIXES = ("tun", "tap", "wg", "ppp", "vpn", "tailscale", "zt", "utun", "ipsec", "gre", "sit", "ip6tnl",
                   "nordlynx", "cscotun")


@dataclass
class Adapter:
    name: str
    kind: str
    up: bool
    addresses: list[str] = field(default_factory=list)
    gateway: bool = False  # carries a default route
    description: str = ""
    facts: dict[str, Any] = field(default_factory=dict)  # the raw OS facts the kind was derived from

    def has_address(self, address: str) -> bool:
        return any(_same_ip(a, address) for a in self.addresses)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "up": self.up, "addresses": self.addresses,
                "gateway": self.gateway, "description": self.description, **self.facts}


def _same_ip(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.split("%")[0]) == ipaddress.ip_address(b.split("%")[0])
    except ValueError:
        return False


def local_address_for(host: str, port: int = 5060) -> str | None:
    """The local address the OS would use to reach host:port (a UDP connect sends no packet)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError:
        return None
    for family, _type, _proto, _name, addr in infos:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            try:
                s.connect(addr)
                return str(s.getsockname()[0])
            except OSError:
                continue
    return None


# --- Linux -----------------------------------------------------------------------------------------------

ARPHRD_ETHER = 1
ARPHRD_PPP = 512
ARPHRD_LOOPBACK = 772
ARPHRD_NONE = 65534
ARPHRD_TUNNELS = {768, 769, 776, 778, 823}  # ipip, ip6 tunnel, sit, gre, ip6gre
IFF_UP = 0x1


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""


def _uevent(path: Path) -> dict[str, str]:
    out = {}
    for line in _read(path / "uevent").splitlines():
        key, _, value = line.partition("=")
        out[key] = value
    return out


def linux_kind(sysfs: Path, name: str, _depth: int = 0) -> tuple[str, dict[str, Any]]:
    d = sysfs / name
    uevent = _uevent(d)
    devtype = uevent.get("DEVTYPE", "")
    try:
        arphrd = int(_read(d / "type") or "0")
    except ValueError:
        arphrd = 0
    facts: dict[str, Any] = {"devtype": devtype or None, "arphrd": arphrd}
    if arphrd == ARPHRD_LOOPBACK or name == "lo":
        return "loopback", facts
    if (d / "wireless").exists() or (d / "phy80211").exists() or devtype == "wlan":
        return "wifi", facts
    if devtype == "wwan" or name.startswith("wwan"):
        return "cellular", facts
    if (d / "tun_flags").exists() or arphrd in ARPHRD_TUNNELS or arphrd in (ARPHRD_NONE, ARPHRD_PPP) or devtype in (
            "wireguard", "ipip", "gre", "ppp", "l2tp", "vti") or name.startswith(TUNNEL_PREFIXES):
        return "tunnel", facts
    if devtype == "bridge" and (d / "brif").is_dir() and _depth < 3:
        members = sorted(p.name for p in (d / "brif").iterdir())
        kinds = [linux_kind(sysfs, m, _depth + 1)[0] for m in members]
        facts["bridge_members"] = dict(zip(members, kinds, strict=True))
        if "wifi" in kinds:
            return "wifi", facts
        if "ethernet" in kinds:
            return "ethernet", facts
        return "other", facts
    if arphrd == ARPHRD_ETHER and devtype in ("", "vlan"):
        facts["physical"] = (d / "device").exists()
        return "ethernet", facts
    return "other", facts


def linux_default_route_interfaces(proc_route: Path = Path("/proc/net/route"),
                                   proc_ipv6_route: Path = Path("/proc/net/ipv6_route")) -> set[str]:
    names: set[str] = set()
    for line in _read(proc_route).splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 8 and parts[1] == "00000000" and parts[7] == "00000000":
            names.add(parts[0])
    for line in _read(proc_ipv6_route).splitlines():
        parts = line.split()
        if len(parts) >= 10 and parts[0] == "0" * 32 and parts[1] == "00" and parts[9] != "lo":
            names.add(parts[9])
    return names


def linux_adapters(sysfs: Path = Path("/sys/class/net"), proc_route: Path = Path("/proc/net/route"),
                   proc_ipv6_route: Path = Path("/proc/net/ipv6_route"),
                   addresses: Callable[[], dict[str, list[str]]] | None = None) -> list[Adapter]:
    addrs = (addresses or psutil_addresses)()
    gateways = linux_default_route_interfaces(proc_route, proc_ipv6_route)
    out = []
    for d in sorted(sysfs.iterdir()) if sysfs.is_dir() else []:
        kind, facts = linux_kind(sysfs, d.name)
        try:
            flags = int(_read(d / "flags") or "0", 16)
        except ValueError:
            flags = 0
        oper = _read(d / "operstate")
        facts["operstate"] = oper
        up = bool(flags & IFF_UP) and oper in ("up", "unknown")
        out.append(Adapter(d.name, kind, up, addrs.get(d.name, []), d.name in gateways, "", facts))
    return out


def psutil_addresses() -> dict[str, list[str]]:
    import psutil

    out: dict[str, list[str]] = {}
    for name, items in psutil.net_if_addrs().items():
        out[name] = [a.address.split("%")[0] for a in items if a.family in (socket.AF_INET, socket.AF_INET6)]
    return out


# --- Windows (IP Helper API through ctypes) ---------------------------------------------------------------

WIN_AF_INET = 2
WIN_AF_INET6 = 23
AF_UNSPEC = 0
GAA_FLAG_SKIP_ANYCAST = 0x2
GAA_FLAG_SKIP_MULTICAST = 0x4
GAA_FLAG_SKIP_DNS_SERVER = 0x8
GAA_FLAG_INCLUDE_GATEWAYS = 0x80
ERROR_BUFFER_OVERFLOW = 111
ERROR_NO_DATA = 232
IF_TYPE_ETHERNET = 6
IF_TYPE_PPP = 23
IF_TYPE_LOOPBACK = 24
IF_TYPE_IEEE80211 = 71
IF_TYPE_TUNNEL = 131
IF_TYPE_WWAN = (243, 244)
IF_OPER_STATUS_UP = 1
# Windows' ULONG/DWORD is 32-bit on x64 (LLP64), where ctypes.c_ulong is 64-bit on Linux (LP64): fixed widths keep the
# structures the same on both, so tests/checks/test_windows_layout.py checks here the layout Windows reads.
ULONG = ctypes.c_uint32


class SOCKET_ADDRESS(ctypes.Structure):
    _fields_ = [("lpSockaddr", ctypes.c_void_p), ("iSockaddrLength", ctypes.c_int)]


class IP_ADAPTER_UNICAST_ADDRESS(ctypes.Structure):
    pass


IP_ADAPTER_UNICAST_ADDRESS._fields_ = [
    ("Length", ULONG), ("Flags", ULONG),
    ("Next", ctypes.POINTER(IP_ADAPTER_UNICAST_ADDRESS)),
    ("Address", SOCKET_ADDRESS),
]


class IP_ADAPTER_GATEWAY_ADDRESS(ctypes.Structure):
    pass


IP_ADAPTER_GATEWAY_ADDRESS._fields_ = [
    ("Length", ULONG), ("Reserved", ULONG),
    ("Next", ctypes.POINTER(IP_ADAPTER_GATEWAY_ADDRESS)),
    ("Address", SOCKET_ADDRESS),
]


class IP_ADAPTER_ADDRESSES(ctypes.Structure):
    """IP_ADAPTER_ADDRESSES_LH up to TunnelType (later fields are not read; the API allocates the full size)."""


IP_ADAPTER_ADDRESSES._fields_ = [
    ("Length", ULONG), ("IfIndex", ULONG),
    ("Next", ctypes.POINTER(IP_ADAPTER_ADDRESSES)),
    ("AdapterName", ctypes.c_char_p),
    ("FirstUnicastAddress", ctypes.POINTER(IP_ADAPTER_UNICAST_ADDRESS)),
    ("FirstAnycastAddress", ctypes.c_void_p),
    ("FirstMulticastAddress", ctypes.c_void_p),
    ("FirstDnsServerAddress", ctypes.c_void_p),
    ("DnsSuffix", ctypes.c_wchar_p),
    ("Description", ctypes.c_wchar_p),
    ("FriendlyName", ctypes.c_wchar_p),
    ("PhysicalAddress", ctypes.c_ubyte * 8),
    ("PhysicalAddressLength", ULONG),
    ("Flags", ULONG),
    ("Mtu", ULONG),
    ("IfType", ULONG),
    ("OperStatus", ctypes.c_int),
    ("Ipv6IfIndex", ULONG),
    ("ZoneIndices", ULONG * 16),
    ("FirstPrefix", ctypes.c_void_p),
    ("TransmitLinkSpeed", ctypes.c_uint64),
    ("ReceiveLinkSpeed", ctypes.c_uint64),
    ("FirstWinsServerAddress", ctypes.c_void_p),
    ("FirstGatewayAddress", ctypes.POINTER(IP_ADAPTER_GATEWAY_ADDRESS)),
    ("Ipv4Metric", ULONG),
    ("Ipv6Metric", ULONG),
    ("Luid", ctypes.c_uint64),
    ("Dhcpv4Server", SOCKET_ADDRESS),
    ("CompartmentId", ctypes.c_uint32),
    ("NetworkGuid", ctypes.c_ubyte * 16),
    ("ConnectionType", ctypes.c_int),
    ("TunnelType", ctypes.c_int),
]


def sockaddr_to_str(sa: SOCKET_ADDRESS) -> str | None:
    """A Windows SOCKADDR (family 2 or 23) as text."""
    if not sa.lpSockaddr or sa.iSockaddrLength < 8:
        return None
    raw = ctypes.string_at(sa.lpSockaddr, sa.iSockaddrLength)
    family = int.from_bytes(raw[0:2], "little")
    if family == WIN_AF_INET and len(raw) >= 8:
        return str(ipaddress.IPv4Address(raw[4:8]))
    if family == WIN_AF_INET6 and len(raw) >= 24:
        return str(ipaddress.IPv6Address(raw[8:24]))
    return None


def windows_kind(if_type: int, tunnel_type: int, description: str, friendly: str) -> str:
    words = f"{description} {friendly}".lower()
    if if_type == IF_TYPE_LOOPBACK:
        return "loopback"
    if if_type == IF_TYPE_IEEE80211:
        return "wifi"
    if if_type in IF_TYPE_WWAN:
        return "cellular"
    if if_type in (IF_TYPE_TUNNEL, IF_TYPE_PPP) or tunnel_type != 0 or any(w in words for w in VPN_WORDS):
        return "tunnel"
    if if_type == IF_TYPE_ETHERNET:
        # Hyper-V's vEthernet may bridge a Wi-Fi adapter; the kind behind it is unknown.
        return "other" if any(w in words for w in VIRTUAL_WORDS) else "ethernet"
    return "other"


GetAdaptersAddressesFn = Callable[[int, int, Any, Any, Any], int]


def _win_api() -> GetAdaptersAddressesFn:
    fn: GetAdaptersAddressesFn = ctypes.windll.iphlpapi.GetAdaptersAddresses  # type: ignore[attr-defined]
    fn.restype = ULONG  # type: ignore[attr-defined]
    return fn


def windows_adapters(api: GetAdaptersAddressesFn | None = None) -> list[Adapter]:
    fn = api or _win_api()
    flags = GAA_FLAG_INCLUDE_GATEWAYS | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER
    size = ULONG(15000)
    buf: Any = None
    for _ in range(4):  # the list may grow between calls
        buf = ctypes.create_string_buffer(size.value)
        rc = fn(AF_UNSPEC, flags, None, buf, ctypes.byref(size))
        if rc == 0:
            break
        if rc == ERROR_NO_DATA:
            return []
        if rc != ERROR_BUFFER_OVERFLOW:
            raise OSError(rc, f"GetAdaptersAddresses failed with {rc}")
    else:
        raise OSError(ERROR_BUFFER_OVERFLOW, "GetAdaptersAddresses: the adapter list kept growing")
    out: list[Adapter] = []
    node = ctypes.cast(buf, ctypes.POINTER(IP_ADAPTER_ADDRESSES))
    for _ in range(256):
        if not node:
            break
        a = node.contents
        addrs = []
        u = a.FirstUnicastAddress
        for _ in range(64):
            if not u:
                break
            text = sockaddr_to_str(u.contents.Address)
            if text:
                addrs.append(text)
            u = u.contents.Next
        description = a.Description or ""
        friendly = a.FriendlyName or ""
        kind = windows_kind(int(a.IfType), int(a.TunnelType), description, friendly)
        out.append(Adapter(
            name=friendly or (a.AdapterName or b"").decode(errors="replace"),
            kind=kind,
            up=int(a.OperStatus) == IF_OPER_STATUS_UP,
            addresses=addrs,
            gateway=bool(a.FirstGatewayAddress),
            description=description,
            facts={"if_type": int(a.IfType), "tunnel_type": int(a.TunnelType)},
        ))
        node = a.Next
    return out


def adapters() -> list[Adapter]:
    if sys.platform == "win32":
        return windows_adapters()
    if os.path.isdir("/sys/class/net"):
        return linux_adapters()
    with contextlib.suppress(Exception):  # other systems: addresses only, kinds unknown
        return [Adapter(n, "other", True, a) for n, a in psutil_addresses().items()]
    return []
