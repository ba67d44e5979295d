"""Support-script figures: load time of the bundled set, lint time, search latency (also at 20x the size).

    python -m benchmarks.scripts          (or through the lead's `python -m benchmarks`)

Search must keep up with an agent typing while the customer speaks: a keystroke every ~150 ms, so a query
should take a small fraction of that, here measured as p50/p95 over Japanese queries in mixed forms.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from agentdesk.support_scripts import library as library_mod
from agentdesk.support_scripts.library import bundled_dir, load_bundled
from agentdesk.support_scripts.lint import lint_paths
from agentdesk.support_scripts.search import SearchIndex

QUERIES = [
    "つながらない", "繋がらない", "ﾂﾅｶﾞﾗﾅｲ", "ＯＮＵ ランプ", "ﾙｰﾀｰ 再起動", "めーる そうしん", "SMTP 587",
    "速度が遅い", "Ｗｉ－Ｆｉ パスワード", "接続ID", "障害", "ういるす", "請求", "訪問", "管理者パスワード",
    "夜だけ遅い", "迷惑メール", "光回線ランプ 赤", "IPv6", "フィッシング",
]


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _latencies(index: SearchIndex, rounds: int = 10) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in QUERIES:
            t0 = time.perf_counter()
            index.search(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def row(name: str, value: float, unit: str, note: str) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "peer": None, "peer_value": None, "note": note}


def run() -> list[dict]:
    library_mod._bundled_cache.clear()
    t0 = time.perf_counter()
    lib = load_bundled()
    load_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    problems = lint_paths([bundled_dir()])
    lint_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    index = SearchIndex(lib.flows.values(), lib.articles.values())
    index_ms = (time.perf_counter() - t0) * 1000
    lat = _latencies(index)

    big = SearchIndex()
    for n in range(20):
        for f in lib.flows.values():
            big.add_flow(replace(f, id=f"{f.id}-{n}"))
        for a in lib.articles.values():
            big.add_article(replace(a, id=f"{a.id}-{n}"))
    big_lat = _latencies(big, rounds=3)
    n_docs = len(lib.flows) + len(lib.articles)
    return [
        row("scripts: load bundled set (parse, schema, lint)", load_ms, "ms",
            f"{len(lib.flows)} flows, {len(lib.articles)} articles; once per app start"),
        row("scripts: lint all bundled files", lint_ms, "ms", f"{len(problems)} problems"),
        row("scripts: build search index", index_ms, "ms", f"{n_docs} documents"),
        row("scripts: search latency p50", statistics.median(lat), "ms", f"{len(QUERIES)} Japanese queries x10"),
        row("scripts: search latency p95", _percentile(lat, 0.95), "ms", "budget: a keystroke every ~150 ms"),
        row("scripts: search latency p95 at 20x size", _percentile(big_lat, 0.95), "ms", f"{len(big)} documents"),
    ]


if __name__ == "__main__":
    for r in run():
        print(f"{r['name']:55} {r['value']:10.3f} {r['unit']:4} {r['note']}")
