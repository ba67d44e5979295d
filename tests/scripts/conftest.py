"""Helpers for the support-script tests: write small script files with known line numbers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

GOOD_FLOW = textwrap.dedent("""\
    format: 1
    kind: flow
    id: demo
    version: "1.0.0"
    language: ja
    title: {ja: "デモ", en: "Demo"}
    start: a
    steps:
      a:
        title: {ja: "最初", en: "First"}
        say:
          - {ja: "{plan}をご利用ですね。", en: "You use {plan}."}
        choices:
          - label: {ja: "はい", en: "Yes"}
            next: b
          - label: {ja: "いいえ", en: "No"}
            next: c
      b:
        title: {ja: "二番目", en: "Second"}
        next: c
      c:
        title: {ja: "エスカレーション", en: "Escalation"}
        escalation:
          reason: {ja: "理由", en: "Reason"}
          target: tier2
    """)


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text), encoding="utf-8")
        return p

    return _write
