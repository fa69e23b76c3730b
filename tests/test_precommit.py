"""The pre-commit hook, for real: `pre-commit try-repo` against this checkout (SPEC §6).

pre-commit builds the hook's own virtualenv from the checkout, exactly as users
get it, then runs it in a throwaway git repository on a staged leak, and again
once the leak is fixed. Nothing is skipped: if pre-commit cannot run, this fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).parent.parent
GIT_IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")
TIMEOUT = 300  # seconds; the first run builds the hook's virtualenv

LEAK = """\
import logging


def signup(email):
    logging.info("signed up: %s", email)
"""

FIXED = """\
import logging


def signup(email):
    logging.info("signed up: %d characters", len(email))
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files as they are on disk, committed in a throwaway repository.

    try-repo would snapshot uncommitted edits itself, but not files that are new
    and unstaged; a snapshot of every file git does not ignore tests the code as it is.
    """
    snapshot = tmp_path_factory.mktemp("privlint-checkout")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for pre-commit: its own cache, away from the user's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRE_COMMIT", "GIT_")) and key not in ("NO_COLOR", "FORCE_COLOR")
    }
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["PRE_COMMIT_COLOR"] = "never"
    return env


def try_repo(
    project: Path, hook_repo: Path, env: dict[str, str], *files: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hook_repo),
            "privlint",
            "--files",
            *files,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_hook_fails_on_a_staged_leak_and_passes_once_it_is_fixed(
    tmp_path: Path, hook_repo: Path, pre_commit_env: dict[str, str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "privlint.yaml").write_text("version: 1\n", encoding="utf-8")
    (project / "app").mkdir()
    (project / "app" / "signup.py").write_text(textwrap.dedent(LEAK), encoding="utf-8")
    git(project, "add", "-A")

    failed = try_repo(project, hook_repo, pre_commit_env, "app/signup.py")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "privlint" in output and "Failed" in output, output
    assert "app/signup.py:5:5: error no-pii-in-logs" in output, output

    (project / "app" / "signup.py").write_text(textwrap.dedent(FIXED), encoding="utf-8")
    git(project, "add", "-A")
    passed = try_repo(project, hook_repo, pre_commit_env, "app/signup.py")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output, output


def test_hook_definition_matches_the_spec() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "privlint"
    assert hook["entry"] == "privlint check"
    assert hook["language"] == "python"
    assert "python" in hook["types_or"]
    assert hook["require_serial"] is True
