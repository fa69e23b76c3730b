"""The GitHub Action: `action.yml` wires inputs to `privlint.action`, which is run here
as the action's run step runs it, on the example, with fake GitHub files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

ACTION_TEXT = (REPO / "action.yml").read_text(encoding="utf-8")
ACTION = yaml.safe_load(ACTION_TEXT)
INPUT = re.compile(r"\$\{\{ inputs\.([a-z-]+) \}\}")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the example as a repository checkout, with GitHub's step files."""
    shutil.copytree(REPO / "examples" / "walletapp", tmp_path / "repo")
    (tmp_path / "summary.md").write_text("", encoding="utf-8")
    (tmp_path / "output.txt").write_text("", encoding="utf-8")
    return tmp_path


def run_step(workspace: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The action's `check` step: its command, with its env as the action sets it."""
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVLINT_", "GITHUB_"))}
    for variable, value in step["env"].items():
        used = INPUT.fullmatch(value)
        if used is not None:  # GitHub gives an input not passed its default
            name = used.group(1)
            env[variable] = inputs.get(name, ACTION["inputs"][name]["default"])
    env.update(
        {
            "PRIVLINT_SARIF_FILE": str(workspace / "privlint.sarif"),
            "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
            "GITHUB_OUTPUT": str(workspace / "output.txt"),
        }
    )
    command = step["run"].split()
    assert command[:3] == ["python", "-m", "privlint.action"]
    return subprocess.run(
        [sys.executable, *command[1:]],
        cwd=workspace / "repo",
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def outputs(workspace: Path) -> dict[str, str]:
    lines = (workspace / "output.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_the_step_writes_sarif_summary_and_outputs_on_the_example(workspace: Path) -> None:
    done = run_step(workspace)
    assert done.returncode == 0, done.stderr  # the job fails in a later step, after the upload
    assert outputs(workspace) == {
        "sarif-file": str(workspace / "privlint.sarif"),
        "findings": "1",
        "exit-code": "1",
    }
    sarif: dict[str, Any] = json.loads((workspace / "privlint.sarif").read_text())
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "messaging-only-via-notifications"
    summary = (workspace / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## privlint\n")
    assert "messaging-only-via-notifications" in summary
    assert "walletapp/support/agent\\_tools.py:29" in summary


def test_fail_level_none_never_fails_the_job(workspace: Path) -> None:
    assert run_step(workspace, **{"fail-level": "none"}).returncode == 0
    assert outputs(workspace)["exit-code"] == "0"
    assert outputs(workspace)["findings"] == "1"


def test_paths_narrow_what_is_reported(workspace: Path) -> None:
    run_step(workspace, paths="walletapp/payments.py walletapp/privacy.py")  # off the trace
    assert outputs(workspace)["findings"] == "0"
    assert outputs(workspace)["exit-code"] == "0"


def test_an_unknown_fail_level_fails_the_step_with_an_error(workspace: Path) -> None:
    done = run_step(workspace, **{"fail-level": "fatal"})
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=privlint::fail-level must be one of")


def test_a_broken_policy_fails_the_step_at_once(workspace: Path) -> None:
    (workspace / "repo" / "privlint.yaml").write_text("version: 1\nrules: 3\n", encoding="utf-8")
    done = run_step(workspace)
    assert done.returncode == 2
    assert "privlint.yaml" in done.stderr
    assert outputs(workspace) == {}


def test_action_is_composite_and_installs_from_its_own_files() -> None:
    assert ACTION["runs"]["using"] == "composite"
    runs = " ".join(step.get("run", "") for step in ACTION["runs"]["steps"])
    assert 'pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in runs
    assert "pip install privlint" not in runs


def test_action_uploads_sarif_with_a_category_even_when_the_check_fails() -> None:
    upload = next(s for s in ACTION["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@v")
    assert upload["with"]["category"] == "${{ inputs.category }}"
    assert "always()" in upload["if"]


def test_every_input_the_steps_use_is_declared() -> None:
    used = set(re.findall(r"inputs\.([a-z-]+)", ACTION_TEXT))
    assert used == set(ACTION["inputs"])
    assert {"paths", "config", "diff-base", "fail-level"} <= used
