"""``agentdesk center``: the center connection from the command line (for agents' support staff and testers).

    agentdesk center status            which center is configured; is it reachable and speaking the API?
    agentdesk center outbox            entries waiting for the center, and any it refused (with its message)
    agentdesk center scenarios         the practice center's scenarios
    agentdesk center practice [ID]     a headless practice call: does the practice center work on this PC?

Exit status: 0 fine, 1 a negative result (center unreachable, refused entries), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from agentdesk.i18n import Text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="center_command", metavar="ACTION")
    sub.add_parser("status", help="the configured center and whether it answers")
    outbox = sub.add_parser("outbox", help="entries waiting for the center and refused ones")
    outbox.add_argument("--json", action="store_true", help="machine-readable output")
    sub.add_parser("scenarios", help="the practice center's scenarios")
    practice = sub.add_parser("practice", help="a headless practice call with this PC's phone engine")
    practice.add_argument("scenario", nargs="?", default="line_fault_escalate")
    parser.add_argument("--lang", dest="center_lang", choices=["ja", "en"], default=None, help=argparse.SUPPRESS)


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "center_lang", None) or getattr(args, "lang", None) or "ja"


def _say(args: argparse.Namespace, text: Text, stream: TextIO | None = None) -> None:
    print(text.pick(_lang(args)), file=stream or sys.stdout)


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "center_command", None)
    if action == "status":
        return _status(args)
    if action == "outbox":
        return _outbox(args)
    if action == "scenarios":
        return _scenarios(args)
    if action == "practice":
        from agentdesk.center.practice.smoke import practice_call

        return practice_call(args.scenario, lambda text: _say(args, text))
    _say(args, Text(ja="使い方: agentdesk center {status,outbox,scenarios,practice}",
                    en="usage: agentdesk center {status,outbox,scenarios,practice}"), sys.stderr)
    return 2


def _status(args: argparse.Namespace) -> int:
    from agentdesk import settings as settings_mod

    loaded = settings_mod.load()
    center = loaded.settings.center
    if not center.base_url.strip():
        _say(args, Text(ja="センター: 練習センター（このパソコンの中で動きます）",
                        en="Center: the practice center (runs on this PC)"))
        return 0
    import httpx

    url = center.base_url.strip().rstrip("/")
    _say(args, Text(ja="センター: {url}", en="Center: {url}").format(url=url))
    try:
        r = httpx.get(url + "/v1/provisioning", timeout=10)
    except httpx.HTTPError as exc:
        _say(args, Text(ja="接続できません（{why}）", en="Cannot connect ({why})").format(why=type(exc).__name__))
        return 1
    ctype = r.headers.get("content-type", "").split(";")[0]
    try:
        body = r.json() if ctype.endswith("json") else None
    except ValueError:
        body = None
    if r.status_code == 401 and isinstance(body, dict) and isinstance(body.get("error"), dict):  # the one error shape
        _say(args, Text(ja="応答あり: AgentDesk Center API（ログインが必要）",
                        en="Answering: AgentDesk Center API (sign-in required)"))
        return 0
    _say(args, Text(ja="API ではない応答です（HTTP {status}, {ctype}）", en="Not the API (HTTP {status}, {ctype})")
         .format(status=r.status_code, ctype=ctype or "none"))
    return 1


def _outbox(args: argparse.Namespace) -> int:
    from agentdesk.center.outbox import Outbox

    box = Outbox()
    try:
        counts = box.counts()
        pending = box.pending()
        rejected = box.rejected()
        problem = box.problem()
    finally:
        box.close()
    if args.json:
        print(json.dumps({"counts": counts, "pending": [{"kind": e.kind, "created_at": e.created_at,
                                                         "attempts": e.attempts} for e in pending],
                          "rejected": [{"kind": e.kind, "error": e.last_error} for e in rejected],
                          "problem": None if problem is None else
                          {"code": problem.code, "message": problem.message.as_dict(), "since": problem.since}},
                         ensure_ascii=False, indent=2))
    else:
        _say(args, Text(ja="送信待ち {p} 件、送信済み {d} 件、センターが受け付けなかったもの {r} 件",
                        en="{p} waiting, {d} delivered, {r} refused by the center").format(
            p=counts["pending"], d=counts["delivered"], r=counts["rejected"]))
        if problem is not None and counts["pending"]:
            reason = Text(ja="送信できない理由: ", en="Why they are not sent: ")
            _say(args, Text(ja=reason.ja + problem.message.ja, en=reason.en + problem.message.en))
        for e in pending:
            when = datetime.fromtimestamp(e.created_at).strftime("%Y-%m-%d %H:%M")
            print(f"  {when}  {e.kind}  ({e.attempts})")
        for e in rejected:
            print(f"  ! {e.kind}: {e.last_error}")
    return 1 if counts["rejected"] else 0


def _scenarios(args: argparse.Namespace) -> int:
    from agentdesk.center.practice.data import PracticeDataError, load_scenarios

    try:
        scenarios = load_scenarios()
    except PracticeDataError as exc:
        _say(args, exc.message, sys.stderr)
        return 2
    for s in scenarios:
        mark = "↑" if s.escalate else " "
        print(f"{s.id:24} L{s.level} {mark} {s.title.pick(_lang(args))}")
    return 0
