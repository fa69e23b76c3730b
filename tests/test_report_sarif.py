"""The sarif reporter: SARIF 2.1.0 that GitHub code scanning accepts."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import PROJECT, assert_matches_golden, sample_context, sample_findings

from privlint.findings import Finding, Severity, Step, with_fingerprints
from privlint.reporters import REPORTERS, render, sarif
from privlint.reporters.context import RuleInfo
from privlint.reporters.sarif import render_sarif

GOLDEN = Path(__file__).parent / "golden" / "report.sarif"
SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"

MESSAGING_HELP = """# messaging-only-via-notifications

Customer contact data may be messaged only through the notification service

## Why it matters

A support agent texting a customer from an internal tool bypasses consent checks.

## Example

```python
# the agent's own WhatsApp session
wa.send_message(customer.phone, body)
```

## Instead

```python
notifications.send(customer.id, template="ticket_update")
```"""

# The active rules as the CLI would pass them: one without findings
# (no-pii-in-logs), and none for parse-error, which the reporter must synthesize.
RULES = (
    RuleInfo(
        id="messaging-only-via-notifications",
        severity=Severity.ERROR,
        summary="Customer contact data may be messaged only through the notification service",
        help_markdown=MESSAGING_HELP,
        tags=("messaging", "user.contact"),
    ),
    RuleInfo(
        id="no-pii-in-logs",
        severity=Severity.ERROR,
        summary="Personal data must not be written to logs",
        help_markdown="# no-pii-in-logs\n\nPersonal data must not be written to logs",
        tags=("logging", "user"),
    ),
    RuleInfo(
        id="no-pii-to-stdout",
        severity=Severity.WARNING,
        summary="Personal data should not be printed",
        help_markdown="# no-pii-to-stdout\n\nPersonal data should not be printed",
        tags=("stdout", "privacy"),
    ),
    RuleInfo(
        id="pii-in-database",
        severity=Severity.INFO,
        summary="Personal data is stored in the database",
        help_markdown="# pii-in-database\n\nPersonal data is stored in the database",
        tags=("database",),
    ),
)


def sarif_text(findings: list[Finding] | None = None, **overrides: object) -> str:
    settings: dict[str, object] = {"rules": RULES, **overrides}
    return render_sarif(
        sample_findings() if findings is None else findings, sample_context(**settings)
    )


def report(findings: list[Finding] | None = None, **overrides: object) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sarif_text(findings, **overrides))
    return document


def run_of(document: dict[str, Any]) -> dict[str, Any]:
    run: dict[str, Any] = document["runs"][0]
    return run


def validate(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema).validate(document)


def chat_finding() -> Finding:
    """The sample's WhatsApp finding: a sink with a four-step trace and one other trace."""
    return next(f for f in sample_findings() if f.rule_id == "messaging-only-via-notifications")


def result_for(document: dict[str, Any], rule_id: str) -> dict[str, Any]:
    results: list[dict[str, Any]] = [
        r for r in run_of(document)["results"] if r["ruleId"] == rule_id
    ]
    assert len(results) == 1
    return results[0]


def test_report_matches_golden() -> None:
    # The project root is an absolute file URI: mask it so the golden is portable.
    root_uri = PROJECT.resolve().as_uri() + "/"
    assert_matches_golden(sarif_text().replace(root_uri, "file:///PROJECT/"), GOLDEN)


def test_sarif_is_registered() -> None:
    context = sample_context(rules=RULES)
    assert REPORTERS["sarif"] is render_sarif
    assert render("sarif", sample_findings(), context) == render_sarif(sample_findings(), context)


def test_report_satisfies_the_sarif_schema() -> None:
    validate(report())


