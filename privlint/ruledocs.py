"""One source for rule documentation: `privlint rules`, `explain`, SARIF help, the README table.

Policy rules carry their docs in the YAML packs; privlint's own diagnostics
(parse errors, suppression problems) carry theirs in `diagnostics.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlint.diagnostics import DIAGNOSTICS
from privlint.findings import Severity
from privlint.policy import Policy, RuleDocs
from privlint.reporters.context import RuleInfo


@dataclass(frozen=True)
class DocumentedRule:
    id: str
    severity: Severity
    message: str
    docs: RuleDocs
    sinks: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def summary(self) -> str:
        return self.docs.summary or self.message


def documented_rules(policy: Policy) -> list[DocumentedRule]:
    """The active policy rules, then privlint's diagnostics."""
    rules = [
        DocumentedRule(
            rule.id,
            rule.severity,
            rule.message,
            rule.docs,
            (*rule.sink_kinds, *rule.sink_ids),
            rule.categories,
        )
        for rule in policy.active_rules()
    ]
    rules += [
        DocumentedRule(
            rule_id, diagnostic.severity, diagnostic.docs.summary, diagnostic.docs, (), ()
        )
        for rule_id, diagnostic in DIAGNOSTICS.items()
    ]
    return rules


def explain_text(rule: DocumentedRule) -> str:
    """The full text of a rule in markdown: what, why, a bad example, what to write instead."""
    parts = [f"# {rule.id} ({rule.severity.value})", "", rule.summary]
    if rule.sinks:
        parts += ["", f"Sinks: {', '.join(rule.sinks)}. Categories: {', '.join(rule.categories)}."]
    if rule.docs.why:
        parts += ["", "## Why it matters", "", rule.docs.why.strip()]
    if rule.docs.example:
        parts += ["", "## Example", "", "```python", rule.docs.example.rstrip(), "```"]
    if rule.docs.instead:
        parts += ["", "## Instead", "", "```python", rule.docs.instead.rstrip(), "```"]
    return "\n".join(parts) + "\n"


def rule_infos(policy: Policy) -> tuple[RuleInfo, ...]:
    """What reporters (SARIF, JUnit) need to describe each rule."""
    return tuple(
        RuleInfo(
            rule.id,
            rule.severity,
            rule.summary,
            explain_text(rule),
            tuple(dict.fromkeys((*rule.sinks, *rule.categories))),
        )
        for rule in documented_rules(policy)
    )


def markdown_table(policy: Policy) -> str:
    """The README's rule table."""
    lines = ["| rule | severity | sinks | what it reports |", "|---|---|---|---|"]
    for rule in documented_rules(policy):
        sinks = ", ".join(rule.sinks) or "—"
        lines.append(f"| `{rule.id}` | {rule.severity.value} | {sinks} | {rule.summary} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # `python -m privlint.ruledocs` prints the README's rule table
    import sys
    from pathlib import Path

    from privlint.config import load_policy

    sys.stdout.write(markdown_table(load_policy(None, Path(__file__).parent)))
