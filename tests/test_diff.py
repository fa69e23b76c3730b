"""Pull-request mode (`check --diff REF`): only findings on lines changed since REF."""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from privlint.cli import app
from privlint.findings import Finding, Severity, Step
from privlint.gitdiff import ChangedLines, in_diff, parse_unified_diff

OLD_LEAK = """\
import logging


def signup(email):
    logging.info("signed up: %s", email)
"""

# The second commit adds a leak below the old one and an unrelated clean edit.
OLD_AND_NEW_LEAK = """\
import logging


def signup(email):
    logging.info("signed up: %s", email)


def unsubscribe(email):
    logging.warning("unsubscribed: %s", email)
"""

HELPER = """\
def label(user):
    return user.name
"""

HELPER_LEAKING = """\
def label(user):
    return user.email
"""

USES_HELPER = """\
import logging

from app.helper import label


def greet(user):
    logging.info("hello %s", label(user))
"""


def privlint(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


GIT_IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repo whose first commit has a leak and whose second commit adds another."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    git(tmp_path, "init", "-q")
    commit(tmp_path, {"privlint.yaml": "version: 1\n", "app/signup.py": OLD_LEAK}, "old leak")
    commit(tmp_path, {"app/signup.py": OLD_AND_NEW_LEAK}, "new leak")
    return tmp_path


def report(*args: str) -> tuple[Result, dict[str, Any]]:
    result = privlint("check", "--format", "json", *args)
    return result, json.loads(result.stdout)


def lines_of(result_report: dict[str, Any]) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in result_report["findings"]]


def test_without_diff_both_leaks_are_reported(repo: Path) -> None:
    result, found = report()
    assert result.exit_code == 1
    assert lines_of(found) == [("app/signup.py", 5), ("app/signup.py", 9)]


def test_diff_reports_only_the_leak_of_the_last_commit(repo: Path) -> None:
    result, found = report("--diff", "HEAD~1")
    assert result.exit_code == 1, result.output
    assert lines_of(found) == [("app/signup.py", 9)]


def test_diff_against_head_of_a_clean_tree_reports_nothing(repo: Path) -> None:
    result, found = report("--diff", "HEAD")
    assert result.exit_code == 0, result.output
    assert found["findings"] == []


def test_uncommitted_edits_count_as_changed(repo: Path) -> None:
    write(repo, {"app/signup.py": OLD_AND_NEW_LEAK.replace("signed up", "registered")})
    result, found = report("--diff", "HEAD")
    assert result.exit_code == 1
    assert lines_of(found) == [("app/signup.py", 5)]


def test_untracked_files_count_as_wholly_changed(repo: Path) -> None:
    write(repo, {"app/fresh.py": OLD_LEAK})
    result, found = report("--diff", "HEAD")
    assert result.exit_code == 1
    assert lines_of(found) == [("app/fresh.py", 5)]


def test_a_change_on_a_trace_step_reports_the_flow(repo: Path) -> None:
    commit(repo, {"app/helper.py": HELPER, "app/greet.py": USES_HELPER}, "helper")
    write(repo, {"app/helper.py": HELPER_LEAKING})
    result, found = report("--diff", "HEAD")
    assert result.exit_code == 1, result.output
    assert lines_of(found) == [("app/greet.py", 7)]


