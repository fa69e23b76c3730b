"""Test code is not analysed by default, so a production finding never depends on it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, scan_project

from privlint.discover import without_test_code

PROJECT = FIXTURES / "projects" / "test_code"


def _reported(root: Path) -> set[tuple[str, int]]:
    return {(f.path, f.line) for f in scan_project(root)}


def test_tests_are_neither_reported_nor_a_source_of_flows() -> None:
    assert _reported(PROJECT) == {("app/signup.py", 12)}


def test_a_policy_that_includes_tests_analyses_them(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    (project / "privlint.yaml").write_text('version: 1\ninclude: ["**/*.py", "tests/**"]\n')
    reported = _reported(project)
    assert ("tests/test_audit.py", 8) in reported
    assert ("app/audit.py", 9) in reported  # the flow that starts in the test


def test_test_code_patterns_are_added_to_the_policys_exclude() -> None:
    assert without_test_code(["**/*.py"], ["build/**"])[:1] == ("build/**",)
    assert "conftest.py" in without_test_code(["**/*.py"], [])
    assert without_test_code(["src/**", "tests/**"], ["build/**"]) == ("build/**",)
