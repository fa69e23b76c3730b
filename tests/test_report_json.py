"""The json reporter: a stable, schema-checked document for scripts and CI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import assert_matches_golden, sample_context, sample_findings

from privlint.findings import MAX_OTHER_TRACES, Finding, Severity
from privlint.reporters import REPORTERS, render
from privlint.reporters.json import load_schema, render_json

GOLDEN = Path(__file__).parent / "golden" / "report.json"


def report(findings: list[Finding] | None = None, **overrides: object) -> dict[str, Any]:
    rendered = render_json(
        sample_findings() if findings is None else findings, sample_context(**overrides)
    )
    document: dict[str, Any] = json.loads(rendered)
    return document


def test_report_matches_golden() -> None:
    assert_matches_golden(render_json(sample_findings(), sample_context()), GOLDEN)


def test_json_is_registered() -> None:
    context = sample_context()
    assert REPORTERS["json"] is render_json
    assert render("json", sample_findings(), context) == render_json(sample_findings(), context)


def test_report_satisfies_schema() -> None:
    jsonschema.validate(report(), load_schema(), cls=jsonschema.Draft202012Validator)


def test_empty_report_satisfies_schema() -> None:
    document = report([], errors=(), suppressed=0, baselined=0)
    jsonschema.validate(document, load_schema(), cls=jsonschema.Draft202012Validator)
    assert document["findings"] == []
    assert document["summary"] == {
        "files_scanned": 6,
        "findings": 0,
        "by_severity": {"error": 0, "warning": 0, "info": 0},
        "by_rule": {},
        "suppressed": 0,
        "baselined": 0,
        "failed": False,
    }


@pytest.mark.parametrize(
    "breakage",
    [
        "unknown top-level key",
        "missing fingerprint",
        "unknown severity",
        "column as string",
        "extra key in a step",
        "empty other trace",
        "zero count in by_rule",
    ],
)
def test_schema_rejects_invalid_documents(breakage: str) -> None:
    document = copy.deepcopy(report())
    finding = document["findings"][0]
    if breakage == "unknown top-level key":
        document["extra"] = True
    elif breakage == "missing fingerprint":
        del finding["fingerprint"]
    elif breakage == "unknown severity":
        finding["severity"] = "critical"
    elif breakage == "column as string":
        finding["column"] = "16"
    elif breakage == "extra key in a step":
        document["findings"][-1]["trace"][0]["extra"] = 1
    elif breakage == "empty other trace":
        document["findings"][-1]["other_traces"].append([])
    elif breakage == "zero count in by_rule":
        document["summary"]["by_rule"]["parse-error"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema(), cls=jsonschema.Draft202012Validator)


def test_finding_carries_sink_trace_and_fingerprint() -> None:
    chat = report()["findings"][-1]
    assert chat["rule_id"] == "messaging-only-via-notifications"
    assert chat["sink"] == {
        "id": "whatsapp",
        "kind": "messaging",
        "call": "walletapp.vendor.wa.send_message",
    }
    assert [step["note"] for step in chat["trace"]] == [
        "phone read from Customer.phone",
        "passed to format_msg()",
        "returned",
        "sent by send_message()",
    ]
    assert chat["trace"][0] == {
        "path": "walletapp/support/chat.py",
        "line": 11,
        "column": 22,
        "note": "phone read from Customer.phone",
    }
    assert len(chat["fingerprint"]) == 32


def test_other_traces_are_lists_of_steps_shaped_like_the_trace() -> None:
    chat = report()["findings"][-1]
    assert chat["other_traces"] == [
        [
            {
                "path": "walletapp/support/chat.py",
                "line": 12,
                "column": 20,
                "note": "phone read from Customer.phone",
            },
            chat["trace"][-1],
        ]
    ]
    assert all(finding["other_traces"] == [] for finding in report()["findings"][:-1])


def test_the_schema_caps_other_traces_at_the_listed_number() -> None:
    other_traces = load_schema()["$defs"]["finding"]["properties"]["other_traces"]
    assert other_traces["maxItems"] == MAX_OTHER_TRACES


def test_findings_come_in_report_order_whatever_the_input_order() -> None:
    findings = sample_findings()
    forward = render_json(findings, sample_context())
    assert render_json(list(reversed(findings)), sample_context()) == forward
    paths = [(f["path"], f["line"]) for f in json.loads(forward)["findings"]]
    assert paths == sorted(paths)


def test_summary_counts_severities_and_rules() -> None:
    summary = report()["summary"]
    assert summary["findings"] == 4
    assert summary["by_severity"] == {"error": 2, "warning": 1, "info": 1}
    assert summary["by_rule"] == {
        "messaging-only-via-notifications": 1,
        "no-pii-to-stdout": 1,
        "parse-error": 1,
        "pii-in-database": 1,
    }
    assert (summary["suppressed"], summary["baselined"]) == (1, 2)


@pytest.mark.parametrize(
    ("fail_severity", "kept", "failed"),
    [
        (Severity.ERROR, {Severity.WARNING, Severity.INFO}, False),
        (Severity.WARNING, {Severity.WARNING, Severity.INFO}, True),
        (Severity.WARNING, {Severity.INFO}, False),
        (Severity.INFO, {Severity.INFO}, True),
        (Severity.ERROR, set(Severity), True),
    ],
)
def test_failed_means_a_finding_at_or_above_fail_severity(
    fail_severity: Severity, kept: set[Severity], failed: bool
) -> None:
    findings = [f for f in sample_findings() if f.severity in kept]
    assert report(findings, fail_severity=fail_severity)["summary"]["failed"] is failed


def test_errors_are_listed_apart_from_findings() -> None:
    assert report()["errors"] == [
        {"path": "walletapp/secrets.py", "message": "cannot read file: permission denied"}
    ]


def test_output_is_indented_with_trailing_newline() -> None:
    rendered = render_json(sample_findings(), sample_context())
    assert rendered.startswith('{\n  "version": 1,\n  "tool": {\n    "name": "privlint",')
    assert rendered.endswith("}\n")
    assert list(json.loads(rendered)) == ["version", "tool", "findings", "errors", "summary"]
