"""The command-line conventions ruff and flake8 users expect: rule selection, --exit-zero,
short options, completion, --quiet, --statistics and the colour variables."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privlint import __version__
from privlint.cli import app

# Two rules fire: a log line and a print.
TWO_RULES = """\
import logging


def remember(email):
    logging.info("signed up: %s", email)
    print(email)
"""


def privlint(*args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process; colour variables only as `env` sets them."""
    colour: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None}
    return CliRunner().invoke(app, list(args), env={**colour, **(env or {})})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a log leak and a print leak, as the cwd."""
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "PRE_COMMIT_FROM_REF"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "privlint.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(textwrap.dedent(TWO_RULES), encoding="utf-8")
    return tmp_path


def reported_rules(result: Result) -> list[str]:
    return sorted({finding["rule_id"] for finding in json.loads(result.stdout)["findings"]})


def test_both_rules_fire_without_selection(project: Path) -> None:
    assert reported_rules(privlint("check", "-f", "json")) == ["no-pii-in-logs", "no-pii-to-stdout"]


def test_select_keeps_only_the_named_rules(project: Path) -> None:
    result = privlint("check", "-f", "json", "--select", "no-pii-in-logs")
    assert reported_rules(result) == ["no-pii-in-logs"]


def test_ignore_drops_the_named_rules(project: Path) -> None:
    result = privlint("check", "-f", "json", "--ignore", "no-pii-in-logs,unused-suppression")
    assert reported_rules(result) == ["no-pii-to-stdout"]


def test_ignore_wins_over_select(project: Path) -> None:
    result = privlint(
        "check", "-f", "json", "--select", "no-pii-in-logs", "--ignore", "no-pii-in-logs"
    )
    assert result.exit_code == 0
    assert reported_rules(result) == []


def test_a_file_that_does_not_parse_is_reported_whatever_is_selected(project: Path) -> None:
    (project / "broken.py").write_text("def broken(:\n", encoding="utf-8")
    options = ("--select", "no-pii-in-logs", "--ignore", "parse-error")
    result = privlint("check", "-f", "json", *options)
    assert reported_rules(result) == ["no-pii-in-logs", "parse-error"]


def test_an_unknown_rule_id_is_a_usage_error_with_a_suggestion(project: Path) -> None:
    result = privlint("check", "--select", "no-pii-in-log")
    assert result.exit_code == 2
    assert "did you mean 'no-pii-in-logs'?" in result.stderr


def test_exit_zero_reports_the_findings_and_exits_0(project: Path) -> None:
    result = privlint("check", "--exit-zero")
    assert result.exit_code == 0
    assert "no-pii-in-logs" in result.stdout


def test_exit_zero_still_exits_2_on_a_usage_error(project: Path) -> None:
    assert privlint("check", "--exit-zero", "missing.py").exit_code == 2


def test_short_output_option_writes_the_report(project: Path) -> None:
    result = privlint("check", "-f", "sarif", "-o", "report.sarif")
    assert result.stdout == ""
    assert json.loads((project / "report.sarif").read_text())["version"] == "2.1.0"


def test_short_help_and_version() -> None:
    assert "Usage" in privlint("-h").stdout
    assert "--select" in privlint("check", "-h").stdout
    assert privlint("-V").stdout == f"privlint {__version__}\n"


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in privlint("--help").stdout
    assert "--show-completion" in privlint("--help").stdout


def test_quiet_text_report_lists_findings_only(project: Path) -> None:
    loud = privlint("check")
    quiet = privlint("check", "-q")
    assert "Findings by rule:" in loud.stdout
    assert "Findings by rule:" not in quiet.stdout
    assert "2 findings (" not in quiet.stdout
    assert "app.py:5:5: error no-pii-in-logs" in quiet.stdout
    assert quiet.exit_code == 1


def test_statistics_counts_findings_per_rule(project: Path) -> None:
    result = privlint("check", "--statistics")
    assert result.stdout == "  1  no-pii-in-logs\n  1  no-pii-to-stdout\n"
    assert result.exit_code == 1


def test_statistics_with_a_machine_format_is_a_usage_error(project: Path) -> None:
    result = privlint("check", "--statistics", "-f", "json")
    assert result.exit_code == 2
    assert "--statistics" in result.stderr


def test_force_color_colours_a_piped_report(project: Path) -> None:
    assert "\x1b[" not in privlint("check").stdout
    assert "\x1b[" in privlint("check", env={"FORCE_COLOR": "1"}).stdout


def test_no_color_wins_over_force_color(project: Path) -> None:
    result = privlint("check", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout


def test_explain_renders_markdown_for_a_terminal() -> None:
    rendered = privlint("explain", "no-pii-in-logs", env={"FORCE_COLOR": "1"}).stdout
    assert "Why it matters" in rendered
    assert "## Why it matters" not in rendered
    assert "```python" not in rendered
    assert "\x1b[" in rendered


def test_explain_prints_markdown_as_written_to_a_pipe() -> None:
    plain = privlint("explain", "no-pii-in-logs").stdout
    assert plain.startswith("# no-pii-in-logs (error)\n")
    assert "## Why it matters" in plain
    assert "\x1b[" not in plain


def test_every_check_option_and_command_is_in_the_readme() -> None:
    import typer.main

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app)
    check = command.commands["check"]  # type: ignore[attr-defined]
    for parameter in check.params:
        for option in parameter.opts:
            if option.startswith("-") and option != "--help":
                assert f"`{option}" in readme or f"{option}`" in readme, option
    for name in command.commands:  # type: ignore[attr-defined]
        assert f"privlint {name}" in readme, name
