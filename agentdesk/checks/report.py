"""The self-check report: the same data as JSON and as a self-contained, printable HTML page (Japanese first,
English beneath), and its submission to the center (``CenterClient.submit("self_check", ...)`` through the
caller's outbox).

No customer data is ever in a report: it holds the agent's own environment only.
"""

from __future__ import annotations

import html
import json
import platform
import uuid
from pathlib import Path
from typing import Any, Protocol

from agentdesk import __version__
from agentdesk.checks.base import STATUS_TEXT, CheckResult
from agentdesk.checks.runner import Report, create
from agentdesk.i18n import Text

TITLE = Text(ja="AgentDesk 環境セルフチェック結果", en="AgentDesk environment self-check report")
OVERALL = Text(ja="総合判定", en="Overall")
COLORS = {"pass": "#1b7f3b", "warn": "#a86400", "fail": "#b3261e", "skipped": "#5f6368", "error": "#6a1b9a"}


def to_json(report: Report) -> dict[str, Any]:
    data = report.to_json()
    data.setdefault("report_id", str(uuid.uuid4()))
    data.setdefault("app_version", __version__)
    data.setdefault("host", {"system": platform.system(), "release": platform.release()})
    return data


class _Submitter(Protocol):
    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> None: ...


def submit(report_json: dict[str, Any], client: _Submitter) -> str:
    """Hand the report to the center (the client or its outbox); returns the idempotency key used."""
    key = str(report_json.get("report_id") or uuid.uuid4())
    client.submit("self_check", report_json, key)
    return key


def _title_of(name: str) -> Text:
    try:
        return create(name).title
    except (KeyError, ImportError, AttributeError):
        return Text(ja=name, en=name)


def _chart_svg(samples: list[float | None], width: int = 560, height: int = 140) -> str:
    """An inline SVG line chart of round-trip times (lost probes as red marks on the axis)."""
    values = [s for s in samples if s is not None]
    if not samples or not values:
        return ""
    top = max(values) * 1.2 or 1.0
    n = len(samples)
    step = (width - 50) / max(1, n - 1)

    def y(v: float) -> float:
        return height - 20 - (height - 30) * v / top

    points = " ".join(f"{40 + i * step:.1f},{y(v):.1f}" for i, v in enumerate(samples) if v is not None)
    lost = "".join(f'<rect x="{40 + i * step - 2:.1f}" y="{height - 22}" width="4" height="6" fill="#b3261e"/>'
                   for i, v in enumerate(samples) if v is None)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="RTT">'
            f'<line x1="40" y1="{height - 20}" x2="{width - 10}" y2="{height - 20}" stroke="#888"/>'
            f'<line x1="40" y1="10" x2="40" y2="{height - 20}" stroke="#888"/>'
            f'<text x="2" y="{y(top / 1.2) + 4:.0f}" font-size="10">{top / 1.2:.1f}ms</text>'
            f'<text x="2" y="{height - 16}" font-size="10">0</text>'
            f'<polyline fill="none" stroke="#1a73e8" stroke-width="2" points="{points}"/>{lost}</svg>')


def _details_html(details: dict[str, Any]) -> str:
    rows = []
    for key, value in details.items():
        if key in ("devices", "adapters", "samples_ms") or value is None or value == [] or value == {}:
            continue
        if isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False)
            if len(text) > 300:
                text = text[:300] + "…"
        else:
            text = str(value)
        rows.append(f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(text)}</td></tr>")
    return f'<table class="details">{"".join(rows)}</table>' if rows else ""


def _bilingual(t: dict[str, str] | None, cls: str) -> str:
    if not t:
        return ""
    return (f'<div class="{cls}"><p lang="ja">{html.escape(t["ja"])}</p>'
            f'<p lang="en" class="en">{html.escape(t["en"])}</p></div>')


