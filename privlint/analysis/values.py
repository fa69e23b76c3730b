"""Abstract values of the interpreter: which categories a value carries and how they got there.

A `Label` is one category with its trace. Its `root` is empty when the trace
starts at a real source; otherwise it names a parameter (and field path) of
the function being analysed, so one analysis of a function serves every
caller: the caller splices its own trace in front (`splice`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from privlint.findings import Step

Root = tuple[str, ...]
LabelKey = tuple[str, Root]


@dataclass(frozen=True, slots=True)
class Label:
    category: str
    root: Root
    steps: tuple[Step, ...]

    @property
    def key(self) -> LabelKey:
        return (self.category, self.root)


Taint = Mapping[LabelKey, Label]
NO_TAINT: Taint = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Value:
    """What the analysis knows of a value: its taint, what it names, its class, its fields."""

    taint: Taint = field(default_factory=lambda: NO_TAINT)
    ref: str | None = None  # a qualified name this value denotes (module, class, function)
    type: str | None = None  # the class of an instance
    fields: Mapping[str, Value] = field(default_factory=lambda: _NO_FIELDS)
    # Where an object came from, for traces through its fields: the steps that brought
    # it here, after the parameter path `origin_root` when it came in as an argument.
    origin: tuple[Step, ...] = ()
    origin_root: Root | None = None

    @property
    def tainted(self) -> bool:
        return bool(self.taint)


_NO_FIELDS: Mapping[str, Value] = MappingProxyType({})
CLEAN = Value()


def merge_taint(*taints: Taint) -> Taint:
    """Union of taints; for the same category and root the shorter trace wins."""
    non_empty = [t for t in taints if t]
    if not non_empty:
        return NO_TAINT
    if len(non_empty) == 1:
        return non_empty[0]
    merged: dict[LabelKey, Label] = {}
    for taint in non_empty:
        for key, label in taint.items():
            known = merged.get(key)
            if known is None or len(label.steps) < len(known.steps):
                merged[key] = label
    return merged


def combine(values: Iterable[Value]) -> Value:
    """A value built from parts (a string, a container): it carries every part's taint."""
    return Value(taint=merge_taint(*(v.taint for v in values)))


def join(first: Value, second: Value) -> Value:
    """The value after two control-flow paths meet."""
    if first is second:
        return first
    fields: Mapping[str, Value] = first.fields
    if second.fields:
        merged = dict(first.fields)
        for name, value in second.fields.items():
            merged[name] = join(merged[name], value) if name in merged else value
        fields = merged
    keep = first if first.type or not second.type else second
    return Value(
        taint=merge_taint(first.taint, second.taint),
        ref=first.ref if first.ref == second.ref else None,
        type=first.type or second.type,
        fields=fields,
        origin=keep.origin,
        origin_root=keep.origin_root,
    )


def keys_of(value: Value) -> Value:
    """What iterating `value` gives when it is a mapping with literal keys (`**kwargs`,
    `{"auth": ...}`): the keys, so none of the values' data; anything else is its own elements."""
    if not value.fields or value.type is not None or value.ref is not None:
        return value
    held = {label.category for inner in value.fields.values() for label in inner.taint.values()}
    return Value(taint={k: label for k, label in value.taint.items() if label.category not in held})


def with_labels(value: Value, labels: Iterable[Label]) -> Value:
    extra = {label.key: label for label in labels}
    if not extra:
        return value
    return replace(value, taint=merge_taint(value.taint, extra))


def add_step(taint: Taint, step: Step) -> Taint:
    return {key: replace(label, steps=(*label.steps, step)) for key, label in taint.items()}


def without_categories(taint: Taint, cleared: tuple[str, ...] | None) -> Taint:
    """Drop labels a sanitizer clears (None: all of them)."""
    if cleared is None:
        return NO_TAINT
    return {
        key: label
        for key, label in taint.items()
        if not any(label.category == c or label.category.startswith(c + ".") for c in cleared)
    }


def relative(value: Value, root: Root, depth: int = 2) -> Value:
    """`value` as seen inside a callee: its labels re-rooted at the parameter path `root`."""
    taint = {
        (category, root): Label(category, root, ())
        for category in sorted({label.category for label in value.taint.values()})
    }
    fields: Mapping[str, Value] = _NO_FIELDS
    if value.fields and depth > 0:
        fields = {
            name: relative(inner, (*root, name), depth - 1) for name, inner in value.fields.items()
        }
    origin_root = root if value.type is not None else None
    return Value(
        taint=taint, ref=value.ref, type=value.type, fields=fields, origin_root=origin_root
    )


def field_label(value: Value, category: str, step: Step) -> Label:
    """A category read from a field of the object `value`, traced from where the object came."""
    if value.origin_root is not None:
        return Label(category, (*value.origin_root, OBJECT), (step,))
    return Label(category, (), (*value.origin, step))


OBJECT = "@"  # last element of a root that means "the object itself, not one of its labels"


def shape(value: Value, depth: int = 2) -> tuple[object, ...]:
    """What an analysis of a callee depends on, for memoising it across call sites."""
    fields: tuple[object, ...] = ()
    if value.fields and depth > 0:
        fields = tuple(sorted((n, shape(v, depth - 1)) for n, v in value.fields.items()))
    categories = frozenset(label.category for label in value.taint.values())
    return (categories, value.ref, value.type, fields)


def splice(
    label: Label, bound: Mapping[str, Value], entry_steps: Mapping[str, tuple[Step, ...]]
) -> list[Label]:
    """Labels of a callee rooted at a parameter → the caller's labels with joined traces."""
    if not label.root:
        return [label]
    parameter, *path = label.root
    value = bound.get(parameter)
    is_object = bool(path) and path[-1] == OBJECT
    for name in path[:-1] if is_object else path:
        if value is None:
            break
        value = value.fields.get(name)
    if value is None:
        return []
    prefix = entry_steps.get(parameter, ())
    if is_object:
        root = (*value.origin_root, OBJECT) if value.origin_root is not None else ()
        return [Label(label.category, root, (*value.origin, *prefix, *label.steps))]
    return [
        Label(label.category, outer.root, (*outer.steps, *prefix, *label.steps))
        for outer in value.taint.values()
        if outer.category == label.category
    ]


def splice_value(
    value: Value, bound: Mapping[str, Value], entry_steps: Mapping[str, tuple[Step, ...]]
) -> Value:
    taint: dict[LabelKey, Label] = {}
    for label in value.taint.values():
        for spliced in splice(label, bound, entry_steps):
            known = taint.get(spliced.key)
            if known is None or len(spliced.steps) < len(known.steps):
                taint[spliced.key] = spliced
    fields: Mapping[str, Value] = _NO_FIELDS
    if value.fields:
        fields = {n: splice_value(v, bound, entry_steps) for n, v in value.fields.items()}
    origin, origin_root = value.origin, value.origin_root
    if origin_root is not None:
        parameter = bound.get(origin_root[0])
        prefix = entry_steps.get(origin_root[0], ())
        if parameter is not None:
            origin, origin_root = (*parameter.origin, *prefix, *origin), parameter.origin_root
        else:
            origin_root = None
    return Value(
        taint=taint,
        ref=value.ref,
        type=value.type,
        fields=fields,
        origin=origin,
        origin_root=origin_root,
    )
