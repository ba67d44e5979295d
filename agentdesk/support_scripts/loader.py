"""YAML -> data with the line and column of every node (PyYAML's node marks), then JSON Schema validation.

Every problem found carries ``file:line:column`` (1-based) so that lint and the panel's notices point at the
exact place in the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from agentdesk.i18n import Text

Path_ = tuple[str | int, ...]
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 100_000  # the shipped scripts have a few thousand; aliases that expand beyond this are a YAML bomb
MAX_ALIASES = 1_000

try:  # the C parser is much faster and keeps the marks
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: Text
    code: str
    fatal: bool = True  # a fatal problem keeps the file out of the panel; the others only warn

    def format(self, language: str = "en") -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message.pick(language)}"


@dataclass
class Document:
    """One parsed YAML file: its data and where each part of it sits in the file."""

    name: str
    data: Any = None
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # value positions
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # mapping-key positions
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The closest known position for ``path`` (walks up to the parent when the node is missing)."""
        table = self.key_marks if key else self.marks
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, path: Path_, message: Text, code: str, *, key: bool = False, fatal: bool = True) -> Problem:
        line, col = self.where(path, key=key)
        p = Problem(self.name, line, col, message, code, fatal)
        self.problems.append(p)
        return p

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.problems)


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


class _TooBig(Exception):
    pass


class _Builder:
    """Composed nodes -> data. PyYAML's composer keeps an alias as a second reference to the same node, so a file
    of a few hundred bytes can name billions of nodes (a YAML bomb): the builder counts what it builds and how
    many references it follows, and gives up with one problem past MAX_NODES / MAX_ALIASES / MAX_DEPTH."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.constructor = yaml.SafeLoader("")
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def build(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.nodes += 1
        if id(node) in self.seen and isinstance(node, yaml.CollectionNode):
            self.aliases += 1
        self.seen.add(id(node))
        if self.nodes > MAX_NODES or self.aliases > MAX_ALIASES:
            raise _TooBig
        self.doc.marks[path] = _pos(node.start_mark)
        if depth > MAX_DEPTH:
            self.doc.problem(path, Text(ja="入れ子が深すぎます", en="nesting too deep"), "yaml")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.doc.marks[(*path, "?")] = _pos(key_node.start_mark)
                    self.doc.problem((*path, "?"), Text(ja="キーは文字列にしてください", en="a key must be plain text"),
                                     "yaml")
                    continue
                key = self.constructor.construct_object(key_node)
                if not isinstance(key, str):
                    self.doc.key_marks[(*path, str(key))] = _pos(key_node.start_mark)
                    self.doc.problem(
                        (*path, str(key)),
                        Text(ja=f"キー {key_node.value!r} は文字列ではありません（YAMLでは {type(key).__name__} と解釈されます）。引用符で囲んでください",
                             en=f"key {key_node.value!r} is read as {type(key).__name__}, not text: quote it"),
                        "yaml", key=True)
                    key = str(key_node.value)
                if key in out:
                    self.doc.key_marks[(*path, key, "#dup")] = _pos(key_node.start_mark)
                    self.doc.problem((*path, key, "#dup"),
                                     Text(ja=f"キー '{key}' が重複しています", en=f"duplicate key '{key}'"),
                                     "duplicate-key", key=True)
                self.doc.key_marks[(*path, key)] = _pos(key_node.start_mark)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node)


def parse(text: str, name: str) -> Document:
    """Parse one YAML document; syntax problems become :class:`Problem` entries, never exceptions."""
    doc = Document(name=name)
    if len(text) > MAX_FILE_BYTES:
        doc.problems.append(Problem(name, 1, 1, Text(ja="ファイルが大きすぎます", en="file too large"), "yaml"))
        return doc
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        doc.problems.append(Problem(name, 1, 1, Text(ja="入れ子が深すぎます", en="nesting too deep"), "yaml"))
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        doc.problems.append(Problem(name, line, col, Text(ja=f"YAML の書式エラー: {what}", en=f"YAML syntax error: {what}"),
                                    "yaml"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(name, 1, 1, Text(ja=f"YAML を読めません: {exc}", en=f"unreadable YAML: {exc}"),
                                    "yaml"))
        return doc
    if node is None:
        doc.problems.append(Problem(name, 1, 1, Text(ja="ファイルが空です", en="empty file"), "schema"))
        return doc
    try:
        doc.data = _Builder(doc).build(node, ())
    except (_TooBig, RecursionError):
        doc.problems.append(Problem(name, 1, 1, Text(
            ja=f"内容が大きすぎます（別名 * の展開で {MAX_NODES} 個を超えます）",
            en=f"too large: its aliases (*) expand to more than {MAX_NODES} values"), "yaml"))
        doc.data = None
        return doc
    except yaml.YAMLError as exc:  # e.g. a bad timestamp or an unknown tag
        mark = getattr(exc, "problem_mark", None)
        line, col = _pos(mark) if mark else (1, 1)
        doc.problems.append(Problem(name, line, col, Text(ja=f"YAML の値を読めません: {exc}", en=f"unreadable YAML value: {exc}"),
                                    "yaml"))
        doc.data = None
    return doc


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the script format (``schema/script.schema.json`` in this package)."""
    ref = resources.files("agentdesk.support_scripts").joinpath("schema/script.schema.json")
    loaded: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> jsonschema.Draft202012Validator:
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def _schema_message(err: jsonschema.ValidationError) -> tuple[Text, bool]:
    """(message, point at the key) for one schema error, in words a script author understands."""
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return Text(ja=f"{where}: 必須の項目 '{missing}' がありません", en=f"{where}: required field '{missing}' is missing"), False
    if v in ("additionalProperties", "unevaluatedProperties"):
        return Text(ja=f"{where}: 知らない項目です: {err.message}", en=f"{where}: unknown field: {err.message}"), True
    if v == "type":
        hint_ja = "（数値に見える値は引用符で囲んでください）" if err.validator_value == "string" else ""
        hint_en = " (quote values that look like numbers)" if err.validator_value == "string" else ""
        return (Text(ja=f"{where}: 型が違います。{err.validator_value} にしてください{hint_ja}",
                     en=f"{where}: wrong type, expected {err.validator_value}{hint_en}"), False)
    if v == "pattern":
        return (Text(ja=f"{where}: {err.instance!r} は形式 {err.validator_value} に合いません",
                     en=f"{where}: {err.instance!r} does not match {err.validator_value}"), False)
    if v in ("enum", "const"):
        allowed = err.validator_value if v == "enum" else [err.validator_value]
        return (Text(ja=f"{where}: {err.instance!r} は使えません。{', '.join(map(str, allowed))} のどれかにしてください",
                     en=f"{where}: {err.instance!r} is not one of {', '.join(map(str, allowed))}"), False)
    if v == "maxItems":
        return (Text(ja=f"{where}: {err.validator_value} 個までです（番号キーは 1〜9）",
                     en=f"{where}: at most {err.validator_value} items (number keys 1-9)"), False)
    if v in ("minItems", "minProperties", "minLength"):
        return Text(ja=f"{where}: 空にはできません", en=f"{where}: must not be empty"), False
    return Text(ja=f"{where}: {err.message}", en=f"{where}: {err.message}"), False