def test_pre_commit_from_ref_is_the_default(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", git(repo, "rev-parse", "HEAD~1").strip())
    result, found = report()
    assert result.exit_code == 1
    assert lines_of(found) == [("app/signup.py", 9)]


def test_project_in_a_subfolder_of_the_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    git(tmp_path, "init", "-q")
    project = tmp_path / "services" / "web"
    commit(tmp_path, {"services/web/privlint.yaml": "version: 1\n", "README": "x\n"}, "first")
    write(project, {"app/signup.py": OLD_LEAK})
    monkeypatch.chdir(project)
    result, found = report("--diff", "HEAD")
    assert result.exit_code == 1, result.output
    assert lines_of(found) == [("app/signup.py", 5)]


def test_unknown_ref_exits_2(repo: Path) -> None:
    result = privlint("check", "--diff", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git ref 'no-such-branch'" in result.stderr


def test_option_like_ref_exits_2(repo: Path) -> None:
    result = privlint("check", "--diff=--output=x")
    assert result.exit_code == 2
    assert "invalid git ref" in result.stderr


def test_outside_a_git_repo_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path, {"privlint.yaml": "version: 1\n", "app/signup.py": OLD_LEAK})
    result = privlint("check", "--diff", "HEAD")
    assert result.exit_code == 2
    assert "git repository" in result.stderr


# ------------------------------------------------------------------ parsing


def test_parse_unified_diff_counts_added_lines_only() -> None:
    diff = textwrap.dedent(
        """\
        diff --git a/app/x.py b/app/x.py
        --- a/app/x.py
        +++ b/app/x.py
        @@ -3 +3 @@ def f():
        -    old()
        +    new()
        @@ -10,2 +9,0 @@
        -gone()
        -gone()
        @@ -20,0 +20,3 @@
        +++added = 1
        +b
        +c
        \\ No newline at end of file
        diff --git a/old.py b/old.py
        --- a/old.py
        +++ /dev/null
        @@ -1 +0,0 @@
        -x
        diff --git "a/we\\"ird\\303\\251.py" "b/we\\"ird\\303\\251.py"
        --- "a/we\\"ird\\303\\251.py"
        +++ "b/we\\"ird\\303\\251.py"
        @@ -1 +1 @@
        -a
        +b
        """
    )
    assert parse_unified_diff(diff) == {"app/x.py": {3, 20, 21, 22}, 'we"irdé.py': {1}}


def sink_finding(line: int, trace: tuple[Step, ...] = (), end_line: int = 0) -> Finding:
    return Finding("r", Severity.ERROR, "m", "a.py", line, 0, end_line=end_line, trace=trace)


def test_a_finding_is_in_the_diff_through_any_line_of_a_multiline_sink() -> None:
    changed = ChangedLines("HEAD", {"a.py": frozenset({12})})
    assert in_diff(sink_finding(10, end_line=12), changed)
    assert not in_diff(sink_finding(10, end_line=11), changed)


def test_a_finding_is_in_the_diff_through_a_trace_step_in_another_file() -> None:
    changed = ChangedLines("HEAD", {"b.py": frozenset({3})})
    assert in_diff(sink_finding(10, trace=(Step("b.py", 3, 0, "read"),)), changed)
    assert not in_diff(sink_finding(10, trace=(Step("b.py", 4, 0, "read"),)), changed)


def test_a_finding_is_in_the_diff_through_a_step_of_another_trace() -> None:
    changed = ChangedLines("HEAD", {"b.py": frozenset({3})})
    shown = (Step("c.py", 1, 0, "read"),)
    caller = (Step("b.py", 3, 0, "passed to export()"),)
    assert in_diff(replace(sink_finding(10, trace=shown), other_traces=(caller,)), changed)
    assert not in_diff(sink_finding(10, trace=shown), changed)


def test_a_parse_error_is_in_the_diff_when_its_file_changed() -> None:
    broken = Finding("parse-error", Severity.ERROR, "m", "a.py", 1, 0)
    assert in_diff(broken, ChangedLines("HEAD", {"a.py": frozenset({40})}))
    assert not in_diff(broken, ChangedLines("HEAD", {"b.py": frozenset({1})}))


def test_diff_says_how_many_findings_it_left_out(repo: Path) -> None:
    result = privlint("check", "--diff", "HEAD~1")
    assert "--diff HEAD~1: 1 of 2 findings are outside the changed lines" in result.stderr
    assert result.stdout.splitlines()[-1].endswith("; 1 outside the diff")
    quiet = privlint("check", "--diff", "HEAD~1", "--quiet")
    assert quiet.stderr == ""
