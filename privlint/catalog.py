"""The policy's sinks, sanitizers, types and PII sources, matched by qualified name.

The engine asks the same questions for every call in a project, so each kind
of entry is one combined regular expression (the first listed pattern that
matches wins, as in the policy) and every answer is memoised.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Generic, TypeVar

from privlint.namepatterns import NamePattern, compile_name_pattern
from privlint.policy import NameHeuristic, Policy, Propagator, Sanitizer, SinkSpec

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

T = TypeVar("T")


def snake_case(identifier: str) -> str:
    """`customerPhone` → `customer_phone`; the form name heuristics are written against."""
    return _CAMEL_BOUNDARY.sub("_", identifier).lower()


def first_heuristic(patterns: Sequence[NamePattern], identifier: str) -> int | None:
    """The index of the first name heuristic matching `identifier` as written or in
    snake_case, or None."""
    snake = snake_case(identifier)
    for index, pattern in enumerate(patterns):
        if pattern.search(identifier) or pattern.search(snake):
            return index
    return None


_PERSON_WORDS = frozenset(
    ("person", "contact", "customer", "user", "individual", "participant", "attendee",
     "speaker", "member", "employee", "patient", "student", "applicant", "subscriber",
     "guest", "buyer", "passenger", "volunteer", "candidate", "owner")
)  # fmt: skip
_PERSON_NAME_ATTRIBUTES = ("name", "display_name")


# A variable says less than a class: a tar archive's `member`, a folder's `owner`.
_PERSON_VARIABLE_WORDS = _PERSON_WORDS - {"member", "owner", "contact", "guest", "candidate"}


def names_a_person(holder: str, attribute: str, variable: bool = False) -> bool:
    """`speaker.name`, `Attendee.display_name`: a bare name is a person's name only on a
    person-like class or variable (its last word: `EventAttendee` yes, `UserGroup` no)."""
    if attribute not in _PERSON_NAME_ATTRIBUTES or not holder:
        return False
    words = _PERSON_VARIABLE_WORDS if variable else _PERSON_WORDS
    return snake_case(holder.rsplit(".", 1)[-1]).rsplit("_", 1)[-1] in words


class PatternTable(Generic[T]):
    """Dotted-name patterns (fnmatch, `*` crossing dots) mapped to values; first match wins.

    A name is tried only against the patterns that can match it: those whose last part
    after a dot is that of the name (`*.info`, `logging.Logger.info` for `x.info`), and
    those whose last part has a wildcard. With hundreds of leading-`*` patterns, one
    combined expression would try every alternative at every position of every name."""

    def __init__(self, entries: Sequence[tuple[str, T]]) -> None:
        self._values = [value for _, value in entries]
        self._by_last: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        self._wild: list[tuple[int, re.Pattern[str]]] = []
        for index, (pattern, _) in enumerate(entries):
            compiled = (index, re.compile(fnmatch.translate(pattern)))
            last = pattern.rpartition(".")[2]
            if any(c in last for c in "*?["):
                self._wild.append(compiled)
            else:
                self._by_last.setdefault(last, []).append(compiled)
        self.lookup: Callable[[str], T | None] = lru_cache(maxsize=None)(self._lookup)

    def _lookup(self, qualname: str) -> T | None:
        candidates = self._by_last.get(qualname.rpartition(".")[2], [])
        for index, pattern in sorted([*candidates, *self._wild], key=_first):
            if pattern.match(qualname):
                return self._values[index]
        return None


def _first(entry: tuple[int, re.Pattern[str]]) -> int:
    return entry[0]


class Catalog:
    """Answers "is this call or store a sink / is this call a sanitizer?" and "is this name
    PII?" for one policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._heuristics: tuple[NameHeuristic, ...] = policy.pii.active_names()
        self._patterns = [compile_name_pattern(h.pattern, h.builtin) for h in self._heuristics]
        self.sink = PatternTable[SinkSpec](
            [(call, sink) for sink in policy.sinks for call in sink.calls]
        ).lookup
        self.store = PatternTable[SinkSpec](
            [(store, sink) for sink in policy.sinks for store in sink.stores]
        ).lookup
        self.sanitizer = PatternTable[Sanitizer](
            [(call, sanitizer) for sanitizer in policy.sanitizers for call in sanitizer.calls]
        ).lookup
        self.propagator = PatternTable[Propagator](
            [(call, rule) for rule in policy.propagators for call in rule.calls]
        ).lookup
        self.result_type = PatternTable[str](list(policy.types)).lookup
        self.field_category = PatternTable[str](list(policy.pii.fields)).lookup
        self.return_category = PatternTable[str](list(policy.pii.returns)).lookup
        self.name_category = lru_cache(maxsize=None)(self._name_category)

    def _name_category(self, identifier: str) -> str | None:
        """The category a name heuristic gives `identifier` (as written or in snake_case)."""
        index = first_heuristic(self._patterns, identifier)
        return None if index is None else self._heuristics[index].category
