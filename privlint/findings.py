"""Findings as plain data: what the judge produces and every reporter reads.

Nothing here knows about LibCST or the engine, so findings can be pickled,
cached, compared in tests and rendered by any reporter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """How serious a finding is; `--severity` picks the lowest that fails a run."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# Other traces listed per finding: enough to show every caller of a typical wrapper,
# few enough that a helper used everywhere keeps its report readable.
MAX_OTHER_TRACES = 10


@dataclass(frozen=True, order=True)
class Step:
    """One hop of a flow: where the data was and what happened to it there."""

    path: str
    line: int
    column: int
    note: str


@dataclass(frozen=True)
class Finding:
    """A reported problem at one location (a sink call, a tag, a broken file).

    `line` is 1-based, `column` 0-based (as LibCST reports them); reporters
    convert where their format says otherwise (SARIF columns are 1-based).
    """

    rule_id: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    sink_id: str = ""
    sink_kind: str = ""
    sink_call: str = ""
    function: str = ""
    categories: tuple[str, ...] = ()  # the categories carried on `trace`
    trace: tuple[Step, ...] = ()
    snippet: str = ""
    other_categories: tuple[str, ...] = ()  # reaching the same sink call by other traces
    # the other traces themselves (shortest first, at most MAX_OTHER_TRACES); not in the
    # fingerprint: a helper's finding stays baselined when it gains a caller (of the
    # categories it already has)
    other_traces: tuple[tuple[Step, ...], ...] = ()
    fingerprint: str = field(default="", compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule_id)

    def steps(self) -> Iterator[Step]:
        """Every step of the trace shown, then of the other traces (repeats included)."""
        for trace in (self.trace, *self.other_traces):
            yield from trace


@dataclass(frozen=True)
class AllowedFlow:
    """A flow a rule would report but an `allow` entry accepts (for the inventory)."""

    rule_id: str
    path: str
    line: int
    function: str
    sink_id: str
    sink_kind: str
    categories: tuple[str, ...]
    reason: str
    call: str = ""  # the sink call as written, e.g. `WhatsAppClient.send_message`


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """A line-independent identity for a finding, stable when unrelated lines move.

    Built from rule, path, the sink's qualified call, the categories, the sink
    line's code with comments and whitespace removed (reindenting, re-spacing or
    commenting the line keeps it), and the occurrence index among findings
    sharing all of those — never the line number, nor the traces (a finding in a
    helper stays the same finding when the helper gains or loses a caller that
    brings no new category).
    """
    normalized = "".join(_without_comment(finding.snippet).split())
    parts = [
        finding.rule_id,
        finding.path,
        finding.sink_call,
        ",".join(sorted((*finding.categories, *finding.other_categories))),
        normalized,
        str(occurrence),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _without_comment(line: str) -> str:
    """`line` up to its `#` comment, if any; a `#` inside a string literal is code.

    A string left open at the end of the line (the start of a multi-line
    literal) keeps the rest of the line, as it cannot hold a comment.
    """
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char == "#":
            return line[:index]
        elif char in "'\"":
            quote = char * 3 if line.startswith(char * 3, index) else char
            index += len(quote) - 1
        index += 1
    return line


def with_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Sort findings and give each its fingerprint (occurrence-indexed)."""
    from dataclasses import replace

    seen: dict[str, int] = {}
    result = []
    for finding in sorted(findings, key=Finding.sort_key):
        base = fingerprint(finding)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        result.append(replace(finding, fingerprint=fingerprint(finding, occurrence)))
    return result
