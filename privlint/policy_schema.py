"""One policy file against the schema: every key checked, every problem located.

`config.py` finds the files and merges them; this module validates one file into
a `Layer` of typed settings, recording each problem in the `Reader` instead of
stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from privlint.findings import Severity
from privlint.namepatterns import pattern_problem
from privlint.policy import (
    SINK_KINDS,
    Allow,
    CheckDefaults,
    NameHeuristic,
    Propagator,
    Sanitizer,
    SinkSpec,
)
from privlint.taxonomy import Taxonomy
from privlint.yamlpos import (
    ConfigProblem,
    Mark,
    Node,
    Reader,
)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T")
Identified = TypeVar("Identified", bound=_HasId)

SUPPORTED_VERSIONS = (1,)

_TOP_KEYS = ("version", "extends", "include", "exclude", "source_roots", "pii", "sinks",
             "sanitizers", "propagators", "types", "rules", "check")  # fmt: skip
_CHECK_KEYS = ("format", "severity", "baseline", "jobs", "cache")
FORMATS = ("text", "concise", "json", "sarif", "github", "junit")
_PII_KEYS = ("fields", "names", "returns", "disable_default_names")
_NAME_KEYS = ("pattern", "category")
_SINK_KEYS = ("id", "kind", "calls", "stores", "args", "processor", "sender", "raises")
_SANITIZER_KEYS = ("calls", "clears")
_PROPAGATOR_KEYS = ("calls", "args", "keeps")
_KEEPS = ("data", "object", "elements", "template", "substitution", "result", "parsed")
_TYPE_KEYS = ("calls", "returns")
_DOC_KEYS = ("summary", "why", "example", "instead")
_RULE_KEYS = ("id", "severity", "message", "categories", "sinks", "allow", "enabled", *_DOC_KEYS)
_RULE_SINK_KEYS = ("kinds", "ids")
_ALLOW_KEYS = ("paths", "functions", "categories", "reason")
_SEVERITIES = ("error", "warning", "info")
# The keys of each mapping in a policy file. `schemas/policy.schema.json` (for editors)
# must list the same; a test compares the two.
SECTION_KEYS = {
    "top level": _TOP_KEYS,
    "check": _CHECK_KEYS,
    "pii": _PII_KEYS,
    "pii.names[]": _NAME_KEYS,
    "sinks[]": _SINK_KEYS,
    "sanitizers[]": _SANITIZER_KEYS,
    "propagators[]": _PROPAGATOR_KEYS,
    "types[]": _TYPE_KEYS,
    "rules[]": _RULE_KEYS,
    "rules[].sinks": _RULE_SINK_KEYS,
    "rules[].allow[]": _ALLOW_KEYS,
}

Everything = Literal["all"]
RuleSinks = tuple[tuple[str, ...], tuple[str, ...]]  # (kinds, ids)


@dataclass(frozen=True)
class Origin:
    """Where something was written, for problems found only once files are merged."""

    path: str
    mark: Mark

    def problem(self, message: str) -> ConfigProblem:
        return ConfigProblem(self.path, self.mark.line, self.mark.column, message)


@dataclass(frozen=True)
class RulePatch:
    """A rule as one file writes it; None means "not set here", which tuning relies on."""

    id: str
    origin: Origin
    written: frozenset[str]
    severity: Severity | None = None
    message: str | None = None
    categories: tuple[str, ...] | None = None
    sinks: RuleSinks | None = None
    allow: tuple[Allow, ...] = ()
    enabled: bool | None = None
    docs: tuple[tuple[str, str], ...] = ()


@dataclass
class Layer:
    """One file's settings, validated but not yet merged with what it extends."""

    extends: tuple[tuple[str, Origin], ...] | None = None
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    source_roots: tuple[str, ...] | None = None
    fields: tuple[tuple[str, str], ...] = ()
    names: tuple[NameHeuristic, ...] = ()
    returns: tuple[tuple[str, str], ...] = ()
    disable_default_names: bool | None = None
    sinks: tuple[SinkSpec, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    propagators: tuple[Propagator, ...] = ()
    types: tuple[tuple[str, str], ...] = ()
    rules: tuple[RulePatch, ...] = ()
    sink_refs: list[tuple[str, Origin]] = field(default_factory=list)
    check: CheckDefaults | None = None


def is_policy_document(node: Node) -> bool:
    """Whether a document's top level is a mapping that is empty or has a policy key."""
    keys = node.value
    return isinstance(keys, dict) and (not keys or any(key in _TOP_KEYS for key in keys))


# --- one file: the schema ---------------------------------------------------------


class LayerReader:
    """Validates one file against the schema; problems land in the `Reader`."""

    def __init__(self, reader: Reader, taxonomy: Taxonomy, builtin: bool) -> None:
        self.r = reader
        self.taxonomy = taxonomy
        self.builtin = builtin
        self.layer = Layer()

    def read(self, node: Node, project: bool) -> Layer:
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
        if "propagators" in top:
            layer.propagators = self._listed(top["propagators"], "propagators", self._propagator)
        if "types" in top:
            groups = self._listed(top["types"], "types", self._type)
            layer.types = tuple(pair for group in groups for pair in group)
        if "rules" in top:
            layer.rules = self._unique(top["rules"], "rules", "rule", self._rule)
        if "check" in top:
            layer.check = self._check(top["check"])
        return layer

    def _check(self, node: Node) -> CheckDefaults | None:
        fields = self.r.mapping(node, "check", "check", _CHECK_KEYS)
        if fields is None:
            return None
        r = self.r
        jobs = r.optional(fields, "check", "jobs", self._jobs)
        return CheckDefaults(
            format=r.optional(
                fields, "check", "format", lambda n, lb: r.choice(n, lb, FORMATS, "format")
            ),
            severity=r.optional(
                fields, "check", "severity", lambda n, lb: r.choice(n, lb, _SEVERITIES, "severity")
            ),
            baseline=r.optional(fields, "check", "baseline", r.string),
            jobs=jobs,
            cache=r.optional(fields, "check", "cache", r.boolean),
        )

    def _jobs(self, node: Node, label: str) -> int | None:
        if isinstance(node.value, bool) or not isinstance(node.value, int) or node.value < 1:
            self.r.mismatch(node, label, "a whole number of at least 1")
            return None
        return node.value

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

    def _refs(self, node: Node, label: str) -> tuple[tuple[str, Origin], ...] | None:
        return self.r.each(node, label, "a list of strings", self._ref)

    def _ref(self, node: Node, label: str) -> tuple[str, Origin] | None:
        ref = self.r.text(node, label)
        return None if ref is None else (ref, Origin(self.r.path, node.mark))

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
        return self._some(node, label, "data category", "data categories", self._category)

    def _some(
        self, node: Node, label: str, one: str, many: str, read: Callable[[Node, str], T | None]
    ) -> tuple[T, ...] | None:
        """A list of at least one item, each read with `read`."""
        items = self.r.each(node, label, f"a list of {many}", read)
        if items == ():
            self.r.report(node.mark, f"{label}: must list at least one {one}")
            return None
        return items

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
        problem = None if self.builtin else pattern_problem(value)
        if problem is not None:
            self.r.report(node.mark, f"{label}: invalid regular expression {value!r}: {problem}")
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
        calls = self.r.optional(fields, label, "calls", self._patterns) if "calls" in fields else ()
        stores = (
            self.r.optional(fields, label, "stores", self._stores) if "stores" in fields else ()
        )
        if "calls" not in fields and "stores" not in fields:
            self.r.report(node.mark, f"{label}: needs 'calls' or 'stores' (or both)")
            return None
        args = self.r.optional(fields, label, "args", self._args) if "args" in fields else "all"
        processor = self.r.optional(fields, label, "processor", self.r.text)
        sender = (
            self.r.optional(fields, label, "sender", self._sender) if "sender" in fields else ()
        )
        raises = self.r.optional(fields, label, "raises", self._args) if "raises" in fields else ()
        if sink_id is None or kind is None or calls is None or stores is None or args is None:
            return None
        if raises == "all":
            self.r.report(node.mark, f"{label}.raises: list the arguments its error shows")
            return None
        if ("processor" in fields and processor is None) or sender is None or raises is None:
            return None
        selected = args if isinstance(args, tuple) else None
        return SinkSpec(
            sink_id,
            kind,
            calls,
            selected,
            processor,
            stores,
            sender=tuple(sender),
            raises=tuple(raises),
        )

    def _sender(self, node: Node, label: str) -> tuple[str, ...] | None:
        """Keywords and field names; a header name (`Reply-To`) is a field name too."""
        return self.r.each(node, label, "a list of keyword and field names", self.r.text)

    def _stores(self, node: Node, label: str) -> tuple[str, ...] | None:
        return self._some(node, label, "store pattern", "store patterns", self._store)

    def _store(self, node: Node, label: str) -> str | None:
        """`pkg.Class.attr` names an attribute store, `pattern[]` any subscript store."""
        pattern = self.r.string(node, label)
        if pattern is None:
            return None
        attribute = pattern.rpartition(".")[2]
        if pattern.endswith("[]") or ("." in pattern and attribute.isidentifier()):
            return pattern
        expected = "an attribute ('pkg.Class.attr') or a subscript ('pattern[]')"
        self.r.report(node.mark, f"{label}: {pattern!r} names no store; expected {expected}")
        return None

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

    def _propagator(self, node: Node, label: str) -> Propagator | None:
        fields = self.r.mapping(node, label, "propagator", _PROPAGATOR_KEYS)
        if fields is None:
            return None
        calls = self.r.required(fields, node, label, "calls", self._patterns)
        args = self.r.optional(fields, label, "args", self._args) if "args" in fields else "all"
        keeps: str | None = "data"
        if "keeps" in fields:
            keeps = self.r.optional(fields, label, "keeps", self._keeps)
        if calls is None or args is None or keeps is None:
            return None
        selected = args if isinstance(args, tuple) else None
        return Propagator(calls, selected, keeps=keeps)

    def _keeps(self, node: Node, label: str) -> str | None:
        return self.r.choice(node, label, _KEEPS, "what the result keeps")

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

    def _rule(self, node: Node, label: str) -> RulePatch | None:
        r = self.r
        fields = r.mapping(node, label, "rule", _RULE_KEYS)
        rule_id = None if fields is None else r.required(fields, node, label, "id", r.text)
        if fields is None or rule_id is None:
            return None
        docs = ((key, r.optional(fields, label, key, r.string)) for key in _DOC_KEYS)
        return RulePatch(
            id=rule_id,
            origin=Origin(r.path, fields["id"].mark),
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
        categories = self.r.optional(fields, label, "categories", self._categories)
        if not paths and not functions:
            if len(self.r.problems) == reported:
                where = "needs 'paths' or 'functions' to say where the exception applies"
                self.r.report(node.mark, f"{label}: {where}")
            return None
        if reason is None or ("categories" in fields and categories is None):
            return None
        return Allow(reason, paths or (), functions or (), categories)


# --- several files: merging ---------------------------------------------------------
