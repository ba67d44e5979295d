"""The ``agentdesk`` command.

``agentdesk`` alone starts the app. Each subcommand lives in its own package's ``cli`` module, which provides
``add_arguments(parser)`` and ``run(args) -> int``; only the chosen one is imported, so ``agentdesk --version``
and the engine start without loading Qt.

Exit status, for every subcommand: 0 success, 1 a negative result (a failed check, an invalid plan),
2 bad usage or unreadable input (with a clear message on stderr), 70 a fault of the program (a sentence on stderr,
the details in the log; never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from agentdesk import __version__

# name -> (module, one-line help). Order is the order in --help.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "engine": ("agentdesk.sip.cli", "the phone engine process: JSON Lines commands on stdin, events on stdout"),
    "availability": ("agentdesk.availability.cli", "check an availability plan against the contract's rules"),
    "scripts": ("agentdesk.support_scripts.cli", "support scripts: lint, search, list, pack"),
    "check": ("agentdesk.checks.cli", "environment self-check: wired, network, noise, headset, line, PC"),
    "center": ("agentdesk.center.cli", "the center connection: status, outbox, practice scenarios and call"),
}


def _base_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentdesk",
        description="AgentDesk: the home agent's desktop (softphone, self-check, availability, support scripts).",
    )
    parser.add_argument("--version", action="version", version=f"AgentDesk {__version__}")
    parser.add_argument("--lang", choices=["ja", "en"], help="UI language for this run (default: from settings, ja)")
    parser.add_argument("--benchmark-startup", action="store_true", help=argparse.SUPPRESS)
    return parser


def build_parser(chosen: str | None) -> argparse.ArgumentParser:
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sp)
            sp.set_defaults(_run=module.run)
    return parser


_OPTIONS_WITH_VALUE = {"--lang"}
INTERNAL_ERROR = 70  # EX_SOFTWARE: a fault of the program, not of its input (bad input is 2, always with a message)


def _internal_error(exc: BaseException) -> int:
    """Never a traceback on the agent's screen: a sentence, the details in the log (and StorageError's own
    message when a folder cannot be written)."""
    import logging

    from agentdesk.safefiles import StorageError

    if isinstance(exc, StorageError):
        print(f"{exc.message.ja}\n{exc.message.en}", file=sys.stderr)
        return 2
    logging.getLogger("agentdesk.cli").error("unexpected error", exc_info=exc)
    print("予期しないエラーが起きました。ログに詳細があります。\n"
          f"An unexpected error occurred ({type(exc).__name__}); the log has the details.", file=sys.stderr)
    return INTERNAL_ERROR


def _subcommand(argv: list[str]) -> str | None:
    """The subcommand named in argv, skipping the values of top-level options (``--lang en check``)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _OPTIONS_WITH_VALUE:
            skip = True
            continue
        if not arg.startswith("-"):
            return arg if arg in SUBCOMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    from agentdesk.safefiles import private_umask

    private_umask()  # every file and folder this process makes is the user's alone (POSIX)
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = _subcommand(argv)
    parser = build_parser(chosen)
    args = parser.parse_args(argv)
    runner = getattr(args, "_run", None)
    if runner is not None:
        try:
            return int(runner(args) or 0)
        except BrokenPipeError:
            # the reader went away (``agentdesk check --json | head``): no traceback, and the status a shell
            # gives a program ended by SIGPIPE
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + 13
        except KeyboardInterrupt:
            return 130
        except Exception as exc:
            return _internal_error(exc)
    from agentdesk.ui.app import run_gui  # Qt is imported only for the window

    return int(run_gui(args))
