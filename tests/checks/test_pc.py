"""The PC check: real facts of this machine, the Windows security queries with faked registry and PowerShell,
and the clock offset against a real HTTP server's Date header."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentdesk.checks import pc
from agentdesk.checks.base import CheckContext
from agentdesk.checks.pc import PcCheck


def _expected(value: float, low: float, good: float) -> str:
    return "fail" if value < low else "warn" if value < good else "pass"


def test_real_run_on_this_machine() -> None:
    """Each fact equals what this machine says through another door (os, /proc, statvfs), each item's verdict
    follows the documented thresholds, and the overall verdict is the worst measured item."""
    import os
    import platform

    from agentdesk import paths

    r = PcCheck().execute(CheckContext())
    items = r.details["items"]
    cpus = os.cpu_count()
    assert items["cpu"]["value"]["logical_cpus"] == cpus
    assert items["cpu"]["status"] == _expected(cpus or 0, 2, 4)  # MIN_CPUS, GOOD_CPUS
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    assert items["memory"]["value"]["total_gb"] == pytest.approx(total, abs=0.1)
    assert items["memory"]["status"] == _expected(total, 4.0, 8.0)
    st = os.statvfs(paths.data_dir())
    free = st.f_bavail * st.f_frsize / 2**30
    # other processes write to the disk meanwhile: 0.5 GB of slack, far below the 2 / 10 GB thresholds' spacing
    assert items["disk"]["value"]["free_gb"] == pytest.approx(free, abs=0.5)
    assert items["disk"]["value"]["total_gb"] == pytest.approx(st.f_blocks * st.f_frsize / 2**30, abs=0.1)
    assert items["disk"]["status"] == _expected(free, 2.0, 10.0)
    assert items["os"]["value"]["system"] == platform.system()
    # Facts this machine does not report are "skipped" and listed, never passed.
    assert r.details["unknown"] == [k for k, it in items.items() if it["status"] == "skipped"]
    severity = {"pass": 0, "warn": 1, "fail": 3}
    measured = [it["status"] for it in items.values() if it["status"] != "skipped"]
    worst = max(measured, key=severity.__getitem__)
    security = ("screen_lock", "disk_encryption", "firewall", "updates", "antivirus")
    if worst == "pass" and any(items.get(k, {}).get("status") == "skipped" for k in security):
        worst = "warn"  # an unverified security posture is never a clean pass
    assert r.status == worst, r.to_json()


def fake_registry(values: dict[tuple[str, str], Any]):
    return lambda hive, key, name: values.get((key.split("\\")[-1], name))


def fake_powershell(answer: dict[str, Any] | None):
    """PowerShell answering the one security script with this JSON object (None: PowerShell failed)."""
    scripts: list[str] = []

    def ps(script: str) -> Any:
        scripts.append(script)
        assert "ConvertTo-Json" in script and "'C:\\')" in script
        return answer
    ps.scripts = scripts  # type: ignore[attr-defined]
    return ps


SECURE = {
    "bitlocker": 1,
    "firewall": [{"Name": "Domain", "Enabled": 1}, {"Name": "Private", "Enabled": True},
                 {"Name": "Public", "Enabled": 2}],  # 2: "not configured", which Windows treats as on
    "last_update": time.strftime("%Y-%m-%dT00:00:00"),
    "defender": {"AntivirusEnabled": True, "RealTimeProtectionEnabled": True},
}


def test_windows_secure_pc() -> None:
    reg = fake_registry({("Desktop", "ScreenSaveActive"): "1", ("Desktop", "ScreenSaverIsSecure"): "1",
                         ("Desktop", "ScreenSaveTimeOut"): "600"})
    ps = fake_powershell(SECURE)
    items = pc.windows_security(ps, reg)
    assert len(ps.scripts) == 1  # one PowerShell start for every query
    assert {k: v["status"] for k, v in items.items()} == {
        "screen_lock": "pass", "disk_encryption": "pass", "firewall": "pass", "updates": "pass", "antivirus": "pass"}


def test_windows_insecure_pc() -> None:
    reg = fake_registry({("Desktop", "ScreenSaveActive"): "0"})
    items = pc.windows_security(fake_powershell({
        "bitlocker": 2,
        "firewall": [{"Name": "Domain", "Enabled": 1}, {"Name": "Public", "Enabled": 0}],
        "last_update": "2025-01-01T00:00:00",
        "defender": {"AntivirusEnabled": True, "RealTimeProtectionEnabled": False},
    }), reg)
    assert items["screen_lock"]["status"] == "fail"
    assert items["disk_encryption"]["status"] == "fail"
    assert items["firewall"]["status"] == "fail" and items["firewall"]["value"]["Public"] is False
    assert items["updates"]["status"] == "warn"
    assert items["antivirus"]["status"] == "fail"
    r = PcCheck(security=lambda: items, platform="win32").execute(CheckContext())
    assert r.status == "fail"
    assert "BitLocker" in r.remedy.ja and "ファイアウォール" in r.summary.ja
    # the same findings on Linux get Linux advice: no Windows settings where there is no Windows
    r = PcCheck(security=lambda: items, platform="linux").execute(CheckContext())
    assert "Windows" not in r.remedy.ja + r.remedy.en and "ufw" in r.remedy.en
    assert "FileVault" in PcCheck(security=lambda: items, platform="darwin").execute(CheckContext()).remedy.en


def test_windows_unknown_is_skipped_never_a_pass() -> None:
    items = pc.windows_security(fake_powershell(None), fake_registry({}))
    assert all(v["status"] == "skipped" for v in items.values()), items
    partly = pc.windows_security(fake_powershell({"bitlocker": 1}), fake_registry({}))  # other queries failed
    assert partly["disk_encryption"]["status"] == "pass" and partly["firewall"]["status"] == "skipped"
    r = PcCheck(security=lambda: items).execute(CheckContext())
    assert r.status != "pass"


def test_windows_policy_screen_lock() -> None:
    reg = fake_registry({("System", "InactivityTimeoutSecs"): 300})
    assert pc.windows_security(fake_powershell({}), reg)["screen_lock"]["status"] == "pass"


def test_linux_disk_encryption_from_sysfs(tmp_path: Path) -> None:
    dm = tmp_path / "dm-0" / "dm"
    dm.mkdir(parents=True)
    (dm / "uuid").write_text("CRYPT-LUKS2-abcdef-luks\n")
    (dm / "name").write_text("luks-root\n")
    items = pc.linux_security(tmp_path, run=lambda cmd: None)
    assert items["disk_encryption"]["status"] == "pass"
    assert items["disk_encryption"]["value"]["crypt_devices"] == ["luks-root"]
    assert pc.linux_security(tmp_path / "none", run=lambda cmd: None)["disk_encryption"]["status"] == "skipped"


@pytest.fixture
def http_center() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_clock_offset_against_the_center(http_center: str) -> None:
    ctx = CheckContext(extra={"center_url": http_center})
    now_ok = pc.clock_facts(ctx)
    assert now_ok["status"] == "pass" and abs(now_ok["value"]["offset_s"]) <= 1.5
    assert now_ok["value"]["source"] == "http"
    ahead = pc.clock_facts(ctx, now=lambda: time.time() + 120)
    assert ahead["status"] == "fail" and ahead["value"]["offset_s"] == pytest.approx(120, abs=1.5)
    behind = pc.clock_facts(ctx, now=lambda: time.time() - 10)
    assert behind["status"] == "warn"


def test_screen_size_thresholds() -> None:
    assert pc.screen_facts((1920, 1080))["status"] == "pass"
    assert pc.screen_facts((1280, 720))["status"] == "warn"
    assert pc.screen_facts((1024, 600))["status"] == "fail"


def test_clock_offset_from_the_sip_date_header() -> None:
    """A SIP server that answers OPTIONS with a Date header (as Asterisk and FreeSWITCH do)."""
    import email.utils
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3)
    skew = -30.0  # the center's clock is 30 s behind: this PC is 30 s ahead

    def answer() -> None:
        data, addr = s.recvfrom(4096)
        via = next(line for line in data.decode().split("\r\n") if line.lower().startswith("via:"))
        date = email.utils.formatdate(time.time() + skew, usegmt=True)
        s.sendto(f"SIP/2.0 200 OK\r\n{via}\r\nDate: {date}\r\nContent-Length: 0\r\n\r\n".encode(), addr)

    t = threading.Thread(target=answer, daemon=True)
    t.start()
    try:
        item = pc.clock_facts(CheckContext(center_host="127.0.0.1", center_port=s.getsockname()[1]))
    finally:
        t.join(3)
        s.close()
    assert item["value"]["source"] == "sip"
    assert item["value"]["offset_s"] == pytest.approx(30, abs=1.5)
    assert item["status"] == "warn"


def _command_line_to_argv(line: str) -> list[str]:
    """Windows' CommandLineToArgvW rules (Microsoft Learn, "Parsing C++ command-line arguments"): whitespace
    separates arguments outside quotes; 2n backslashes + '"' give n backslashes and toggle quoting; 2n+1
    backslashes + '"' give n backslashes and a literal '"'; other backslashes are literal."""
    args: list[str] = []
    cur: list[str] = []
    quoted = have = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            n = 0
            while i < len(line) and line[i] == "\\":
                n += 1
                i += 1
            if i < len(line) and line[i] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    i += 1
                have = True
                continue
            cur.append("\\" * n)
            have = True
            continue
        if c == '"':
            if quoted and i + 1 < len(line) and line[i + 1] == '"':
                cur.append('"')
                i += 2
                continue
            quoted = not quoted
            have = True
        elif c in " \t" and not quoted:
            if have or cur:
                args.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(c)
            have = True
        i += 1
    if have or cur:
        args.append("".join(cur))
    return args


def test_the_powershell_command_line_reaches_powershell_intact(monkeypatch: pytest.MonkeyPatch) -> None:
    """subprocess on Windows joins argv with list2cmdline; powershell.exe splits it back with CommandLineToArgvW's
    rules. The security script (quotes, backslashes, newlines) must come out as the one -Command argument."""
    import subprocess

    seen: list[list[str]] = []
    monkeypatch.setattr(pc, "_run", lambda cmd, timeout=8.0: seen.append(cmd) or None)
    for drive in ("C:", "D:"):
        monkeypatch.setenv("SYSTEMDRIVE", drive)
        pc.windows_security(reg=fake_registry({}))
    for argv, drive in zip(seen, ("C:", "D:"), strict=True):
        assert argv[:2] == ["powershell", "-NoProfile"] and argv[-2] == "-Command"
        assert f"NameSpace('{drive}\\')" in argv[-1]
        assert _command_line_to_argv(subprocess.list2cmdline(argv)) == argv
    # the splitter itself, on Microsoft's documented examples
    assert _command_line_to_argv(r'"a b c" d e') == ["a b c", "d", "e"]
    assert _command_line_to_argv(r'"ab\"c" "\\" d') == ['ab"c', "\\", "d"]
    assert _command_line_to_argv(r'a\\\b d"e f"g h') == [r"a\\\b", "de fg", "h"]
    assert _command_line_to_argv(r'a\\\"b c d') == [r'a\"b', "c", "d"]
    assert _command_line_to_argv(r'a\\\\"b c" d e') == [r"a\\b c", "d", "e"]


# What Windows PowerShell 5.1 prints for the security script (ConvertTo-Json -Compress of the hashtable): the shapes
# of its types. GpoBoolean (Get-NetFirewallProfile's Enabled) is an enum and serializes as its number; a
# DateTime's ToString('o') has seven fractional digits; 5.1 may wrap an array as {"value": [...], "Count": n}.
PS51_OUTPUTS = {
    "secure": '{"defender":{"AntivirusEnabled":true,"RealTimeProtectionEnabled":true},"last_update":"'
              + time.strftime("%Y-%m-%d") + 'T00:00:00.0000000","firewall":[{"Name":"Domain","Enabled":1},'
              '{"Name":"Private","Enabled":1},{"Name":"Public","Enabled":1}],"bitlocker":1}',
    "wrapped_array": '{"firewall":{"value":[{"Name":"Domain","Enabled":1},{"Name":"Private","Enabled":0},'
                     '{"Name":"Public","Enabled":1}],"Count":3},"bitlocker":2}',
    "one_profile": '{"firewall":{"Name":"Public","Enabled":2}}',
    "home_no_bitlocker": '{"last_update":"2025-01-01T00:00:00.0000000+09:00","bitlocker":0}',
}


def test_the_parser_reads_windows_powershell_5_output_shapes() -> None:
    import json

    def items(name: str) -> dict[str, Any]:
        return pc.windows_security(lambda script: json.loads(PS51_OUTPUTS[name]), fake_registry({}))

    secure = items("secure")
    assert {k: secure[k]["status"] for k in ("disk_encryption", "firewall", "updates", "antivirus")} == {
        "disk_encryption": "pass", "firewall": "pass", "updates": "pass", "antivirus": "pass"}
    wrapped = items("wrapped_array")
    assert wrapped["firewall"]["status"] == "fail" and wrapped["firewall"]["value"] == {
        "Domain": True, "Private": False, "Public": True}
    assert wrapped["disk_encryption"]["status"] == "fail"
    assert items("one_profile")["firewall"] == {"status": "pass", "value": {"Public": True}}
    home = items("home_no_bitlocker")  # Windows Home: no BitLocker (0: not applicable) is unknown, never a pass
    assert home["disk_encryption"]["status"] == "skipped" and home["updates"]["status"] == "warn"
