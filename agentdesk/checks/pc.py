"""The PC: OS version, CPU, memory, free disk, screen size, clock offset against the center, and the security
posture the OS reports (screen lock, disk encryption, firewall, updates, antivirus) — the telework security
guideline behind domain.md's rules.

Every fact comes from a query that may fail: a fact the OS does not report is ``unknown`` and its item is
``skipped``, never a pass. On Windows the queries are the registry (winreg), ctypes (user32) and PowerShell
cmdlets that run without administrator rights, each bounded by a timeout; on Linux what sysfs, /proc and the
desktop's settings tell.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentdesk import paths
from agentdesk.checks.base import Check, CheckContext, CheckResult, Status
from agentdesk.i18n import Text

MIN_CPUS, GOOD_CPUS = 2, 4
MIN_MEMORY_GB, GOOD_MEMORY_GB = 4.0, 8.0
MIN_DISK_GB, GOOD_DISK_GB = 2.0, 10.0
MIN_SCREEN = (1280, 720)
GOOD_SCREEN = (1366, 768)
CLOCK_WARN_S = 3.0  # Date headers have one-second resolution
CLOCK_FAIL_S = 60.0
UPDATES_WARN_DAYS = 45
SCREEN_LOCK_MAX_S = 15 * 60
QUERY_TIMEOUT_S = 8.0

Item = dict[str, Any]  # {"status", "value", "note"}
_SEVERITY = {"pass": 0, "warn": 1, "error": 2, "fail": 3}


def _item(status: Status, value: Any, note: str = "") -> Item:
    return {"status": status, "value": value, **({"note": note} if note else {})}


def _run(cmd: list[str], timeout: float = QUERY_TIMEOUT_S) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout if r.returncode == 0 else None


def powershell(script: str) -> Any:
    """Run a PowerShell snippet that prints JSON; None when it fails or times out."""
    out = _run(["powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", script],
               timeout=20.0)
    if not out or not out.strip():
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


# --- facts ---------------------------------------------------------------------------------------------

def os_facts() -> Item:
    info: dict[str, Any] = {"system": platform.system(), "release": platform.release(), "version": platform.version(),
                            "machine": platform.machine()}
    if sys.platform == "win32":
        release, version, _csd, _ptype = platform.win32_ver()
        build = int(version.split(".")[2]) if version.count(".") >= 2 and version.split(".")[2].isdigit() else 0
        info.update({"windows": "11" if build >= 22000 else release, "build": build,
                     "edition": platform.win32_edition() if hasattr(platform, "win32_edition") else ""})
        if build >= 22000:
            return _item("pass", info)
        if release == "10":
            return _item("warn", info, "Windows 10 support ended on 2025-10-14")
        return _item("fail", info, "unsupported Windows version")
    if sys.platform.startswith("linux"):
        try:
            pretty = next((line.split("=", 1)[1].strip().strip('"') for line in
                           Path("/etc/os-release").read_text().splitlines() if line.startswith("PRETTY_NAME=")), "")
        except OSError:
            pretty = ""
        info["distribution"] = pretty
    return _item("pass", info)


def cpu_facts() -> Item:
    import psutil

    count = psutil.cpu_count(logical=True) or os.cpu_count() or 0
    model = platform.processor()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                          if line.startswith("model name")), model)
    status: Status = "fail" if count < MIN_CPUS else "warn" if count < GOOD_CPUS else "pass"
    return _item(status, {"logical_cpus": count, "model": model})


def memory_facts() -> Item:
    import psutil

    gb = psutil.virtual_memory().total / 2**30
    status: Status = "fail" if gb < MIN_MEMORY_GB else "warn" if gb < GOOD_MEMORY_GB else "pass"
    return _item(status, {"total_gb": round(gb, 1)})


def disk_facts(where: Path | None = None) -> Item:
    where = where or paths.data_dir()
    usage = shutil.disk_usage(where)
    gb = usage.free / 2**30
    status: Status = "fail" if gb < MIN_DISK_GB else "warn" if gb < GOOD_DISK_GB else "pass"
    return _item(status, {"free_gb": round(gb, 1), "total_gb": round(usage.total / 2**30, 1), "path": str(where)})


def screen_facts(known: tuple[int, int] | None = None) -> Item:
    size = known
    if size is None and sys.platform == "win32":
        import ctypes

        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        user32.SetProcessDPIAware()
        w, h = user32.GetSystemMetrics(0), user32.GetSystemMetrics(1)
        size = (w, h) if w > 0 and h > 0 else None
    elif size is None and os.environ.get("DISPLAY") and shutil.which("xdpyinfo"):
        out = _run(["xdpyinfo"], timeout=3) or ""
        for line in out.splitlines():
            if "dimensions:" in line:
                try:
                    w, h = line.split()[1].split("x")
                    size = (int(w), int(h))
                except (IndexError, ValueError):
                    pass
                break
    if size is None:
        return _item("skipped", None, "no display")
    width, height = size
    status: Status = ("fail" if width < MIN_SCREEN[0] or height < MIN_SCREEN[1] else
                      "warn" if width < GOOD_SCREEN[0] or height < GOOD_SCREEN[1] else "pass")
    return _item(status, {"width": width, "height": height})


def clock_facts(ctx: CheckContext, now: Callable[[], float] = time.time) -> Item:
    """Offset of this PC's clock against the center: the Date header of a SIP OPTIONS answer, else of an HTTP
    answer from the center's API. Positive: this PC is ahead."""
    date_value: str | None = None
    received_at = 0.0
    source = None
    if ctx.center_host:
        from agentdesk.checks.network import probe

        try:
            _probes, facts = probe(ctx.center_host, ctx.center_port, count=1, timeout_s=1.0)
            date_value = facts.get("date_header")
            received_at = now()
            source = "sip"
        except OSError:
            pass
    url = ctx.extra.get("center_url")
    if date_value is None and url:
        try:
            import httpx

            r = httpx.head(str(url), timeout=5.0, follow_redirects=False)
            date_value = r.headers.get("date")
            received_at = now()
            source = "http"
        except Exception:
            pass
    if date_value is None:
        return _item("skipped", None, "the center did not report its time")
    try:
        center = email.utils.parsedate_to_datetime(date_value).timestamp()
    except (TypeError, ValueError):
        return _item("skipped", None, f"unreadable Date header: {date_value}")
    # The Date header is truncated to the second: the center's time was in [center, center + 1).
    offset = received_at - (center + 0.5)
    status: Status = "fail" if abs(offset) >= CLOCK_FAIL_S else "warn" if abs(offset) >= CLOCK_WARN_S else "pass"
    return _item(status, {"offset_s": round(offset, 1), "source": source})


