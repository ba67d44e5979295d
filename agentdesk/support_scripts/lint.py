"""Lint: every problem of a set of script files, each at its ``FILE:LINE:COLUMN``.

Checks: YAML syntax, the JSON Schema, the script's own language present in every text, translations of
phrases and labels, unknown ``{variables}``, a start step that exists, choices pointing nowhere, dead ends,
unreachable steps, cycles without an exit, links to reference articles that do not exist, duplicate ids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdesk.i18n import Text
from agentdesk.support_scripts.loader import Document, Path_, Problem, load_text
from agentdesk.support_scripts.model import (
    KNOWN_VARIABLES,
    VARIABLE_RE,
    Article,
    Flow,
    article_from_dict,
    flow_from_dict,
)

log = logging.getLogger(__name__)
SCRIPT_SUFFIXES = (".yaml", ".yml")
_OTHER = {"ja": "en", "en": "ja"}
_LANG_NAME = {"ja": Text(ja="日本語", en="Japanese"), "en": Text(ja="英語", en="English")}


@dataclass
class Checked:
    """One file after lint: its document (with problems) and, when usable, the flow or article it defines."""

    doc: Document
    flow: Flow | None = None
    article: Article | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.doc.problems


def _texts(data: dict[str, Any]) -> Iterator[tuple[Path_, dict[str, Any], str]]:
    """(path, text object, what) for every text in a valid flow or article."""
    for key in ("title", "summary", "body"):
        if isinstance(data.get(key), dict):
            yield (key,), data[key], key
    for sid, step in (data.get("steps") or {}).items():
        base: Path_ = ("steps", sid)
        yield (*base, "title"), step["title"], "title"
        for field in ("say", "check", "checklist"):
            for i, t in enumerate(step.get(field, [])):
                yield (*base, field, i), t, field
        if "note" in step:
            yield (*base, "note"), step["note"], "note"
        for i, c in enumerate(step.get("choices", [])):
            yield (*base, "choices", i, "label"), c["label"], "label"
        if "escalation" in step:
            yield (*base, "escalation", "reason"), step["escalation"]["reason"], "reason"


def _check_texts(doc: Document, data: dict[str, Any]) -> None:
    lang = data["language"]
    other = _OTHER[lang]
    for path, text, what in _texts(data):
        if lang not in text:
            doc.problem(path, Text(ja=f"{_LANG_NAME[lang].ja}（スクリプトの言語）の文がありません",
                                   en=f"no {_LANG_NAME[lang].en} text (the script's language)"), "language")
        if other not in text:
            kind = Text(ja="フレーズ", en="phrase") if what == "say" else Text(ja="文", en="text")
            doc.problem(path, Text(ja=f"{kind.ja}の{_LANG_NAME[other].ja}訳がありません",
                                   en=f"missing {_LANG_NAME[other].en} translation of this {kind.en}"),
                        "translation", fatal=False)
        for lang_key, value in text.items():
            for m in VARIABLE_RE.finditer(value):
                name = m.group(1)
                if name not in KNOWN_VARIABLES:
                    known = ", ".join(sorted(KNOWN_VARIABLES))
                    doc.problem((*path, lang_key),
                                Text(ja=f"知らない変数 {{{name}}} です。使える変数: {known}",
                                     en=f"unknown variable {{{name}}}; known variables: {known}"), "variable")


def _check_flow(doc: Document, data: dict[str, Any], article_ids: set[str] | None) -> None:
    steps: dict[str, dict[str, Any]] = data["steps"]
    graph: dict[str, list[str]] = {}
    if data["start"] not in steps:
        doc.problem(("start",), Text(ja=f"開始ステップ '{data['start']}' がありません",
                                     en=f"start step '{data['start']}' does not exist"), "dangling")
    for sid, step in steps.items():
        base: Path_ = ("steps", sid)
        nexts: list[str] = []
        if "choices" in step and "next" in step:
            doc.problem((*base, "next"), Text(ja="choices と next は同時に書けません。どちらかにしてください",
                                               en="a step has either choices or next, not both"), "schema")
        for i, c in enumerate(step.get("choices", [])):
            nexts.append(c["next"])
            if c["next"] not in steps:
                doc.problem((*base, "choices", i, "next"),
                            Text(ja=f"選択肢の行き先 '{c['next']}' というステップはありません",
                                 en=f"choice points nowhere: no step '{c['next']}'"), "dangling")
        if "next" in step:
            nexts.append(step["next"])
            if step["next"] not in steps:
                doc.problem((*base, "next"), Text(ja=f"次のステップ '{step['next']}' がありません",
                                                   en=f"next points nowhere: no step '{step['next']}'"), "dangling")
        if not nexts and "end" not in step and "escalation" not in step:
            doc.problem(base, Text(ja="行き止まりです: choices・next・end・escalation のどれかを書いてください",
                                   en="dead end: give the step choices, next, end or escalation"), "dead-end", key=True)
        if "end" in step and nexts:
            doc.problem((*base, "end"), Text(ja="end のステップに次の行き先があります",
                                              en="an end step also has choices or next"), "schema", fatal=False)
        graph[sid] = [n for n in nexts if n in steps]
        for i, aid in enumerate(step.get("articles", [])):
            if article_ids is not None and aid not in article_ids:
                doc.problem((*base, "articles", i), Text(ja=f"参考記事 '{aid}' が見つかりません",
                                                         en=f"unknown reference article '{aid}'"),
                            "article", fatal=False)
    if data["start"] not in steps:
        return
    # reachability from the start
    reached: set[str] = set()
    todo = [data["start"]]
    while todo:
        s = todo.pop()
        if s not in reached:
            reached.add(s)
            todo.extend(graph[s])
    for sid in steps:
        if sid not in reached:
            doc.problem(("steps", sid), Text(ja=f"ステップ '{sid}' にはどこからも到達できません",
                                             en=f"step '{sid}' is unreachable from the start"),
                        "unreachable", key=True, fatal=False)
    # cycles without an exit: strongly connected components with a cycle from which no exit is reachable
    exits = {s for s, st in steps.items() if "end" in st or "escalation" in st}
    can_exit = set(exits)
    changed = True
    while changed:
        changed = False
        for s, ns in graph.items():
            if s not in can_exit and any(n in can_exit for n in ns):
                can_exit.add(s)
                changed = True
    trapped = {s for s in steps if s not in can_exit}
    order = list(steps)
    for comp in _sccs({s: [n for n in graph[s] if n in trapped] for s in trapped}):
        if len(comp) == 1 and comp[0] not in graph[comp[0]]:
            continue
        first = min(comp, key=order.index)
        cycle = _cycle_from(first, set(comp), graph)
        shown = " → ".join(cycle)
        doc.problem(("steps", first), Text(ja=f"出口のない循環です: {shown}（end か escalation へ抜ける選択肢が必要です）",
                                           en=f"cycle without an exit: {shown} (add a way to an end or escalation)"),
                    "cycle", key=True)


def _sccs(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on.add(node)
            succ = graph[node]
            if i < len(succ):
                work.append((node, i + 1))
                n = succ[i]
                if n not in index:
                    work.append((n, 0))
                elif n in on:
                    low[node] = min(low[node], index[n])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _cycle_from(first: str, comp: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through ``first`` inside ``comp``, e.g. ['a', 'b', 'a']."""
    prev: dict[str, str] = {}
    frontier = [first]
    seen = {first}
    while frontier:
        nxt = []
        for s in frontier:
            for n in graph[s]:
                if n == first:
                    path = [s]
                    while path[-1] != first:
                        path.append(prev[path[-1]])
                    return [first, *reversed(path[:-1]), first] if s != first else [first, first]
                if n in comp and n not in seen:
                    seen.add(n)
                    prev[n] = s
                    nxt.append(n)
        frontier = nxt
    return [first, first]


