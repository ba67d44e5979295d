from __future__ import annotations

import subprocess
import sys

from agentdesk import __version__


def test_version_without_qt() -> None:
    code = "import sys; from agentdesk.cli import main; main(['--version'])"
    r = subprocess.run([sys.executable, "-c", code + "\n"], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == f"AgentDesk {__version__}"


def test_python_m_agentdesk_version() -> None:
    r = subprocess.run([sys.executable, "-m", "agentdesk", "--version"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"AgentDesk {__version__}"


def test_version_does_not_load_qt() -> None:
    code = ("import sys\nfrom agentdesk.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
            "    pass\nprint('PySide6' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip().splitlines()[-1] == "False"


def test_bad_usage_exits_2() -> None:
    r = subprocess.run([sys.executable, "-m", "agentdesk", "--no-such-flag"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "usage" in r.stderr


def test_subcommand_is_found_after_an_option_with_a_value(monkeypatch) -> None:
    from agentdesk import cli

    monkeypatch.setitem(cli.SUBCOMMANDS, "probe", ("probe", "probe"))
    assert cli._subcommand(["--lang", "en", "probe", "x"]) == "probe"
    assert cli._subcommand(["--lang=en", "probe"]) == "probe"
    assert cli._subcommand(["--lang", "en"]) is None
