"""The walk cannot hang and never skips in silence: links, FIFOs, sockets, unreadable
and vanishing files each end in a message or a finding, never a hang or a traceback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from privlint.discover import Discovery, discover
from privlint.sources import read_source

from .hostile import LEAK, run_privlint, scan_root, verdict, write_project


def test_symlink_loop_does_not_hang_and_files_count_once(tmp_path: Path) -> None:
    write_project(tmp_path, {"pkg/leak.py": LEAK})
    (tmp_path / "pkg" / "again").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to("self")  # a link to itself
    result = scan_root(tmp_path)
    assert result.files_scanned == 1
    assert verdict(result, "pkg/leak.py") == ["no-pii-in-logs"]


def test_symlinked_file_outside_the_project_is_skipped_with_a_message(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "outside", {"secret.py": LEAK})
    project = write_project(tmp_path / "project", {"ok.py": "x = 1\n"})
    (project / "linked.py").symlink_to(outside / "secret.py")
    result = scan_root(project)
    assert result.findings == []  # the leak outside was never read
    assert ("linked.py", "symlink to a file outside the project: skipped") in result.errors


def test_symlinked_file_inside_the_project_is_analysed(tmp_path: Path) -> None:
    write_project(tmp_path, {"real/leak.py": LEAK})
    (tmp_path / "alias.py").symlink_to(tmp_path / "real" / "leak.py")
    result = scan_root(tmp_path)
    assert verdict(result, "alias.py") == ["no-pii-in-logs"]
    assert verdict(result, "real/leak.py") == ["no-pii-in-logs"]


def test_symlinked_folder_outside_the_project_is_not_entered(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "outside", {"secret.py": LEAK})
    project = write_project(tmp_path / "project", {"ok.py": "x = 1\n"})
    (project / "vendor").symlink_to(outside, target_is_directory=True)
    assert scan_root(project).findings == []


def test_fifo_named_like_python_does_not_hang_the_command(tmp_path: Path) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    os.mkfifo(tmp_path / "pipe.py")
    run = run_privlint(tmp_path, "check", "--no-cache", timeout=60)
    assert run.returncode == 1, run.stderr
    assert "no-pii-in-logs" in run.stdout


def test_fifo_given_as_a_path_is_a_message_not_a_hang(tmp_path: Path) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    os.mkfifo(tmp_path / "pipe.py")
    run = run_privlint(tmp_path, "check", "--no-cache", "--verbose", "pipe.py", timeout=60)
    assert run.returncode == 2, run.stderr  # the only file asked for was not scanned
    assert "pipe.py: not a file or folder" in run.stderr
    assert "nothing to scan" in run.stderr


def test_socket_named_like_python_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    monkeypatch.chdir(tmp_path)  # a relative socket path stays under the ~100-byte limit
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.py")
        result = scan_root(tmp_path)
    assert result.files_scanned == 1
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]


def fail_to_read(monkeypatch: pytest.MonkeyPatch, name: str, error: OSError) -> None:
    """Make reading one file fail as the OS would (tests run as root, who reads anything)."""

    def read(path: Path) -> bytes:
        if path.name == name:
            raise error
        return read_source(path)

    monkeypatch.setattr("privlint.scan.read_source", read)


def test_unreadable_file_is_a_finding_not_a_silent_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"locked.py": LEAK, "leak.py": LEAK})
    fail_to_read(monkeypatch, "locked.py", PermissionError(13, "Permission denied"))
    result = scan_root(tmp_path)
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
    [finding] = [f for f in result.findings if f.path == "locked.py"]
    assert finding.rule_id == "parse-error"
    assert finding.message.endswith("cannot read file: Permission denied")


def test_io_error_while_reading_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"flaky.py": "x = 1\n"})
    fail_to_read(monkeypatch, "flaky.py", OSError(5, "Input/output error"))
    assert verdict(scan_root(tmp_path), "flaky.py") == ["parse-error"]


def test_file_deleted_during_the_scan_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"gone.py": LEAK, "leak.py": LEAK})

    def discover_then_delete(*args: Any) -> Discovery:
        found = discover(*args)
        (tmp_path / "gone.py").unlink()
        return found

    monkeypatch.setattr("privlint.scan.discover", discover_then_delete)
    result = scan_root(tmp_path)
    assert ("gone.py", "deleted during the scan; not analysed") in result.errors
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]


def test_file_changed_during_the_scan_is_judged_on_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"leak.py": LEAK})

    def read_then_rewrite(path: Path) -> bytes:
        data = read_source(path)
        path.write_text("# rewritten while privlint was reading\n", encoding="utf-8")
        return data

    monkeypatch.setattr("privlint.scan.read_source", read_then_rewrite)
    [finding] = scan_root(tmp_path).findings
    assert (finding.rule_id, finding.line) == ("no-pii-in-logs", 5)
    assert finding.snippet == "logging.info('signed up: %s', email)"


def test_folder_that_cannot_be_listed_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"leak.py": LEAK, "private/hidden.py": "x = 1\n"})
    real = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan_root(tmp_path)
    assert ("private", "cannot list: Permission denied") in result.errors
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_gitignore_that_is_no_regular_file_is_a_message_not_a_hang(
    tmp_path: Path, kind: str
) -> None:
    write_project(tmp_path, {"pkg/leak.py": LEAK})
    if kind == "fifo":
        os.mkfifo(tmp_path / "pkg" / ".gitignore")
    else:
        (tmp_path / "pkg" / ".gitignore").symlink_to("/dev/zero")
    result = scan_root(tmp_path)
    assert ("pkg/.gitignore", "cannot read: not a regular file") in result.errors
    assert verdict(result, "pkg/leak.py") == ["no-pii-in-logs"]


def test_a_source_swapped_for_a_fifo_after_discovery_is_a_finding_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"swapped.py": LEAK, "leak.py": LEAK})

    def discover_then_swap(*args: Any) -> Discovery:
        found = discover(*args)
        (tmp_path / "swapped.py").unlink()
        os.mkfifo(tmp_path / "swapped.py")
        return found

    monkeypatch.setattr("privlint.scan.discover", discover_then_swap)
    result = scan_root(tmp_path)
    [finding] = [f for f in result.findings if f.path == "swapped.py"]
    assert finding.message.endswith("cannot read file: not a regular file")
