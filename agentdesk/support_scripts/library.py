"""A set of loaded flows and articles, with notices for whatever could not be loaded.

A broken file never breaks the panel: it is left out and a notice says which file, where, and why.
When two sources carry the same flow id, the higher version wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentdesk import paths
from agentdesk.i18n import Text
from agentdesk.support_scripts.lint import check_texts, collect_files
from agentdesk.support_scripts.loader import Problem
from agentdesk.support_scripts.model import Article, Flow
from agentdesk.support_scripts.search import SearchHit, SearchIndex

log = logging.getLogger(__name__)


def bundled_dir() -> Path:
    return paths.resources_dir() / "support_scripts"


def version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in version.split("."))
    except ValueError:
        return (0,)


@dataclass(frozen=True)
class Notice:
    """Something the agent should see about the loaded scripts (a skipped file, an offline fallback)."""

    message: Text
    problem: Problem | None = None

    def pick(self, language: str) -> str:
        return self.message.pick(language)


@dataclass
class Library:
    flows: dict[str, Flow] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    origin: Text = field(default_factory=lambda: Text(ja="同梱スクリプト", en="bundled scripts"))
    _index: SearchIndex | None = None

    def add(self, item: Flow | Article) -> None:
        table: dict[str, Any] = self.flows if isinstance(item, Flow) else self.articles
        old = table.get(item.id)
        if old is None or version_key(item.version) > version_key(old.version):
            table[item.id] = item
        self._index = None

    def invalidate(self) -> None:
        self._index = None

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            self._index = SearchIndex(self.flows.values(), self.articles.values())
        return self._index

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        return self.index.search(query, limit)

    def suggest(self, contract: Any | None = None, queue: str | None = None) -> list[Flow]:
        """Flows ranked by how well they fit the call's queue and contract data (best first, only fits)."""
        scored: list[tuple[int, str, Flow]] = []
        plan = (getattr(contract, "plan", "") or "").casefold()
        line = (getattr(contract, "line_type", "") or "").casefold()
        equip = {e.casefold() for e in (getattr(contract, "equipment", None) or [])}
        for f in self.flows.values():
            s = 0
            if queue and queue.casefold() in (q.casefold() for q in f.suggest.queues):
                s += 10
            if plan and any(p.casefold() in plan for p in f.suggest.plans):
                s += 2
            if line and any(x.casefold() in line for x in f.suggest.line_types):
                s += 2
            if equip and any(any(e.casefold() in q for q in equip) for e in f.suggest.equipment):
                s += 1
            if s:
                scored.append((s, f.id, f))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [f for _, _, f in scored]


def load_named(named_texts: Iterable[tuple[str, str]], library: Library | None = None) -> Library:
    """Load (name, YAML text) pairs into ``library``; fatal problems skip the file with a notice."""
    lib = library or Library()
    named = list(named_texts)
    results = check_texts(named, article_ids=lib.articles)
    for r in results:
        item = r.flow or r.article
        if item is not None:
            lib.add(item)
            continue
        first = next(p for p in r.problems if p.fatal)
        log.warning("support script skipped: %s", first.format("en"))
        lib.notices.append(Notice(
            Text(ja=f"読み込めないスクリプトを飛ばしました: {first.format('ja')}",
                 en=f"Skipped a broken script: {first.format('en')}"), first))
    return lib


def load_paths(paths_: Iterable[Path], library: Library | None = None) -> Library:
    named: list[tuple[str, str]] = []
    lib = library or Library()
    for f in collect_files(paths_):
        try:
            named.append((str(f), f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            lib.notices.append(Notice(Text(ja=f"スクリプトを読めません: {f}: {exc}", en=f"Cannot read script {f}: {exc}")))
    return load_named(named, lib)


_bundled_cache: dict[tuple[object, ...], Library] = {}


def load_bundled() -> Library:
    """The scripts shipped with the app (a fresh Library each call; parsing is done once per set of files)."""
    directory = bundled_dir()
    if not directory.is_dir():
        return Library(notices=[Notice(Text(ja="同梱スクリプトが見つかりません", en="The bundled scripts are missing"))])
    files = collect_files([directory])
    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if key not in _bundled_cache:
        _bundled_cache.clear()
        _bundled_cache[key] = load_paths([directory])
    cached = _bundled_cache[key]
    return Library(flows=dict(cached.flows), articles=dict(cached.articles), notices=list(cached.notices),
                   origin=cached.origin)
