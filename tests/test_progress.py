"""The live progress display: on stderr when it is a terminal (tested under a
pseudo-terminal), never when stderr is piped, in CI, with --quiet, or while a machine
format streams to stdout; and the scan tells it every stage."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from privlint.config import load_policy
from privlint.scan import scan
from privlint.stats import ANALYSED, READ, SUMMARIZED, Progress

APP = """\
import logging


def remember(email):
    logging.info("signed up: %s", email)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "privlint.yaml").write_text("version: 1\n", encoding="utf-8")
    for index in range(20):  # enough files for the worker pool
        (tmp_path / f"module_{index}.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    return tmp_path


def environment(**extra: str) -> dict[str, str]:
    drop = ("CI", "NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "PRE_COMMIT_FROM_REF")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "120", **extra}


def stderr_on_a_terminal(
    project: Path, *args: str, command: str = "check", **env: str
) -> tuple[str, str, int]:
    """`privlint COMMAND ARGS` with a pseudo-terminal as stderr: (stdout, stderr, exit code)."""
    controller, terminal = pty.openpty()
    options = ["--no-cache"] if command == "check" else []
    process = subprocess.Popen(
        [sys.executable, "-m", "privlint", command, *options, *args],
        cwd=project,
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=terminal,
        stdin=subprocess.DEVNULL,
    )
    os.close(terminal)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal (EIO on Linux)
            break
        if not chunk:
            break
        seen.extend(chunk)
    stdout, _ = process.communicate(timeout=120)
    os.close(controller)
    return stdout.decode(), seen.decode(errors="replace"), process.returncode


def test_progress_appears_on_a_terminal_stderr(project: Path) -> None:
    stdout, stderr, code = stderr_on_a_terminal(project)
    assert code == 1
    assert "privlint" in stderr
    assert "read 20" in stderr  # every file read, counted as the display last drew
    assert "summarizing" in stderr or "analysing" in stderr
    assert "no-pii-in-logs" in stdout  # the report itself goes to stdout, untouched
    assert "summarizing" not in stdout


def test_progress_appears_when_a_machine_format_goes_to_a_file(project: Path) -> None:
    _, stderr, _ = stderr_on_a_terminal(project, "-f", "json", "-o", "report.json")
    assert "read 20" in stderr


def test_baseline_shows_progress_too(project: Path) -> None:
    stdout, stderr, code = stderr_on_a_terminal(project, command="baseline")
    assert code == 0
    assert "read 20" in stderr
    assert stdout.startswith("wrote 20 findings to")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--quiet",), {}),
        (("--format", "json"), {}),  # a machine report streams to stdout
        ((), {"CI": "true"}),
        ((), {"TERM": "dumb"}),
    ],
)
def test_no_progress_when_it_would_get_in_the_way(
    project: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    _, stderr, _ = stderr_on_a_terminal(project, *args, **env)
    assert "read 20" not in stderr
    assert "summarizing" not in stderr


def test_no_progress_when_stderr_is_piped(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "privlint", "check", "--no-cache"],
        cwd=project,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == ""


class Recorder(Progress):
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append((name, total))
        self.done[name] = 0

    def advance(self, count: int = 1) -> None:
        name = self.stages[-1][0]
        self.done[name] += count


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_scan_reports_each_stage_and_every_file(project: Path, jobs: int) -> None:
    recorder = Recorder()
    policy = load_policy(None, project)
    scan(policy, [], jobs=jobs, use_cache=False, progress=recorder)
    assert recorder.stages == [(READ, 20), (SUMMARIZED, 20), (ANALYSED, None)]
    assert recorder.done == {READ: 20, SUMMARIZED: 20, ANALYSED: 20}
