"""The policy as typed, validated data: what `config.py` builds and the engine reads.

Every name pattern here is fnmatch-style over dotted qualified names, where
`*` also matches dots (SPEC §3a); path patterns are gitignore-style.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from privlint.findings import Severity

SINK_KINDS = (
    "logging",
    "stdout",
    "file_export",
    "http",
    "cookie",
    "analytics",
    "messaging",
    "email",
    "database",
    "queue",
    "exception",
)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    # fnmatch's `*` already crosses dots, which is what SPEC §3a asks for.
    return re.compile(fnmatch.translate(pattern))


def name_matches(pattern: str, qualified_name: str) -> bool:
    """fnmatch over a dotted name, `*` matching any run of characters including dots."""
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return pattern == qualified_name
    return _compiled(pattern).match(qualified_name) is not None


@dataclass(frozen=True)
class NameHeuristic:
    """Identifiers matching `pattern` carry `category` where they enter the code."""

    pattern: str
    category: str
    builtin: bool = False


@dataclass(frozen=True)
class PiiSources:
    fields: tuple[tuple[str, str], ...] = ()
    names: tuple[NameHeuristic, ...] = ()
    returns: tuple[tuple[str, str], ...] = ()
    disable_default_names: bool = False

    def active_names(self) -> tuple[NameHeuristic, ...]:
        if self.disable_default_names:
            return tuple(h for h in self.names if not h.builtin)
        return self.names


@dataclass(frozen=True)
class SinkSpec:
    """Calls whose selected arguments, and stores whose assigned value, must not carry
    personal data. A store pattern names an attribute (`openpyxl.cell.Cell.value`) or,
    ending in `[]`, any subscript of a value (`*.cookies[]`)."""

    id: str
    kind: str
    calls: tuple[str, ...]
    args: tuple[int | str, ...] | None = None  # None: every argument; "self": the receiver
    processor: str | None = None  # the third party the data goes to, by name, for the data map
    stores: tuple[str, ...] = ()
    # Keywords and fields (of a message object or dict handed over) that name who sends:
    # a mail's `from_email`, `reply_to`, `From` header. Not checked: they say who sends,
    # not whose data is sent.
    sender: tuple[str, ...] = ()
    raises: tuple[int | str, ...] = ()  # arguments the exception the call raises shows (its URL)

    def selects(self, key: int | str) -> bool:
        return key not in self.sender and (self.args is None or key in self.args)


@dataclass(frozen=True)
class Sanitizer:
    calls: tuple[str, ...]
    clears: tuple[str, ...] | None = None  # None means every category


@dataclass(frozen=True)
class Propagator:
    """A call privlint cannot see into whose result carries its selected arguments' data.

    Unknown calls return clean values (SPEC §3a); a propagator says otherwise. With
    `keeps: object` the result is the selected argument itself, class and fields included
    (`copy.copy`, `list(rows)`), so field sensitivity survives the call.
    """

    calls: tuple[str, ...]
    args: tuple[int | str, ...] | None = None  # None: every argument and the receiver
    # "data", "object", "elements" (the object's elements as iteration yields them: a
    # mapping's keys, for `list(d)`), "template": `$name` placeholders of the literal
    # first argument are filled from the caller's variables (flufl.i18n's `_()`),
    # "substitution": `string.Template(text).substitute(mapping)` shows the values its
    # text names, "result": a selected function is called, what it returns counts too
    # (Django's `cache.get_or_set(key, lambda: lookup(ip))`), or "parsed": the data plus
    # what the names it is bound to say (`parseaddr`'s parts)
    keeps: str = "data"

    def selects(self, key: int | str) -> bool:
        return self.args is None or key in self.args


@dataclass(frozen=True)
class Allow:
    """An exception to a rule where its sink call is; `categories`, when set, limits it
    to those categories (and the ones below them): the rest of the flow is still reported."""

    reason: str
    paths: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    categories: tuple[str, ...] | None = None  # None: every category the rule covers


@dataclass(frozen=True)
class RuleDocs:
    """Ruff-style documentation that feeds `explain`, SARIF help and the README."""

    summary: str = ""
    why: str = ""
    example: str = ""
    instead: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message: str
    categories: tuple[str, ...]
    sink_kinds: tuple[str, ...] = ()
    sink_ids: tuple[str, ...] = ()
    allow: tuple[Allow, ...] = ()
    enabled: bool = True
    docs: RuleDocs = field(default_factory=RuleDocs)

    def covers_sink(self, sink_id: str, sink_kind: str) -> bool:
        return sink_kind in self.sink_kinds or sink_id in self.sink_ids


@dataclass(frozen=True)
class CheckDefaults:
    """`check` options written in the policy (`check:`); the command line wins over them."""

    format: str | None = None
    severity: str | None = None
    baseline: str | None = None  # relative to the project root
    jobs: int | None = None
    cache: bool | None = None


@dataclass(frozen=True)
class Policy:
    """Everything a scan needs to know from configuration, already validated."""

    root: Path
    config_path: Path | None
    include: tuple[str, ...] = ("**/*.py",)
    exclude: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = ("src", ".")
    pii: PiiSources = field(default_factory=PiiSources)
    sinks: tuple[SinkSpec, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    propagators: tuple[Propagator, ...] = ()
    types: tuple[tuple[str, str], ...] = ()  # call pattern -> qualified type of its result
    rules: tuple[Rule, ...] = ()
    check: CheckDefaults = field(default_factory=CheckDefaults)
    # The files applied, extended packs first (`privlint config`); not part of the
    # policy's identity, so not of its repr, which keys the cache.
    layers: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)
