"""``agentdesk scripts``: lint, search, list and pack support scripts.

    agentdesk scripts lint PATH...        every problem as FILE:LINE:COLUMN: message; exit 0 valid, 1 problems, 2 usage
    agentdesk scripts search QUERY...     find flows and articles (Japanese: kana, kanji, full/half width)
    agentdesk scripts list                the flows and articles the app would load
    agentdesk scripts pack DIR --name N --version V -o FILE   build a package and print its manifest entry
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agentdesk.i18n import DEFAULT_LANGUAGE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="scripts_command", metavar="ACTION")
    lint = sub.add_parser("lint", help="check script files; prints FILE:LINE:COLUMN: message for each problem")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="script files or directories")
    lint.add_argument("--no-bundled-articles", action="store_true",
                      help="do not resolve article links against the bundled articles")
    search = sub.add_parser("search", help="search flows and reference articles")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=10)
    sub.add_parser("list", help="list the bundled flows and articles")
    pack = sub.add_parser("pack", help="build a script package (ZIP) and print its manifest entry (JSON)")
    pack.add_argument("directory", type=Path)
    pack.add_argument("--name", required=True)
    pack.add_argument("--version", required=True, dest="package_version")
    pack.add_argument("-o", "--output", type=Path, required=True)


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or DEFAULT_LANGUAGE


def _lint(args: argparse.Namespace) -> int:
    from agentdesk.support_scripts.library import load_bundled
    from agentdesk.support_scripts.lint import lint_paths

    articles: list[str] = [] if args.no_bundled_articles else list(load_bundled().articles)
    try:
        problems = lint_paths(args.paths, articles)
    except FileNotFoundError as exc:
        print(f"agentdesk scripts lint: no such file or directory: {exc}", file=sys.stderr)
        return 2
    lang = _lang(args)
    for p in problems:
        print(p.format(lang))
    return 1 if problems else 0


def _search(args: argparse.Namespace) -> int:
    from agentdesk.support_scripts.library import load_bundled
    from agentdesk.support_scripts.model import pick

    lib = load_bundled()
    lang = _lang(args)
    hits = lib.search(" ".join(args.query), args.limit)
    for h in hits:
        where = f" › {pick(h.step_title, lang)}" if h.step_title else ""
        print(f"{h.score:7.2f}  {h.kind:7}  {h.id:28}  {pick(h.title, lang)}{where}")
    return 0 if hits else 1


def _list(args: argparse.Namespace) -> int:
    from agentdesk.support_scripts.library import load_bundled
    from agentdesk.support_scripts.model import pick

    lib = load_bundled()
    lang = _lang(args)
    for f in sorted(lib.flows.values(), key=lambda f: f.id):
        print(f"flow     {f.id:28} {f.version:8} {len(f.steps):3} steps  {pick(f.title, lang)}")
    for a in sorted(lib.articles.values(), key=lambda a: a.id):
        print(f"article  {a.id:28} {a.version:8}            {pick(a.title, lang)}")
    for n in lib.notices:
        print(n.pick(lang), file=sys.stderr)
    return 1 if lib.notices else 0


def _pack(args: argparse.Namespace) -> int:
    from agentdesk.support_scripts.lint import lint_paths
    from agentdesk.support_scripts.packages import PackageError, build_package_from_dir

    if not args.directory.is_dir():
        print(f"agentdesk scripts pack: not a directory: {args.directory}", file=sys.stderr)
        return 2
    problems = [p for p in lint_paths([args.directory]) if p.fatal]
    if problems:
        for p in problems:
            print(p.format(_lang(args)), file=sys.stderr)
        return 1
    try:
        blob, ref = build_package_from_dir(args.directory, args.name, args.package_version)
    except PackageError as exc:
        print(f"agentdesk scripts pack: {exc.message.pick(_lang(args))}", file=sys.stderr)
        return 2
    args.output.write_bytes(blob)
    print(json.dumps(ref.as_dict(), ensure_ascii=False))
    return 0


def run(args: argparse.Namespace) -> int:
    actions = {"lint": _lint, "search": _search, "list": _list, "pack": _pack}
    action = actions.get(getattr(args, "scripts_command", None) or "")
    if action is None:
        print("usage: agentdesk scripts {lint,search,list,pack} ...", file=sys.stderr)
        return 2
    return action(args)
