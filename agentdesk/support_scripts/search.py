"""Search across flows and reference articles, made for Japanese typed while the customer speaks.

Text and queries are folded the same way: NFKC (full-width ＡＢＣ１２３ -> abc123, half-width ｶﾀｶﾅ -> カタカナ),
lower case, katakana -> hiragana, long-vowel marks and punctuation dropped (ルーター = ルータ = るーた,
Wi-Fi = ｗｉｆｉ). Japanese has no spaces, so the index is of character bigrams: a query matches a document
when most of its bigrams occur in it; whole-term matches and matches in titles and keywords rank higher.
Kanji and kana forms of the same word (繋がらない / つながらない) meet through the scripts' ``keywords``.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from agentdesk.i18n import Text
from agentdesk.support_scripts.model import Article, Flow

W_TITLE, W_KEYWORD, W_SUMMARY, W_STEP_TITLE, W_BODY = 5.0, 4.0, 2.0, 2.0, 1.0
MIN_COVERAGE = 0.6


def fold(text: str) -> str:
    """The searchable form of ``text`` (see the module doc)."""
    out = []
    for ch in unicodedata.normalize("NFKC", text).lower():
        o = ord(ch)
        if 0x30A1 <= o <= 0x30F6:  # katakana -> hiragana
            ch = chr(o - 0x60)
        elif ch == "ー" or ch == "～" or ch == "〜":
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "PZSC":
            continue
        out.append(ch)
    return "".join(out)


def grams(folded: str) -> set[str]:
    if len(folded) < 2:
        return {folded} if folded else set()
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


@dataclass(frozen=True)
class SearchHit:
    kind: Literal["flow", "article"]
    id: str
    title: Text
    score: float
    step_id: str | None = None  # the step of a flow that matched best
    step_title: Text | None = None


@dataclass
class _Field:
    weight: float
    folded: str
    step_id: str | None = None
    step_title: Text | None = None


@dataclass
class _Doc:
    kind: Literal["flow", "article"]
    id: str
    title: Text
    fields: list[_Field]


class SearchIndex:
    def __init__(self, flows: Iterable[Flow] = (), articles: Iterable[Article] = ()) -> None:
        self._docs: list[_Doc] = []
        self._index: dict[str, dict[int, float]] = defaultdict(dict)
        for f in flows:
            self.add_flow(f)
        for a in articles:
            self.add_article(a)

    def __len__(self) -> int:
        return len(self._docs)

    def _add(self, doc: _Doc) -> None:
        n = len(self._docs)
        self._docs.append(doc)
        for fld in doc.fields:
            for g in grams(fld.folded):
                if self._index[g].get(n, 0.0) < fld.weight:
                    self._index[g][n] = fld.weight

    @staticmethod
    def _both(t: Text) -> list[str]:
        return [x for x in (t.ja, t.en) if x]

    def add_flow(self, flow: Flow) -> None:
        fields = [_Field(W_TITLE, fold(s)) for s in self._both(flow.title)]
        fields += [_Field(W_KEYWORD, fold(k)) for k in flow.keywords]
        fields += [_Field(W_SUMMARY, fold(s)) for s in self._both(flow.summary)]
        for step in flow.steps.values():
            fields += [_Field(W_STEP_TITLE, fold(s), step.id, step.title) for s in self._both(step.title)]
            for t in (*step.say, *step.check, *step.checklist, *(c.label for c in step.choices)):
                fields += [_Field(W_BODY, fold(s), step.id, step.title) for s in self._both(t)]
        self._add(_Doc("flow", flow.id, flow.title, fields))

    def add_article(self, article: Article) -> None:
        fields = [_Field(W_TITLE, fold(s)) for s in self._both(article.title)]
        fields += [_Field(W_KEYWORD, fold(k)) for k in article.keywords]
        fields += [_Field(W_BODY, fold(s)) for s in self._both(article.body)]
        self._add(_Doc("article", article.id, article.title, fields))

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        terms = [t for t in (fold(w) for w in query.split()) if t]
        if not terms:
            return []
        all_grams: set[str] = set()
        for t in terms:
            all_grams |= grams(t)
        weight: dict[str, dict[int, float]] = {}
        for g in all_grams:
            postings = self._index.get(g)
            if postings is None and len(g) == 1:  # a one-character query: scan (rare, tiny corpus)
                scanned = {i: max((f.weight for f in d.fields if g in f.folded), default=0.0)
                           for i, d in enumerate(self._docs)}
                postings = {i: w for i, w in scanned.items() if w}
            weight[g] = postings or {}
        scores: dict[int, float] = defaultdict(float)
        for g in all_grams:
            for i, w in weight[g].items():
                scores[i] += w
        # a document qualifies when it matches most bigrams of at least one term; matching every term ranks higher
        satisfied: dict[int, int] = defaultdict(int)
        for t in terms:
            tg = grams(t)
            need = max(1, int(len(tg) * MIN_COVERAGE + 0.999))
            count: dict[int, int] = defaultdict(int)
            for g in tg:
                for i in weight[g]:
                    count[i] += 1
            for i, c in count.items():
                if c >= need:
                    satisfied[i] += 1
        hits = []
        candidates = sorted(satisfied, key=lambda i: -scores[i] * satisfied[i])
        for i in candidates[:max(limit * 3, 30)]:  # rank the best bigram matches in detail
            doc = self._docs[i]
            score = scores[i] / len(all_grams)
            fraction = satisfied[i] / len(terms)
            best_step: _Field | None = None
            best_step_score = 0.0
            for fld in doc.fields:
                whole = sum(1 for t in terms if t in fld.folded)
                if whole:
                    score += fld.weight * whole
                if fld.step_id is not None:
                    st = (whole * 10 + sum(1 for g in all_grams if g in fld.folded)) * fld.weight
                    if st > best_step_score:
                        best_step, best_step_score = fld, st
            hits.append(SearchHit(doc.kind, doc.id, doc.title, round(score * fraction, 3),
                                  best_step.step_id if best_step else None,
                                  best_step.step_title if best_step else None))
        hits.sort(key=lambda h: (-h.score, h.kind, h.id))
        return hits[:limit]
