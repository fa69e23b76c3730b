"""`check --statistics`: the number of findings per rule and nothing else, most frequent
first (ruff's option of the same name), for a first look at a large project."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from privlint.findings import Finding
from privlint.reporters.context import ReportContext
from privlint.reporters.summary import counted
from privlint.reporters.text import report_console, summary_line


def render_statistics(findings: Sequence[Finding], context: ReportContext) -> str:
    """`COUNT  RULE` lines; with no findings, the summary line that says so."""
    buffer = io.StringIO()
    console = report_console(buffer, context.color)
    lines = counted(Counter(finding.rule_id for finding in findings))
    for line in lines or [summary_line(findings, context)]:
        console.print(line, soft_wrap=True)
    return buffer.getvalue()
