"""The junit reporter: one test case per rule, one failure per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from report_samples import assert_matches_golden, sample_context, sample_findings
from test_report_sarif import RULES

from privlint.findings import Finding, Severity, Step
from privlint.reporters import REPORTERS, render
from privlint.reporters.junit import render_junit

GOLDEN = Path(__file__).parent / "golden" / "report.junit.xml"


def junit_text(findings: list[Finding] | None = None, **overrides: object) -> str:
    settings: dict[str, object] = {"rules": RULES, **overrides}
    return render_junit(
        sample_findings() if findings is None else findings, sample_context(**settings)
    )


def parsed(findings: list[Finding] | None = None, **overrides: object) -> ET.Element:
    return ET.fromstring(junit_text(findings, **overrides))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in root.iter("testcase")}


def test_report_matches_golden() -> None:
    assert_matches_golden(junit_text(), GOLDEN)


def test_junit_is_registered() -> None:
    context = sample_context(rules=RULES)
    assert REPORTERS["junit"] is render_junit
    assert render("junit", sample_findings(), context) == render_junit(sample_findings(), context)


def test_document_is_a_testsuites_with_one_privlint_suite() -> None:
    text = junit_text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="privlint"')
    assert text.endswith("</testsuites>\n")
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "privlint"


def test_one_case_per_rule_and_per_rule_with_findings() -> None:
    root = parsed()
    assert list(cases(root)) == [
        "messaging-only-via-notifications",
        "no-pii-in-logs",
        "no-pii-to-stdout",
        "pii-in-database",
        "parse-error",
    ]
    for name, case in cases(root).items():
        assert case.attrib["classname"] == f"privlint.{name}"


def test_counts_add_up() -> None:
    root = parsed()
    suite = root.find("testsuite")
    assert suite is not None
    testcases = list(root.iter("testcase"))
    failed = [case for case in testcases if case.find("failure") is not None]
    for element in (root, suite):
        assert element.attrib["tests"] == str(len(testcases)) == "5"
        assert element.attrib["failures"] == str(len(failed)) == "4"
        assert element.attrib["errors"] == "0"
        assert element.attrib["skipped"] == "0"
    properties = {p.attrib["name"]: p.attrib["value"] for p in root.iter("property")}
    assert properties["findings"] == str(len(list(root.iter("failure")))) == "4"


def test_a_rule_without_findings_passes() -> None:
    passing = cases(parsed())["no-pii-in-logs"]
    assert list(passing) == []


def test_each_finding_is_a_failure_with_its_trace() -> None:
    chat = cases(parsed())["messaging-only-via-notifications"]
    (failure,) = chat.findall("failure")
    assert failure.attrib["type"] == "error"
    assert failure.attrib["message"] == (
        "walletapp/support/chat.py:12 Customer contact data must only be messaged "
        "through the notification service"
    )
    assert (failure.text or "").splitlines() == [
        "walletapp/support/chat.py:12:5: Customer contact data must only be messaged "
        "through the notification service [user.contact.phone_number]",
        "sink: whatsapp (messaging) walletapp.vendor.wa.send_message",
        "in: walletapp.support.chat.contact_customer",
        "trace:",
        "  1. walletapp/support/chat.py:11:23 phone read from Customer.phone",
        "  2. walletapp/support/chat.py:11:12 passed to format_msg()",
        "  3. walletapp/support/templates.py:5:12 returned",
        "  4. walletapp/support/chat.py:12:5 sent by send_message()",
        "(also reached by 1 other trace)",
    ]


def test_every_finding_of_a_rule_is_its_own_failure() -> None:
    base = sample_findings()[-1]
    findings = [base, Finding(**{**base.__dict__, "line": 20, "end_line": 20})]
    chat = cases(parsed(findings))["messaging-only-via-notifications"]
    assert [f.attrib["message"].split(" ")[0] for f in chat.findall("failure")] == [
        "walletapp/support/chat.py:12",
        "walletapp/support/chat.py:20",
    ]


def test_severity_is_the_failure_type() -> None:
    types = {name: case.find("failure") for name, case in cases(parsed()).items()}
    assert {name: f.attrib["type"] for name, f in types.items() if f is not None} == {
        "messaging-only-via-notifications": "error",
        "no-pii-to-stdout": "warning",
        "pii-in-database": "info",
        "parse-error": "error",
    }


def test_special_characters_are_escaped() -> None:
    nasty = Finding(
        rule_id="no-pii-in-logs",
        severity=Severity.ERROR,
        message='a < b && c > "d" \x1b[31m',
        path="app/<x>&y.py",
        line=2,
        column=0,
        trace=(Step("app/<x>&y.py", 1, 0, "read ]]> here\x00"),),
    )
    text = junit_text([nasty])
    assert "\x1b" not in text
    assert "\x00" not in text
    (failure,) = cases(ET.fromstring(text))["no-pii-in-logs"].findall("failure")
    assert failure.attrib["message"] == 'app/<x>&y.py:2 a < b && c > "d" \\x1b[31m'
    assert "  1. app/<x>&y.py:1:1 read ]]> here\\x00" in (failure.text or "")


def test_scan_errors_go_to_system_err() -> None:
    suite = parsed().find("testsuite")
    assert suite is not None
    system_err = suite.find("system-err")
    assert system_err is not None
    assert system_err.text == "walletapp/secrets.py: cannot read file: permission denied\n"


def test_empty_run_is_all_passing() -> None:
    root = parsed([], errors=())
    assert (root.attrib["tests"], root.attrib["failures"]) == ("4", "0")
    assert root.find("testsuite/system-err") is None


def test_output_is_deterministic() -> None:
    findings = sample_findings()
    assert junit_text(list(reversed(findings))) == junit_text(findings)
