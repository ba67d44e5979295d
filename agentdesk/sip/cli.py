"""``agentdesk engine``: the phone engine process (JSON Lines on stdin/stdout; see docs/engine-protocol.md)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("Reads commands as JSON Lines on stdin and writes events as JSON Lines on stdout; "
                     "logs go to stderr and engine.log. See docs/engine-protocol.md.")


def run(args: argparse.Namespace) -> int:
    from agentdesk.sip.engine import main

    return main()
