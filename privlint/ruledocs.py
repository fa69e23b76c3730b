"""One source for rule documentation: `privlint rules`, `explain`, SARIF help, the README's
rule table and sink catalog.

Policy rules carry their docs in the YAML packs; privlint's own diagnostics
(parse errors, suppression problems) carry theirs in `diagnostics.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlint.diagnostics import DIAGNOSTICS
from privlint.findings import Severity
from privlint.policy import SINK_KINDS, Policy, RuleDocs
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


def sink_table(policy: Policy) -> str:
    """The README's sink catalog: every sink by kind, with the calls and stores it matches."""
    lines = ["| kind | sink | calls and stores (`*` matches any run, dots included) |"]
    lines.append("|---|---|---|")
    for kind in SINK_KINDS:
        for sink in (sink for sink in policy.sinks if sink.kind == kind):
            matched = [*sink.calls, *(f"{store} = …" for store in sink.stores)]
            shown = ", ".join(f"`{pattern}`" for pattern in matched)
            lines.append(f"| {kind} | `{sink.id}` | {shown} |")
    return "\n".join(lines) + "\n"


def regenerated(readme: str, policy: Policy) -> str:
    """`readme` with its generated blocks (rule table, sink catalog) rebuilt from `policy`."""
    for marker, table in (("rules", markdown_table(policy)), ("sinks", sink_table(policy))):
        start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
        before, found, rest = readme.partition(start)
        if found:
            readme = before + start + table + end + rest.partition(end)[2]
    return readme


if __name__ == "__main__":  # `python -m privlint.ruledocs README.md` rebuilds its tables
    import sys
    from pathlib import Path

    from privlint.config import load_policy
    from privlint.fileio import write_atomic

    policy = load_policy(None, Path(__file__).parent)
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        write_atomic(target, regenerated(target.read_text(encoding="utf-8"), policy))
    else:
        sys.stdout.write(markdown_table(policy) + "\n" + sink_table(policy))
