"""The ctypes structures agentdesk/checks/netif.py hands to GetAdaptersAddresses have Windows' x64 layout.

The expected offsets are written out by hand from the declarations in the Windows SDK's iptypes.h (the
``IP_ADAPTER_ADDRESSES_LH``, ``IP_ADAPTER_UNICAST_ADDRESS_LH`` and ``IP_ADAPTER_GATEWAY_ADDRESS_LH`` typedefs;
ws2def.h for ``SOCKET_ADDRESS``; documented field by field on Microsoft Learn, "IP_ADAPTER_ADDRESSES_LH structure
(iptypes.h)"), with the x64 (LLP64) sizes: ULONG, DWORD, IFTYPE, IF_INDEX, NET_IF_COMPARTMENT_ID 4 bytes; the
enums (IF_OPER_STATUS, NET_IF_CONNECTION_TYPE, TUNNEL_TYPE) 4; pointers 8; ULONG64 and IF_LUID 8; GUID 16 with
4-byte alignment; every member at its natural alignment (MSVC's default packing). A field read at the wrong
offset reads another field: the wired/Wi-Fi check would see garbage IfTypes only on agents' PCs.
"""

from __future__ import annotations

import ctypes

from agentdesk.checks import netif

# (field, offset, size) in declaration order, from iptypes.h. Our structure stops after TunnelType (the fields
# after it are not read; GetAdaptersAddresses allocates the full 448-byte structure).
IP_ADAPTER_ADDRESSES_LH = [
    ("Length", 0, 4),                   # union { ULONGLONG Alignment; struct { ULONG Length; IF_INDEX IfIndex; }; }
    ("IfIndex", 4, 4),
    ("Next", 8, 8),                     # struct _IP_ADAPTER_ADDRESSES_LH *
    ("AdapterName", 16, 8),             # PCHAR
    ("FirstUnicastAddress", 24, 8),
    ("FirstAnycastAddress", 32, 8),
    ("FirstMulticastAddress", 40, 8),
    ("FirstDnsServerAddress", 48, 8),
    ("DnsSuffix", 56, 8),               # PWCHAR
    ("Description", 64, 8),
    ("FriendlyName", 72, 8),
    ("PhysicalAddress", 80, 8),         # BYTE[MAX_ADAPTER_ADDRESS_LENGTH = 8]
    ("PhysicalAddressLength", 88, 4),   # ULONG
    ("Flags", 92, 4),                   # union { ULONG Flags; struct { bit fields }; }
    ("Mtu", 96, 4),
    ("IfType", 100, 4),                 # IFTYPE (ULONG)
    ("OperStatus", 104, 4),             # IF_OPER_STATUS (enum)
    ("Ipv6IfIndex", 108, 4),            # IF_INDEX
    ("ZoneIndices", 112, 64),           # ULONG[16]
    ("FirstPrefix", 176, 8),
    ("TransmitLinkSpeed", 184, 8),      # ULONG64
    ("ReceiveLinkSpeed", 192, 8),
    ("FirstWinsServerAddress", 200, 8),
    ("FirstGatewayAddress", 208, 8),
    ("Ipv4Metric", 216, 4),
    ("Ipv6Metric", 220, 4),
    ("Luid", 224, 8),                   # IF_LUID (union with ULONG64 Value)
    ("Dhcpv4Server", 232, 16),          # SOCKET_ADDRESS
    ("CompartmentId", 248, 4),          # NET_IF_COMPARTMENT_ID (UINT32)
    ("NetworkGuid", 252, 16),           # NET_IF_NETWORK_GUID (GUID: 4-byte aligned, follows directly)
    ("ConnectionType", 268, 4),         # NET_IF_CONNECTION_TYPE (enum)
    ("TunnelType", 272, 4),             # TUNNEL_TYPE (enum)
    # then Dhcpv6Server 280 (SOCKET_ADDRESS, 8-aligned), Dhcpv6ClientDuid[130] 296, Dhcpv6ClientDuidLength 428,
    # Dhcpv6Iaid 432, FirstDnsSuffix 440; sizeof 448
]
SOCKET_ADDRESS = [("lpSockaddr", 0, 8), ("iSockaddrLength", 8, 4)]  # LPSOCKADDR, INT; sizeof 16
UNICAST = [("Length", 0, 4), ("Flags", 4, 4), ("Next", 8, 8), ("Address", 16, 16)]  # then PrefixOrigin 32...
GATEWAY = [("Length", 0, 4), ("Reserved", 4, 4), ("Next", 8, 8), ("Address", 16, 16)]  # sizeof 32


