"""Policy documents as trees of located values, read from YAML or TOML.

Config validation must name the file, line and column of every mistake
(SPEC §2), so documents are kept as `Node`s that remember where each value and
key was written. YAML is composed with the safe loader and only plain tags are
accepted (a `!!python/...` tag is a problem, never an object). TOML has no
positions, so keys are found in the text: best effort, column 1.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from typing import TypeVar

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

Scalar = str | int | float | bool | None
T = TypeVar("T")
# Deeper than any policy needs, shallow enough for every recursive reader below.
MAX_NESTING = 64
_TOO_DEEP = f"nested more than {MAX_NESTING} levels deep; a policy needs far fewer"


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column, as editors and the CLI show them."""

    line: int
    column: int


@dataclass(frozen=True)
class ConfigProblem:
    """One located mistake in a policy file; `line` and `column` are 1-based."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, eq=False)
class Node:
    """A value with its location; mappings also keep where each key was written."""

    value: Scalar | tuple[Node, ...] | dict[str, Node]
    mark: Mark
    key_marks: dict[str, Mark] = field(default_factory=dict)

    def key_mark(self, key: str) -> Mark:
        return self.key_marks.get(key, self.mark)


def describe(value: object) -> str:
    """What the user wrote, in the words of an "expected X, found Y" message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, tuple):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an empty value"


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# --- YAML --------------------------------------------------------------------

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STANDARD + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP = _STANDARD + "timestamp"
# libyaml's parser, when PyYAML was built with it: it reads the built-in pack about ten
# times faster, which every run pays for.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: str) -> tuple[Node | None, list[ConfigProblem]]:
    """The document's tree, or None when it cannot be trusted (bad syntax, unsafe tags)."""
    try:
        root = yaml.compose(text, Loader=FAST_LOADER)
    except (yaml.YAMLError, RecursionError) as fast_error:
        try:  # the pure-Python parser words its errors best; on failure only
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            return None, [_yaml_error(error, text, path)]
        except RecursionError:  # libyaml stopped at its depth limit and says where
            mark = getattr(fast_error, "problem_mark", None)
            line, column = (1, 1) if mark is None else (mark.line + 1, mark.column + 1)
            return None, [ConfigProblem(path, line, column, f"invalid YAML: {_TOO_DEEP}")]
    if root is None:  # an empty file is an empty mapping
        return Node({}, Mark(1, 1)), []
    converter = _YamlConverter(path)
    node = converter.convert(root)
    return (None if converter.fatal else node), converter.problems


def _yaml_error(error: yaml.YAMLError, text: str, path: str) -> ConfigProblem:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return ConfigProblem(path, mark.line + 1, mark.column + 1, _yaml_message(error))
    if isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        column = error.position - before.rfind("\n")
        character = error.character
        shown = chr(character) if isinstance(character, int) else character
        message = f"invalid YAML: {error.reason}: {shown!r}"
        return ConfigProblem(path, before.count("\n") + 1, column, message)
    return ConfigProblem(path, 1, 1, f"invalid YAML: {error}")


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's two-part message as one sentence, with where the construct began."""
    problem, context = error.problem, error.context
    if not (problem and context):
        return f"invalid YAML: {problem or context or 'syntax error'}"
    if context.startswith("expected"):  # "expected a single document, but found another"
        return f"invalid YAML: {context}, {problem}"
    start = error.context_mark
    where = "" if start is None else f" started at line {start.line + 1}, column {start.column + 1}"
    return f"invalid YAML: {problem} ({context}{where})"


