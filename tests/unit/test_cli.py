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


def test_a_reader_that_goes_away_gives_no_traceback() -> None:
    code = (
        "import sys, types\n"
        "from agentdesk import cli\n"
        "probe = types.ModuleType('probe')\n"
        "probe.add_arguments = lambda parser: None\n"
        "def run(args):\n"
        "    while True:\n"
        "        print('x' * 4096)\n"
        "probe.run = run\n"
        "sys.modules['probe'] = probe\n"
        "cli.SUBCOMMANDS['probe'] = ('probe', 'endless output')\n"
        "sys.exit(cli.main(['probe']))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away, as `| head` does
    err = proc.stderr.read().decode()
    assert proc.wait(30) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err
