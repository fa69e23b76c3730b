"""Baselines (SPEC §4): accept today's findings, fail only on new ones, survive moved code."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from privlint.baseline import BASELINE_FILE, load_baseline
from privlint.cli import app
from privlint.findings import Finding, Severity, fingerprint

POLICY = "version: 1\n"

# Two leaks in two files, one of them twice on identical lines (occurrence index).
SIGNUP = """\
import logging

logger = logging.getLogger(__name__)


def signup(email):
    logger.info("signed up: %s", email)
    logger.info("signed up: %s", email)
"""

RESET = """\
def reset(phone_number):
    print("reset for", phone_number)
"""

NEW_LEAK = """\
import logging


def unsubscribe(email):
    logging.warning("unsubscribed: %s", email)
"""


def privlint(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with three accepted leaks, as the cwd."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"privlint.yaml": POLICY, "app/signup.py": SIGNUP, "app/reset.py": RESET})
    return tmp_path


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def make_baseline() -> dict[str, Any]:
    result = privlint("baseline")
    assert result.exit_code == 0, result.output
    document = json.loads(Path(BASELINE_FILE).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def check_json(*args: str) -> tuple[Result, dict[str, Any]]:
    result = privlint("check", "--format", "json", "--baseline", BASELINE_FILE, *args)
    return result, json.loads(result.stdout)


def test_baseline_file_lists_every_finding_with_context(project: Path) -> None:
    document = make_baseline()
    assert document["version"] == 1
    assert document["tool"]["name"] == "privlint"
    entries = document["findings"]
    assert [(e["path"], e["rule_id"]) for e in entries] == [
        ("app/reset.py", "no-pii-to-stdout"),
        ("app/signup.py", "no-pii-in-logs"),
        ("app/signup.py", "no-pii-in-logs"),
    ]
    assert entries[0]["context"] == 'print("reset for", phone_number)'
    assert len({entry["fingerprint"] for entry in entries}) == 3
    assert list(entries[0]) == ["fingerprint", "rule_id", "path", "context"]


def test_baseline_is_byte_identical_when_rewritten(project: Path) -> None:
    make_baseline()
    first = Path(BASELINE_FILE).read_bytes()
    make_baseline()
    assert Path(BASELINE_FILE).read_bytes() == first


def test_baseline_output_option_writes_elsewhere(project: Path) -> None:
    result = privlint("baseline", "--output", "ci/accepted.json")
    assert result.exit_code == 0, result.output
    assert len(load_baseline(project / "ci" / "accepted.json")) == 3
    assert not (project / BASELINE_FILE).exists()


def test_baseline_hides_all_current_findings(project: Path) -> None:
    make_baseline()
    result, report = check_json()
    assert result.exit_code == 0, result.output
    assert report["findings"] == []
    assert report["summary"]["baselined"] == 3


def test_text_summary_says_how_many_were_baselined(project: Path) -> None:
    make_baseline()
    result = privlint("check", "--baseline", BASELINE_FILE)
    assert result.exit_code == 0, result.output
    assert "3 baselined" in result.stdout


def test_new_leak_still_fails_with_baseline(project: Path) -> None:
    make_baseline()
    write(project, {"app/unsubscribe.py": NEW_LEAK})
    result, report = check_json()
    assert result.exit_code == 1, result.output
    assert [(f["path"], f["rule_id"]) for f in report["findings"]] == [
        ("app/unsubscribe.py", "no-pii-in-logs")
    ]
    assert report["summary"]["baselined"] == 3


NOTIFY = """\
from app.signup import signup


def invite(email):
    signup(email)