def _yaml_mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _YamlConverter:
    """Turns composed YAML nodes into `Node`s; aliases share one converted node."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ConfigProblem] = []
        self.fatal = False
        self._scalars = yaml.constructor.SafeConstructor()
        self._done: dict[int, Node] = {}
        self._active: set[int] = set()

    def _fail(self, mark: Mark, message: str) -> Node:
        self.fatal = True
        self.problems.append(ConfigProblem(self.path, mark.line, mark.column, message))
        return Node(None, mark)

    def convert(self, node: yaml.Node, depth: int = 0) -> Node:
        known = self._done.get(id(node))
        if known is not None:
            return known
        if id(node) in self._active:
            return self._fail(_yaml_mark(node), "a YAML alias refers to itself")
        if depth > MAX_NESTING:
            return self._fail(_yaml_mark(node), _TOO_DEEP)
        self._active.add(id(node))
        converted = self._convert_new(node, depth)
        self._active.discard(id(node))
        self._done[id(node)] = converted
        return converted

    def _convert_new(self, node: yaml.Node, depth: int) -> Node:
        mark = _yaml_mark(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
            return Node(str(node.value), mark)  # a date stays the text the user wrote
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
            try:
                value: Scalar = self._scalars.construct_object(node)
            except ValueError as error:  # an integer of thousands of digits
                return self._fail(mark, f"unreadable value: {error}")
            return Node(value, mark)
        if isinstance(node, yaml.SequenceNode) and node.tag == _STANDARD + "seq":
            return Node(tuple(self.convert(item, depth + 1) for item in node.value), mark)
        if isinstance(node, yaml.MappingNode) and node.tag == _STANDARD + "map":
            return self._mapping(node, mark, depth)
        tag = str(node.tag).replace(_STANDARD, "!!")
        return self._fail(
            mark,
            f"unsupported YAML tag '{tag}': a policy holds only strings, numbers, "
            "booleans, lists and mappings",
        )

    def _mapping(self, node: yaml.MappingNode, mark: Mark, depth: int) -> Node:
        values: dict[str, Node] = {}
        key_marks: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            key_mark = _yaml_mark(key_node)
            if key_node.tag == _STANDARD + "merge":
                self._fail(key_mark, "YAML merge keys ('<<') are not supported in a policy")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self._fail(key_mark, "a mapping key must be a plain string")
                continue
            key = str(key_node.value)
            if key in key_marks:
                first = key_marks[key].line
                message = f"duplicate key '{key}' (first written on line {first})"
                self.problems.append(
                    ConfigProblem(self.path, key_mark.line, key_mark.column, message)
                )
            values[key] = self.convert(value_node, depth + 1)
            key_marks[key] = key_mark
        return Node(values, mark, key_marks)


# --- TOML --------------------------------------------------------------------

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_ITEM_START = re.compile(r"(?:^|[\[,])\s*\{")
_TOML_KEY_PART = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)")


def parse_toml_table(
    text: str, path: str, table: tuple[str, ...]
) -> tuple[Node | None, list[ConfigProblem]]:
    """The tree of one table (e.g. `tool.privlint`) of a TOML file, located best effort."""
    try:
        data: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [_toml_error(error, text, path)]
    except (ValueError, RecursionError) as error:  # a huge integer, or nesting
        reason = _TOO_DEEP if isinstance(error, RecursionError) else str(error)
        return None, [ConfigProblem(path, 1, 1, f"invalid TOML: {reason}")]
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    if data is None:
        return None, [ConfigProblem(path, 1, 1, f"no [{'.'.join(table)}] table in this file")]
    locator = _TomlLocator(text)
    try:
        return locator.convert(data, table, locator.table_line(table)), []
    except _TooDeep as deep:
        return None, [ConfigProblem(path, deep.line, 1, _TOO_DEEP)]


def toml_has_table(text: str, table: tuple[str, ...]) -> bool:
    """Whether a TOML text has `table`; if it does not parse, whether a header names it,
    so that loading the file reports the syntax error to the user."""
    try:
        data: object = tomllib.loads(text)
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        header = r"^\s*\[+\s*" + r"\s*\.\s*".join(map(re.escape, table)) + r"\b"
        return re.search(header, text, re.MULTILINE) is not None
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    return data is not None


def _toml_error(error: ValueError, text: str, path: str) -> ConfigProblem:
    message = str(error)
    found = _TOML_AT.search(message)
    if found is not None:
        line, column = int(found.group(1)), int(found.group(2))
    elif "end of document" in message:
        line, column = max(1, len(text.splitlines())), 1
    else:
        line, column = 1, 1
    message = _TOML_AT.sub("", message).replace(" (at end of document)", "")
    return ConfigProblem(path, line, column, f"invalid TOML: {message}")


def _dotted_key(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    position = 0
    while position < len(text):
        part = _TOML_KEY_PART.match(text, position)
        if part is None or part.end() == position:
            break
        parts.append(part.group(1).strip("\"'"))
        position = part.end()
    return tuple(parts)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _TomlLocator:
    """Finds the line of each key by reading table headers and `key =` lines."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, tuple[str, ...], bool]] = []
        for number, line in enumerate(self.lines, start=1):
            header = _TOML_HEADER.match(line)
            if header is not None:
                self.headers.append((number, _dotted_key(header.group(2)), header.group(1) == "[["))

    def table_line(self, path: tuple[str, ...]) -> int:
        return next((n for n, p, _ in self.headers if p[: len(path)] == path), 1)

    def convert(self, value: object, path: tuple[str, ...], line: int, depth: int = 0) -> Node:
        mark = Mark(line, 1)
        if depth > MAX_NESTING:
            raise _TooDeep(line)
        if isinstance(value, dict):
            children: dict[str, Node] = {}
            key_marks: dict[str, Mark] = {}
            for key, item in value.items():
                key_line = self._key_line((*path, str(key)), line)
                key_marks[str(key)] = Mark(key_line, 1)
                children[str(key)] = self.convert(item, (*path, str(key)), key_line, depth + 1)
            return Node(children, mark, key_marks)
        if isinstance(value, list):
            return Node(self._items(value, path, line, depth + 1), mark)
        if isinstance(value, datetime | date | time):
            return Node(value.isoformat(), mark)
        if isinstance(value, str | int | float | bool):
            return Node(value, mark)
        return Node(str(value), mark)

    def _items(
        self, items: list[object], path: tuple[str, ...], line: int, depth: int
    ) -> tuple[Node, ...]:
        tables = [n for n, p, array in self.headers if array and p == path and n >= line]
        if not tables:  # an inline array: item i starts at the i-th `{` after `[` or `,`
            numbers = range(line, len(self.lines) + 1)
            starts = (n for n in numbers for _ in _TOML_ITEM_START.finditer(self.lines[n - 1]))
            tables = list(islice(starts, len(items)))
        nodes: list[Node] = []
        for index, item in enumerate(items):
            dict_line = tables[index] if index < len(tables) else line
            item_line = dict_line if isinstance(item, dict) else line
            nodes.append(self.convert(item, path, item_line, depth))
        return tuple(nodes)

    def _key_line(self, path: tuple[str, ...], line: int) -> int:
        for number, header, _ in self.headers:
            if number >= line and header[: len(path)] == path:
                return number
        key = re.escape(path[-1])
        written = rf"(?:{key}|\"{key}\"|'{key}')"
        return self._search(re.compile(rf"(?:^|[\s{{,]){written}\s*=|^\s*{written}\s*\."), line)

    def _search(self, pattern: re.Pattern[str], line: int) -> int:
        for number in range(line, len(self.lines) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return line


# --- typed reading -----------------------------------------------------------


class Reader:
    """Typed access to one document's nodes that records, rather than raises, each mismatch.

    Every reading method returns None after reporting a problem, so a caller
    can keep going and the user sees all mistakes of a file at once.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ConfigProblem] = []

    def report(self, mark: Mark, message: str) -> None:
        self.problems.append(ConfigProblem(self.path, mark.line, mark.column, message))

    def mismatch(self, node: Node, label: str, expected: str) -> None:
        self.report(node.mark, f"{label}: expected {expected}, found {describe(node.value)}")

    def mapping(
        self, node: Node, label: str, section: str, keys: Sequence[str]
    ) -> dict[str, Node] | None:
        """A mapping with only `keys`; each unknown key is reported with a suggestion."""
        entries = self.any_mapping(node, label)
        if entries is None:
            return None
        for key in entries:
            if key not in keys:
                expected = ", ".join(keys)
                self.report(
                    node.key_mark(key),
                    f"unknown key '{key}' in {section}; expected one of: {expected}"
                    + did_you_mean(key, keys),
                )
        return {key: value for key, value in entries.items() if key in keys}

    def any_mapping(self, node: Node, label: str) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.mismatch(node, label, "a mapping")
            return None
        return node.value

    def items(self, node: Node, label: str, expected: str = "a list") -> tuple[Node, ...] | None:
        if not isinstance(node.value, tuple):
            self.mismatch(node, label, expected)
            return None
        return node.value

    def string(self, node: Node, label: str) -> str | None:
        if not isinstance(node.value, str):
            self.mismatch(node, label, "a string")
            return None
        return node.value

    def text(self, node: Node, label: str) -> str | None:
        """A string with something in it: ids, reasons, type names."""
        value = self.string(node, label)
        if value is not None and not value.strip():
            self.report(node.mark, f"{label}: must not be empty")
            return None
        return value

    def boolean(self, node: Node, label: str) -> bool | None:
        if not isinstance(node.value, bool):
            self.mismatch(node, label, "true or false")
            return None
        return node.value

    def strings(self, node: Node, label: str) -> tuple[str, ...] | None:
        return self.each(node, label, "a list of strings", self.string)

    def each(
        self, node: Node, label: str, expected: str, read: Callable[[Node, str], T | None]
    ) -> tuple[T, ...] | None:
        """Every item read with `read`; None when the node or any item is wrong."""
        items = self.items(node, label, expected)
        if items is None:
            return None
        values = [read(item, f"{label}[{index}]") for index, item in enumerate(items)]
        good = tuple(value for value in values if value is not None)
        return good if len(good) == len(values) else None

    def choice(self, node: Node, label: str, choices: Sequence[str], noun: str) -> str | None:
        value = self.string(node, label)
        if value is not None and value not in choices:
            expected = ", ".join(choices)
            self.report(
                node.mark,
                f"{label}: unknown {noun} '{value}'; expected one of: {expected}"
                + did_you_mean(value, choices),
            )
            return None
        return value

    def optional(
        self, fields: dict[str, Node], label: str, key: str, read: Callable[[Node, str], T | None]
    ) -> T | None:
        """The value of `key` when it is written (None when absent or wrong)."""
        return read(fields[key], _join(label, key)) if key in fields else None

    def required(
        self,
        fields: dict[str, Node],
        parent: Node,
        label: str,
        key: str,
        read: Callable[[Node, str], T | None],
    ) -> T | None:
        if key not in fields:
            self.report(parent.mark, f"{label}: missing required key '{key}'")
            return None
        return read(fields[key], _join(label, key))


def _join(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key
