"""Nothing lost, nothing half-written: atomic cache and report files, a rebuilt cache
after corruption, and Ctrl-C that exits 130 leaving no partial file behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from privlint.cache import CACHE_DIR, Cache
from privlint.config import load_policy
from privlint.fileio import write_atomic
from privlint.scan import scan

from .hostile import LEAK, REPO, write_project


def leftovers(folder: Path) -> list[Path]:
    """Temporary files privlint would leave if a write were cut short."""
    return [path for path in folder.rglob("*") if path.name.endswith(".tmp")]


def test_interrupted_cache_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    cache = Cache(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        cache.store("module", "ab" * 20, ("some", "value"))
    assert leftovers(tmp_path) == []


def test_cache_on_a_full_disk_is_skipped_without_leftovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    Cache(tmp_path).store("module", "cd" * 20, ("some", "value"))  # no exception
    assert leftovers(tmp_path) == []


def test_failed_report_write_keeps_the_old_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"old": true}', encoding="utf-8")

    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(report, '{"new": true}' * 1000)
    assert report.read_text(encoding="utf-8") == '{"old": true}'
    assert leftovers(tmp_path) == []


def test_output_replaces_a_symlink_instead_of_writing_through_it(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious", encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(target)
    write_atomic(link, "the report")
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "the report"
    assert target.read_text(encoding="utf-8") == "precious"


def test_garbage_in_every_cache_entry_is_discarded_and_rebuilt(tmp_path: Path) -> None:
    write_project(tmp_path, {"leak.py": LEAK, "other.py": "x = 1\n"})
    policy = load_policy(None, tmp_path)
    first = scan(policy, [], jobs=1).findings
    entries = [path for path in (tmp_path / CACHE_DIR).rglob("*.bin")]
    assert entries
    for number, entry in enumerate(entries):
        entry.write_bytes(b"\x80\x05garbage" if number % 2 else entry.read_bytes()[:7])
    again = scan(policy, [], jobs=1)
    assert again.findings == first
    assert not again.stats.result_from_cache


GENERATED_FUNCTION = """
def handler_{0}(user, email):
    value_{0} = {{"id": {0}, "name": user.name, "total": {0} * 2 + 1}}
    if value_{0}["total"] > 10:
        return [value_{0}, email, user.name + str({0})]
    return value_{0}
"""


def big_tree(root: Path, files: int, functions: int) -> None:
    body = "".join(GENERATED_FUNCTION.format(i) for i in range(functions))
    write_project(root, {f"pkg{n % 10}/module_{n}.py": body for n in range(files)})
    write_project(root, {"leak.py": LEAK})


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_and_leaves_no_partial_files(tmp_path: Path, jobs: str) -> None:
    big_tree(tmp_path, files=150, functions=60)
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "privlint", "check", "--format", "json"]
    process = subprocess.Popen(
        [*command, "--jobs", jobs, "--output", str(report)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
    )
    time.sleep(2.5)
    assert process.poll() is None, "the scan ended before Ctrl-C: make the tree bigger"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "privlint: interrupted" in stderr
    assert "Traceback" not in stderr
    assert not report.exists()
    assert leftovers(tmp_path) == []
