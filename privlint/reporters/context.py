"""What a reporter may know besides the findings: run facts, never the engine.

The CLI builds one `ReportContext` per run; every reporter gets the same one,
so counts and the pass/fail verdict agree across formats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from privlint.findings import MAX_OTHER_TRACES, Finding, Severity

# Most serious first: the order summaries list severities in.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule (SARIF `rules[]`, JUnit test cases).

    The CLI fills these from the policy; `help_markdown` is the
    `privlint explain` text, `tags` extra labels such as sink kinds.
    """

    id: str
    severity: Severity
    summary: str
    help_markdown: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportContext:
    """Facts about the run that a report shows next to the findings.

    `root` is the project root; finding and step paths are relative to it,
    with '/' separators. `errors` are (path, message) pairs for problems that
    are not findings, such as paths that could not be read. `rules` are the
    active rules, in policy order, for formats that list rules.
    """

    tool_version: str
    root: Path
    files_scanned: int
    color: bool = False
    suppressed: int = 0
    baselined: int = 0
    errors: tuple[tuple[str, str], ...] = ()
    fail_severity: Severity = Severity.ERROR
    rules: tuple[RuleInfo, ...] = ()
    outside_diff: int = 0  # findings `--diff` left out: not on changed lines
    findings_only: bool = False  # `--quiet`: a text report without its summary
    _lines: dict[str, list[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def source_lines(self, path: str) -> list[str]:
        """Lines of `root/path` without line endings, numbered as the analysis
        numbers them (line 1 at index 0); [] if the file cannot be read.

        Read once per path and cached; callers must not modify the list.
        """
        cached = self._lines.get(path)
        if cached is None:
            cached = _read_lines(self.root / path)
            self._lines[path] = cached
        return cached

    def failed(self, findings: Iterable[Finding]) -> bool:
        """Whether any finding is at or above `fail_severity` (exit code 1)."""
        return any(finding.severity.at_least(self.fail_severity) for finding in findings)


def _read_lines(path: Path) -> list[str]:
    try:
        # read_text turns "\r\n" and "\r" into "\n", as the parser counts lines;
        # str.splitlines would also split on form feeds and other separators.
        text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order: by path, line, column, then rule id."""
    return sorted(findings, key=Finding.sort_key)


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Count per severity, every severity present, most serious first."""
    counts = Counter(finding.severity for finding in findings)
    return {severity: counts[severity] for severity in SEVERITY_ORDER}


def count_by_rule(findings: Iterable[Finding]) -> dict[str, int]:
    """Count per rule id, rule ids in sorted order."""
    counts = Counter(finding.rule_id for finding in findings)
    return {rule_id: counts[rule_id] for rule_id in sorted(counts)}


def message_with_categories(finding: Finding) -> str:
    """`message [category, ...]` (the trace's categories, then those other traces bring):
    what annotations and SARIF results say."""
    message = finding.message or finding.rule_id
    if not finding.categories:
        return message
    text = f"{message} [{', '.join(finding.categories)}]"
    if finding.other_categories:
        text += f" (by other traces: {', '.join(finding.other_categories)})"
    return text


def other_traces_note(finding: Finding) -> str:
    """`also reached by N other traces` (saying so when N is as many as a finding lists),
    or "" when the trace is the only one: what reports print after the trace."""
    count = len(finding.other_traces)
    if not count:
        return ""
    noun = "other trace" if count == 1 else "other traces"
    listed = f" (at most {MAX_OTHER_TRACES} are listed)" if count == MAX_OTHER_TRACES else ""
    return f"also reached by {count} {noun}{listed}"


# Findings privlint raises itself, outside any policy rule (SPEC §1, §3).
_BUILTIN_SUMMARIES = {
    "parse-error": "A scanned file could not be parsed, so it was not checked",
    "internal-error": "privlint failed on a scanned file, so it was not checked",
    "unknown-category": "A `# pii:` tag names a category that is not in the taxonomy",
}


def report_rules(findings: Iterable[Finding], context: ReportContext) -> list[RuleInfo]:
    """`context.rules` (first of each id, in order), then a minimal entry for
    every rule id that has findings but no `RuleInfo`, sorted by id.

    A synthesized rule takes the most serious severity among its findings, so
    formats that need a rule for every finding (SARIF, JUnit) never miss one.
    """
    rules: dict[str, RuleInfo] = {}
    for rule in context.rules:
        rules.setdefault(rule.id, rule)
    missing: dict[str, list[Finding]] = {}
    for finding in sorted_findings(findings):
        if finding.rule_id not in rules:
            missing.setdefault(finding.rule_id, []).append(finding)
    for rule_id in sorted(missing):
        of_rule = missing[rule_id]
        summary = _BUILTIN_SUMMARIES.get(rule_id) or of_rule[0].message or rule_id
        rules[rule_id] = RuleInfo(
            id=rule_id,
            severity=max((finding.severity for finding in of_rule), key=lambda s: s.rank),
            summary=summary,
            help_markdown=f"# {rule_id}\n\n{summary}",
        )
    return list(rules.values())
