"""The `privlint` command: exit codes, options and subcommands as SPEC §1 fixes them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from privlint import __version__
from privlint.cli import app
from privlint.config import load_policy

REPO = Path(__file__).parent.parent
WALLETAPP = REPO / "examples" / "walletapp"

LEAK = """\
import logging


def remember(email):
    logging.info("signed up: %s", email)
"""

CLEAN = """\
import logging


def count(users):
    logging.info("%d users", len(users))
"""

# A suppression on a line with no finding: only an `unused-suppression` warning.
UNUSED_SUPPRESSION = """\
total = 1  # privlint: ignore[no-pii-in-logs] kept from an old refactor
"""

ANSI_ESCAPE = "\x1b["


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def privlint(*args: str) -> Result:
    """Run the CLI in-process in the current folder; stdout and stderr kept apart."""
    return CliRunner().invoke(app, list(args))


def run_module(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m privlint` as a real process, the way pre-commit and CI do."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "privlint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def json_report(text: str) -> dict[str, Any]:
    report = json.loads(text)
    assert isinstance(report, dict)
    return report


def rule_ids(report: dict[str, Any]) -> list[str]:
    return [finding["rule_id"] for finding in report["findings"]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the cwd."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------- exit codes


def test_clean_project_exits_0(project: Path) -> None:
    write(project, {"app.py": CLEAN})
    result = privlint("check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json_report(result.stdout)["findings"] == []


def test_finding_at_default_severity_exits_1(project: Path) -> None:
    write(project, {"leak.py": LEAK})
    result = privlint("check")
    assert result.exit_code == 1, result.output
    assert "no-pii-in-logs" in result.stdout


def test_warning_only_result_exits_0_by_default(project: Path) -> None:
    write(project, {"app.py": UNUSED_SUPPRESSION})
    result = privlint("check", "--format", "json")
    assert result.exit_code == 0, result.output
    # SPEC §3a: every finding appears in the report; --severity only sets what fails.
    assert rule_ids(json_report(result.stdout)) == ["unused-suppression"]


def test_warning_fails_run_with_severity_warning(project: Path) -> None:
    write(project, {"app.py": UNUSED_SUPPRESSION})
    result = privlint("check", "--severity", "warning")
    assert result.exit_code == 1, result.output


def test_warning_fails_run_with_severity_info(project: Path) -> None:
    write(project, {"app.py": UNUSED_SUPPRESSION})
    assert privlint("check", "--severity", "info").exit_code == 1


def test_error_fails_run_with_severity_error(project: Path) -> None:
    write(project, {"leak.py": LEAK})
    assert privlint("check", "--severity", "error").exit_code == 1


def test_invalid_config_exits_2_with_location(project: Path) -> None:
    write(project, {"app.py": CLEAN})
    write(
        project,
        {
            "privlint.yaml": """\
                version: 1
                rules:
                  - id: no-pii-in-logs
                    severity: fatal
                """
        },
    )
    result = privlint("check")
    assert result.exit_code == 2, result.output
    assert re.search(r"privlint\.yaml:4:\d+", result.stderr), result.stderr
    assert "Traceback" not in result.output


def test_config_with_yaml_syntax_error_exits_2_with_location(project: Path) -> None:
    write(project, {"app.py": CLEAN, "privlint.yaml": "version: 1\ninclude: [\n"})
    result = privlint("check")
    assert result.exit_code == 2, result.output
    assert re.search(r"privlint\.yaml:\d+:\d+", result.stderr), result.stderr
    assert "Traceback" not in result.output


def test_unknown_option_exits_2(project: Path) -> None:
    write(project, {"app.py": CLEAN})
    result = privlint("check", "--no-such-option")
    assert result.exit_code == 2, result.output
    assert "--no-such-option" in result.output


def test_unknown_format_exits_2(project: Path) -> None:
    write(project, {"app.py": CLEAN})
    result = privlint("check", "--format", "nope")
    assert result.exit_code == 2, result.output
    assert "nope" in result.output


def test_missing_config_file_exits_2(project: Path) -> None:
    write(project, {"app.py": CLEAN})
    result = privlint("check", "--config", "missing.yaml")
    assert result.exit_code == 2, result.output
    assert "missing.yaml" in result.stderr
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ options


def test_version_prints_version() -> None:
    result = privlint("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"privlint {__version__}"


def test_json_format_reports_the_finding(project: Path) -> None:
    write(project, {"leak.py": LEAK})
    result = privlint("check", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json_report(result.stdout)
    assert report["version"] == 1
    [finding] = report["findings"]
    assert finding["rule_id"] == "no-pii-in-logs"
    assert finding["path"] == "leak.py"
    assert finding["line"] == 5
    assert finding["categories"] == ["user.contact.email"]


def test_output_writes_report_to_file_and_not_stdout(project: Path) -> None:
    write(project, {"leak.py": LEAK})
    result = privlint("check", "--format", "json", "--output", "report.json")
    assert result.exit_code == 1, result.output
    report = json_report((project / "report.json").read_text(encoding="utf-8"))
    assert rule_ids(report) == ["no-pii-in-logs"]
    assert result.stdout == ""
    # SPEC §1: with --output, the text summary still goes to stderr.
    assert "1 finding" in result.stderr


def test_text_output_has_no_ansi_escapes_when_not_a_tty(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write(project, {"leak.py": LEAK})
    result = privlint("check", "--format", "text")
    assert result.exit_code == 1, result.output
    assert "no-pii-in-logs" in result.stdout
    assert ANSI_ESCAPE not in result.output


# ----------------------------------------------------- explicit-file mode


def test_explicit_clean_file_reports_nothing_when_leak_is_elsewhere(project: Path) -> None:
    write(project, {"leak.py": LEAK, "other.py": CLEAN})
    result = privlint("check", "--format", "json", "other.py")
    assert result.exit_code == 0, result.output
    assert json_report(result.stdout)["findings"] == []


def test_explicit_leaking_file_exits_1(project: Path) -> None:
    write(project, {"leak.py": LEAK, "other.py": CLEAN})
    result = privlint("check", "--format", "json", "leak.py")
    assert result.exit_code == 1, result.output
    report = json_report(result.stdout)
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [
        ("no-pii-in-logs", "leak.py")
    ]


def test_explicit_file_still_sees_flows_through_the_rest_of_the_project(project: Path) -> None:
    # SPEC §1: whole-program view, but only sinks in the named files are reported.
    write(
        project,
        {
            "helpers.py": """\
                def contact(customer_email):
                    return "mail " + customer_email
                """,
            "leak.py": """\
                import logging

                from helpers import contact


                def remember(email):
                    logging.info(contact(email))
                """,
        },
    )
    result = privlint("check", "--format", "json", "leak.py")
    assert result.exit_code == 1, result.output
    [finding] = json_report(result.stdout)["findings"]
    assert finding["path"] == "leak.py"
    assert "helpers.py" in {step["path"] for step in finding["trace"]}


# -------------------------------------------------------------- subcommands


def test_init_writes_a_policy_that_loads(project: Path) -> None:
    result = privlint("init")
    assert result.exit_code == 0, result.output
    written = project / "privlint.yaml"
    policy = load_policy(written, project)
    assert "no-pii-in-logs" in {rule.id for rule in policy.rules}


def test_init_refuses_to_overwrite_without_force(project: Path) -> None:
    existing = project / "privlint.yaml"
    existing.write_text("version: 1\n# mine\n", encoding="utf-8")
    result = privlint("init")
    assert result.exit_code != 0, result.output
    assert existing.read_text(encoding="utf-8") == "version: 1\n# mine\n"


def test_init_overwrites_with_force(project: Path) -> None:
    existing = project / "privlint.yaml"
    existing.write_text("version: 1\n# mine\n", encoding="utf-8")
    result = privlint("init", "--force")
    assert result.exit_code == 0, result.output
    assert "# mine" not in existing.read_text(encoding="utf-8")
    load_policy(existing, project)


def test_rules_lists_no_pii_in_logs(project: Path) -> None:
    result = privlint("rules")
    assert result.exit_code == 0, result.output
    assert "no-pii-in-logs" in result.stdout


def test_explain_prints_why_it_matters(project: Path) -> None:
    result = privlint("explain", "no-pii-in-logs")
    assert result.exit_code == 0, result.output
    assert "no-pii-in-logs" in result.stdout
    assert "Why it matters" in result.stdout


def test_explain_unknown_rule_exits_2(project: Path) -> None:
    result = privlint("explain", "nope")
    assert result.exit_code == 2, result.output
    assert "nope" in result.stderr


# ------------------------------------------------------------ the example


def test_walletapp_example_reports_the_incident(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(WALLETAPP)
    result = privlint("check", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json_report(result.stdout)
    [finding] = report["findings"]
    assert finding["rule_id"] == "messaging-only-via-notifications"
    assert finding["path"] == "walletapp/support/agent_tools.py"
    assert finding["line"] == 29


# --------------------------------------------------- as a real subprocess


def test_module_run_exits_1_and_prints_json_report(tmp_path: Path) -> None:
    write(tmp_path, {"leak.py": LEAK})
    completed = run_module(tmp_path, "check", "--format", "json")
    assert completed.returncode == 1, completed.stderr
    assert rule_ids(json_report(completed.stdout)) == ["no-pii-in-logs"]


def test_module_run_exits_0_when_clean(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": CLEAN})
    completed = run_module(tmp_path, "check", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    assert json_report(completed.stdout)["findings"] == []


def test_module_run_writes_a_long_report_whole_before_exiting(tmp_path: Path) -> None:
    # The command ends with os._exit (no teardown): every byte must be flushed first.
    leaks = "import logging\n" + "".join(
        f"\n\ndef remember_{n}(email):\n    logging.info('%s', email)\n" for n in range(400)
    )
    write(tmp_path, {"leaks.py": leaks})
    completed = run_module(tmp_path, "check", "--format", "json")
    assert completed.returncode == 1, completed.stderr
    assert len(json_report(completed.stdout)["findings"]) == 400


def test_module_run_invalid_config_exits_2_without_traceback(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": CLEAN,
            "privlint.yaml": """\
                version: 1
                rules:
                  - id: no-pii-in-logs
                    severity: fatal
                """,
        },
    )
    completed = run_module(tmp_path, "check")
    assert completed.returncode == 2, completed.stderr
    assert re.search(r"privlint\.yaml:4:\d+", completed.stderr), completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout


def test_module_run_text_output_has_no_ansi_escapes(tmp_path: Path) -> None:
    write(tmp_path, {"leak.py": LEAK})
    completed = run_module(tmp_path, "check")
    assert completed.returncode == 1, completed.stderr
    assert "no-pii-in-logs" in completed.stdout
    assert ANSI_ESCAPE not in completed.stdout + completed.stderr