def test_empty_report_satisfies_the_sarif_schema() -> None:
    document = report([], rules=(), errors=())
    validate(document)
    assert run_of(document)["results"] == []
    assert run_of(document)["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize(
    "breakage",
    ["unknown level", "line zero", "missing message", "wrong version", "column as string"],
)
def test_schema_rejects_invalid_documents(breakage: str) -> None:
    document = copy.deepcopy(report())
    result = run_of(document)["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    if breakage == "unknown level":
        result["level"] = "critical"
    elif breakage == "line zero":
        region["startLine"] = 0
    elif breakage == "missing message":
        del result["message"]
    elif breakage == "wrong version":
        document["version"] = "2.0.0"
    elif breakage == "column as string":
        region["startColumn"] = "17"
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_document_has_what_github_code_scanning_reads() -> None:
    document = report()
    assert document["$schema"].endswith("sarif-schema-2.1.0.json")
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run = run_of(document)
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("privlint", "0.0.0-test")
    assert driver["informationUri"] == "https://pypi.org/project/privlint/"
    assert run["invocations"][0]["executionSuccessful"] is True
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert len(result["partialFingerprints"]["privlint/v1"]) == 32


def test_rules_carry_descriptions_help_and_tags() -> None:
    rules = {rule["id"]: rule for rule in run_of(report())["tool"]["driver"]["rules"]}
    chat = rules["messaging-only-via-notifications"]
    assert chat["name"] == "MessagingOnlyViaNotifications"
    assert chat["shortDescription"]["text"].startswith("Customer contact data")
    assert chat["fullDescription"]["text"]
    assert chat["help"]["markdown"] == MESSAGING_HELP
    assert "```" not in chat["help"]["text"]
    assert "\nWhy it matters\n" in chat["help"]["text"]
    assert "\n# the agent's own WhatsApp session\n" in chat["help"]["text"]
    assert chat["properties"]["tags"] == ["privacy", "security", "messaging", "user.contact"]
    # Tags stay unique when a rule repeats a base tag.
    assert rules["no-pii-to-stdout"]["properties"]["tags"] == ["privacy", "security", "stdout"]


@pytest.mark.parametrize(
    ("rule_id", "level", "security_severity"),
    [
        ("messaging-only-via-notifications", "error", "8.0"),
        ("no-pii-to-stdout", "warning", "5.0"),
        ("pii-in-database", "note", "2.0"),
    ],
)
def test_severity_maps_to_level_and_security_severity(
    rule_id: str, level: str, security_severity: str
) -> None:
    document = report()
    rules = {rule["id"]: rule for rule in run_of(document)["tool"]["driver"]["rules"]}
    assert rules[rule_id]["defaultConfiguration"]["level"] == level
    assert rules[rule_id]["properties"]["security-severity"] == security_severity
    assert result_for(document, rule_id)["level"] == level


def test_every_result_points_at_its_rule() -> None:
    run = run_of(report())
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_finding_without_rule_info_gets_a_synthesized_rule() -> None:
    document = report()
    rules = run_of(document)["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [
        "messaging-only-via-notifications",
        "no-pii-in-logs",
        "no-pii-to-stdout",
        "pii-in-database",
        "parse-error",
    ]
    parse_error = rules[-1]
    assert parse_error["shortDescription"]["text"]
    assert parse_error["help"]["text"]
    assert parse_error["defaultConfiguration"]["level"] == "error"
    assert parse_error["properties"]["security-severity"] == "8.0"


def test_columns_are_one_based_and_end_is_one_past_the_end() -> None:
    region = result_for(report(), "messaging-only-via-notifications")["locations"][0][
        "physicalLocation"
    ]["region"]
    # The finding: line 12, column 4 (0-based) to end_column 41 (0-based, exclusive).
    assert region == {
        "startLine": 12,
        "startColumn": 5,
        "endLine": 12,
        "endColumn": 42,
        "snippet": {"text": "    wa.send_message(customer.phone, body)"},
    }


def test_unknown_end_is_left_out() -> None:
    region = result_for(report(), "parse-error")["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 17, "snippet": {"text": "def export(rows)"}}


def _flow_steps(flow: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    (thread,) = flow["threadFlows"]
    return [
        (
            item["location"]["physicalLocation"]["artifactLocation"]["uri"],
            item["location"]["physicalLocation"]["region"]["startLine"],
            item["location"]["physicalLocation"]["region"]["startColumn"],
            item["location"]["message"]["text"],
        )
        for item in thread["locations"]
    ]


def test_code_flows_are_the_trace_then_the_other_traces_steps_in_order() -> None:
    finding = chat_finding()
    result = result_for(report(), "messaging-only-via-notifications")
    traces = (finding.trace, *finding.other_traces)
    assert len(result["codeFlows"]) == len(traces) == 2
    for flow, trace in zip(result["codeFlows"], traces, strict=True):
        assert _flow_steps(flow) == [(s.path, s.line, s.column + 1, s.note) for s in trace]


def test_other_traces_keep_the_location_and_fingerprints() -> None:
    finding = chat_finding()
    alone = result_for(report([replace(finding, other_traces=())]), finding.rule_id)
    result = result_for(report([finding]), finding.rule_id)
    assert len(alone["codeFlows"]) == 1
    assert result["locations"] == alone["locations"]
    assert result["partialFingerprints"] == alone["partialFingerprints"]


def test_other_traces_stop_at_the_thread_flow_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_THREAD_FLOW_LOCATIONS", 7)
    finding = chat_finding()
    other = finding.other_traces[0]
    result = run_of(report([replace(finding, other_traces=(other, other, other))]))["results"][0]
    # 4 steps of the trace and 2 of one other trace fit in 7; a second other trace does not.
    assert [len(flow["threadFlows"][0]["locations"]) for flow in result["codeFlows"]] == [4, 2]


def test_a_finding_without_trace_has_no_code_flow() -> None:
    assert "codeFlows" not in result_for(report(), "pii-in-database")


def test_every_uri_is_relative_to_srcroot() -> None:
    document = report()
    run = run_of(document)
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == PROJECT.resolve().as_uri() + "/"
    locations = [
        loc["physicalLocation"] for result in run["results"] for loc in result["locations"]
    ] + [
        step["location"]["physicalLocation"]
        for result in run["results"]
        for flow in result.get("codeFlows", ())
        for thread in flow["threadFlows"]
        for step in thread["locations"]
    ]
    assert locations
    for location in locations:
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:"))


def test_paths_become_uri_references() -> None:
    finding = replace(chat_finding(), path="src/my app/#1.py", trace=())
    result = run_of(report([finding]))["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "src/my%20app/%231.py"


def test_result_properties_and_message_name_the_categories() -> None:
    result = result_for(report(), "messaging-only-via-notifications")
    assert result["message"]["text"].endswith("[user.contact.phone_number]")
    assert result["properties"] == {
        "categories": ["user.contact.phone_number"],
        "other_categories": [],
        "sink": {
            "id": "whatsapp",
            "kind": "messaging",
            "call": "walletapp.vendor.wa.send_message",
        },
        "function": "walletapp.support.chat.contact_customer",
    }


def test_categories_of_other_traces_are_named_apart_and_keep_the_fingerprints() -> None:
    finding = chat_finding()
    both = replace(
        finding, categories=("user.contact.email",), other_categories=("user.contact.phone_number",)
    )
    merged = replace(finding, categories=("user.contact.email", "user.contact.phone_number"))
    result = run_of(report([both]))["results"][0]
    assert result["message"]["text"].endswith(
        "[user.contact.email] (by other traces: user.contact.phone_number)"
    )
    assert result["properties"]["other_categories"] == ["user.contact.phone_number"]
    before = run_of(report([merged]))["results"][0]["partialFingerprints"]
    assert result["partialFingerprints"] == before


def test_line_hash_survives_the_finding_moving_down() -> None:
    finding = chat_finding()
    moved = replace(finding, line=finding.line + 7, end_line=finding.end_line + 7)
    before = run_of(report([finding]))["results"][0]["partialFingerprints"]
    after = run_of(report([moved]))["results"][0]["partialFingerprints"]
    assert before == after


def test_line_hash_reads_the_source_line_when_there_is_no_snippet() -> None:
    finding = next(f for f in sample_findings() if f.rule_id == "pii-in-database")
    with_snippet = run_of(report([finding]))["results"][0]
    without = run_of(report([replace(finding, snippet="")]))["results"][0]
    assert (
        with_snippet["partialFingerprints"]["primaryLocationLineHash"]
        == without["partialFingerprints"]["primaryLocationLineHash"]
    )
    assert "snippet" not in without["locations"][0]["physicalLocation"]["region"]


def test_results_beyond_the_limit_drop_the_least_serious(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    document = report()
    validate(document)
    run = run_of(document)
    assert [result["level"] for result in run["results"]] == ["error", "error"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert "2 less serious findings omitted" in notes[-1]["message"]["text"]


def test_thread_flow_beyond_the_limit_keeps_the_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_THREAD_FLOW_LOCATIONS", 3)
    finding = chat_finding()
    assert len(finding.trace) == 4
    result = run_of(report([finding]))["results"][0]
    notes = [
        step["location"]["message"]["text"]
        for step in result["codeFlows"][0]["threadFlows"][0]["locations"]
    ]
    assert notes == [
        "phone read from Customer.phone",
        "passed to format_msg()",
        "sent by send_message()",
    ]


def test_scan_errors_are_tool_notifications() -> None:
    notes = run_of(report())["invocations"][0]["toolExecutionNotifications"]
    assert notes == [
        {
            "level": "error",
            "message": {"text": "cannot read file: permission denied"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": "walletapp/secrets.py",
                            "uriBaseId": "%SRCROOT%",
                        }
                    }
                }
            ],
        }
    ]


def test_output_is_deterministic_and_ends_with_newline() -> None:
    findings = sample_findings()
    forward = sarif_text(findings)
    assert sarif_text(list(reversed(findings))) == forward
    assert forward.startswith('{\n  "$schema": ')
    assert forward.endswith("}\n")


def test_file_level_finding_is_pinned_to_line_one() -> None:
    finding = Finding(
        rule_id="parse-error",
        severity=Severity.ERROR,
        message="cannot decode file",
        path="walletapp/blob.py",
        line=0,
        column=0,
        trace=(Step("walletapp/blob.py", 0, 0, ""),),
    )
    document = report([finding])
    validate(document)
    result = run_of(document)["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (1, 1)
    step = result["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
    assert step["message"]["text"]


def test_fingerprints_are_unique_per_result_for_two_findings_on_one_line_text() -> None:
    """Two calls with the same text in one file (say `log.info(user.email)` in two
    functions): once they shared one line hash, and code scanning merged the alerts."""
    first = chat_finding()
    second = replace(first, line=first.line + 20, end_line=first.end_line + 20)
    results = run_of(report(with_fingerprints([first, second])))["results"]
    line_hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(line_hashes)) == 2
    assert [line_hash.rsplit(":", 1)[1] for line_hash in line_hashes] == ["0", "1"]
    own = [r["partialFingerprints"]["privlint/v1"] for r in results]
    assert len(set(own)) == 2


def test_a_different_trace_into_the_same_line_gives_a_different_line_hash() -> None:
    finding = chat_finding()
    other = replace(finding, trace=finding.trace[1:])
    hashes = [
        run_of(report([f]))["results"][0]["partialFingerprints"]["primaryLocationLineHash"]
        for f in (finding, other)
    ]
    assert hashes[0] != hashes[1]