def _layout(struct: type[ctypes.Structure]) -> list[tuple[str, int, int]]:
    return [(name, getattr(struct, name).offset, getattr(struct, name).size) for name, *_ in struct._fields_]


def test_ip_adapter_addresses_matches_the_sdk_x64_layout() -> None:
    assert ctypes.sizeof(ctypes.c_void_p) == 8, "the layout below is x64's"
    assert _layout(netif.IP_ADAPTER_ADDRESSES) == IP_ADAPTER_ADDRESSES_LH
    # the truncated structure ends at TunnelType, padded to the 8-byte alignment of its pointers
    assert ctypes.sizeof(netif.IP_ADAPTER_ADDRESSES) == 280 and ctypes.alignment(netif.IP_ADAPTER_ADDRESSES) == 8


def test_socket_address_unicast_and_gateway_entries_match() -> None:
    assert _layout(netif.SOCKET_ADDRESS) == SOCKET_ADDRESS and ctypes.sizeof(netif.SOCKET_ADDRESS) == 16
    assert _layout(netif.IP_ADAPTER_UNICAST_ADDRESS) == UNICAST
    assert _layout(netif.IP_ADAPTER_GATEWAY_ADDRESS) == GATEWAY and ctypes.sizeof(netif.IP_ADAPTER_GATEWAY_ADDRESS) == 32


def test_an_adapter_written_at_the_sdk_offsets_is_read_back() -> None:
    """Bytes laid out as Windows writes them (at the offsets above, not through our classes) are read by
    windows_adapters as the adapter they describe: a Wi-Fi adapter with one IPv4 address and a gateway."""
    import struct

    buf = ctypes.create_string_buffer(448 + 32 + 16 + 64)
    base = ctypes.addressof(buf)
    gateway_at, sockaddr_at, unicast_at = 448, 448 + 32, 448 + 32 + 16
    friendly = ctypes.create_unicode_buffer("Wi-Fi")
    description = ctypes.create_unicode_buffer("Intel(R) Wi-Fi 6 AX201 160MHz")
    name = ctypes.create_string_buffer(b"{4F2C1D6E-0000-4000-8000-00AABBCCDDEE}")
    raw = bytearray(buf.raw)

    def put(offset: int, fmt: str, *values: object) -> None:
        struct.pack_into("<" + fmt, raw, offset, *values)

    put(0, "II", 448, 7)                                           # Length, IfIndex
    put(16, "Q", ctypes.addressof(name))                           # AdapterName
    put(24, "Q", base + unicast_at)                                # FirstUnicastAddress
    put(64, "Q", ctypes.addressof(description))                    # Description
    put(72, "Q", ctypes.addressof(friendly))                       # FriendlyName
    put(100, "I", netif.IF_TYPE_IEEE80211)                         # IfType
    put(104, "i", netif.IF_OPER_STATUS_UP)                         # OperStatus
    put(208, "Q", base + gateway_at)                               # FirstGatewayAddress
    put(272, "i", 0)                                               # TunnelType
    put(gateway_at, "II", 32, 0)                                   # a gateway entry (its address unused)
    put(sockaddr_at, "H", netif.WIN_AF_INET)                       # SOCKADDR_IN: family, port, address
    raw[sockaddr_at + 4:sockaddr_at + 8] = bytes([192, 168, 1, 23])
    put(unicast_at, "II", 64, 0)
    put(unicast_at + 16, "Qi", base + sockaddr_at, 16)             # Address: lpSockaddr, iSockaddrLength
    ctypes.memmove(buf, bytes(raw), len(raw))

    # (the strings are this platform's wchar_t, 4 bytes here, 2 on Windows: c_wchar_p reads either as written)
    def api(family: int, flags: int, reserved: object, out: object, size: object) -> int:
        needed = ctypes.cast(size, ctypes.POINTER(netif.ULONG))
        if needed.contents.value < len(raw):
            needed.contents.value = len(raw)
            return netif.ERROR_BUFFER_OVERFLOW
        ctypes.memmove(out, buf, len(raw))
        return 0

    # the copy keeps pointing into buf (absolute addresses), which stays alive for the call
    adapters = netif.windows_adapters(api)
    assert [(a.name, a.kind, a.up, a.addresses, a.gateway, a.description) for a in adapters] == [
        ("Wi-Fi", "wifi", True, ["192.168.1.23"], True, "Intel(R) Wi-Fi 6 AX201 160MHz")]
    assert adapters[0].facts == {"if_type": 71, "tunnel_type": 0}
