"""Abstract values of the interpreter: which categories a value carries and how they got there.

A `Label` is one category with its trace. Its `root` is empty when the trace
starts at a real source; otherwise it names a parameter (and field path) of
the function being analysed, so one analysis of a function serves every
caller: the caller splices its own trace in front (`splice`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from privlint.analysis.ir import CLASS_OBJECT
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
    # The functions a value may be when it is one of several: a dispatch table read with a
    # key known only at run time (`HANDLERS[kind]`), or `f if c else g`. A call runs each.
    options: tuple[str, ...] = ()
    # A mapping's keys, apart from its values (`{source(): 1}`): iterating it yields them.
    # None when the value is not known to be a mapping.
    keys: Taint | None = None

    @property
    def tainted(self) -> bool:
        return bool(self.taint)


def elements(value: Value) -> Value:
    """What iterating `value` yields: a mapping's keys, else the value's own data."""
    return value if value.keys is None else Value(taint=value.keys)


def position(index: int) -> str:
    """The field of a tuple's element at `index` (`(headers, rows)`), or of the pairs a
    mapping's `items()` yields: never an attribute's name."""
    return f"#{index}"


def tuple_of(elements: Sequence[Value]) -> Value:
    """A tuple: its elements' data, and each element by its position."""
    whole = combine(elements)
    return replace(whole, fields={position(i): e for i, e in enumerate(elements)})


def unpacked(value: Value, count: int) -> list[Value] | None:
    """`a, b = value`: each target's part when `value` is a tuple of `count` elements (or
    yields such pairs); None when privlint does not know the parts."""
    parts = [value.fields.get(position(i)) for i in range(count)]
    if len(value.fields) != count or any(part is None for part in parts):
        return None
    return [part for part in parts if part is not None]


def values_only(value: Value) -> Value:
    """A mapping's values without its keys (`d.values()`, `d.get(k)`, `d[k]`)."""
    return value if value.keys is None else replace(value, keys=None)


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
    ref = first.ref if first.ref == second.ref else None
    keys = first.keys
    if second.keys is not None:
        keys = second.keys if keys is None else merge_taint(keys, second.keys)
    return Value(
        taint=merge_taint(first.taint, second.taint),
        ref=ref,
        type=first.type or second.type,
        fields=fields,
        origin=keep.origin,
        origin_root=keep.origin_root,
        options=() if ref is not None else callables(first, second),
        keys=keys,
    )


def annotated(value: Value, type_name: str | None) -> Value:
    """`value` where an annotation says its type, unless it knows its own: an instance of
    the class, or the class itself for `type[...]` (`ir.CLASS_OBJECT`)."""
    if type_name is None or value.type is not None or value.ref is not None:
        return value
    if type_name.startswith(CLASS_OBJECT):
        return replace(value, ref=type_name.removeprefix(CLASS_OBJECT))
    return replace(value, type=type_name)


def callables(*values: Value) -> tuple[str, ...]:
    """The functions any of `values` may be, in order, each once."""
    found = (name for value in values for name in (value.ref, *value.options) if name)
    return tuple(dict.fromkeys(found))


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


def without_fields(value: Value, names: Collection[str], depth: int = 3) -> Value:
    """`value` without the fields `names` at any of `depth` levels (a mail's sender, in the
    message or the dict handed over). What only they held leaves the holders' own taint too:
    `msg["From"] = user.email` put that address into `msg`'s taint as well as its field."""
    dropped: set[Label] = set()

    def strip(inner: Value, level: int) -> Value:
        if not inner.fields or level == 0:
            return inner
        kept = {}
        for name, held in inner.fields.items():
            if name in names:
                dropped.update(_labels(held, level - 1))
            else:
                kept[name] = strip(held, level - 1)
        return replace(inner, fields=kept)

    stripped = strip(value, depth)
    if not dropped:
        return value
    gone = dropped - {label for inner in stripped.fields.values() for label in _labels(inner)}
    return _minus(stripped, gone)


def _labels(value: Value, depth: int = 3) -> set[Label]:
    found = set(value.taint.values())
    if depth > 0:
        for inner in value.fields.values():
            found |= _labels(inner, depth - 1)
    return found


def _minus(value: Value, gone: set[Label]) -> Value:
    taint = {key: label for key, label in value.taint.items() if label not in gone}
    fields = {name: _minus(inner, gone) for name, inner in value.fields.items()}
    return replace(value, taint=taint, fields=fields)


def relative(value: Value, root: Root, depth: int = 2) -> Value:
    """`value` as seen inside a callee: its labels re-rooted at the parameter path `root`."""
    fields: Mapping[str, Value] = _NO_FIELDS
    if value.fields and depth > 0:
        fields = {
            name: relative(inner, (*root, name), depth - 1) for name, inner in value.fields.items()
        }
    return Value(
        taint=_rooted(value.taint, root),
        ref=value.ref,
        type=value.type,
        fields=fields,
        origin_root=root if value.type is not None else None,
        options=value.options,
        keys=None if value.keys is None else _rooted(value.keys, (*root, KEYS)),
    )


def _rooted(taint: Taint, root: Root) -> Taint:
    """One label per category of `taint`, starting at `root` with no steps yet."""
    categories = sorted({label.category for label in taint.values()})
    return {(category, root): Label(category, root, ()) for category in categories}


def field_label(value: Value, category: str, step: Step) -> Label:
    """A category read from a field of the object `value`, traced from where the object came."""
    if value.origin_root is not None:
        return Label(category, (*value.origin_root, OBJECT), (step,))
    return Label(category, (), (*value.origin, step))


OBJECT = "@"  # last element of a root that means "the object itself, not one of its labels"
KEYS = "@keys"  # an element of a root that means "the keys of the mapping there"


def shape(value: Value, depth: int = 2) -> tuple[object, ...]:
    """What an analysis of a callee depends on, for memoising it across call sites."""
    fields: tuple[object, ...] = ()
    if value.fields and depth > 0:
        fields = tuple(sorted((n, shape(v, depth - 1)) for n, v in value.fields.items()))
    categories = frozenset(label.category for label in value.taint.values())
    keys = None if value.keys is None else frozenset(lb.category for lb in value.keys.values())
    return (categories, value.ref, value.type, fields, keys, value.options)


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
        value = Value(taint=value.keys or NO_TAINT) if name == KEYS else value.fields.get(name)
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


def _splice_taint(
    taint: Taint, bound: Mapping[str, Value], entry_steps: Mapping[str, tuple[Step, ...]]
) -> dict[LabelKey, Label]:
    spliced_taint: dict[LabelKey, Label] = {}
    for label in taint.values():
        for spliced in splice(label, bound, entry_steps):
            known = spliced_taint.get(spliced.key)
            if known is None or len(spliced.steps) < len(known.steps):
                spliced_taint[spliced.key] = spliced
    return spliced_taint


def splice_value(
    value: Value, bound: Mapping[str, Value], entry_steps: Mapping[str, tuple[Step, ...]]
) -> Value:
    taint = _splice_taint(value.taint, bound, entry_steps)
    keys = None if value.keys is None else _splice_taint(value.keys, bound, entry_steps)
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
        options=value.options,
        keys=keys,
    )
