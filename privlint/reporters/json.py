"""Machine report: one JSON document, version 1, described by
`privlint/schemas/findings.schema.json`.

Positions are copied from the findings unchanged: `line` 1-based, `column`
0-based; `end_line`/`end_column` are 0 when unknown. Key order is fixed and
findings are in report order, so the same scan gives byte-identical output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from privlint.findings import Finding, Step
from privlint.reporters.context import (
    ReportContext,
    count_by_rule,
    count_by_severity,
    sorted_findings,
)

FORMAT_VERSION = 1
SCHEMA_RESOURCE = "schemas/findings.schema.json"


def render_json(findings: Sequence[Finding], context: ReportContext) -> str:
    """The report document, indented by 2, with a trailing newline."""
    ordered = sorted_findings(findings)
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "privlint", "version": context.tool_version},
        "findings": [_finding(finding) for finding in ordered],
        "errors": [{"path": path, "message": message} for path, message in sorted(context.errors)],
        "summary": {
            "files_scanned": context.files_scanned,
            "findings": len(ordered),
            "by_severity": {
                severity.value: count for severity, count in count_by_severity(ordered).items()
            },
            "by_rule": count_by_rule(ordered),
            "suppressed": context.suppressed,
            "baselined": context.baselined,
            "failed": context.failed(ordered),
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "sink": {"id": finding.sink_id, "kind": finding.sink_kind, "call": finding.sink_call},
        "function": finding.function,
        "categories": list(finding.categories),
        "other_categories": list(finding.other_categories),
        "trace": _steps(finding.trace),
        "other_traces": [_steps(trace) for trace in finding.other_traces],
        "fingerprint": finding.fingerprint,
    }


def _steps(trace: Sequence[Step]) -> list[dict[str, object]]:
    return [
        {"path": step.path, "line": step.line, "column": step.column, "note": step.note}
        for step in trace
    ]


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every `render_json` document satisfies."""
    text = resources.files("privlint").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
