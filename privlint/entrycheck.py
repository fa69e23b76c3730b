"""Checking a decoded cache entry against the type its reader expects, within bounds.

An entry is read only after its signature verifies, so it was written by
privlint; still, a reader must never crash, hang or be misled by what it
decodes. Every value is checked against the type hints of the data classes it
is made of (exact classes, field by field), nesting is bounded, and so is the
number of nodes a reader walking it as a tree would visit: a structure that
shares its subtrees exponentially is refused before anything walks it.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

MAX_DEPTH = 1000  # the IR is at most 200 records deep, with at most two tuples between
NODES_PER_BYTE = 16  # tree nodes allowed per byte of the entry: room for honest sharing

_SCALARS = frozenset({str, int, bool, float, bytes, type(None)})

# A compiled type: the exact classes a scalar may have (None: not a scalar), what kind of
# container or record it is, its class, and its parts' plans.
_Plan = tuple[frozenset[type] | None, str, Any, Any]


class _Invalid(Exception):
    pass


def conforms(value: object, hint: Any, size: int) -> bool:
    """Whether `value` (decoded from `size` bytes) is a `hint`, within the bounds above."""
    try:
        _walk(value, _compile(hint), NODES_PER_BYTE * size + 4096)
    except _Invalid:
        return False
    return True


def _walk(value: Any, plan: _Plan, budget: int) -> None:
    """Check each node's exact class, its scalar parts in bulk (most of an entry is strings),
    and push its other parts; one loop, as this runs on every entry a scan reads."""
    stack: list[tuple[Any, _Plan, int]] = [(value, plan, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        if budget < 0:
            raise _Invalid
        value, (leaf, kind, cls, parts), depth = pop()
        if kind == "union":
            leaf, kind, cls, parts = parts.get(type(value)) or _refuse()
            if leaf is not None:
                continue  # its class chose the arm
        elif leaf is not None:
            if type(value) not in leaf:
                raise _Invalid
            continue
        if type(value) is not cls or depth >= MAX_DEPTH:  # exact: no subclass, `True` no int
            raise _Invalid
        depth += 1
        if kind == "record":
            getter, plans, _ = parts
            children = getter(value) if len(plans) > 1 else (getter(value),)
        elif kind == "fixed":
            if len(value) != len(parts):
                raise _Invalid
            children, plans = value, parts
        else:
            children = value.values() if kind == "mapping" else value
            item = parts[1] if kind == "mapping" else parts
            if kind == "mapping" and not parts[0][0].issuperset(map(type, value)):
                raise _Invalid  # keys are strings
            budget -= len(children)
            if item[0] is None:
                stack.extend((child, item, depth) for child in children)
            elif not item[0].issuperset(map(type, children)):
                raise _Invalid
            continue
        budget -= len(plans)
        for child, child_plan in zip(children, plans, strict=True):
            if child_plan[0] is None:
                push((child, child_plan, depth))
            elif type(child) not in child_plan[0]:
                raise _Invalid


def _refuse() -> _Plan:
    raise _Invalid


_COMPILED: dict[Any, _Plan] = {}


def _compile(hint: Any) -> _Plan:
    """The plan that checks `hint` (records are recursive: each is compiled once, its fields
    filled in after it is known, so a field of its own type finds it)."""
    plan = _COMPILED.get(hint)
    if plan is None:
        plan = _COMPILED[hint] = _compile_new(hint)
        if plan[1] == "record":
            plan[3][1].extend(_compile(field) for field in plan[3][2])
    return plan


def _compile_new(hint: Any) -> _Plan:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        arms = [_compile(arm) for arm in args]
        leaves = [arm[0] for arm in arms]
        if all(leaf is not None for leaf in leaves):
            return (frozenset().union(*leaves), "scalar", None, None)  # type: ignore[arg-type]
        return (None, "union", None, {_class_of(arm): arm for arm in arms})
    if origin is None:
        if hint is None or hint in _SCALARS:
            return (frozenset({type(None) if hint is None else hint}), "scalar", None, None)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return (frozenset({hint}), "scalar", None, None)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return _record(hint)
        raise TypeError(f"no cache check for {hint!r}")
    concrete = dict if origin is Mapping else origin
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return (None, "fixed", tuple, tuple(_compile(arg) for arg in args))
    if concrete is dict:
        key = _compile(args[0])
        if key[0] is None:
            raise TypeError(f"no cache check for {hint!r}: keys must be scalars")
        return (None, "mapping", dict, (key, _compile(args[1])))
    if concrete in (tuple, list, frozenset, set):
        return (None, "sequence", concrete, _compile(args[0]))
    raise TypeError(f"no cache check for {hint!r}")


def _record(cls: type) -> _Plan:
    """A record's plan; its field plans (the empty list) are filled in by `_compile`."""
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    getter: Callable[[Any], Any] = operator.attrgetter(*names)
    return (None, "record", cls, (getter, [], [hints[name] for name in names]))


def _class_of(plan: _Plan) -> type:
    """The one class a union member's values have (the unions here never overlap)."""
    leaf, _, cls, _ = plan
    if leaf is not None:
        (only,) = leaf
        return only
    return typing.cast(type, cls)
