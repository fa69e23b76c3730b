"""SARIF 2.1.0 report for GitHub code scanning and other SARIF viewers.

One run, rules from `context.rules` (help from `privlint explain`), one result
per finding with its trace as a code flow, and one more per other trace.
Columns are 1-based here (LibCST's are 0-based) and URIs are relative to
`%SRCROOT%`, the project root. Output has no timestamps, so the same scan
gives byte-identical SARIF.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from privlint.findings import Finding, Severity, Step
from privlint.reporters.context import (
    ReportContext,
    RuleInfo,
    message_with_categories,
    report_rules,
    sorted_findings,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/privlint/"
SRCROOT = "%SRCROOT%"

# GitHub code scanning rejects or truncates uploads beyond these.
MAX_RESULTS = 25_000
MAX_THREAD_FLOW_LOCATIONS = 1_000  # of a result, over all its code flows

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub maps these onto critical/high/medium/low; they make a rule a security rule.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_BASE_TAGS = ("privacy", "security")


def render_sarif(findings: Sequence[Finding], context: ReportContext) -> str:
    """The SARIF log, indented by 2, with a trailing newline."""
    ordered = sorted_findings(findings)
    kept = _within_result_limit(ordered)
    rules = report_rules(ordered, context)
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "privlint",
                "version": context.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(context, omitted=len(ordered) - len(kept))],
        "originalUriBaseIds": {SRCROOT: {"uri": context.root.resolve().as_uri().rstrip("/") + "/"}},
        # LibCST counts columns in code points, not SARIF's default UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(finding, rule_index[finding.rule_id], line_hash, context)
            for finding, line_hash in zip(kept, _line_hashes(kept, context), strict=True)
        ],
    }
    document = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def _within_result_limit(ordered: list[Finding]) -> list[Finding]:
    """At most `MAX_RESULTS` findings, the most serious kept, still in report order."""
    if len(ordered) <= MAX_RESULTS:
        return ordered
    by_severity = sorted(range(len(ordered)), key=lambda i: -ordered[i].severity.rank)
    keep = set(by_severity[:MAX_RESULTS])
    return [finding for index, finding in enumerate(ordered) if index in keep]


def _rule(rule: RuleInfo) -> dict[str, Any]:
    help_markdown = rule.help_markdown or f"# {rule.id}\n\n{rule.summary}"
    return {
        "id": rule.id,
        "name": _pascal_case(rule.id),
        "shortDescription": {"text": rule.summary or rule.id},
        "fullDescription": {"text": rule.summary or rule.id},
        "help": {"text": _plain_text(help_markdown), "markdown": help_markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": list(dict.fromkeys((*_BASE_TAGS, *rule.tags))),
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _pascal_case(rule_id: str) -> str:
    """SARIF wants a readable `name` distinct in style from the id."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id))


def _plain_text(markdown: str) -> str:
    """`help.text` for viewers without markdown: headings and fences dropped."""
    lines = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            lines.append(line.lstrip("#").lstrip())
        else:
            lines.append(line)
    return "\n".join(lines)


def _invocation(context: ReportContext, omitted: int) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = [
        {
            "level": "error",
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(path)}}],
        }
        for path, message in sorted(context.errors)
    ]
    if omitted:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted} less serious findings omitted: SARIF uploads "
                    f"are limited to {MAX_RESULTS} results"
                },
            }
        )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _result(
    finding: Finding, rule_index: int, line_hash: str, context: ReportContext
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": message_with_categories(finding)},
        "locations": [{"physicalLocation": _physical_location(finding)}],
        "partialFingerprints": _fingerprints(finding, line_hash),
        "properties": {
            "categories": list(finding.categories),
            "other_categories": list(finding.other_categories),
            "sink": {"id": finding.sink_id, "kind": finding.sink_kind, "call": finding.sink_call},
            "function": finding.function,
        },
    }
    if finding.trace:
        result["codeFlows"] = [_code_flow(trace) for trace in _flow_traces(finding)]
    return result


