"""One line per finding, `path:line:col: severity rule message [categories]`, as ruff's
concise output: for grepping, editors' quickfix lists, and reports too long to read whole.

The last line is the text report's summary line (left out with `--quiet`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from privlint.findings import Finding
from privlint.reporters.context import ReportContext, sorted_findings
from privlint.reporters.text import header, report_console, summary_line


def render_concise(findings: Sequence[Finding], context: ReportContext) -> str:
    buffer = io.StringIO()
    console = report_console(buffer, context.color)
    ordered = sorted_findings(findings)
    for finding in ordered:
        console.print(header(finding), soft_wrap=True)
    if not context.findings_only:
        console.print(summary_line(ordered, context), soft_wrap=True)
    return buffer.getvalue()
