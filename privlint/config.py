"""Find, load and validate policy files into a typed `Policy` (SPEC §2).

Every problem in every file is collected with its location and raised once as
a `ConfigError`, which the CLI turns into exit code 2. Choices the SPEC leaves open:

- A project policy without an `extends` key extends `builtin:default`, so the
  defaults are on as in ruff; `extends: []` starts from nothing. Packs reached
  through `extends` never extend anything implicitly.
- `version: 1` is required in the project policy and optional in packs.
- Files apply in order: each `extends` entry depth-first (each pack at most
  once), then the file itself; a later file's settings win.
- Sinks, sanitizers, types and PII sources of a later file come first in the
  `Policy`, so a project's word about a call or name beats a pack's (the
  catalog takes the first match).
- A rule that tunes an inherited one and sets `sinks` replaces its `kinds` and
  `ids` together; a new rule without `severity` has severity error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from privlint.findings import Severity
from privlint.packs import builtin_pack, builtin_pack_names
from privlint.policy import (
    SINK_KINDS,
    Allow,
    NameHeuristic,
    PiiSources,
    Policy,
    Rule,
    RuleDocs,
    Sanitizer,
    SinkSpec,
)
from privlint.taxonomy import Taxonomy, load_taxonomy
from privlint.yamlpos import (
    ConfigProblem,
    Mark,
    Node,
    Reader,
    did_you_mean,
    parse_toml_table,
    parse_yaml,
    toml_has_table,
)

__all__ = ["ConfigError", "ConfigProblem", "find_config", "load_policy", "starter_policy_text"]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T")
Identified = TypeVar("Identified", bound=_HasId)

SUPPORTED_VERSIONS = (1,)
CONFIG_NAMES = ("privlint.yaml", ".privlint.yaml")
PYPROJECT_TABLE = ("tool", "privlint")
DEFAULT_PACK = "builtin:default"

_TOP_KEYS = ("version", "extends", "include", "exclude", "source_roots", "pii", "sinks",
             "sanitizers", "types", "rules")  # fmt: skip
_PII_KEYS = ("fields", "names", "returns", "disable_default_names")
_NAME_KEYS = ("pattern", "category")
_SINK_KEYS = ("id", "kind", "calls", "args")
_SANITIZER_KEYS = ("calls", "clears")
_TYPE_KEYS = ("calls", "returns")
_DOC_KEYS = ("summary", "why", "example", "instead")
_RULE_KEYS = ("id", "severity", "message", "categories", "sinks", "allow", "enabled", *_DOC_KEYS)
_RULE_SINK_KEYS = ("kinds", "ids")
_ALLOW_KEYS = ("paths", "functions", "reason")
_SEVERITIES = ("error", "warning", "info")
_DEFAULTS = Policy(root=Path("."), config_path=None)

Everything = Literal["all"]
RuleSinks = tuple[tuple[str, ...], tuple[str, ...]]  # (kinds, ids)


class ConfigError(Exception):
    """Every problem found in the policy files; the CLI prints them and exits 2."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class _Origin:
    """Where something was written, for problems found only once files are merged."""

    path: str
    mark: Mark

    def problem(self, message: str) -> ConfigProblem:
        return ConfigProblem(self.path, self.mark.line, self.mark.column, message)


@dataclass(frozen=True)
class _RulePatch:
    """A rule as one file writes it; None means "not set here", which tuning relies on."""

    id: str
    origin: _Origin
    written: frozenset[str]
    severity: Severity | None = None
    message: str | None = None
    categories: tuple[str, ...] | None = None
    sinks: RuleSinks | None = None
    allow: tuple[Allow, ...] = ()
    enabled: bool | None = None
    docs: tuple[tuple[str, str], ...] = ()