def _flow_traces(finding: Finding) -> list[tuple[Step, ...]]:
    """The traces a result shows as code flows, one each as CodeQL does (GitHub lists them
    under "Show paths"): the trace, then the other traces while the result's locations stay
    within `MAX_THREAD_FLOW_LOCATIONS`."""
    traces = [_limit_trace(finding.trace)]
    budget = MAX_THREAD_FLOW_LOCATIONS - len(traces[0])
    for trace in finding.other_traces:
        if len(trace) > budget:
            break
        traces.append(trace)
        budget -= len(trace)
    return traces


def _code_flow(trace: tuple[Step, ...]) -> dict[str, Any]:
    return {"threadFlows": [{"locations": [_flow_step(step) for step in trace]}]}


def _physical_location(finding: Finding) -> dict[str, Any]:
    # A file-level finding (line 0) is pinned to line 1: SARIF lines start at 1.
    region: dict[str, Any] = {
        "startLine": max(finding.line, 1),
        "startColumn": max(finding.column, 0) + 1,
    }
    if finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
        if finding.end_column > 0:
            # Both 0-based one-past-the-end and SARIF 1-based one-past-the-end: +1.
            region["endColumn"] = finding.end_column + 1
    if finding.snippet:
        region["snippet"] = {"text": finding.snippet}
    return {"artifactLocation": _artifact(finding.path), "region": region}


def _artifact(path: str) -> dict[str, str]:
    """A relative URI reference: '/' separated and percent-encoded (spaces, '#', '%')."""
    return {"uri": quote(path.replace("\\", "/"), safe="/"), "uriBaseId": SRCROOT}


def _fingerprints(finding: Finding, line_hash: str) -> dict[str, str]:
    fingerprints = {"primaryLocationLineHash": line_hash}
    if finding.fingerprint:
        fingerprints["privlint/v1"] = finding.fingerprint
    return fingerprints


def _line_hashes(findings: Sequence[Finding], context: ReportContext) -> list[str]:
    """`HASH:N` per finding, unique within its file (code scanning merges the alerts that
    share one): HASH survives lines moving, N counts the findings of a file before it
    with the same HASH (GitHub's own line hashes carry the same occurrence suffix)."""
    seen: dict[tuple[str, str], int] = {}
    hashes = []
    for finding in findings:
        digest = _line_hash(finding, context)
        occurrence = seen.get((finding.path, digest), 0)
        seen[(finding.path, digest)] = occurrence + 1
        hashes.append(f"{digest}:{occurrence}")
    return hashes


def _line_hash(finding: Finding, context: ReportContext) -> str:
    """Rule id, the sink line's text without whitespace, the categories and the trace's
    files and notes (never its line numbers): two flows into one line differ."""
    text = finding.snippet
    if not text:
        lines = context.source_lines(finding.path)
        text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
    categories = sorted((*finding.categories, *finding.other_categories))
    parts = [finding.rule_id, "".join(text.split()), ",".join(categories)]
    parts += [f"{step.path}\x1e{step.note}" for step in finding.trace]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _limit_trace(trace: tuple[Step, ...]) -> tuple[Step, ...]:
    """At most `MAX_THREAD_FLOW_LOCATIONS` steps, always keeping the last (the sink)."""
    if len(trace) <= MAX_THREAD_FLOW_LOCATIONS:
        return trace
    return (*trace[: MAX_THREAD_FLOW_LOCATIONS - 1], trace[-1])


def _flow_step(step: Step) -> dict[str, Any]:
    return {
        "location": {
            "physicalLocation": {
                "artifactLocation": _artifact(step.path),
                "region": {
                    "startLine": max(step.line, 1),
                    "startColumn": max(step.column, 0) + 1,
                },
            },
            "message": {"text": step.note or f"{step.path}:{step.line}"},
        }
    }
