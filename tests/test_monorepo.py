"""Monorepos: files of several projects passed in one run (pre-commit does this from
the repository root) are each judged under their nearest policy, each project is
analysed as its own program, and report paths are relative to the current folder
(or, run from inside a project, to the git root)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privlint.cli import app

AUDIT_POLICY = (
    "version: 1\n"
    "sinks: [{id: audit, kind: database, calls: [audit.record]}]\n"
    "rules: [{id: no-pii-in-audit, categories: [user], sinks: {ids: [audit]}}]\n"
)
QUIET_LOGS_POLICY = "version: 1\nrules: [{id: no-pii-in-logs, enabled: false}]\n"
AUDIT_LEAK = "import audit\n\n\ndef f(email):\n    audit.record(email)\n"
LOG_LEAK = "import logging\n\n\ndef g(email):\n    logging.info(email)\n"


def write(root: Path, files: dict[str, str], in_git: bool = False) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if in_git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    files = {
        "billing/privlint.yaml": AUDIT_POLICY,
        "billing/app.py": AUDIT_LEAK,
        "search/privlint.yaml": QUIET_LOGS_POLICY,
        "search/app.py": LOG_LEAK,  # allowed there: its policy turns the rule off
        "search/audit_use.py": AUDIT_LEAK,  # no audit sink in search's policy
    }
    return write(tmp_path, files)


def reported(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[tuple[str, str]]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["check", "--no-cache", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    return sorted((finding["path"], finding["rule_id"]) for finding in findings)


@pytest.mark.parametrize(
    "order",
    [
        ("billing/app.py", "search/app.py", "search/audit_use.py"),
        ("search/audit_use.py", "search/app.py", "billing/app.py"),
    ],
    ids=["billing first", "search first"],
)
def test_each_file_is_judged_under_its_nearest_policy(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, ...]
) -> None:
    assert reported(monorepo, monkeypatch, *order) == [("billing/app.py", "no-pii-in-audit")]


def test_paths_are_relative_to_the_current_folder_in_sarif(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(monorepo)
    args = ["check", "--no-cache", "--format", "sarif", "billing/app.py", "search/app.py"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    [run] = json.loads(result.stdout)["runs"]
    [location] = run["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "billing/app.py"


def test_other_traces_have_paths_from_the_current_folder(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    callers = (
        "from app import f\n\n\ndef a(email):\n    f(email)\n\n\ndef b(email):\n    f(email)\n"
    )
    write(monorepo, {"billing/calls.py": callers})
    monkeypatch.chdir(monorepo)
    result = CliRunner().invoke(app, ["check", "--no-cache", "--format", "json", "billing"])
    (finding,) = json.loads(result.stdout)["findings"]
    paths = {step["path"] for trace in finding["other_traces"] for step in trace}
    assert finding["other_traces"] and paths <= {"billing/app.py", "billing/calls.py"}


def test_a_folder_of_one_project_reports_paths_from_the_current_folder(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert reported(monorepo, monkeypatch, "billing") == [("billing/app.py", "no-pii-in-audit")]


def test_run_from_inside_a_project_reports_paths_from_the_git_root(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q"], cwd=monorepo, check=True)
    (monorepo / "billing" / "sub").mkdir()
    monkeypatch.chdir(monorepo / "billing" / "sub")
    result = CliRunner().invoke(app, ["check", "--no-cache", "--format", "github"])
    assert result.exit_code == 1, result.output
    assert "::error file=billing/app.py,line=5," in result.stdout


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "repository"])
def test_a_project_nested_in_another_is_judged_under_its_own_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_git: bool
) -> None:
    files = {
        "privlint.yaml": QUIET_LOGS_POLICY,  # the outer project allows logging
        "tools/app.py": LOG_LEAK,
        "billing/privlint.yaml": "version: 1\n",  # the inner one does not
        "billing/app.py": LOG_LEAK,
        "billing/legacy/privlint.yaml": QUIET_LOGS_POLICY,  # nested twice: allowed again
        "billing/legacy/old.py": LOG_LEAK,
    }
    write(tmp_path, files, in_git)
    assert reported(tmp_path, monkeypatch) == [("billing/app.py", "no-pii-in-logs")]
    assert reported(tmp_path, monkeypatch, "--config", "privlint.yaml") == []
    # pre-commit passing a file of the outer project asks nothing of the inner one
    assert reported(tmp_path, monkeypatch, "tools/app.py") == []


@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "repository"])
def test_a_policy_in_an_excluded_folder_makes_no_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_git: bool
) -> None:
    files = {
        "privlint.yaml": "version: 1\nexclude: ['tests/**']\n",
        "app.py": LOG_LEAK,
        "tests/fixtures/broken/privlint.yaml": "version: 1\nrules: [\n",  # a test's input
    }
    write(tmp_path, files, in_git)
    assert reported(tmp_path, monkeypatch) == [("app.py", "no-pii-in-logs")]