"""


def test_an_accepted_helper_gaining_a_caller_stays_accepted(project: Path) -> None:
    make_baseline()
    write(project, {"app/notify.py": NOTIFY})  # a second trace into signup()'s log calls
    result, report = check_json()
    assert result.exit_code == 0, result.output
    assert report["findings"] == []
    assert report["summary"]["baselined"] == 3


def test_third_copy_of_an_accepted_line_is_new(project: Path) -> None:
    make_baseline()
    tripled = SIGNUP + '    logger.info("signed up: %s", email)\n'
    write(project, {"app/signup.py": tripled})
    result, report = check_json()
    assert result.exit_code == 1, result.output
    assert len(report["findings"]) == 1


def test_inserting_ten_lines_at_the_top_keeps_the_baseline_matching(project: Path) -> None:
    make_baseline()
    header = "".join(f"# line {n} of a new licence header\n" for n in range(10))
    write(project, {"app/signup.py": header + SIGNUP, "app/reset.py": header + RESET})
    result, report = check_json()
    assert result.exit_code == 0, result.output
    assert report["summary"]["baselined"] == 3
    assert "no longer match" not in result.stderr


def test_reformatting_around_the_sink_keeps_the_baseline_matching(project: Path) -> None:
    make_baseline()
    reformatted = """\
        import logging



        logger = logging.getLogger(
            __name__
        )


        def signup(email):
            if True:
                logger.info( "signed up: %s",  email )   # still accepted


            logger.info("signed up: %s", email)
        """
    write(project, {"app/signup.py": reformatted})
    result, report = check_json()
    assert result.exit_code == 0, result.output
    assert report["summary"]["baselined"] == 3


def test_stale_entries_are_counted_and_listed_with_verbose(project: Path) -> None:
    make_baseline()
    write(project, {"app/reset.py": "def reset(phone_number):\n    return None\n"})
    result = privlint("check", "--baseline", BASELINE_FILE)
    assert result.exit_code == 0, result.output
    assert "1 baseline entry no longer match" in result.stderr
    assert "privlint baseline" in result.stderr
    assert "app/reset.py" not in result.stderr

    verbose = privlint("check", "--baseline", BASELINE_FILE, "--verbose")
    assert "app/reset.py: no-pii-to-stdout" in verbose.stderr


def test_entries_of_files_outside_the_checked_paths_are_not_stale(project: Path) -> None:
    make_baseline()
    result = privlint("check", "--baseline", BASELINE_FILE, "app/signup.py")
    assert result.exit_code == 0, result.output
    assert "no longer match" not in result.stderr


def test_entries_of_a_deleted_file_are_stale(project: Path) -> None:
    make_baseline()
    (project / "app" / "reset.py").unlink()
    result = privlint("check", "--baseline", BASELINE_FILE)
    assert "1 baseline entry no longer match" in result.stderr


def test_missing_baseline_file_exits_2(project: Path) -> None:
    result = privlint("check", "--baseline", "nowhere.json")
    assert result.exit_code == 2
    assert "nowhere.json" in result.stderr and "not found" in result.stderr


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"version": 7, "findings": []}', "unsupported baseline version"),
        ('{"version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"version": 1, "findings": [{"rule_id": "x"}]}', "findings[0]"),
    ],
)
def test_invalid_baseline_file_exits_2(project: Path, text: str, problem: str) -> None:
    (project / "bad.json").write_text(text, encoding="utf-8")
    result = privlint("check", "--baseline", "bad.json")
    assert result.exit_code == 2, result.output
    assert problem in result.stderr
    assert "bad.json" in result.stderr


def test_parse_errors_are_never_baselined(project: Path) -> None:
    write(project, {"app/broken.py": "def broken(:\n"})
    document = make_baseline()
    assert "parse-error" not in {entry["rule_id"] for entry in document["findings"]}
    result, report = check_json()
    assert result.exit_code == 1
    assert [f["rule_id"] for f in report["findings"]] == ["parse-error"]


def finding(snippet: str, line: int = 7) -> Finding:
    return Finding(
        rule_id="no-pii-in-logs",
        severity=Severity.ERROR,
        message="m",
        path="app/signup.py",
        line=line,
        column=4,
        sink_call="logger.info",
        categories=("user.contact.email",),
        snippet=snippet,
    )


def test_fingerprint_ignores_line_numbers_whitespace_and_comments() -> None:
    base = fingerprint(finding('logger.info("signed up: %s", email)'))
    assert fingerprint(finding('logger.info("signed up: %s", email)', line=90)) == base
    assert fingerprint(finding('    logger.info( "signed up: %s",email )')) == base
    assert fingerprint(finding('logger.info("signed up: %s", email)  # noqa')) == base


def test_fingerprint_keeps_a_hash_inside_a_string() -> None:
    assert fingerprint(finding('logger.info("#%s", email)')) != fingerprint(
        finding('logger.info("", email)')
    )


def test_fingerprint_changes_with_the_sink_code() -> None:
    assert fingerprint(finding('logger.info("a %s", email)')) != fingerprint(
        finding('logger.info("b %s", email)')
    )
