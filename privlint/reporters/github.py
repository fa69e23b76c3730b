"""GitHub Actions workflow-command annotations, one line per finding.

`::error|warning|notice file=F,line=L,col=C,endLine=E,endColumn=D,title=T::MESSAGE`
with the trace folded into the message. Columns are 1-based (`endColumn` one
past the end, as in SARIF). GitHub shows only a handful of annotations per
step, so `step_summary_markdown` gives the full list for `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

from collections.abc import Sequence

from privlint.findings import Finding, Severity
from privlint.reporters.context import (
    SEVERITY_ORDER,
    ReportContext,
    count_by_severity,
    message_with_categories,
    other_traces_note,
    sorted_findings,
)

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# GitHub refuses a step summary over 1 MiB; stay below it with room for the tail.
SUMMARY_BUDGET = 1_000_000


def render_github(findings: Sequence[Finding], context: ReportContext) -> str:
    """Annotation lines for the findings, then one per scan error."""
    lines = [annotation(finding) for finding in sorted_findings(findings)]
    lines += [
        f"::error file={escape_property(path)},title=privlint::{escape_data(message)}"
        for path, message in sorted(context.errors)
    ]
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    properties = [("file", finding.path), ("line", str(max(finding.line, 1)))]
    # GitHub accepts columns only when the annotation starts and ends on one line.
    if finding.end_line in (0, finding.line):
        properties.append(("col", str(max(finding.column, 0) + 1)))
    if finding.end_line > finding.line:
        properties.append(("endLine", str(finding.end_line)))
    elif finding.end_line == finding.line and finding.end_column > 0:
        properties += [
            ("endLine", str(finding.end_line)),
            ("endColumn", str(finding.end_column + 1)),
        ]
    properties.append(("title", finding.rule_id))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND[finding.severity]} {rendered}::{escape_data(_message(finding))}"


def _message(finding: Finding) -> str:
    lines = [message_with_categories(finding)]
    lines += [
        f"{number}. {step.path}:{step.line} {step.note}"
        for number, step in enumerate(finding.trace, start=1)
    ]
    if finding.other_traces:
        lines.append(f"({other_traces_note(finding)})")
    return "\n".join(lines)


def escape_data(text: str) -> str:
    """Escape a command's message so it stays one line and is shown verbatim."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus the `:` and `,` separators."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def step_summary_markdown(findings: Sequence[Finding], context: ReportContext) -> str:
    """A markdown table of every finding, for the CLI to append to `$GITHUB_STEP_SUMMARY`.

    Cells are markdown-escaped; rows stop before `SUMMARY_BUDGET` bytes with a
    line saying how many were left out.
    """
    ordered = sorted_findings(findings)
    counts = count_by_severity(ordered)
    parts = [
        _plural(counts[severity], severity.value)
        if severity is not Severity.INFO
        else f"{counts[severity]} info"
        for severity in SEVERITY_ORDER
        if counts[severity]
    ]
    heading = ["## privlint", ""]
    if not ordered:
        heading.append(f"No findings in {_plural(context.files_scanned, 'file')}.")
        return "\n".join(heading) + "\n"
    heading += [
        f"{_plural(len(ordered), 'finding')} ({', '.join(parts)})"
        f" in {_plural(context.files_scanned, 'file')}.",
        "",
        "| Severity | Rule | Location | Categories |",
        "| --- | --- | --- | --- |",
    ]
    text = "\n".join(heading) + "\n"
    size = len(text.encode("utf-8"))
    rows: list[str] = []
    for shown, finding in enumerate(ordered):
        row = (
            f"| {finding.severity.value} | {_cell(finding.rule_id)} "
            f"| {_cell(f'{finding.path}:{finding.line}')} "
            f"| {_cell(', '.join(finding.categories))} |\n"
        )
        size += len(row.encode("utf-8"))
        if size > SUMMARY_BUDGET:
            rows.append(f"\n{len(ordered) - shown} more findings not shown; see the full report.\n")
            break
        rows.append(row)
    return text + "".join(rows)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


_MARKDOWN_SPECIAL = "\\`*_[]<>|#~"


def _cell(text: str) -> str:
    """Text safe inside a table cell: one line, markdown and HTML taken literally."""
    flat = " ".join(text.split())
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in flat)
