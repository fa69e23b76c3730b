"""JUnit XML for CI dashboards (GitLab, Jenkins, Azure DevOps).

Each rule is a test case and each of its findings a `<failure>`, so a
dashboard shows which policies a change breaks. `tests` counts test cases and
`failures` the test cases with findings, as JUnit consumers expect; the number
of findings is a suite property. Scan errors go to `<system-err>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from privlint.findings import Finding
from privlint.reporters.context import (
    ReportContext,
    message_with_categories,
    other_traces_note,
    report_rules,
    sorted_findings,
)

SUITE_NAME = "privlint"

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree writes them raw.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(findings: Sequence[Finding], context: ReportContext) -> str:
    """The XML document, with declaration, indented by 2, trailing newline."""
    ordered = sorted_findings(findings)
    by_rule: dict[str, list[Finding]] = {}
    for finding in ordered:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    rule_ids = [rule.id for rule in report_rules(ordered, context)]
    failed = sum(1 for rule_id in rule_ids if by_rule.get(rule_id))
    counts = {
        "tests": str(len(rule_ids)),
        "failures": str(failed),
        "errors": "0",
        "skipped": "0",
        "time": "0",
    }

    suites = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE_NAME, **counts})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("privlint.version", context.tool_version),
        ("files_scanned", str(context.files_scanned)),
        ("findings", str(len(ordered))),
        ("suppressed", str(context.suppressed)),
        ("baselined", str(context.baselined)),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _xml_safe(value)})
    for rule_id in rule_ids:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": _xml_safe(f"{SUITE_NAME}.{rule_id}"),
                "name": _xml_safe(rule_id),
                "time": "0",
            },
        )
        for finding in by_rule.get(rule_id, ()):
            failure = ET.SubElement(
                case,
                "failure",
                {
                    "type": finding.severity.value,
                    "message": _xml_safe(f"{finding.path}:{finding.line} {finding.message}"),
                },
            )
            failure.text = _xml_safe(_failure_text(finding))
    if context.errors:
        errors = ET.SubElement(suite, "system-err")
        errors.text = _xml_safe(
            "".join(f"{path}: {message}\n" for path, message in sorted(context.errors))
        )

    ET.indent(suites, space="  ")
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _failure_text(finding: Finding) -> str:
    """Where, what reached which sink, and the trace, one item a line."""
    lines = [
        f"{finding.path}:{finding.line}:{finding.column + 1}: {message_with_categories(finding)}"
    ]
    if finding.sink_call or finding.sink_id:
        lines.append(f"sink: {finding.sink_id} ({finding.sink_kind}) {finding.sink_call}".rstrip())
    if finding.function:
        lines.append(f"in: {finding.function}")
    if finding.trace:
        lines.append("trace:")
        lines += [
            f"  {number}. {step.path}:{step.line}:{step.column + 1} {step.note}"
            for number, step in enumerate(finding.trace, start=1)
        ]
    if finding.other_traces:
        lines.append(f"({other_traces_note(finding)})")
    return "\n".join(lines) + "\n"


def _xml_safe(text: str) -> str:
    """Text with XML-illegal characters spelled out (`\\x1b`), so the file always parses."""
    return _NOT_XML.sub(lambda match: _spell(match.group()), text)


def _spell(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
