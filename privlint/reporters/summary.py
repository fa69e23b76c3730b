"""The end of a text report: where the findings are (by rule, category and top-level
folder) and what to do next, so a long report can be read from its last lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text

from privlint.findings import Finding

_HEADING = "bold"
# Rules no `explain` or baseline can help with: they are about files, not flows.
_FILE_RULES = frozenset({"parse-error", "internal-error"})


def breakdown(findings: Sequence[Finding]) -> list[Text]:
    """Count tables by rule, category and folder, then the next steps; [] when empty."""
    if not findings:
        return []
    by_rule = Counter(finding.rule_id for finding in findings)
    by_category = Counter(category for finding in findings for category in finding.categories)
    by_folder = Counter(top_folder(finding.path) for finding in findings)
    lines: list[Text] = []
    for title, counts in (
        ("by rule", by_rule),
        ("by category", by_category),
        ("by folder", by_folder),
    ):
        if counts:
            lines.append(Text(f"Findings {title}:", style=_HEADING))
            lines.extend(counted(counts))
    lines.extend(_next_steps(by_rule))
    return lines


def top_folder(path: str) -> str:
    """The first folder of a '/'-separated path (`app/`), or the file itself at the root."""
    head, separator, _ = path.partition("/")
    return f"{head}/" if separator else path


def counted(counts: Counter[str]) -> list[Text]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = len(str(ordered[0][1])) if ordered else 1
    return [Text(f"  {count:>{width}}  {name}") for name, count in ordered]


def _next_steps(by_rule: Counter[str]) -> list[Text]:
    ranked = sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    explained = [rule for rule, _ in ranked if rule not in _FILE_RULES]
    steps = []
    if explained:
        steps.append((f"privlint explain {explained[0]}", "what the rule checks, what to write"))
    steps.append(("privlint baseline", "accept today's findings; then only new ones fail"))
    width = max(len(command) for command, _ in steps)
    return [Text("Next:", style=_HEADING)] + [
        Text(f"  {command.ljust(width)}  {what}") for command, what in steps
    ]
