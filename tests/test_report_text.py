"""The text reporter: compiler-style diagnostics a person reads in a terminal or CI log."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import PROJECT, assert_matches_golden, sample_context, sample_findings

from privlint.findings import MAX_OTHER_TRACES, Finding, Severity, Step
from privlint.reporters import REPORTERS, ReportContext, render
from privlint.reporters.text import render_text

GOLDEN = Path(__file__).parent / "golden" / "report.txt"


def finding(**fields: object) -> Finding:
    base: dict[str, object] = {
        "rule_id": "no-pii-in-logs",
        "severity": Severity.ERROR,
        "message": "Personal data must not be written to logs",
        "path": "app.py",
        "line": 2,
        "column": 4,
    }
    base.update(fields)
    return Finding(**base)  # type: ignore[arg-type]


def test_report_matches_golden() -> None:
    assert_matches_golden(render_text(sample_findings(), sample_context()), GOLDEN)


def test_text_is_registered() -> None:
    context = sample_context()
    assert REPORTERS["text"] is render_text
    assert render("text", sample_findings(), context) == render_text(sample_findings(), context)


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="json"):
        render("yaml", [], sample_context())


def test_findings_are_grouped_by_file_and_sorted_by_line() -> None:
    findings = list(reversed(sample_findings()))
    output = render_text(findings, sample_context())
    headers = [line for line in output.splitlines() if line.startswith("walletapp/")]
    assert headers == [
        "walletapp/legacy.py (1 finding)",
        "walletapp/legacy.py:4:17: error parse-error cannot parse file: expected ':'",
        "walletapp/reports.py (2 findings)",
        "walletapp/reports.py:8:9: warning no-pii-to-stdout Personal data should not be printed"
        " [user.contact.email]",
        "walletapp/reports.py:12:5: info pii-in-database Personal data is stored in the database"
        " [user.name]",
        "walletapp/support/chat.py (1 finding)",
        "walletapp/support/chat.py:12:5: error messaging-only-via-notifications Customer contact"
        " data must only be messaged through the notification service"
        " [user.contact.phone_number]",
    ]


def test_sink_line_is_marked_between_its_neighbours() -> None:
    output = render_text(sample_findings()[-1:], sample_context())
    assert "    11 |     body = format_msg(customer.phone, ticket_id)\n" in output
    assert "  > 12 |     wa.send_message(customer.phone, body)\n" in output
    assert "       |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" in output


def test_trace_is_numbered_from_source_to_sink() -> None:
    output = render_text(sample_findings()[-1:], sample_context())
    assert "    1. walletapp/support/chat.py:11      phone read from Customer.phone\n" in output
    assert "    4. walletapp/support/chat.py:12      sent by send_message()\n" in output


def test_other_traces_are_listed_by_their_start_and_the_call_into_the_sinks_function(
    tmp_path: Path,
) -> None:
    sink = Step("export.py", 5, 4, "written by writer().writerow()")
    entry = Step("export.py", 4, 11, "argument 'row' of export()")

    def through(line: int, *inside: Step) -> tuple[Step, ...]:
        read = Step("reports.py", line, 20, "read user.email")
        return (read, Step("reports.py", line + 1, 4, "passed to export()"), entry, *inside, sink)

    # Inside export(), the row goes through a helper of its own before the sink.
    encoded = through(30, Step("export.py", 5, 8, "passed to encode()"))
    direct = Step("export.py", 5, 20, "read row.email")
    shown = finding(
        path="export.py",
        line=5,
        function="shop.export.export",
        trace=through(10),
        other_traces=(through(20), encoded, (direct, sink)),
    )
    output = render_text([shown], sample_context(root=tmp_path))
    assert (
        "  also reached by 3 other traces:\n"
        "    - reports.py:20 read user.email … reports.py:21 passed to export()\n"
        "    - reports.py:30 read user.email … reports.py:31 passed to export()\n"
        "    - export.py:5 read row.email … export.py:5 written by writer().writerow()\n"
    ) in output


def test_the_call_into_a_constructor_is_named_after_its_class(tmp_path: Path) -> None:
    other = (
        Step("reports.py", 7, 20, "read user.email"),
        Step("reports.py", 7, 4, "passed to Exporter()"),
        Step("export.py", 3, 23, "argument 'row' of __init__()"),
        Step("export.py", 4, 8, "passed to clean()"),
        Step("export.py", 5, 8, "written by writer().writerow()"),
    )
    shown = finding(
        path="export.py",
        line=5,
        function="shop.export.Exporter.__init__",
        trace=(Step("export.py", 5, 8, "read self.email"),),
        other_traces=(other,),
    )
    output = render_text([shown], sample_context(root=tmp_path))
    assert "    - reports.py:7 read user.email … reports.py:7 passed to Exporter()\n" in output


def test_a_finding_with_the_most_other_traces_says_only_so_many_are_listed(tmp_path: Path) -> None:
    trace = (Step("app.py", 2, 4, "read user.email"),)
    others = tuple((Step("app.py", n, 4, "read user.email"),) for n in range(MAX_OTHER_TRACES))
    output = render_text([finding(trace=trace, other_traces=others)], sample_context(root=tmp_path))
    assert f"also reached by {MAX_OTHER_TRACES} other traces (at most" in output
    assert "also reached by" not in render_text(
        [finding(trace=trace)], sample_context(root=tmp_path)
    )


def test_summary_counts_each_severity() -> None:
    output = render_text(sample_findings(), sample_context())
    assert output.splitlines()[-1] == (
        "4 findings (2 errors, 1 warning, 1 info) in 6 files; 1 suppressed; 2 baselined;"
        " 1 scan error"
    )


def test_summary_uses_singular_for_one() -> None:
    context = ReportContext(tool_version="0", root=PROJECT, files_scanned=1)
    output = render_text([finding(severity=Severity.WARNING)], context)
    assert output.splitlines()[-1] == "1 finding (0 errors, 1 warning, 0 info) in 1 file"


def test_empty_report_says_no_findings() -> None:
    context = ReportContext(tool_version="0", root=PROJECT, files_scanned=12)
    assert render_text([], context) == "No findings in 12 files.\n"


def test_empty_report_still_mentions_hidden_findings() -> None:
    context = ReportContext(
        tool_version="0", root=PROJECT, files_scanned=3, suppressed=2, baselined=1
    )
    assert render_text([], context) == "No findings in 3 files; 2 suppressed; 1 baselined.\n"


def test_plain_output_has_no_ansi_codes() -> None:
    output = render_text(sample_findings(), sample_context(color=False))
    assert "\x1b[" not in output


def test_colour_output_has_ansi_codes() -> None:
    output = render_text(sample_findings(), sample_context(color=True))
    assert "\x1b[" in output
    # Colour changes styling only, never the text.
    plain = render_text(sample_findings(), sample_context(color=False))
    assert _strip_ansi(output) == plain


def test_source_cannot_inject_terminal_codes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'def f(email):\n    log.info("\x1b[2J%s\u202e", email)\n', encoding="utf-8"
    )
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([finding(message="evil \x1b]8;;x\x07")], context)
    assert "\x1b" not in output
    assert "\u202e" not in output
    assert '  > 2 |     log.info("\\x1b[2J%s\\u202e", email)' in output


def test_tabs_are_expanded_and_caret_stays_under_the_call(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def f(email):\n\tlog.info(email)\n", encoding="utf-8")
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([finding(column=1, end_line=2, end_column=16)], context)
    assert "  > 2 |         log.info(email)\n      |         ^^^^^^^^^^^^^^^\n" in output


def test_unreadable_source_falls_back_to_snippet(tmp_path: Path) -> None:
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([finding(line=40, snippet="    log.info(email)")], context)
    assert "  > 40 |     log.info(email)\n" in output


def test_finding_without_source_or_snippet_shows_header_only(tmp_path: Path) -> None:
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    context = replace(context, findings_only=True)
    output = render_text([finding()], context)
    assert output == (
        "app.py (1 finding)\n"
        "app.py:2:5: error no-pii-in-logs Personal data must not be written to logs\n"
        "\n"
    )


def test_report_ends_with_counts_by_rule_category_and_folder_then_next_steps(
    tmp_path: Path,
) -> None:
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=3)
    findings = [
        finding(path="app/views.py", categories=("user.contact.email",)),
        finding(path="app/views.py", line=9, categories=("user.contact.email", "user.name")),
        finding(path="jobs/export.py", rule_id="no-pii-in-exports", categories=("user.name",)),
        finding(path="setup.py", rule_id="parse-error", message="cannot parse file"),
    ]
    tail = render_text(findings, context).split("\n\n")[-1]
    assert tail == (
        "Findings by rule:\n"
        "  2  no-pii-in-logs\n"
        "  1  no-pii-in-exports\n"
        "  1  parse-error\n"
        "Findings by category:\n"
        "  2  user.contact.email\n"
        "  2  user.name\n"
        "Findings by folder:\n"
        "  2  app/\n"
        "  1  jobs/\n"
        "  1  setup.py\n"
        "Next:\n"
        "  privlint explain no-pii-in-logs  what the rule checks, what to write\n"
        "  privlint baseline                accept today's findings; then only new ones fail\n"
        "4 findings (4 errors, 0 warnings, 0 info) in 3 files\n"
    )


def test_summary_says_how_many_findings_the_diff_left_out() -> None:
    output = render_text(sample_findings(), sample_context(outside_diff=3))
    assert output.splitlines()[-1].endswith("; 2 baselined; 3 outside the diff; 1 scan error")


def test_source_lines_are_cached_and_numbered_like_the_parser(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(b"a = 1\r\nb = '\x0c'\rc = 3\n")
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    lines = context.source_lines("app.py")
    assert lines == ["a = 1", "b = '\x0c'", "c = 3"]
    assert context.source_lines("app.py") is lines
    assert context.source_lines("missing.py") == []


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_a_very_long_line_is_cut_around_the_sink_call(tmp_path: Path) -> None:
    padding = "x = [" + "1, " * 2000 + "]; "
    sink_line = padding + "logger.info(email); z = [" + "2, " * 2000 + "]  # generated"
    (tmp_path / "app.py").write_text(f"import logging\n{sink_line}\n{'y = 2; ' * 900}\n")
    column = len(padding)
    long = finding(line=2, column=column, end_line=2, end_column=column + len("logger.info(email)"))
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([long], context)
    assert max(len(line) for line in output.splitlines()) < 200
    marked = next(line for line in output.splitlines() if line.startswith("  > 2 |"))
    caret = output.splitlines()[output.splitlines().index(marked) + 1]
    assert marked.startswith("  > 2 | …") and marked.endswith("…")
    start = caret.index("^")
    assert marked[start : start + len("logger.info(email)")] == "logger.info(email)"
    assert caret.count("^") == len("logger.info(email)")


def test_a_multi_line_sink_call_is_shown_whole(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def signup(user):\n"
        "    log.info(\n"
        '        "signed up %s",\n'
        "        user.email,\n"
        "    )\n"
        "    return user\n",
        encoding="utf-8",
    )
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([finding(line=2, end_line=5, end_column=5)], context)
    assert (
        "    1 | def signup(user):\n"
        "  > 2 |     log.info(\n"
        "      |     ^^^^^^^^^\n"
        '  > 3 |         "signed up %s",\n'
        "  > 4 |         user.email,\n"
        "  > 5 |     )\n"
        "    6 |     return user\n"
    ) in output


def test_a_very_long_sink_call_is_cut_after_its_first_lines(tmp_path: Path) -> None:
    lines = ["log.info(", *[f"    a{n}," for n in range(30)], ")"]
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    context = ReportContext(tool_version="0", root=tmp_path, files_scanned=1)
    output = render_text([finding(line=1, column=0, end_line=32, end_column=1)], context)
    marked = [line for line in output.splitlines() if line.startswith("  > ")]
    assert len(marked) == 8
    assert "a8," not in output
