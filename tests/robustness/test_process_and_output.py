"""Process and output hygiene: the command runs privlint whatever the scanned folder holds,
its workers die with it, what it writes goes where the user said (or fails in one line,
exit 2), and neither a policy nor one file can make it take unbounded memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privlint import triage
from privlint.analysis import guard
from privlint.cli import app

from .hostile import LEAK, REPO, run_privlint, scan_root, verdict, write_project
from .test_interrupts_and_writes import big_tree

CONSOLE_SCRIPT = Path(sys.executable).with_name("privlint")


def test_console_script_runs_privlint_in_a_repository_with_its_own_privlint_package(
    tmp_path: Path,
) -> None:
    """`python -m privlint` imports whatever `privlint` the current folder holds (Python's
    rule, before any of privlint's code runs); the command and `python -P -m` do not."""
    marker = tmp_path / "ran-the-project's-code"
    hijack = f"import pathlib, sys\npathlib.Path({str(marker)!r}).touch()\nsys.exit(0)\n"
    write_project(
        tmp_path,
        {
            "leak.py": LEAK,
            "privlint/__init__.py": hijack,
            "privlint/__main__.py": hijack,
            "privlint/cli.py": hijack,
        },
    )
    safe = [[str(CONSOLE_SCRIPT), "check"]]
    if sys.version_info >= (3, 11):  # `-P`: no current folder on sys.path
        safe.append([sys.executable, "-P", "-m", "privlint", "check"])
    for command in safe:
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1, (command, run.stdout, run.stderr)
        assert "leak.py" in run.stdout
        assert not marker.exists()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_the_main_process(tmp_path: Path, how: signal.Signals) -> None:
    big_tree(tmp_path, files=150, functions=60)
    process = subprocess.Popen(
        [sys.executable, "-m", "privlint", "check", "--jobs", "2", "--no-cache"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,  # `privlint check | cat`: the pipe ends when all holders do
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
        workers = _children(process.pid)
    assert len(workers) >= 2, "the pool never started: make the tree bigger"
    process.send_signal(how)
    process.communicate(timeout=30)  # the pipe closes: no worker holds it any more
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers))


@pytest.mark.parametrize("target", ["link to stdout", "fifo"])
def test_output_to_a_device_or_fifo_is_written_not_replaced(tmp_path: Path, target: str) -> None:
    """`--output /dev/stdout`, tried on a link of the same kind in the temporary folder: a
    privlint that replaced it would replace the machine's /dev/stdout (as root)."""
    write_project(tmp_path, {"leak.py": LEAK})
    if target == "fifo":
        fifo = tmp_path / "report.fifo"
        os.mkfifo(fifo)
        reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
        run = run_privlint(tmp_path, "check", "--format", "json", "--output", str(fifo))
        written = reader.communicate(timeout=30)[0]
        assert fifo.is_fifo()
    else:
        link = tmp_path / "stdout"
        link.symlink_to("/proc/self/fd/1")  # what /dev/stdout is
        run = run_privlint(tmp_path, "check", "--format", "json", "--output", str(link))
        written = run.stdout
        assert link.is_symlink()
    assert run.returncode == 1, run.stderr
    assert '"rule_id": "no-pii-in-logs"' in written


WRITE_FAILURES = {
    "baseline onto a folder": (["baseline", "--output", "folder"], {}),
    "inventory onto a folder": (["inventory", "--output", "folder"], {}),
    "init onto a folder": (["init", "--force"], {"privlint.yaml/": ""}),
    "baseline into a missing folder's file": (["baseline", "--output", "leak.py/x.json"], {}),
    "an unwritable GITHUB_STEP_SUMMARY": (["check", "--format", "github"], {"summary/": ""}),
}


@pytest.mark.parametrize("case", sorted(WRITE_FAILURES))
def test_unwritable_targets_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    arguments, extra = WRITE_FAILURES[case]
    write_project(tmp_path, {"leak.py": LEAK})
    (tmp_path / "folder").mkdir()
    for name in extra:
        (tmp_path / name.rstrip("/")).mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary"))
    run = run_privlint(tmp_path, *arguments)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith("privlint: cannot write"), run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr


@pytest.mark.parametrize("command", ["check", "inventory", "baseline", "init"])
def test_closed_standard_output_is_a_one_line_error(tmp_path: Path, command: str) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    run = subprocess.run(
        [sys.executable, "-m", "privlint", command],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        preexec_fn=lambda: os.close(1),  # as `privlint check >&-` does
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == "privlint: cannot write to standard output: it is closed"


@pytest.mark.parametrize("where", ["--jobs", "check.jobs"])
def test_worker_count_is_capped_at_the_cpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    started: list[int] = []

    class Recording(triage.ProcessPoolExecutor):  # type: ignore[misc]
        def __init__(self, workers: int, **options: object) -> None:
            started.append(workers)
            super().__init__(workers, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(triage, "ProcessPoolExecutor", Recording)
    files = {f"m{n}.py": f"def f{n}(email):\n    return email\n" for n in range(20)}
    write_project(tmp_path, {**files, "leak.py": LEAK})
    arguments = ["check", str(tmp_path), "--no-cache"]
    if where == "--jobs":
        arguments += ["--jobs", "512"]
    else:
        (tmp_path / "privlint.yaml").write_text("version: 1\ncheck:\n  jobs: 512\n")
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1, result.output
    assert started == [min(512, triage.usable_cpus())]


def test_a_call_with_140000_arguments_on_one_line_is_reported_not_parsed(
    tmp_path: Path,
) -> None:
    """LibCST holds 2-3 KB per token: this 1 MB line alone took 0.85-1.2 GB to parse."""
    call = "record(" + ", ".join(f"a{n}" for n in range(140_000)) + ")\n"
    write_project(tmp_path, {"wide.py": call, "leak.py": LEAK})
    started = time.perf_counter()
    result = scan_root(tmp_path)
    assert time.perf_counter() - started < 20
    assert verdict(result, "wide.py") == ["parse-error"]
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
    (message,) = [f.message for f in result.findings if f.path == "wide.py"]
    assert f"tokens (limit {guard.MAX_TOKENS:,})" in message