def check_document(doc: Document, article_ids: set[str] | None = None) -> Checked:
    """Semantic checks after the schema; returns the flow or article when nothing fatal was found."""
    checked = Checked(doc)
    if doc.data is None or doc.fatal:
        return checked
    data = doc.data
    _check_texts(doc, data)
    if data["kind"] == "flow":
        _check_flow(doc, data, article_ids)
    if doc.fatal:
        return checked
    if data["kind"] == "flow":
        checked.flow = flow_from_dict(data, doc.name)
    else:
        checked.article = article_from_dict(data, doc.name)
    return checked


def _internal(name: str, exc: Exception) -> Problem:
    log.exception("support script %s: unexpected error", name)
    return Problem(name, 1, 1, Text(ja=f"このファイルを処理できません（内部エラー: {type(exc).__name__}）",
                                    en=f"cannot process this file (internal error: {type(exc).__name__})"), "internal")


def _load_guarded(text: str, name: str) -> Document:
    try:
        return load_text(text, name)
    except Exception as exc:  # a file must never take the panel down, whatever is in it
        return Document(name=name, problems=[_internal(name, exc)])


def _check_guarded(doc: Document, known: set[str]) -> Checked:
    try:
        return check_document(doc, known)
    except Exception as exc:
        doc.problems.append(_internal(doc.name, exc))
        return Checked(doc)


def check_texts(named_texts: Iterable[tuple[str, str]], article_ids: Iterable[str] = ()) -> list[Checked]:
    """Lint several files given as (name, YAML text); article links resolve across them and ``article_ids``."""
    docs = [_load_guarded(text, name) for name, text in named_texts]
    known = set(article_ids)
    for d in docs:
        if d.data and isinstance(d.data, dict) and d.data.get("kind") == "article" and isinstance(d.data.get("id"), str):
            known.add(d.data["id"])
    results = [_check_guarded(d, known) for d in docs]
    seen: dict[tuple[str, str], str] = {}
    for r in results:
        item = r.flow or r.article
        if item is None:
            continue
        kind = "flow" if r.flow else "article"
        key = (kind, item.id)
        if key in seen:
            r.doc.problem(("id",), Text(ja=f"ID '{item.id}' は {seen[key]} と重複しています",
                                        en=f"id '{item.id}' is also used by {seen[key]}"), "duplicate-id", fatal=False)
        else:
            seen[key] = r.doc.name
    return results


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The script files named, directories searched recursively. Raises FileNotFoundError for a missing path."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in SCRIPT_SUFFIXES and f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(str(p))
    return files


def lint_paths(paths: Iterable[Path], article_ids: Iterable[str] = ()) -> list[Problem]:
    named = []
    problems: list[Problem] = []
    for f in collect_files(paths):
        try:
            named.append((str(f), f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(f), 1, 1, Text(ja=f"ファイルを読めません: {exc}", en=f"cannot read file: {exc}"),
                                    "io"))
    for r in check_texts(named, article_ids):
        problems.extend(sorted(r.problems, key=lambda p: (p.line, p.column)))
    return problems
