"""``agentdesk availability validate PLAN.json [--today YYYY-MM-DD] [--json]``.

Exit 0: the plan meets every rule (warnings may remain); 1: it breaks a rule; 2: bad usage or a malformed file.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from agentdesk.availability import messages as M
from agentdesk.availability.calendar_jp import today as today_in_japan
from agentdesk.availability.plan import FIRST_DAY, LAST_DAY, PlanFormatError, load_plan
from agentdesk.availability.rules import Rules
from agentdesk.availability.validate import validate
from agentdesk.i18n import Text
from agentdesk.safefiles import read_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    v = sub.add_parser("validate", help="check a plan against the contract's rules",
                       description="Check an availability plan (JSON) against the contract's rules.")
    v.add_argument("plan", metavar="PLAN.json", type=Path, help='{"slots": [{"date", "start", "end"}, ...]}')
    v.add_argument("--today", metavar="YYYY-MM-DD", help="the day of entry (default: today in Japan)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.add_argument("--strict-minimums", action="store_true",
                   help="a fully planned month short of a monthly minimum is an error, not a warning")
    v.add_argument("--rules", metavar="RULES.json", type=Path,
                   help="override the contract's figures (keys as in agentdesk.availability.rules.Rules)")


def _language(args: argparse.Namespace) -> str:
    lang = getattr(args, "lang", None)
    if lang:
        return str(lang)
    try:
        from agentdesk import settings

        return settings.load().settings.language
    except Exception:  # settings that cannot be read must not stop a validation
        return "ja"


def _fail(message: Text, language: str, as_json: bool) -> int:
    text = message.pick(language)
    if as_json:
        print(json.dumps({"valid": False, "errors": [{"code": "malformed", "message": text, "slot": None,
                                                        "messages": message.as_dict()}],
                          "warnings": [], "months": []}, ensure_ascii=False, indent=2))
    print(text, file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    language = _language(args)
    if getattr(args, "action", None) != "validate":
        print("usage: agentdesk availability validate PLAN.json [--today YYYY-MM-DD] [--json]", file=sys.stderr)
        return 2
    as_json = bool(args.json)
    if args.today is None:
        today = today_in_japan()
    else:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            return _fail(M.BAD_TODAY.format(value=args.today[:40]), language, as_json)
        if not FIRST_DAY <= today <= LAST_DAY:
            return _fail(M.DATE_OUT_OF_RANGE.format(where="--today", value=args.today, first=FIRST_DAY.year,
                                                    last=LAST_DAY.year), language, as_json)
    rules = Rules()
    if args.rules is not None:
        try:
            rules = rules.with_overrides(read_json(args.rules, max_bytes=64 * 1024))
        except (OSError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            return _fail(M.FILE_UNREADABLE.format(path=str(args.rules), reason=str(exc)), language, as_json)
    try:
        plan = load_plan(args.plan)
    except PlanFormatError as exc:
        return _fail(exc.message, language, as_json)
    report = validate(plan, today, rules, strict_minimums=args.strict_minimums)
    if as_json:
        print(json.dumps(report.as_json(language), ensure_ascii=False, indent=2))
    else:
        head = M.VALID if report.valid else M.INVALID.format(count=len(report.errors))
        print(head.pick(language))
        for p in report.errors:
            print(f"  ERROR {p.code}: {p.message.pick(language)}")
        for p in report.warnings:
            print(f"  WARN  {p.code}: {p.message.pick(language)}")
        for m in report.months:
            ok = "OK" if m.meets_minimum else "--"
            print(f"  {m.month}: {m.entry_hours:g}/{m.entry_minimum:g} h, "
                  f"Sat/Sun/hol {m.weekend_holiday_hours:g}/{m.weekend_holiday_minimum:g} h [{ok}]"
                  + ("" if m.complete else " (partial)"))
    return 0 if report.valid else 1