# --- security posture ----------------------------------------------------------------------------------

def windows_security(ps: Callable[[str], Any] = powershell, reg: Callable[[str, str, str], Any] | None = None
                     ) -> dict[str, Item]:
    reg = reg or _winreg_value
    out: dict[str, Item] = {}
    # Screen lock: a policy inactivity limit, or a secure screen saver with a timeout.
    policy = reg("HKLM", r"SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System", "InactivityTimeoutSecs")
    active = reg("HKCU", r"Control Panel\Desktop", "ScreenSaveActive")
    secure = reg("HKCU", r"Control Panel\Desktop", "ScreenSaverIsSecure")
    timeout = reg("HKCU", r"Control Panel\Desktop", "ScreenSaveTimeOut")
    try:
        policy = int(policy) if policy is not None else None
    except (TypeError, ValueError):
        policy = None
    if policy is not None and 0 < policy <= SCREEN_LOCK_MAX_S:
        out["screen_lock"] = _item("pass", {"policy_inactivity_s": int(policy)})
    elif str(active) == "1" and str(secure) == "1" and timeout is not None and str(timeout).isdigit():
        t = int(str(timeout))
        out["screen_lock"] = _item("pass" if t <= SCREEN_LOCK_MAX_S else "warn", {"screen_saver_timeout_s": t})
    elif active is None and secure is None and policy is None:
        out["screen_lock"] = _item("skipped", None, "not reported")
    else:
        out["screen_lock"] = _item("fail", {"screen_saver_active": active, "secure": secure, "timeout": timeout})
    # The rest in one PowerShell run (one start-up, about a second), each query guarded on its own.
    drive = os.environ.get("SYSTEMDRIVE", "C:")  # Windows environment names are case-insensitive
    facts = ps(SECURITY_SCRIPT.replace("{drive}", drive))
    facts = facts if isinstance(facts, dict) else {}
    # BitLocker: 1 on, 3 encrypting, 5 on (locked); 2 off, 4 decrypting, 6 off (unlocked); None unknown.
    bl = facts.get("bitlocker")
    if bl in (1, 3, 5):
        out["disk_encryption"] = _item("pass", {"bitlocker": bl, "drive": drive})
    elif bl in (2, 4, 6):
        out["disk_encryption"] = _item("fail", {"bitlocker": bl, "drive": drive})
    else:
        out["disk_encryption"] = _item("skipped", None, "not reported")
    fw = facts.get("firewall")
    if isinstance(fw, dict) and isinstance(fw.get("value"), list):
        fw = fw["value"]  # Windows PowerShell 5.1 may serialize an array as {"value": [...], "Count": n}
    if isinstance(fw, dict):
        fw = [fw]
    if isinstance(fw, list) and fw:
        # Enabled is a GpoBoolean: True/1 on, False/0 off, 2 "not configured" (Windows' default: on).
        profiles = {str(p.get("Name")): p.get("Enabled") in (True, 1, 2, "True") for p in fw if isinstance(p, dict)}
        out["firewall"] = _item("pass" if profiles and all(profiles.values()) else "fail", profiles)
    else:
        out["firewall"] = _item("skipped", None, "not reported")
    last = facts.get("last_update")
    out["updates"] = _item("skipped", None, "not reported")
    if isinstance(last, str) and last:
        try:
            from datetime import UTC, datetime

            when = datetime.fromisoformat(last)
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            days = (datetime.now(UTC) - when).days
            out["updates"] = _item("pass" if days <= UPDATES_WARN_DAYS else "warn",
                                   {"last_update": last[:10], "days_ago": days})
        except ValueError:
            pass
    av = facts.get("defender")
    if isinstance(av, dict) and "AntivirusEnabled" in av:
        on = bool(av.get("AntivirusEnabled")) and bool(av.get("RealTimeProtectionEnabled"))
        out["antivirus"] = _item("pass" if on else "fail", av)
    else:
        out["antivirus"] = _item("skipped", None, "not reported (another antivirus may be installed)")
    return out


