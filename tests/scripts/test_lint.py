"""The schema and lint on good and broken files: each problem at its exact FILE:LINE:COLUMN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentdesk import cli
from agentdesk.support_scripts.lint import lint_paths
from agentdesk.support_scripts.loader import schema
from tests.scripts.conftest import GOOD_FLOW

LINE_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")


def problems_of(path: Path) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.column, p.code, p.message.en) for p in lint_paths([path])]


def test_good_flow_is_clean(write) -> None:
    assert problems_of(write("good.yaml", GOOD_FLOW)) == []


def test_schema_is_valid_json_schema_and_shipped_in_the_package() -> None:
    import jsonschema

    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$defs"]["step"]["properties"]["escalation"]


def test_yaml_syntax_error_points_at_the_line(write) -> None:
    p = write("broken.yaml", GOOD_FLOW.replace('title: {ja: "二番目", en: "Second"}', 'title: {ja: "二番目", en: "Second"'))
    ((line, _col, code, msg),) = problems_of(p)
    assert code == "yaml" and "syntax" in msg
    assert line in (20, 21)  # the flow mapping is left open on line 19; PyYAML notices on the next token


def test_schema_errors_with_line_and_column(write) -> None:
    text = GOOD_FLOW.replace('version: "1.0.0"', "version: 1.0").replace("target: tier2", "target: nowhere")
    text = text.replace("    next: c\n  c:", "    next: c\n    colour: red\n  c:")
    got = problems_of(write("schema.yaml", text))
    assert got[0][:3] == (4, 10, "schema") and "quote" in got[0][3]  # version: 1.0 is a number
    by_line = {(line, col): msg for line, col, _, msg in got}
    assert any("colour" in m for (line, c), m in by_line.items() if line == 21 and c == 5)
    assert any("nowhere" in m for (line, c), m in by_line.items() if line == 26)


def test_missing_required_field(write) -> None:
    text = GOOD_FLOW.replace("start: a\n", "")
    got = problems_of(write("nostart.yaml", text))
    assert got == [(1, 1, "schema", "(top): required field 'start' is missing")]


def test_choice_pointing_nowhere_and_dead_end(write) -> None:
    text = GOOD_FLOW.replace("        next: c\n  b:", "        next: zz\n  b:")
    text = text.replace("    next: c\n  c:", "  c:")
    got = problems_of(write("dangling.yaml", text))
    assert (17, 15, "dangling") in [g[:3] for g in got]  # the value of next: zz
    assert (18, 3, "dead-end") in [g[:3] for g in got]  # step b now has no way on


def test_unreachable_step(write) -> None:
    text = GOOD_FLOW + '  lonely:\n    title: {ja: "孤立", en: "Alone"}\n    end: resolved\n'
    got = problems_of(write("unreachable.yaml", text))
    assert got == [(26, 3, "unreachable", "step 'lonely' is unreachable from the start")]


def test_cycle_without_exit(write) -> None:
    text = GOOD_FLOW.replace("""  c:
    title: {ja: "エスカレーション", en: "Escalation"}
    escalation:
      reason: {ja: "理由", en: "Reason"}
      target: tier2
""", """  c:
    title: {ja: "ループ", en: "Loop"}
    next: b
""")
    got = problems_of(write("cycle.yaml", text))
    assert [g[:3] for g in got] == [(18, 3, "cycle")]
    assert "b → c → b" in got[0][3]


def test_cycle_with_an_exit_is_fine(write) -> None:
    text = GOOD_FLOW.replace("""    escalation:
      reason: {ja: "理由", en: "Reason"}
      target: tier2
""", """    escalation:
      reason: {ja: "理由", en: "Reason"}
      target: tier2
    choices:
      - label: {ja: "もう一度", en: "Again"}
        next: a
""")
    assert problems_of(write("loop-ok.yaml", text)) == []


def test_missing_translation_of_a_phrase(write) -> None:
    text = GOOD_FLOW.replace('- {ja: "{plan}をご利用ですね。", en: "You use {plan}."}', '- {ja: "{plan}をご利用ですね。"}')
    got = problems_of(write("untranslated.yaml", text))
    assert got == [(12, 9, "translation", "missing English translation of this phrase")]


def test_unknown_variable(write) -> None:
    text = GOOD_FLOW.replace('en: "You use {plan}."', 'en: "You use {plan} at {address}."')
    got = problems_of(write("variable.yaml", text))
    assert len(got) == 1 and got[0][:3] == (12, 36, "variable") and "{address}" in got[0][3]


def test_duplicate_key_and_unquoted_boolean_step_id(write) -> None:
    text = GOOD_FLOW.replace("  b:\n", "  yes:\n    title: {ja: \"はい\", en: \"Yes\"}\n    end: resolved\n  b:\n")
    text = text.replace('version: "1.0.0"', 'version: "1.0.0"\nversion: "1.0.1"')
    got = problems_of(write("keys.yaml", text))
    codes = {(line, code) for line, _, code, _ in got}
    assert (5, "duplicate-key") in codes
    assert (19, "yaml") in codes  # `yes:` is read as a boolean


def test_article_link_must_exist(write) -> None:
    text = GOOD_FLOW.replace("    next: c\n  c:", "    next: c\n    articles: [no-such]\n  c:")
    got = problems_of(write("article.yaml", text))
    assert got == [(21, 16, "article", "unknown reference article 'no-such'")]


def test_cli_lint_output_format_and_exit_codes(write, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("good.yaml", GOOD_FLOW)
    assert cli.main(["scripts", "lint", str(good)]) == 0
    assert capsys.readouterr().out == ""

    bad = write("bad.yaml", GOOD_FLOW.replace("        next: c\n  b:", "        next: zz\n  b:"))
    assert cli.main(["scripts", "lint", str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines, "lint printed nothing for a broken file"
    for line in lines:
        m = LINE_RE.match(line)
        assert m, line
        assert m["file"] == str(bad)
    assert LINE_RE.match(lines[0])["line"] == "17"

    assert cli.main(["scripts", "lint", str(good.parent / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_unexpected_error_skips_only_that_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentdesk.support_scripts import lint
    from agentdesk.support_scripts.library import Library, load_named

    real = lint.check_document

    def explode_on_one(doc, article_ids=None):
        if doc.name == "b.yaml":
            raise RuntimeError("boom")
        return real(doc, article_ids)

    monkeypatch.setattr(lint, "check_document", explode_on_one)
    lib = load_named([("a.yaml", GOOD_FLOW), ("b.yaml", GOOD_FLOW.replace("id: demo", "id: other"))], Library())
    assert set(lib.flows) == {"demo"}
    assert [n.problem.code for n in lib.notices if n.problem] == ["internal"]


def test_bad_step_id_points_at_the_key(write) -> None:
    text = GOOD_FLOW.replace("  b:\n", "  Step B:\n").replace("next: b\n", "next: Step B\n")
    got = problems_of(write("stepid.yaml", text))
    assert (18, 3, "schema") in [g[:3] for g in got]
    assert any("'Step B'" in m and "lowercase" in m for _, _, _, m in got)


def test_more_than_nine_choices_is_refused(write) -> None:
    many = "".join(f'      - label: {{ja: "選択{n}", en: "Choice {n}"}}\n        next: b\n' for n in range(10))
    text = GOOD_FLOW.replace('''    choices:
      - label: {ja: "はい", en: "Yes"}
        next: b
      - label: {ja: "いいえ", en: "No"}
        next: c
''', "    choices:\n" + many)
    got = problems_of(write("many.yaml", text))
    assert got[0][:3] == (14, 7, "schema") and "at most 9" in got[0][3]