@dataclass
class _Layer:
    """One file's settings, validated but not yet merged with what it extends."""

    extends: tuple[tuple[str, _Origin], ...] | None = None
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    source_roots: tuple[str, ...] | None = None
    fields: tuple[tuple[str, str], ...] = ()
    names: tuple[NameHeuristic, ...] = ()
    returns: tuple[tuple[str, str], ...] = ()
    disable_default_names: bool | None = None
    sinks: tuple[SinkSpec, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    types: tuple[tuple[str, str], ...] = ()
    rules: tuple[_RulePatch, ...] = ()
    sink_refs: list[tuple[str, _Origin]] = field(default_factory=list)


# --- one file: the schema ---------------------------------------------------------


class _LayerReader:
    """Validates one file against the schema; problems land in the `Reader`."""

    def __init__(self, reader: Reader, taxonomy: Taxonomy, builtin: bool) -> None:
        self.r = reader
        self.taxonomy = taxonomy
        self.builtin = builtin
        self.layer = _Layer()

    def read(self, node: Node, project: bool) -> _Layer:
        top = self.r.mapping(node, "top level", "policy", _TOP_KEYS)
        if top is None:
            return self.layer
        self._version(top, node, project)
        layer, r = self.layer, self.r
        if "extends" in top:  # a broken list extends nothing rather than the default
            layer.extends = self._refs(top["extends"], "extends") or ()
        layer.include = r.optional(top, "", "include", r.strings)
        layer.exclude = r.optional(top, "", "exclude", r.strings)
        layer.source_roots = r.optional(top, "", "source_roots", r.strings)
        if "pii" in top:
            self._pii(top["pii"])
        if "sinks" in top:
            layer.sinks = self._unique(top["sinks"], "sinks", "sink", self._sink)
        if "sanitizers" in top:
            layer.sanitizers = self._listed(top["sanitizers"], "sanitizers", self._sanitizer)
        if "types" in top:
            groups = self._listed(top["types"], "types", self._type)
            layer.types = tuple(pair for group in groups for pair in group)
        if "rules" in top:
            layer.rules = self._unique(top["rules"], "rules", "rule", self._rule)
        return layer

    def _version(self, top: dict[str, Node], node: Node, project: bool) -> None:
        supported = ", ".join(str(version) for version in SUPPORTED_VERSIONS)
        if "version" not in top:
            if project:
                self.r.report(node.mark, f"missing 'version' (supported versions: {supported})")
            return
        version = top["version"]
        if isinstance(version.value, bool) or version.value not in SUPPORTED_VERSIONS:
            message = f"unsupported version {version.value!r}; supported versions: {supported}"
            self.r.report(version.mark, message)

    def _refs(self, node: Node, label: str) -> tuple[tuple[str, _Origin], ...] | None:
        return self.r.each(node, label, "a list of strings", self._ref)

    def _ref(self, node: Node, label: str) -> tuple[str, _Origin] | None:
        ref = self.r.text(node, label)
        return None if ref is None else (ref, _Origin(self.r.path, node.mark))

    def _listed(
        self, node: Node, label: str, read: Callable[[Node, str], T | None]
    ) -> tuple[T, ...]:
        """The valid items of a list section; invalid ones are reported and left out."""
        items = self.r.items(node, label) or ()
        values = [read(item, f"{label}[{index}]") for index, item in enumerate(items)]
        return tuple(value for value in values if value is not None)

    def _unique(
        self, node: Node, label: str, noun: str, read: Callable[[Node, str], Identified | None]
    ) -> tuple[Identified, ...]:
        """Like `_listed`, and an id used twice in the same file is a problem."""
        first_line: dict[str, int] = {}
        kept = []
        for index, item in enumerate(self.r.items(node, label) or ()):
            value = read(item, f"{label}[{index}]")
            if value is None:
                continue
            mark = item.value["id"].mark if isinstance(item.value, dict) else item.mark
            if value.id in first_line:
                line = first_line[value.id]
                message = f"duplicate {noun} id '{value.id}' (first defined on line {line})"
                self.r.report(mark, message)
                continue
            first_line[value.id] = mark.line
            kept.append(value)
        return tuple(kept)

    # pii

    def _pii(self, node: Node) -> None:
        pii = self.r.mapping(node, "pii", "pii", _PII_KEYS)
        if pii is None:
            return
        layer = self.layer
        layer.fields = self.r.optional(pii, "pii", "fields", self._category_map) or ()
        layer.returns = self.r.optional(pii, "pii", "returns", self._category_map) or ()
        if "names" in pii:
            layer.names = self._listed(pii["names"], "pii.names", self._name)
        layer.disable_default_names = self.r.optional(
            pii, "pii", "disable_default_names", self.r.boolean
        )

    def _category_map(self, node: Node, label: str) -> tuple[tuple[str, str], ...]:
        entries = self.r.any_mapping(node, label) or {}
        pairs = [(key, self._category(node, f"{label}[{key!r}]")) for key, node in entries.items()]
        return tuple((key, category) for key, category in pairs if category is not None)

    def _category(self, node: Node, label: str) -> str | None:
        value = self.r.string(node, label)
        if value is not None and value not in self.taxonomy:
            self.r.report(node.mark, f"{label}: {self.taxonomy.unknown_message(value)}")
            return None
        return value

    def _categories(self, node: Node, label: str) -> tuple[str, ...] | None:
        categories = self.r.each(node, label, "a list of data categories", self._category)
        if categories == ():
            self.r.report(node.mark, f"{label}: must list at least one data category")
            return None
        return categories

    def _name(self, node: Node, label: str) -> NameHeuristic | None:
        fields = self.r.mapping(node, label, "name heuristic", _NAME_KEYS)
        if fields is None:
            return None
        pattern = self.r.required(fields, node, label, "pattern", self._regex)
        category = self.r.required(fields, node, label, "category", self._category)
        if pattern is None or category is None:
            return None
        return NameHeuristic(pattern, category, builtin=self.builtin)

    def _regex(self, node: Node, label: str) -> str | None:
        value = self.r.string(node, label)
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as error:
            where = "" if error.pos is None else f" at position {error.pos}"
            message = f"{label}: invalid regular expression {value!r}: {error.msg}{where}"
            self.r.report(node.mark, message)
            return None
        return value

    # sinks, sanitizers, types

    def _patterns(self, node: Node, label: str) -> tuple[str, ...] | None:
        patterns = self.r.strings(node, label)
        if patterns == ():
            self.r.report(node.mark, f"{label}: must list at least one name pattern")
            return None
        return patterns

    def _kind(self, node: Node, label: str) -> str | None:
        return self.r.choice(node, label, SINK_KINDS, "sink kind")

    def _sink(self, node: Node, label: str) -> SinkSpec | None:
        fields = self.r.mapping(node, label, "sink", _SINK_KEYS)
        if fields is None:
            return None
        sink_id = self.r.required(fields, node, label, "id", self.r.text)
        kind = self.r.required(fields, node, label, "kind", self._kind)
        calls = self.r.required(fields, node, label, "calls", self._patterns)
        args = self.r.optional(fields, label, "args", self._args) if "args" in fields else "all"
        if sink_id is None or kind is None or calls is None or args is None:
            return None
        return SinkSpec(sink_id, kind, calls, args if isinstance(args, tuple) else None)

    def _args(self, node: Node, label: str) -> Everything | tuple[int | str, ...] | None:
        if node.value == "all":
            return "all"
        expected = "'all' or a list of argument positions and keyword names"
        return self.r.each(node, label, expected, self._arg)

    def _arg(self, node: Node, label: str) -> int | str | None:
        value = node.value
        if isinstance(value, str) and value.isidentifier():
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        expected = "a position counted from 0, a keyword name, or 'self' for the receiver"
        self.r.mismatch(node, label, expected)
        return None

    def _sanitizer(self, node: Node, label: str) -> Sanitizer | None:
        fields = self.r.mapping(node, label, "sanitizer", _SANITIZER_KEYS)
        if fields is None:
            return None
        calls = self.r.required(fields, node, label, "calls", self._patterns)
        clears = self.r.required(fields, node, label, "clears", self._clears)
        if calls is None or clears is None:
            return None
        return Sanitizer(calls, clears if isinstance(clears, tuple) else None)

    def _clears(self, node: Node, label: str) -> Everything | tuple[str, ...] | None:
        if node.value == "all":
            return "all"
        expected = "'all' or a list of data categories"
        return self.r.each(node, label, expected, self._category)

    def _type(self, node: Node, label: str) -> tuple[tuple[str, str], ...] | None:
        fields = self.r.mapping(node, label, "type declaration", _TYPE_KEYS)
        if fields is None:
            return None
        calls = self.r.required(fields, node, label, "calls", self._patterns)
        returns = self.r.required(fields, node, label, "returns", self.r.text)
        if calls is None or returns is None:
            return None
        return tuple((call, returns) for call in calls)

    # rules

    def _rule(self, node: Node, label: str) -> _RulePatch | None:
        r = self.r
        fields = r.mapping(node, label, "rule", _RULE_KEYS)
        rule_id = None if fields is None else r.required(fields, node, label, "id", r.text)
        if fields is None or rule_id is None:
            return None
        docs = ((key, r.optional(fields, label, key, r.string)) for key in _DOC_KEYS)
        return _RulePatch(
            id=rule_id,
            origin=_Origin(r.path, fields["id"].mark),
            written=frozenset(fields),
            severity=r.optional(fields, label, "severity", self._severity),
            message=r.optional(fields, label, "message", r.text),
            categories=r.optional(fields, label, "categories", self._categories),
            sinks=r.optional(fields, label, "sinks", self._rule_sinks),
            allow=r.optional(fields, label, "allow", self._allows) or (),
            enabled=r.optional(fields, label, "enabled", r.boolean),
            docs=tuple((key, text) for key, text in docs if text is not None),
        )

    def _severity(self, node: Node, label: str) -> Severity | None:
        value = self.r.choice(node, label, _SEVERITIES, "severity")
        return None if value is None else Severity(value)

    def _rule_sinks(self, node: Node, label: str) -> RuleSinks | None:
        fields = self.r.mapping(node, label, "rule sinks", _RULE_SINK_KEYS)
        if fields is None:
            return None
        reported = len(self.r.problems)
        kinds = self.r.optional(fields, label, "kinds", self._kinds)
        ids = self.r.optional(fields, label, "ids", self._sink_refs)
        if not kinds and not ids:
            if len(self.r.problems) == reported:
                self.r.report(node.mark, f"{label}: must name at least one sink kind or sink id")
            return None
        return kinds or (), ids or ()

    def _kinds(self, node: Node, label: str) -> tuple[str, ...] | None:
        return self.r.each(node, label, "a list of sink kinds", self._kind)

    def _sink_refs(self, node: Node, label: str) -> tuple[str, ...] | None:
        refs = self.r.each(node, label, "a list of sink ids", self._ref)
        if refs is None:
            return None
        self.layer.sink_refs.extend(refs)
        return tuple(ref for ref, _ in refs)

    def _allows(self, node: Node, label: str) -> tuple[Allow, ...] | None:
        return self.r.each(node, label, "a list of allow entries", self._allow)

    def _allow(self, node: Node, label: str) -> Allow | None:
        fields = self.r.mapping(node, label, "allow entry", _ALLOW_KEYS)
        if fields is None:
            return None
        reason = self.r.required(fields, node, label, "reason", self.r.text)
        reported = len(self.r.problems)
        paths = self.r.optional(fields, label, "paths", self.r.strings)
        functions = self.r.optional(fields, label, "functions", self.r.strings)
        if not paths and not functions:
            if len(self.r.problems) == reported:
                where = "needs 'paths' or 'functions' to say where the exception applies"
                self.r.report(node.mark, f"{label}: {where}")
            return None
        if reason is None:
            return None
        return Allow(reason, paths or (), functions or ())


# --- several files: merging ---------------------------------------------------------


def _later(earlier: T, later: T | None) -> T:
    return earlier if later is None else later


def _ahead(
    new: tuple[tuple[str, str], ...], old: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """`new` pattern pairs first; an old pair for the same pattern is replaced."""
    patterns = {pattern for pattern, _ in new}
    return new + tuple(pair for pair in old if pair[0] not in patterns)


def _tuned(rule: _RulePatch, patch: _RulePatch) -> _RulePatch:
    """An inherited rule with the fields a later file sets; its allow entries are appended."""
    return replace(
        rule,
        severity=_later(rule.severity, patch.severity),
        message=_later(rule.message, patch.message),
        categories=_later(rule.categories, patch.categories),
        sinks=_later(rule.sinks, patch.sinks),
        allow=rule.allow + patch.allow,
        enabled=_later(rule.enabled, patch.enabled),
        docs=tuple({**dict(rule.docs), **dict(patch.docs)}.items()),
    )


def _rule(patch: _RulePatch) -> Rule:
    docs = RuleDocs(**dict(patch.docs))
    kinds, ids = patch.sinks or ((), ())
    generic = f"personal data reaches a sink that rule '{patch.id}' forbids"
    return Rule(
        id=patch.id,
        severity=patch.severity or Severity.ERROR,
        message=patch.message or docs.summary or generic,
        categories=patch.categories or (),
        sink_kinds=kinds,
        sink_ids=ids,
        allow=patch.allow,
        enabled=patch.enabled is not False,
        docs=docs,
    )


class _Merged:
    """The policy so far: layers applied in order, each later one winning."""

    def __init__(self) -> None:
        self.layer = _Layer(
            include=_DEFAULTS.include,
            exclude=_DEFAULTS.exclude,
            source_roots=_DEFAULTS.source_roots,
        )
        self.sinks: dict[str, SinkSpec] = {}
        self.rules: dict[str, _RulePatch] = {}
        self.problems: list[ConfigProblem] = []

    def apply(self, layer: _Layer) -> None:
        merged = self.layer
        merged.include = _later(merged.include, layer.include)
        merged.exclude = _later(merged.exclude, layer.exclude)
        merged.source_roots = _later(merged.source_roots, layer.source_roots)
        merged.fields = _ahead(layer.fields, merged.fields)
        merged.returns = _ahead(layer.returns, merged.returns)
        merged.names = layer.names + merged.names
        merged.disable_default_names = _later(
            merged.disable_default_names, layer.disable_default_names
        )
        merged.sanitizers = layer.sanitizers + merged.sanitizers
        merged.types = _ahead(layer.types, merged.types)
        merged.sink_refs.extend(layer.sink_refs)
        fresh = {sink.id: sink for sink in layer.sinks}
        self.sinks = fresh | {key: sink for key, sink in self.sinks.items() if key not in fresh}
        for patch in layer.rules:
            self._apply_rule(patch)

    def _apply_rule(self, patch: _RulePatch) -> None:
        inherited = self.rules.get(patch.id)
        if inherited is not None:
            self.rules[patch.id] = _tuned(inherited, patch)
            return
        missing = [key for key in ("categories", "sinks") if key not in patch.written]
        if not missing:
            self.rules[patch.id] = patch
            return
        message = (
            f"rule '{patch.id}' has no {' and no '.join(missing)}; a rule that does not tune "
            "an inherited one needs 'categories' and 'sinks'"
        )
        self.problems.append(patch.origin.problem(message + did_you_mean(patch.id, self.rules)))

    def build(self, root: Path, config_path: Path | None) -> Policy:
        """The final `Policy`; sink ids that rules name but no sink defines become problems."""
        merged = self.layer
        for sink_id, origin in merged.sink_refs:
            if sink_id not in self.sinks:
                message = f"unknown sink id '{sink_id}': no sink in this policy or its packs has it"
                self.problems.append(origin.problem(message + did_you_mean(sink_id, self.sinks)))
        return Policy(
            root=root,
            config_path=config_path,
            include=merged.include or (),
            exclude=merged.exclude or (),
            source_roots=merged.source_roots or (),
            pii=PiiSources(
                merged.fields, merged.names, merged.returns, merged.disable_default_names is True
            ),
            sinks=tuple(self.sinks.values()),
            sanitizers=merged.sanitizers,
            types=merged.types,
            rules=tuple(_rule(patch) for patch in self.rules.values()),
        )


# --- files: reading, extends, discovery ---------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A policy file's text and identity; builtin packs have no folder."""

    key: str  # absolute path or builtin:NAME, to spot cycles and repeats
    display: str
    text: str
    folder: Path | None
    toml: bool = False


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


class _Loader:
    """Reads a policy file and, depth-first, every pack it extends, into one `_Merged`."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.taxonomy = load_taxonomy()
        self.merged = _Merged()
        self.problems: list[ConfigProblem] = []
        self.applied: set[str] = set()

    def load_project(self, path: Path) -> None:
        display = _display(path, self.cwd)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            message = f"cannot read policy file: {_reason(error)}"
            self.problems.append(ConfigProblem(display, 1, 1, message))
            return
        toml = path.suffix == ".toml"
        self.load(_Source(str(path), display, text, path.parent, toml), (), project=True)

    def load_default(self) -> None:
        pack = self._builtin(DEFAULT_PACK, _Origin(DEFAULT_PACK, Mark(1, 1)))
        if pack is not None:
            self.load(pack, ())

    def load(self, source: _Source, chain: tuple[_Source, ...], project: bool = False) -> None:
        if source.toml:
            node, problems = parse_toml_table(source.text, source.display, PYPROJECT_TABLE)
        else:
            node, problems = parse_yaml(source.text, source.display)
        self.problems.extend(problems)
        if node is None:
            return
        reader = Reader(source.display)
        builtin = source.folder is None
        layer = _LayerReader(reader, self.taxonomy, builtin).read(node, project)
        self.problems.extend(reader.problems)
        extends = layer.extends
        if extends is None:
            extends = ((DEFAULT_PACK, _Origin(source.display, node.mark)),) if project else ()
        for ref, origin in extends:
            self._extend(ref, origin, (*chain, source))
        self.merged.apply(layer)
        self.applied.add(source.key)

    def _extend(self, ref: str, origin: _Origin, chain: tuple[_Source, ...]) -> None:
        target = self._resolve(ref, origin, chain[-1])
        if target is None or target.key in self.applied:
            return
        keys = [link.key for link in chain]
        if target.key in keys:
            cycle = " -> ".join(link.display for link in chain[keys.index(target.key) :])
            self.problems.append(origin.problem(f"extends cycle: {cycle} -> {target.display}"))
            return
        self.load(target, chain)

    def _resolve(self, ref: str, origin: _Origin, source: _Source) -> _Source | None:
        if ref.startswith("builtin:"):
            return self._builtin(ref, origin)
        if source.folder is None:
            message = f"'{ref}': a builtin pack can extend only other builtin packs"
            self.problems.append(origin.problem(message))
            return None
        path = (source.folder / ref).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            message = f"cannot read extended policy '{ref}' ({path}): {_reason(error)}"
            self.problems.append(origin.problem(message))
            return None
        return _Source(str(path), _display(path, self.cwd), text, path.parent)

    def _builtin(self, ref: str, origin: _Origin) -> _Source | None:
        name = ref.removeprefix("builtin:")
        available = builtin_pack_names()
        pack = builtin_pack(name) if name in available else None
        if pack is None:
            listed = ", ".join(f"builtin:{known}" for known in available) or "none"
            message = f"unknown builtin pack '{ref}'; available: {listed}"
            hint = did_you_mean(name, available).replace("'", "'builtin:", 1)
            self.problems.append(origin.problem(message + hint))
            return None
        return _Source(ref, ref, pack.read_text(encoding="utf-8"), None)


def _in_file_order(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """Problems grouped by file (in the order files were read), then by position."""
    files = list(dict.fromkeys(problem.path for problem in problems))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (files.index(p.path), p.line, p.column))


def load_policy(config: Path | None, cwd: Path) -> Policy:
    """The validated policy of `config`, or of the file `find_config(cwd)` finds.

    With no policy file anywhere, the result is `builtin:default` alone, rooted
    at `cwd`. Raises `ConfigError` with every problem of every file involved.
    """
    cwd = cwd.resolve()
    path = config if config is not None else find_config(cwd)
    loader = _Loader(cwd)
    if path is None:
        loader.load_default()
        root, config_path = cwd, None
    else:
        config_path = (cwd / path).resolve()
        loader.load_project(config_path)
        root = config_path.parent
    policy = loader.merged.build(root, config_path)
    problems = loader.problems + loader.merged.problems
    if problems:
        raise ConfigError(_in_file_order(problems))
    return policy


def find_config(start: Path) -> Path | None:
    """The nearest policy at or above `start`: privlint.yaml, .privlint.yaml, then a
    pyproject.toml with a [tool.privlint] table, checked in that order in each folder."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_privlint_table(pyproject):
            return pyproject
    return None


def _has_privlint_table(pyproject: Path) -> bool:
    try:
        return toml_has_table(pyproject.read_text(encoding="utf-8"), PYPROJECT_TABLE)
    except (OSError, UnicodeDecodeError):
        return False


def starter_policy_text() -> str:
    """A commented privlint.yaml for `privlint init`; it loads as written."""
    return _STARTER


_STARTER = """\
# privlint policy: which personal data may reach which sinks.
# `privlint rules` lists the active rules, `privlint explain RULE_ID` explains one.
version: 1

# Rule packs to start from. builtin:default covers logging, stdout, exports,
# HTTP, analytics, messaging and exceptions for the standard library and
# common packages. `extends: []` starts from nothing.
extends: [builtin:default]

# Files to scan, gitignore-style, relative to this file's folder.
include: ["**/*.py"]
exclude: ["tests/**", "**/migrations/**"]

# Where personal data enters the code, besides `# pii: CATEGORY` comments.
# Name patterns are dotted qualified names; `*` also matches dots.
pii:
  fields: {}
  #  "myapp.models.Customer.phone": user.contact.phone_number
  names: []
  #  - pattern: '(?i)^(msisdn|wa_number)$'
  #    category: user.contact.phone_number
  returns: {}
  #  "myapp.crm.lookup_customer": user
  disable_default_names: false

# Your own sinks, added to the built-in catalog.
sinks: []
#  - id: whatsapp
#    kind: messaging            # logging, stdout, file_export, http, analytics,
#                               # messaging, email, database, queue, exception
#    calls: ["myapp.vendor.wa.send_message"]
#    args: all                  # or positions and keywords: [0, "body"]

# Calls whose result no longer carries the listed categories.
sanitizers: []
#  - calls: ["myapp.privacy.mask_phone"]
#    clears: [user.contact.phone_number]

# New rules, or inherited ones tuned by id: set severity, message, categories
# or sinks, add allow entries (each with a reason), or switch one off.
rules: []
#  - id: no-pii-in-logs
#    severity: error            # error | warning | info
#    allow:
#      - paths: ["myapp/audit/**"]
#        reason: "the audit log is access-controlled and kept 90 days"
#  - id: no-pii-to-stdout
#    enabled: false
"""