def to_html(report_json: dict[str, Any]) -> str:
    overall = report_json["overall"]
    status_t = STATUS_TEXT[overall]
    sections = []
    for c in report_json["checks"]:
        st = STATUS_TEXT[c["status"]]
        title = _title_of(c["name"])
        chart = _chart_svg(c["details"].get("samples_ms") or []) if c["name"] == "network" else ""
        remedy = _bilingual(c.get("remedy"), "remedy")
        if remedy:
            remedy = '<h4>対処方法 <span class="en">Remedy</span></h4>' + remedy
        confirm = _bilingual(c.get("confirmation"), "confirm")
        if confirm:
            confirm = '<h4>ご確認ください <span class="en">Please confirm</span></h4>' + confirm
        sections.append(
            f'<section class="check"><h3><span class="badge" style="background:{COLORS[c["status"]]}">'
            f'{html.escape(st.ja)} <small>{html.escape(st.en)}</small></span> {html.escape(title.ja)} '
            f'<span class="en">{html.escape(title.en)}</span></h3>'
            f'{_bilingual(c["summary"], "summary")}{remedy}{confirm}{chart}{_details_html(c["details"])}</section>')
    started = html.escape(str(report_json.get("started", "")))
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(TITLE.ja)}</title>
<style>
body {{ font-family: "Yu Gothic UI", "Meiryo", "Noto Sans CJK JP", "Hiragino Sans", sans-serif; margin: 2em;
       color: #202124; max-width: 60em; }}
h1 {{ font-size: 1.5em; margin-bottom: 0; }}
.en {{ color: #5f6368; font-size: 0.85em; font-weight: normal; }}
.overall {{ font-size: 1.3em; padding: .5em 1em; color: #fff; display: inline-block; border-radius: 6px;
           background: {COLORS[overall]}; }}
.check {{ border: 1px solid #dadce0; border-radius: 8px; padding: .5em 1em; margin: 1em 0;
          page-break-inside: avoid; break-inside: avoid; }}
.badge {{ color: #fff; border-radius: 4px; padding: .1em .5em; font-size: .9em; }}
.summary p, .remedy p, .confirm p {{ margin: .2em 0; }}
.remedy {{ background: #fef7e0; padding: .3em .8em; border-radius: 4px; }}
.confirm {{ background: #e8f0fe; padding: .3em .8em; border-radius: 4px; }}
h4 {{ margin: .6em 0 .2em; font-size: .95em; }}
table.details {{ border-collapse: collapse; font-size: .8em; margin-top: .5em; }}
table.details th {{ text-align: left; padding-right: 1em; color: #5f6368; font-weight: normal; vertical-align: top; }}
table.details td {{ word-break: break-all; }}
footer {{ font-size: .8em; color: #5f6368; margin-top: 2em; }}
@media print {{ body {{ margin: 0; }} .check {{ border-color: #999; }}
  .badge, .overall {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }} }}
</style></head>
<body>
<h1>{html.escape(TITLE.ja)}</h1>
<div class="en">{html.escape(TITLE.en)}</div>
<p>実施日時 <span class="en">Run at</span>: {started} UTC ・ 所要時間 <span class="en">Duration</span>:
{report_json.get("duration_s", 0):.1f} s ・ AgentDesk {html.escape(str(report_json.get("app_version", "")))}</p>
<p><span class="overall">{html.escape(OVERALL.ja)}: {html.escape(status_t.ja)}
<small>({html.escape(OVERALL.en)}: {html.escape(status_t.en)})</small></span></p>
{"".join(sections)}
<footer>レポート ID <span class="en">Report ID</span>: {html.escape(str(report_json.get("report_id", "")))}</footer>
</body></html>
"""


def write_html(report_json: dict[str, Any], path: Path) -> Path:
    path.write_text(to_html(report_json), encoding="utf-8")
    return path


def result_line(result: CheckResult | dict[str, Any], language: str = "ja") -> str:
    data = result.to_json() if isinstance(result, CheckResult) else result
    st = STATUS_TEXT[data["status"]].pick(language)
    title = _title_of(data["name"]).pick(language)
    lines = [f"[{st}] {title}: {data['summary'][language]}"]
    if data.get("remedy"):
        lines.append(("  対処: " if language == "ja" else "  Remedy: ") + data["remedy"][language])
    if data.get("confirmation"):
        lines.append(("  確認: " if language == "ja" else "  Confirm: ") + data["confirmation"][language])
    return "\n".join(lines)
