"""`check` options can be written in the policy (`check:`); the command line wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privlint.cli import app

UNUSED_SUPPRESSION = "x = 1  # privlint: ignore[no-pii-in-logs] old\n"  # a warning only


def _project(tmp_path: Path, check: str) -> Path:
    (tmp_path / "privlint.yaml").write_text(f"version: 1\ncheck:\n{check}", encoding="utf-8")
    (tmp_path / "app.py").write_text(UNUSED_SUPPRESSION, encoding="utf-8")
    return tmp_path


def _check(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout


def test_policy_sets_format_severity_and_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "  format: json\n  severity: warning\n  cache: false\n  jobs: 1\n")
    code, out = _check(project, monkeypatch)
    assert code == 1  # the warning fails the run because the policy says so
    assert json.loads(out)["findings"][0]["rule_id"] == "unused-suppression"
    assert not (project / ".privlint_cache").exists()


def test_command_line_wins_over_the_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, "  format: json\n  severity: warning\n")
    code, out = _check(project, monkeypatch, "--format", "text", "--severity", "error")
    assert code == 0
    assert "unused-suppression" in out and not out.lstrip().startswith("{")


def test_bad_check_settings_are_located_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "  format: xml\n  jobs: 0\n  colour: true\n")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "privlint.yaml:3:11" in result.stderr and "format" in result.stderr
    assert "privlint.yaml:4:9" in result.stderr
    assert "unknown key 'colour'" in result.stderr