# Queries that work without administrator rights. Each failure leaves its key out: "not reported".
SECURITY_SCRIPT = r"""
$r = @{}
try { $r.bitlocker = (New-Object -ComObject Shell.Application).NameSpace('{drive}\').Self.ExtendedProperty('System.Volume.BitLockerProtection') } catch {}
try { $r.firewall = @(Get-NetFirewallProfile -ErrorAction Stop | Select-Object Name,Enabled) } catch {}
try { $h = Get-HotFix -ErrorAction Stop | Where-Object InstalledOn | Sort-Object InstalledOn -Descending | Select-Object -First 1; if ($h) { $r.last_update = $h.InstalledOn.ToString('o') } } catch {}
try { $r.defender = Get-MpComputerStatus -ErrorAction Stop | Select-Object AntivirusEnabled,RealTimeProtectionEnabled } catch {}
$r | ConvertTo-Json -Depth 3 -Compress
"""


def _winreg_value(hive: str, key: str, name: str) -> Any:
    if sys.platform != "win32":
        return None
    try:
        import winreg

        root = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}[hive]
        with winreg.OpenKey(root, key) as k:
            return winreg.QueryValueEx(k, name)[0]
    except (ImportError, OSError, KeyError):
        return None


def linux_security(sys_block: Path = Path("/sys/block"), run: Callable[[list[str]], str | None] = _run
                   ) -> dict[str, Item]:
    out: dict[str, Item] = {}
    lock = run(["gsettings", "get", "org.gnome.desktop.screensaver", "lock-enabled"]) if shutil.which(
        "gsettings") and os.environ.get("DBUS_SESSION_BUS_ADDRESS") else None
    if lock is not None and lock.strip() in ("true", "false"):
        out["screen_lock"] = _item("pass" if lock.strip() == "true" else "fail", {"gnome_lock_enabled": lock.strip()})
    else:
        out["screen_lock"] = _item("skipped", None, "not reported")
    crypt = []
    if sys_block.is_dir():
        for dm in sorted(sys_block.glob("dm-*")):
            uuid = _read(dm / "dm" / "uuid")
            if uuid.startswith("CRYPT-"):
                crypt.append(_read(dm / "dm" / "name") or dm.name)
    out["disk_encryption"] = (_item("pass", {"crypt_devices": crypt}) if crypt else
                              _item("skipped", None, "no dm-crypt volume seen; other encryption is not detected"))
    out["firewall"] = _item("skipped", None, "needs administrator rights to read")
    out["updates"] = _item("skipped", None, "not reported")
    return out


