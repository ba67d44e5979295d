"""``agentdesk check``: the environment self-check for scripts and people.

    agentdesk check [--only NAME,...] [--json] [--report FILE.html]
    agentdesk check line --number NUMBER [--confirmed] --json
    agentdesk check noise --input ROOM.wav [--speech SPEECH.wav] --json
    agentdesk check --gui

Exit status: 0 pass or warn (or not checked), 1 fail (or a check that broke), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agentdesk.checks.audio import AudioInputError
from agentdesk.checks.base import CheckResult, exit_code
from agentdesk.checks.config import context_from_settings, parse_sip_target
from agentdesk.checks.runner import CHECKS, Report, create, run_checks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", choices=list(CHECKS), metavar="NAME",
                        help=f"run one check only: {', '.join(CHECKS)}")
    parser.add_argument("--only", metavar="NAME,...", help="run only these checks (comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--report", metavar="FILE.html", help="also write the printable HTML report (and FILE.json)")
    parser.add_argument("--gui", action="store_true", help="open the guided self-check wizard")
    parser.add_argument("--number", help="line: the fixed-line number (any written form)")
    parser.add_argument("--confirmed", action="store_true",
                        help="line: confirm no cordless handset and none of the prohibited services")
    parser.add_argument("--input", metavar="ROOM.wav", help="noise: analyse this recording of the silent room")
    parser.add_argument("--speech", metavar="SPEECH.wav", help="noise: a recording of the agent reading aloud")
    parser.add_argument("--center", metavar="HOST[:PORT]", help="the center's SIP server (default: from settings)")
    parser.add_argument("--echo-target", metavar="SIP-URI", help="network: call this echo service for 20 s")
    parser.add_argument("--fiber", choices=["yes", "no"], help="wired: declare whether the line is fiber")
    parser.add_argument("--device", help="noise/headset: the audio device (a part of its name, or its index)")
    parser.add_argument("--quiet-seconds", type=float, default=5.0, help="noise: seconds of silence to record")
    parser.add_argument("--speech-seconds", type=float, default=5.0,
                        help="noise: seconds of reading aloud to record (0: skip)")


def _fail_usage(message: str) -> int:
    print(f"agentdesk check: {message}", file=sys.stderr)
    return 2


def _language(args: argparse.Namespace) -> str:
    if getattr(args, "lang", None):
        return str(args.lang)
    try:
        from agentdesk import settings

        return settings.load().settings.language
    except Exception:
        return "ja"


def run(args: argparse.Namespace) -> int:
    names: list[str]
    if args.name:
        names = [args.name]
    elif args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in CHECKS]
        if unknown or not names:
            return _fail_usage(f"unknown check(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(CHECKS)}")
        names = [n for n in CHECKS if n in names]  # the report's order, whatever order was typed
    else:
        names = list(CHECKS)
    if args.name == "line" and not args.number and not args.gui:
        return _fail_usage("check line needs --number NUMBER")
    if args.speech and not args.input:
        return _fail_usage("--speech needs --input ROOM.wav (the silent room)")
    for option, path in (("--input", args.input), ("--speech", args.speech)):
        if path and not Path(path).is_file():
            return _fail_usage(f"{option} {path}: no such file")
    device: Any = args.device
    if device is not None and device.isdigit():
        device = int(device)
    overrides: dict[str, Any] = {
        "line_number": args.number, "line_confirmed": True if args.confirmed else None,
        "noise_input": args.input, "speech_input": args.speech, "echo_target": args.echo_target,
        "fiber_declared": None if args.fiber is None else args.fiber == "yes",
        "input_device": device, "output_device": device,
        "quiet_seconds": args.quiet_seconds, "speech_seconds": args.speech_seconds,
    }
    if args.center:
        target = parse_sip_target(args.center)
        if target is None:
            return _fail_usage(f"--center {args.center}: not a host[:port]")
        overrides.update(center_host=target[0], center_port=target[1], center_transport=target[2])
    if args.gui:
        from agentdesk.ui.checks import run_wizard

        return int(run_wizard(args, {k: v for k, v in overrides.items() if v is not None}))
    try:
        ctx = context_from_settings(**overrides)
    except Exception as exc:
        return _fail_usage(f"could not read the settings: {exc}")
    language = _language(args)
    # What the agent must do now (stay silent, read aloud) goes to stderr, also with --json (stdout stays JSON).
    ctx.on_progress = lambda name, fraction, sample: _show_prompt(sample, language)
    if args.report:
        report_path = Path(args.report)
        if not report_path.parent.exists():
            return _fail_usage(f"--report {args.report}: the folder does not exist")
    # Inputs are read up front so that an unreadable file is bad usage (2), not a failed check.
    if args.input:
        from agentdesk.checks import audio

        try:
            audio.read_wav(args.input)
            if args.speech:
                audio.read_wav(args.speech)
        except AudioInputError as exc:
            return _fail_usage(str(exc))
    checks = [create(n) for n in names]
    report = run_checks(checks, ctx)
    from agentdesk.checks import report as report_mod

    data = report_mod.to_json(report)
    if args.report:
        try:
            report_mod.write_html(data, Path(args.report))
            Path(args.report).with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                                             encoding="utf-8")
        except OSError as exc:
            return _fail_usage(f"--report {args.report}: {exc}")
    if args.json:
        out = _single(report.results[0]) if args.name else data
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in report.results:
            print(report_mod.result_line(r, language))
        if not args.name:
            from agentdesk.checks.base import STATUS_TEXT

            label = "総合判定" if language == "ja" else "Overall"
            print(f"{label}: {STATUS_TEXT[report.overall].pick(language)} ({report.duration_s:.1f} s)")
    return exit_code(report.results[0].status if args.name else report.overall)


def _single(result: CheckResult) -> dict[str, Any]:
    """One check's result with its measured details also at the top level (``line_type``, ``normalized``,
    ``background_dbfs``...), for scripts."""
    data = result.to_json()
    for key, value in result.details.items():
        data.setdefault(key, value)
    return data


def _show_prompt(sample: Any, language: str) -> None:
    if isinstance(sample, dict) and sample.get("prompt") is not None:
        print(sample["prompt"].pick(language), file=sys.stderr, flush=True)


__all__ = ["Report", "add_arguments", "run"]
