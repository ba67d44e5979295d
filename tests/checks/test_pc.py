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


def test_real_run_on_this_machine() -> None:
    r = PcCheck().execute(CheckContext())
    assert r.status in ("pass", "warn", "fail"), r.to_json()
    items = r.details["items"]
    assert items["memory"]["value"]["total_gb"] > 0.5
    assert items["cpu"]["value"]["logical_cpus"] >= 1
    assert items["disk"]["value"]["free_gb"] >= 0
    assert items["os"]["value"]["system"]
    # Facts this machine does not report are "skipped" and listed, never passed.
    for key in r.details["unknown"]:
        assert items[key]["status"] == "skipped"
    if any(items[k]["status"] == "skipped" for k in ("screen_lock", "disk_encryption", "firewall", "updates")):
        assert r.status != "pass"


def fake_registry(values: dict[tuple[str, str], Any]):
    return lambda hive, key, name: values.get((key.split("\\")[-1], name))


def fake_powershell(answers: dict[str, Any]):
    def ps(script: str) -> Any:
        for needle, value in answers.items():
            if needle in script:
                return value
        return None
    return ps


SECURE = {
    "BitLocker": 1,
    "Get-NetFirewallProfile": [{"Name": "Domain", "Enabled": True}, {"Name": "Private", "Enabled": True},
                               {"Name": "Public", "Enabled": True}],
    "Get-HotFix": time.strftime("%Y-%m-%dT00:00:00"),
    "Get-MpComputerStatus": {"AntivirusEnabled": True, "RealTimeProtectionEnabled": True},
}


def test_windows_secure_pc() -> None:
    reg = fake_registry({("Desktop", "ScreenSaveActive"): "1", ("Desktop", "ScreenSaverIsSecure"): "1",
                         ("Desktop", "ScreenSaveTimeOut"): "600"})
    items = pc.windows_security(fake_powershell(SECURE), reg)
    assert {k: v["status"] for k, v in items.items()} == {
        "screen_lock": "pass", "disk_encryption": "pass", "firewall": "pass", "updates": "pass", "antivirus": "pass"}


def test_windows_insecure_pc() -> None:
    reg = fake_registry({("Desktop", "ScreenSaveActive"): "0"})
    items = pc.windows_security(fake_powershell({
        "BitLocker": 2,
        "Get-NetFirewallProfile": [{"Name": "Domain", "Enabled": True}, {"Name": "Public", "Enabled": False}],
        "Get-HotFix": "2025-01-01T00:00:00",
        "Get-MpComputerStatus": {"AntivirusEnabled": True, "RealTimeProtectionEnabled": False},
    }), reg)
    assert items["screen_lock"]["status"] == "fail"
    assert items["disk_encryption"]["status"] == "fail"
    assert items["firewall"]["status"] == "fail" and items["firewall"]["value"]["Public"] is False
    assert items["updates"]["status"] == "warn"
    assert items["antivirus"]["status"] == "fail"
    r = PcCheck(security=lambda: items).execute(CheckContext())
    assert r.status == "fail"
    assert "BitLocker" in r.remedy.ja and "ファイアウォール" in r.summary.ja


def test_windows_unknown_is_skipped_never_a_pass() -> None:
    items = pc.windows_security(fake_powershell({}), fake_registry({}))
    assert all(v["status"] == "skipped" for v in items.values()), items
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
