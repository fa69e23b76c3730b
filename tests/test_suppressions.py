"""`# privlint: ignore[RULE] reason` comments (SPEC §4) and the warnings about them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import scan_project

from privlint.analysis.ir import NO_POS, FunctionIR, ModuleIR, Suppression
from privlint.findings import Finding, Severity
from privlint.suppressions import apply_suppressions, suppressions_by_path


def scan_source(root: Path, source: str) -> list[tuple[str, int]]:
    """(rule id, line) of every finding in a one-file project `app.py`, in report order."""
    (root / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return sorted((finding.rule_id, finding.line) for finding in scan_project(root))


def severities(root: Path) -> dict[str, Severity]:
    return {finding.rule_id: finding.severity for finding in scan_project(root)}


def test_unsuppressed_leak_is_reported(tmp_path: Path) -> None:
    # The control for every test below: without a comment, line 5 is a finding.
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)
        """,
    )
    assert found == [("no-pii-in-logs", 5)]


def test_ignore_on_sink_line_hides_finding(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-in-logs] hashed upstream
        """,
    )
    assert found == []


def test_ignore_on_line_above_hides_finding(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            # privlint: ignore[no-pii-in-logs] hashed upstream
            logging.info(email)
        """,
    )
    assert found == []


def test_ignore_on_line_above_a_multiline_call_hides_finding(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            # privlint: ignore[no-pii-in-logs] hashed upstream
            logging.info(
                "signed up: %s",
                email,
            )
        """,
    )
    assert found == []


def test_ignore_two_lines_above_does_not_hide_finding(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            # privlint: ignore[no-pii-in-logs] hashed upstream

            logging.info(email)
        """,
    )
    assert ("no-pii-in-logs", 7) in found
    assert ("unused-suppression", 5) in found


def test_ignore_of_other_rule_does_not_hide_finding(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-to-stdout] not printed
        """,
    )
    assert found == [("no-pii-in-logs", 5), ("unused-suppression", 5)]


def test_ignore_with_several_rule_ids_hides_each_of_them(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-to-stdout, no-pii-in-logs] hashed


        def show(email):
            print(email)  # privlint: ignore[no-pii-to-stdout, no-pii-in-logs] local debug
        """,
    )
    assert found == []


def test_ignore_with_several_rule_ids_hides_only_those_rules(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-to-stdout, no-pii-in-exports] wrong
        """,
    )
    assert found == [("no-pii-in-logs", 5), ("unused-suppression", 5)]


def test_trailing_ignore_on_next_line_is_not_reported_unused(tmp_path: Path) -> None:
    # Two adjacent sink lines, each with its own trailing comment: the second
    # comment sits on its sink line, so it suppresses that finding (SPEC §4)
    # and must not be reported as unused.
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-to-stdout, no-pii-in-logs] hashed
            print(email)  # privlint: ignore[no-pii-to-stdout, no-pii-in-logs] local debug
        """,
    )
    assert found == []


def test_bare_ignore_hides_finding_and_warns_blanket_suppression(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore hashed upstream
        """,
    )
    assert found == [("blanket-suppression", 5)]
    assert severities(tmp_path)["blanket-suppression"] is Severity.WARNING


def test_ignore_without_reason_warns_suppression_without_reason(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-in-logs]
        """,
    )
    assert found == [("suppression-without-reason", 5)]
    assert severities(tmp_path)["suppression-without-reason"] is Severity.WARNING


def test_ignore_matching_nothing_warns_unused_suppression(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def count(users):
            logging.info(len(users))  # privlint: ignore[no-pii-in-logs] counts only
        """,
    )
    assert found == [("unused-suppression", 5)]
    assert severities(tmp_path)["unused-suppression"] is Severity.WARNING


def test_parse_error_cannot_be_suppressed(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        # privlint: ignore[parse-error] generated file
        def broken(:  # privlint: ignore[parse-error] generated file
            pass  # privlint: ignore generated file
        """,
    )
    assert "parse-error" in {rule_id for rule_id, _ in found}
    assert severities(tmp_path)["parse-error"] is Severity.ERROR


def test_suppression_naming_parse_error_leaves_the_parse_error_reported() -> None:
    # A file privlint can tokenize may still carry a parse-error suppression;
    # the finding must stay, and the comment is then reported as unused.
    body = FunctionIR("app", "app", (), (), NO_POS, kind="module")
    module = ModuleIR(
        "app.py",
        "app",
        False,
        (),
        body,
        (),
        (),
        suppressions=(Suppression(2, ("parse-error",), "generated file"),),
    )
    parse_error = Finding("parse-error", Severity.ERROR, "cannot parse", "app.py", 2, 0)
    result = apply_suppressions([parse_error], suppressions_by_path([module]))
    assert parse_error in result.findings
    assert result.hidden == 0
    assert "unused-suppression" in {finding.rule_id for finding in result.findings}


def messages(root: Path) -> list[tuple[str, int, str]]:
    return sorted((f.rule_id, f.line, f.message) for f in scan_project(root))


def test_unknown_rule_id_says_did_you_mean(tmp_path: Path) -> None:
    scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-in-log] hashed upstream
        """,
    )
    assert messages(tmp_path) == [
        ("no-pii-in-logs", 5, "Personal data must not be written to logs"),
        (
            "unused-suppression",
            5,
            "this suppression names 'no-pii-in-log', which is not a rule; "
            "did you mean 'no-pii-in-logs'?",
        ),
    ]


def test_unknown_rule_id_next_to_a_used_one_is_still_reported(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        import logging


        def remember(email):
            logging.info(email)  # privlint: ignore[no-pii-in-logs, no-such-thing] hashed
        """,
    )
    assert found == [("unused-suppression", 5)]
    (finding,) = scan_project(tmp_path)
    assert finding.message.endswith(
        "'no-such-thing', which is not a rule; `privlint rules` lists the rules"
    )


GENERATED = """\
    # Generated by protoc. DO NOT EDIT.
    # privlint: ignore-file[no-pii-in-logs] generated client, logs are scrubbed by the gateway
    import logging


    def remember(email):
        logging.info(email)


    def show(email):
        print(email)
        logging.warning(email)
    """


def test_ignore_file_at_the_top_hides_that_rule_in_the_whole_file(tmp_path: Path) -> None:
    assert scan_source(tmp_path, GENERATED) == [("no-pii-to-stdout", 11)]


def test_ignore_file_below_the_first_statement_covers_nothing(tmp_path: Path) -> None:
    source = GENERATED.replace("# Generated by protoc. DO NOT EDIT.\n", "import os\n")
    assert scan_source(tmp_path, source) == [
        ("no-pii-in-logs", 7),
        ("no-pii-in-logs", 12),
        ("no-pii-to-stdout", 11),
        ("unused-suppression", 2),
    ]
    unused = [f for f in scan_project(tmp_path) if f.rule_id == "unused-suppression"]
    assert "before the first statement; move it there" in unused[0].message


def test_ignore_file_follows_the_rules_of_line_suppressions(tmp_path: Path) -> None:
    found = scan_source(
        tmp_path,
        """\
        # privlint: ignore-file[no-pii-in-exports]
        # privlint: ignore-file
        import logging


        def remember(email):
            logging.info(email)
        """,
    )
    assert found == [
        ("blanket-suppression", 2),
        ("suppression-without-reason", 1),
        ("suppression-without-reason", 2),
        ("unused-suppression", 1),
    ]
    unused = [f for f in scan_project(tmp_path) if f.rule_id == "unused-suppression"]
    assert unused[0].message == (
        "this suppression of no-pii-in-exports matches no finding in this file; remove it"
    )