def _read(p: Path) -> str:
    try:
        return p.read_text().strip()
    except OSError:
        return ""


def security_facts() -> dict[str, Item]:
    if sys.platform == "win32":
        return windows_security()
    if sys.platform.startswith("linux"):
        return linux_security()
    return {}


LABELS = {
    "os": Text(ja="OS", en="OS"), "cpu": Text(ja="CPU", en="CPU"), "memory": Text(ja="メモリ", en="memory"),
    "disk": Text(ja="空きディスク", en="free disk"), "screen": Text(ja="画面サイズ", en="screen size"),
    "clock": Text(ja="時計のずれ", en="clock offset"), "screen_lock": Text(ja="画面ロック", en="screen lock"),
    "disk_encryption": Text(ja="ディスク暗号化", en="disk encryption"),
    "firewall": Text(ja="ファイアウォール", en="firewall"), "updates": Text(ja="更新プログラム", en="updates"),
    "antivirus": Text(ja="ウイルス対策", en="antivirus"),
}
_SAME = {
    "cpu": Text(ja="4 コア以上の CPU を搭載した PC をお勧めします。", en="A PC with 4 or more CPU cores is recommended."),
    "memory": Text(ja="メモリ 8 GB 以上の PC をお勧めします。", en="A PC with 8 GB of memory or more is recommended."),
    "disk": Text(ja="不要なファイルを削除して、ディスクの空きを 10 GB 以上にしてください。",
                 en="Delete unneeded files to free at least 10 GB of disk space."),
    "screen": Text(ja="1366×768 以上の画面をお勧めします。", en="A screen of 1366×768 or larger is recommended."),
    "screen_lock": Text(ja="15 分以内に画面がロックされるよう設定してください。",
                        en="Set the screen to lock after 15 minutes or less."),
    "antivirus": Text(ja="ウイルス対策ソフトのリアルタイム保護を有効にしてください。",
                      en="Turn on real-time protection of your antivirus."),
}
WINDOWS_REMEDIES = {
    **_SAME,
    "os": Text(ja="サポート中の Windows（Windows 11）に更新してください。", en="Update to a supported Windows (Windows 11)."),
    "clock": Text(ja="Windows の「日付と時刻」で「時刻を自動的に設定する」をオンにし、今すぐ同期してください。",
                  en="Turn on \u201cSet time automatically\u201d in Windows' Date & time settings and sync now."),
    "disk_encryption": Text(ja="BitLocker（デバイスの暗号化）を有効にしてください。",
                            en="Turn on BitLocker (device encryption)."),
    "firewall": Text(ja="Windows ファイアウォールをすべてのネットワークで有効にしてください。",
                     en="Turn Windows Firewall on for every network profile."),
    "updates": Text(ja="Windows Update を実行して最新の状態にしてください。", en="Run Windows Update."),
}
LINUX_REMEDIES = {
    **_SAME,
    "os": Text(ja="センターがサポートする OS か、センターに確認してください（在宅業務は Windows 11 が標準です）。",
               en="Ask the center whether this system is supported (home agents use Windows 11)."),
    "clock": Text(ja="システムの日付と時刻の設定で自動設定（NTP）をオンにしてください（例: timedatectl set-ntp true）。",
                  en="Turn on automatic time (NTP) in the system's date and time settings "
                  "(e.g. timedatectl set-ntp true)."),
    "disk_encryption": Text(ja="ディスクを暗号化してください（LUKS など、OS のインストール時に設定します）。",
                            en="Encrypt the disk (LUKS; set up when the system is installed)."),
    "firewall": Text(ja="ファイアウォールを有効にしてください（例: ufw enable）。",
                     en="Turn the firewall on (e.g. ufw enable)."),
    "updates": Text(ja="システムの更新をインストールしてください（ソフトウェアの更新、または apt upgrade）。",
                    en="Install the system's updates (Software Updater, or apt upgrade)."),
}
MAC_REMEDIES = {
    **_SAME,
    "os": Text(ja="センターがサポートする OS か、センターに確認してください（在宅業務は Windows 11 が標準です）。",
               en="Ask the center whether this system is supported (home agents use Windows 11)."),
    "clock": Text(ja="「システム設定 > 一般 > 日付と時刻」で「時刻と日付を自動的に設定」をオンにしてください。",
                  en="Turn on \u201cSet time and date automatically\u201d in System Settings > General > Date & Time."),
    "disk_encryption": Text(ja="FileVault を有効にしてください。", en="Turn on FileVault."),
    "firewall": Text(ja="「システム設定 > ネットワーク > ファイアウォール」をオンにしてください。",
                     en="Turn on the firewall in System Settings > Network > Firewall."),
    "updates": Text(ja="「ソフトウェアアップデート」で最新の状態にしてください。", en="Run Software Update."),
}


