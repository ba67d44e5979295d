"""Run every benchmark module (benchmarks/*.py with a ``run() -> list[dict]``) and print one table.

Each row: name, value, unit, and a peer measured in the same run where one exists (peer, peer_value), and a note.
``python -m benchmarks [--only MODULE,...] [--json]``. A module that fails prints its error as a row and the
command exits 1, so a broken benchmark is never silently missing from the table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--only", help="comma-separated module names (" + ", ".join(modules()) + ")")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else modules()
    rows: list[dict[str, object]] = []
    failed = False
    for name in chosen:
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            for row in module.run():
                rows.append({"module": name, **row})
        except Exception as exc:
            failed = True
            traceback.print_exc(file=sys.stderr)
            rows.append({"module": name, "name": "ERROR", "value": None, "unit": "",
                         "note": f"{type(exc).__name__}: {exc}"})
        print(f"benchmarks.{name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    header = ("module", "benchmark", "value", "unit", "peer", "peer value", "ratio", "note")
    table = [header]
    for r in rows:
        value, peer_value = r.get("value"), r.get("peer_value")
        ratio = (f"{value / peer_value:.2f}" if isinstance(value, int | float) and isinstance(peer_value, int | float)
                 and peer_value else "-")
        table.append((str(r["module"]), str(r["name"]), fmt(value), str(r.get("unit", "")), fmt(r.get("peer")),
                      fmt(peer_value), ratio, str(r.get("note", "") or "")))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
