"""`# privlint: ignore[RULE] reason` comments: hide findings, and report the comments' own problems.

A suppression covers its own line and the line below it (SPEC §4), so it can
sit at the end of the sink line or on the line above a long call. An
`ignore-file[RULE]` comment among the comments at the top of a file (before its
first statement) covers the whole file, for generated code.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privlint.findings import Finding, Severity
from privlint.yamlpos import did_you_mean

if TYPE_CHECKING:  # the baseline needs this module on a warm run, which loads no IR
    from privlint.analysis.ir import ModuleIR, Suppression

UNSUPPRESSIBLE = frozenset(("parse-error", "internal-error"))
# Suppression scopes: `ignore` covers its line and the next; `ignore-file` at the top of
# a file covers the file; one further down covers nothing (and is reported).
LINE, FILE, MISPLACED_FILE = "line", "file", "misplaced-file"


@dataclass(frozen=True)
class Suppressed:
    findings: list[Finding]  # what is still reported, including warnings about suppressions
    hidden: int


def suppressions_by_path(modules: Iterable[ModuleIR]) -> dict[str, tuple[Suppression, ...]]:
    return {module.path: module.suppressions for module in modules if module.suppressions}


def apply_suppressions(
    findings: Iterable[Finding],
    by_path: Mapping[str, Sequence[Suppression]],
    known_rules: Collection[str] | None = None,
) -> Suppressed:
    """Hide the findings `by_path`'s comments cover (path -> that file's suppressions).

    With `known_rules`, a comment naming a rule id not among them is reported, with the
    closest known id as a suggestion.
    """
    used: set[tuple[str, int]] = set()
    kept: list[Finding] = []
    hidden = 0
    for finding in findings:
        match = _matching(finding, by_path.get(finding.path, ()))
        if match is None or finding.rule_id in UNSUPPRESSIBLE:
            kept.append(finding)
        else:
            used.add((finding.path, match.line))
            hidden += 1
    for path, suppressions in by_path.items():
        for suppression in suppressions:
            used_here = (path, suppression.line) in used
            kept.extend(_problems(path, suppression, used_here, known_rules))
    return Suppressed(kept, hidden)


def _covers(suppression: Suppression, rule_id: str) -> bool:
    return not suppression.rules or rule_id in suppression.rules


def _matching(finding: Finding, suppressions: Iterable[Suppression]) -> Suppression | None:
    """The comment on the finding's own line if it covers the rule, else the one above it,
    else a file-level one that covers the rule."""
    covering = [s for s in suppressions if _covers(s, finding.rule_id)]
    on_lines = {s.line: s for s in covering if s.scope == LINE}
    whole_file = next((s for s in covering if s.scope == FILE), None)
    return on_lines.get(finding.line) or on_lines.get(finding.line - 1) or whole_file


def _problems(
    path: str, suppression: Suppression, used: bool, known_rules: Collection[str] | None
) -> list[Finding]:
    def warning(rule_id: str, message: str) -> Finding:
        return Finding(rule_id, Severity.WARNING, message, path, suppression.line, 0)

    problems = []
    named = ", ".join(suppression.rules) or "every rule"
    unknown = [r for r in suppression.rules if known_rules is not None and r not in known_rules]
    for rule_id in unknown:
        hint = did_you_mean(rule_id, known_rules or ()) or "; `privlint rules` lists the rules"
        message = f"this suppression names '{rule_id}', which is not a rule{hint}"
        problems.append(warning("unused-suppression", message))
    if suppression.scope == MISPLACED_FILE:
        message = (
            "`# privlint: ignore-file` covers a file only from the comments at its top, "
            "before the first statement; move it there"
        )
        problems.append(warning("unused-suppression", message))
    elif not used and not (suppression.rules and len(unknown) == len(suppression.rules)):
        where = " in this file" if suppression.scope == FILE else ""
        message = f"this suppression of {named} matches no finding{where}; remove it"
        problems.append(warning("unused-suppression", message))
    if not suppression.rules:
        problems.append(
            warning(
                "blanket-suppression",
                "`# privlint: ignore` without [rule-id] hides every rule here; "
                "name the rules it is meant for",
            )
        )
    if not suppression.reason:
        problems.append(
            warning(
                "suppression-without-reason",
                f"the suppression of {named} gives no reason; add one after it",
            )
        )
    return problems
