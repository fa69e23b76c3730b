"""`# privlint: ignore[RULE] reason` comments: hide findings, and report the comments' own problems.

A suppression covers its own line and the line below it (SPEC §4), so it can
sit at the end of the sink line or on the line above a long call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privlint.findings import Finding, Severity

if TYPE_CHECKING:  # the baseline needs this module on a warm run, which loads no IR
    from privlint.analysis.ir import ModuleIR, Suppression

UNSUPPRESSIBLE = frozenset(("parse-error", "internal-error"))


@dataclass(frozen=True)
class Suppressed:
    findings: list[Finding]  # what is still reported, including warnings about suppressions
    hidden: int


def suppressions_by_path(modules: Iterable[ModuleIR]) -> dict[str, tuple[Suppression, ...]]:
    return {module.path: module.suppressions for module in modules if module.suppressions}


def apply_suppressions(
    findings: Iterable[Finding], by_path: Mapping[str, Sequence[Suppression]]
) -> Suppressed:
    """Hide the findings `by_path`'s comments cover (path -> that file's suppressions)."""
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
            kept.extend(_problems(path, suppression, (path, suppression.line) in used))
    return Suppressed(kept, hidden)


def _matching(finding: Finding, suppressions: Iterable[Suppression]) -> Suppression | None:
    """The comment on the finding's own line if it covers the rule, else the one above it."""
    covering = {
        suppression.line: suppression
        for suppression in suppressions
        if not suppression.rules or finding.rule_id in suppression.rules
    }
    return covering.get(finding.line) or covering.get(finding.line - 1)


def _problems(path: str, suppression: Suppression, used: bool) -> list[Finding]:
    def warning(rule_id: str, message: str) -> Finding:
        return Finding(rule_id, Severity.WARNING, message, path, suppression.line, 0)

    problems = []
    named = ", ".join(suppression.rules) or "every rule"
    if not used:
        problems.append(
            warning(
                "unused-suppression", f"this suppression of {named} matches no finding; remove it"
            )
        )
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