def remedies(platform: str | None = None) -> dict[str, Text]:
    """The advice for the system the check runs on: no Windows settings on Linux and the reverse."""
    p = platform or sys.platform
    return WINDOWS_REMEDIES if p == "win32" else MAC_REMEDIES if p == "darwin" else LINUX_REMEDIES


class PcCheck(Check):
    name = "pc"
    title = Text(ja="パソコン", en="PC")

    def __init__(self, security: Callable[[], dict[str, Item]] | None = None,
                 now: Callable[[], float] = time.time, platform: str | None = None) -> None:
        self._security = security or security_facts
        self._now = now
        self._remedies = remedies(platform)

    def run(self, ctx: CheckContext) -> CheckResult:
        items: dict[str, Item] = {}
        steps: list[tuple[str, Callable[[], Item]]] = [
            ("os", os_facts), ("cpu", cpu_facts), ("memory", memory_facts), ("disk", disk_facts),
            ("screen", lambda: screen_facts(ctx.extra.get("screen_size"))),
            ("clock", lambda: clock_facts(ctx, self._now)),
        ]
        for i, (key, fn) in enumerate(steps):
            try:
                items[key] = fn()
            except Exception as exc:
                items[key] = _item("skipped", None, f"could not be read: {exc}")
            ctx.progress(self.name, (i + 1) / (len(steps) + 2))
        try:
            security = self._security()
        except Exception as exc:
            security = {"security": _item("skipped", None, f"could not be read: {exc}")}
        items.update(security)
        measured = [it["status"] for it in items.values() if it["status"] != "skipped"]
        status: Status = max(measured, key=lambda st: _SEVERITY[st], default="pass")
        if status == "pass" and any(items[k]["status"] == "skipped" for k in security):
            status = "warn"  # the security posture could not be verified: not a clean pass
        bad = [k for k, it in items.items() if it["status"] in ("fail", "warn")]
        unknown = [k for k, it in items.items() if it["status"] == "skipped"]
        os_v = items["os"]["value"] or {}
        mem = (items["memory"]["value"] or {}).get("total_gb")
        cpus = (items["cpu"]["value"] or {}).get("logical_cpus")
        disk = (items["disk"]["value"] or {}).get("free_gb")
        head = Text(ja="{os} {rel}、CPU {c} 個、メモリ {m} GB、空きディスク {d} GB。",
                    en="{os} {rel}, {c} CPUs, {m} GB memory, {d} GB free disk.").format(
            os=os_v.get("system", "?"), rel=os_v.get("windows") or os_v.get("release", ""), c=cpus, m=mem, d=disk)
        ja, en = head.ja, head.en
        if bad:
            ja += "要確認: " + "、".join(LABELS[k].ja for k in bad) + "。"
            en += " Needs attention: " + ", ".join(LABELS[k].en for k in bad) + "."
        if unknown:
            ja += "確認できなかった項目: " + "、".join(LABELS.get(k, Text(ja=k, en=k)).ja for k in unknown) + "。"
            en += " Not reported by the OS: " + ", ".join(LABELS.get(k, Text(ja=k, en=k)).en for k in unknown) + "."
        remedy = None
        if bad:
            advice = self._remedies
            remedy = Text(ja="".join(advice[k].ja for k in bad), en=" ".join(advice[k].en for k in bad))
        return self.result(status, Text(ja=ja, en=en), {"items": items, "unknown": unknown}, remedy)
