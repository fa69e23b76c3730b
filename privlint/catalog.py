"""The policy's sinks, sanitizers, types and PII sources, matched by qualified name.

Lookups are memoised: the engine asks the same questions for every call of
`logger.info` in a project, and fnmatch over every pattern each time adds up.
"""

from __future__ import annotations

import re
from functools import lru_cache

from privlint.policy import (
    NameHeuristic,
    Policy,
    Sanitizer,
    SinkSpec,
    any_name_matches,
    name_matches,
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(identifier: str) -> str:
    """`customerPhone` → `customer_phone`; the form name heuristics are written against."""
    return _CAMEL_BOUNDARY.sub("_", identifier).lower()


class Catalog:
    """Answers "is this call a sink / sanitizer?" and "is this name PII?" for one policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._heuristics: tuple[tuple[re.Pattern[str], NameHeuristic], ...] = tuple(
            (re.compile(h.pattern), h) for h in policy.pii.active_names()
        )
        self.sink = lru_cache(maxsize=None)(self._sink)
        self.sanitizer = lru_cache(maxsize=None)(self._sanitizer)
        self.result_type = lru_cache(maxsize=None)(self._result_type)
        self.name_category = lru_cache(maxsize=None)(self._name_category)
        self.field_category = lru_cache(maxsize=None)(self._field_category)
        self.return_category = lru_cache(maxsize=None)(self._return_category)

    def _sink(self, qualname: str) -> SinkSpec | None:
        for sink in self.policy.sinks:
            if any_name_matches(sink.calls, qualname):
                return sink
        return None

    def _sanitizer(self, qualname: str) -> Sanitizer | None:
        for sanitizer in self.policy.sanitizers:
            if any_name_matches(sanitizer.calls, qualname):
                return sanitizer
        return None

    def _result_type(self, qualname: str) -> str | None:
        for pattern, type_name in self.policy.types:
            if name_matches(pattern, qualname):
                return type_name
        return None

    def _name_category(self, identifier: str) -> str | None:
        """The category a name heuristic gives `identifier` (as written or in snake_case)."""
        snake = snake_case(identifier)
        for pattern, heuristic in self._heuristics:
            if pattern.search(identifier) or pattern.search(snake):
                return heuristic.category
        return None

    def _field_category(self, qualname: str) -> str | None:
        for pattern, category in self.policy.pii.fields:
            if name_matches(pattern, qualname):
                return category
        return None

    def _return_category(self, qualname: str) -> str | None:
        for pattern, category in self.policy.pii.returns:
            if name_matches(pattern, qualname):
                return category
        return None