def _at(data: Any, path: Path_) -> Any:
    for p in path:
        try:
            data = data[p]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def validate(doc: Document) -> None:
    """Add a problem for each schema error, at the line and column of the offending node."""
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        doc.problem((), Text(ja="スクリプトの先頭は項目の一覧（マッピング）にしてください", en="a script must be a mapping at the top"),
                    "schema")
        return
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    seen: set[tuple[Path_, str]] = set()
    for err in errors:
        path = tuple(err.absolute_path)
        target = _at(doc.data, path)
        if isinstance(target, dict) and isinstance(err.instance, str) and err.instance in target \
                and err.validator == "pattern":  # propertyNames: a bad step id, point at the key itself
            name = err.instance
            path = (*path, name)
            message = Text(ja=f"ID {name!r} は英小文字・数字・-・_ で書いてください（64文字まで）",
                           en=f"id {name!r}: use lowercase letters, digits, - and _ (up to 64)")
            key = True
        else:
            message, key = _schema_message(err)
            if key and err.validator == "additionalProperties" and isinstance(err.instance, dict):
                allowed = set(err.schema.get("properties", {}))
                extra = [k for k in err.instance if k not in allowed]
                if extra:
                    path = (*path, extra[0])
        if (path, err.validator) in seen:
            continue
        seen.add((path, err.validator))
        doc.problem(path, message, "schema", key=key)


def load_text(text: str, name: str) -> Document:
    doc = parse(text, name)
    validate(doc)
    return doc
