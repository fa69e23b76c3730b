"""What is scanned is what git counts as the project, and every file left out is said:
tracked files are scanned whatever a `.gitignore` says, a package named like a tool's
folder is code, non-regular files and untracked tool folders are named under scan
errors, a scan of nothing fails, and `--diff` reads every change as text."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from privlint.config import load_policy
from privlint.discover import LEFT_OUT, UNTRACKED_TOOL_FOLDER
from privlint.scan import scan

from .hostile import LEAK, run_privlint, scan_root, verdict, write_project

IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *IDENTITY, *args], cwd=cwd, check=True, capture_output=True)


def repository(root: Path, files: dict[str, bytes | str]) -> Path:
    write_project(root, files)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_a_tracked_file_that_a_gitignore_matches_is_scanned(tmp_path: Path) -> None:
    repository(tmp_path, {"app/ok.py": "x = 1\n"})
    write_project(tmp_path, {"app/generated/leak.py": LEAK, ".gitignore": "generated/\n"})
    git(tmp_path, "add", "-f", "app/generated/leak.py", ".gitignore")
    assert verdict(scan_root(tmp_path), "app/generated/leak.py") == ["no-pii-in-logs"]


@pytest.mark.parametrize("name", ["venv", "node_modules", "__pycache__"])
@pytest.mark.parametrize("in_git", [False, True], ids=["folder", "repository"])
def test_a_real_package_named_like_a_tool_folder_is_scanned(
    tmp_path: Path, name: str, in_git: bool
) -> None:
    files = {f"{name}/__init__.py": "", f"{name}/leak.py": LEAK, "app.py": "x = 1\n"}
    (repository if in_git else write_project)(tmp_path, files)
    assert verdict(scan_root(tmp_path), f"{name}/leak.py") == ["no-pii-in-logs"]


def test_an_untracked_tool_folder_is_named_not_skipped_in_silence(tmp_path: Path) -> None:
    repository(tmp_path, {"app.py": "x = 1\n"})
    write_project(tmp_path, {".venv/lib/site-packages/dep.py": LEAK, ".venv/pyvenv.cfg": ""})
    result = scan_root(tmp_path)
    assert (".venv", UNTRACKED_TOOL_FOLDER) in result.errors
    assert result.files_scanned == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_sockets_named_like_python_are_named_under_scan_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")
    monkeypatch.chdir(tmp_path)  # a relative socket path stays under the ~100-byte limit
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.py")
        result = scan_root(tmp_path)
    assert ("pipe.py", "a FIFO, not a regular file: skipped") in result.errors
    assert ("sock.py", "a socket, not a regular file: skipped") in result.errors
    assert ("gone.py", "a dangling symlink, not a regular file: skipped") in result.errors
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]


@pytest.mark.parametrize(
    "files",
    [
        {"README.md": "no code here\n"},
        {"privlint.yaml": "version: 1\ninclude: ['src/**/*.py']\n", "app/leak.py": LEAK},
    ],
    ids=["no Python file", "include matches nothing"],
)
def test_a_scan_that_finds_nothing_to_scan_exits_2(tmp_path: Path, files: dict[str, str]) -> None:
    write_project(tmp_path, dict(files))
    done = run_privlint(tmp_path, "check", "--no-cache")
    assert done.returncode == 2, done.stdout
    assert "nothing to scan" in done.stderr


def test_a_yaml_file_alone_from_pre_commit_asks_for_no_scan(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": "x = 1\n", "config/settings.yaml": "a: 1\n"})
    assert run_privlint(tmp_path, "check", "--no-cache", "config/settings.yaml").returncode == 0


def test_gitattributes_marking_python_binary_does_not_empty_diff_mode(tmp_path: Path) -> None:
    repository(tmp_path, {"app.py": "x = 1\n", "leak.py": "import logging\n"})
    write_project(tmp_path, {".gitattributes": "*.py -diff\n", "leak.py": LEAK})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "looks binary now")
    done = run_privlint(tmp_path, "check", "--no-cache", "--diff", "HEAD~1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no-pii-in-logs" in done.stdout


def test_a_file_asked_for_but_left_out_is_named(tmp_path: Path) -> None:
    policy = "version: 1\nexclude: ['tests/**']\n"
    write_project(tmp_path, {"privlint.yaml": policy, "app.py": LEAK, "tests/t.py": LEAK})
    (tmp_path / ".gitignore").write_text("build/\n")
    write_project(tmp_path, {"build/gen.py": LEAK})
    result = scan(load_policy(None, tmp_path), [tmp_path / "tests/t.py", tmp_path / "build/gen.py"])
    assert ("tests/t.py", LEFT_OUT) in result.errors
    assert ("build/gen.py", LEFT_OUT) in result.errors
