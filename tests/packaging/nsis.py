"""What a compiled NSIS installer holds, read on Linux: its payload (7-Zip's listing), its manifest and version
resource (7-Zip's PE reader), and the strings of its script (the NSIS header, decompressed here).

The header layout is NSIS 3's fileform.h: after the stub, a first header (flags, 0xDEADBEEF, "NullsoftInst",
header length, data length), then with ``SetCompressor /SOLID lzma`` one LZMA stream (5 property bytes, no size)
whose data starts with the header's length and the header: flags and 8 block headers (packed: 64-bit offset in a
64-bit installer, 32-bit count) of which block 3 is the string table and block 4 the language tables that
follow it. A Unicode installer's strings are UTF-16LE, NUL-separated, with codes 1-4 (language string, shell
folder, variable, skip) each followed by one parameter character.
"""

from __future__ import annotations

import lzma
import re
import struct
import subprocess
from pathlib import Path

from tests.infra import require

FIRST_HEADER = b"\xef\xbe\xad\xdeNullsoftInst"
NS_LANG, NS_SHELL, NS_VAR, NS_SKIP = 1, 2, 3, 4
# Variables by index (NSIS 3: $0-$9, $R0-$R9, then these) and shell folders by CSIDL (shlobj.h).
VARIABLES = {20: "$CMDLINE", 21: "$INSTDIR", 22: "$OUTDIR", 23: "$EXEDIR", 24: "$LANGUAGE", 25: "$TEMP",
             26: "$PLUGINSDIR", 27: "$EXEPATH", 28: "$EXEFILE", 29: "$HWNDPARENT", 30: "$_CLICK"}
CSIDL = {0x00: "$DESKTOP", 0x02: "$SMPROGRAMS", 0x07: "$SMSTARTUP", 0x0B: "$STARTMENU", 0x10: "$DESKTOP",
         0x1A: "$APPDATA", 0x1C: "$LOCALAPPDATA", 0x23: "$COMMONAPPDATA", 0x26: "$PROGRAMFILES",
         0x2B: "$COMMONFILES", 0x24: "$WINDIR", 0x25: "$SYSDIR"}


def seven_zip() -> str:
    return require.binary("7zz")


def listing(setup: Path) -> tuple[dict[str, str], list[str]]:
    """7-Zip's archive properties (Type, SubType...) and the payload's paths."""
    out = subprocess.run([seven_zip(), "l", "-slt", str(setup)], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    head, _, files = out.partition("----------\n")
    props = dict(re.findall(r"(?m)^([\w -]+?) = (.*)$", head))
    paths = re.findall(r"(?m)^Path = (.*)$", files)
    return props, paths


def pe_resources(setup: Path, into: Path) -> dict[str, str]:
    """The setup program's manifest and version resource (7-Zip's PE reader writes version.txt)."""
    subprocess.run([seven_zip(), "x", "-tPE", f"-o{into}", "-y", str(setup), ".rsrc/*"], capture_output=True,
                   timeout=60, check=True)
    manifest = next(into.glob(".rsrc/*/MANIFEST/1")).read_text(encoding="utf-8")
    version_raw = next(into.glob(".rsrc/*/version.txt")).read_bytes()
    version = version_raw.decode("utf-16-le" if version_raw[1:2] == b"\0" else "utf-8", errors="replace")
    return {"manifest": manifest, "version": version}


def version_values(version_txt: str) -> dict[str, str]:
    return dict(re.findall(r'VALUE\s+"(\w+)",\s+"([^"]*)"', version_txt))


def _decode_short(c: int) -> int:
    return (c & 0x7F) | ((c & 0x7F00) >> 1)


def header(setup: Path) -> bytes:
    data = setup.read_bytes()
    at = data.find(FIRST_HEADER)
    assert at >= 4, f"{setup}: no NSIS first header"
    _flags, _sig, _n1, _n2, _n3, header_len, _total = struct.unpack_from("<7I", data, at - 4)
    body = data[at - 4 + 28:]
    props = body[:5]
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": struct.unpack_from("<I", props, 1)[0],
                "lc": props[0] % 9, "lp": (props[0] // 9) % 5, "pb": props[0] // 45}]
    out = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters).decompress(body[5:],
                                                                                   max_length=header_len + 4)
    (length,) = struct.unpack_from("<I", out)
    assert length == header_len, (length, header_len)
    return out[4:4 + length]


def strings(setup: Path) -> list[str]:
    """The script's strings (paths, registry keys and values, language strings), variables and shell folders
    written back as NSIS names ($INSTDIR, $LOCALAPPDATA; a shell folder's current-user CSIDL)."""
    hdr = header(setup)
    blocks = [struct.unpack_from("<QI", hdr, 4 + 12 * k) for k in range(8)]
    start, end = blocks[3][0], blocks[4][0]
    text = hdr[start:end].decode("utf-16-le", errors="replace")
    found: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        o = ord(text[i])
        if o == 0:
            found.append("".join(buf))
            buf = []
        elif o in (NS_LANG, NS_SHELL, NS_VAR, NS_SKIP) and i + 1 < len(text):
            p = ord(text[i + 1])
            i += 1
            if o == NS_VAR:
                n = _decode_short(p)
                buf.append(VARIABLES.get(n, f"$var{n}"))
            elif o == NS_SHELL:
                buf.append(CSIDL.get(p & 0xFF, f"$csidl{p & 0xFF:#x}"))
            elif o == NS_LANG:
                buf.append(f"$(lang{_decode_short(p)})")
            else:
                buf.append(text[i])
        else:
            buf.append(text[i])
        i += 1
    return [s for s in found if s]
