"""The github reporter: workflow-command annotations and the step summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import assert_matches_golden, sample_context, sample_findings

from privlint.findings import Finding, Severity, Step
from privlint.reporters import REPORTERS, render
from privlint.reporters.github import (
    escape_data,
    escape_property,
    render_github,
    step_summary_markdown,
)

GOLDEN = Path(__file__).parent / "golden" / "report.github.txt"


def finding(**changes: object) -> Finding:
    settings: dict[str, object] = {
        "rule_id": "no-pii-in-logs",
        "severity": Severity.ERROR,
        "message": "Personal data must not be written to logs",
        "path": "app/views.py",
        "line": 3,
        "column": 4,
        "end_line": 3,
        "end_column": 30,
        "categories": ("user.contact.email",),
    }
    settings.update(changes)
    return Finding(**settings)  # type: ignore[arg-type]


def lines_of(findings: list[Finding], **overrides: object) -> list[str]:
    settings: dict[str, object] = {"errors": (), **overrides}
    return render_github(findings, sample_context(**settings)).splitlines()


def test_report_matches_golden() -> None:
    assert_matches_golden(render_github(sample_findings(), sample_context()), GOLDEN)


def test_github_is_registered() -> None:
    context = sample_context()
    assert REPORTERS["github"] is render_github
    assert render("github", sample_findings(), context) == render_github(sample_findings(), context)


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")],
)
def test_severity_picks_the_command(severity: Severity, command: str) -> None:
    (line,) = lines_of([finding(severity=severity)])
    assert line.startswith(f"::{command} file=app/views.py,")


def test_one_line_per_finding_with_one_based_columns() -> None:
    (line,) = lines_of([finding()])
    assert line == (
        "::error file=app/views.py,line=3,col=5,endLine=3,endColumn=31,title=no-pii-in-logs"
        "::Personal data must not be written to logs [user.contact.email]"
    )


def test_trace_follows_the_message_as_escaped_lines() -> None:
    trace = (
        Step("app/models.py", 7, 4, "email read from user.email"),
        Step("app/views.py", 3, 4, "logged by logger.info()"),
    )
    (line,) = lines_of([finding(trace=trace)])
    message = line.split("::", 2)[2]
    assert message == (
        "Personal data must not be written to logs [user.contact.email]"
        "%0A1. app/models.py:7 email read from user.email"
        "%0A2. app/views.py:3 logged by logger.info()"
    )


def test_other_traces_are_counted_after_the_trace() -> None:
    trace = (Step("app/views.py", 3, 4, "logged by logger.info()"),)
    others = (
        (Step("app/models.py", 7, 4, "email read from user.email"), *trace),
        (Step("app/forms.py", 9, 4, "email read from form.email"), *trace),
    )
    (line,) = lines_of([finding(trace=trace, other_traces=others)])
    assert line.endswith(
        "%0A1. app/views.py:3 logged by logger.info()%0A(also reached by 2 other traces)"
    )


def test_message_and_properties_are_escaped() -> None:
    tricky = finding(
        message="100% of rows: name, phone\r\nand more",
        path="app/a,b:c.py",
        rule_id="rule:one,two",
        categories=(),
    )
    (line,) = lines_of([tricky])
    assert line == (
        "::error file=app/a%2Cb%3Ac.py,line=3,col=5,endLine=3,endColumn=31,"
        "title=rule%3Aone%2Ctwo::100%25 of rows: name, phone%0D%0Aand more"
    )


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("50%", "50%25", "50%25"),
        ("%0A", "%250A", "%250A"),
        ("a\nb\rc", "a%0Ab%0Dc", "a%0Ab%0Dc"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
    ],
)
def test_escaping_rules(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_multi_line_finding_has_no_columns() -> None:
    (line,) = lines_of([finding(end_line=5, end_column=2)])
    assert line.startswith("::error file=app/views.py,line=3,endLine=5,title=no-pii-in-logs::")


def test_unknown_end_gives_start_column_only() -> None:
    (line,) = lines_of([finding(end_line=0, end_column=0)])
    assert line.startswith("::error file=app/views.py,line=3,col=5,title=no-pii-in-logs::")


def test_scan_errors_become_error_annotations() -> None:
    lines = lines_of([], errors=(("app/secret,s.py", "cannot read file: denied"),))
    assert lines == ["::error file=app/secret%2Cs.py,title=privlint::cannot read file: denied"]


def test_annotations_come_in_report_order() -> None:
    findings = sample_findings()
    forward = render_github(findings, sample_context())
    assert render_github(list(reversed(findings)), sample_context()) == forward
    assert forward.endswith("\n")


def test_step_summary_lists_every_finding() -> None:
    summary = step_summary_markdown(sample_findings(), sample_context())
    assert summary.splitlines() == [
        "## privlint",
        "",
        "4 findings (2 errors, 1 warning, 1 info) in 6 files.",
        "",
        "| Severity | Rule | Location | Categories |",
        "| --- | --- | --- | --- |",
        "| error | parse-error | walletapp/legacy.py:4 |  |",
        "| warning | no-pii-to-stdout | walletapp/reports.py:8 | user.contact.email |",
        "| info | pii-in-database | walletapp/reports.py:12 | user.name |",
        "| error | messaging-only-via-notifications | walletapp/support/chat.py:12 "
        "| user.contact.phone\\_number |",
    ]


def test_step_summary_escapes_table_cells() -> None:
    summary = step_summary_markdown(
        [finding(path="app/a|b\n<img>.py", categories=("user.x", "user.y"))], sample_context()
    )
    row = summary.splitlines()[-1]
    assert row == "| error | no-pii-in-logs | app/a\\|b \\<img\\>.py:3 | user.x, user.y |"


def test_step_summary_without_findings() -> None:
    assert step_summary_markdown([], sample_context()) == "## privlint\n\nNo findings in 6 files.\n"


def test_step_summary_stays_under_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from privlint.reporters import github

    monkeypatch.setattr(github, "SUMMARY_BUDGET", 400)
    findings = [finding(line=n, end_line=n) for n in range(1, 50)]
    summary = step_summary_markdown(findings, sample_context())
    assert len(summary.encode("utf-8")) < 500
    assert summary.rstrip().endswith("more findings not shown; see the full report.")
    shown = sum(1 for line in summary.splitlines() if line.startswith("| error |"))
    assert f"{49 - shown} more findings" in summary
