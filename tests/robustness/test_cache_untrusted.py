"""The cache is untrusted input: a repository can carry a `.privlint_cache/` folder or a
symlink of that name. Nothing outside the real cache folder is written or deleted, an
entry that arrived with the repository is never trusted, and a cache that cannot be used
only costs time, never a finding or the exit code."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from privlint.analysis.ir import CONST, Combine, FileFacts, ModuleIR
from privlint.cache import CACHE_DIR, Cache, module_key
from privlint.config import load_policy
from privlint.findings import Severity
from privlint.incremental import EncodedState
from privlint.prefilter import Prefilter
from privlint.scan import scan
from privlint.sources import facts_key

from .hostile import LEAK, run_privlint, write_project


def leak_project(root: Path) -> Path:
    return write_project(root, {"leak.py": LEAK, "other.py": "x = 1\n"})


def files_below(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def assert_leak_found(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "leak.py" in run.stdout and "no-pii-in-logs" in run.stdout
    assert "Traceback" not in run.stderr


def forge_no_seed(root: Path) -> None:
    """What an attacker commits: entries saying the leaking file holds no personal data,
    made with privlint's own code (and the attacker's own key)."""
    policy = load_policy(None, root)
    cache = Cache(root)
    data = (root / "leak.py").read_bytes()
    key = facts_key(module_key(data, "leak.py", "leak", False), Prefilter.of(policy))
    cache.store("facts", key, FileFacts(frozenset(), False))


@pytest.mark.parametrize("target", ["..", "."])
def test_cache_symlinked_to_the_parent_or_the_project_deletes_nothing(
    tmp_path: Path, target: str
) -> None:
    project = leak_project(tmp_path / "project")
    write_project(project, {"pkg/module.py": "x = 1\n"})
    sibling = write_project(tmp_path / "v0-sibling", {"keep.txt": "precious"})
    (project / CACHE_DIR).symlink_to(target, target_is_directory=True)
    before = files_below(tmp_path)
    run = run_privlint(project, "check")
    assert_leak_found(run)
    assert "is a symlink" in run.stderr and "scanning without the cache" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert files_below(tmp_path) == before
    assert (sibling / "keep.txt").read_text() == "precious"


def test_cache_subfolders_symlinked_outside_are_neither_written_nor_pruned(
    tmp_path: Path,
) -> None:
    project = leak_project(tmp_path / "project")
    outside = write_project(tmp_path / "outside", {"old.bin": b"someone's data"})
    build = Cache(project).folder
    assert build is not None
    for kind in ("facts", "module", "state", "evidence", "positions"):
        (build / kind).symlink_to(outside, target_is_directory=True)
    (build / "stale").mkdir()
    (build / "stale" / "ab").symlink_to(outside, target_is_directory=True)
    for _ in range(2):  # the first run builds the cache, the second reuses and prunes it
        assert_leak_found(run_privlint(project, "check"))
    assert files_below(outside) == {"old.bin": b"someone's data"}


def test_cache_folder_that_is_a_file_is_a_warning_not_an_error(tmp_path: Path) -> None:
    project = leak_project(tmp_path)
    (project / CACHE_DIR).write_text("not a folder")
    run = run_privlint(project, "check")
    assert_leak_found(run)
    assert "is not a folder" in run.stderr
    assert (project / CACHE_DIR).read_text() == "not a folder"


def test_committed_cache_cannot_hide_a_leak_in_a_fresh_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CI scenario: a pull request commits a crafted cache next to a leak; CI clones
    the repository elsewhere and runs `privlint check`."""
    repository = leak_project(tmp_path / "attacker")
    with monkeypatch.context() as attacker:
        attacker.setenv("PRIVLINT_CACHE_KEY_FILE", str(tmp_path / "attacker.key"))
        forge_no_seed(repository)
        assert scan(load_policy(None, repository), [], jobs=1).findings == []  # it works there
    git = ["git", "-c", "user.name=a", "-c", "user.email=a@example.com"]
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    subprocess.run([*git, "-C", str(repository), "add", "-f", "."], check=True)
    subprocess.run([*git, "-C", str(repository), "commit", "-qm", "pr"], check=True)
    clone = tmp_path / "ci" / "checkout"
    subprocess.run(["git", "clone", "-q", str(repository), str(clone)], check=True)
    assert any((clone / CACHE_DIR).rglob("*.bin"))  # the crafted entries came along
    assert_leak_found(run_privlint(clone, "check"))


@pytest.mark.parametrize("lie", ["no findings", "severity info"])
def test_entries_signed_with_another_key_are_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lie: str
) -> None:
    project = leak_project(tmp_path / "project")
    policy = load_policy(None, project)
    real = scan(policy, [], jobs=1).findings
    assert real
    states = real_states(project)
    monkeypatch.setenv("PRIVLINT_CACHE_KEY_FILE", str(tmp_path / "other.key"))
    forger = Cache(project)
    for layout, (contents, read, carried, _) in states.items():
        findings = () if lie == "no findings" else tuple(_as_info(f) for f in real)
        forger.store("state", layout, (contents, read, carried, (findings, (), 0)))
    monkeypatch.undo()
    again = scan(policy, [], jobs=1)
    assert again.findings == real
    assert not again.stats.result_from_cache


def real_states(project: Path) -> dict[str, EncodedState]:
    """The state entries a scan of `project` left, by layout key."""
    cache = Cache(project)
    assert cache.folder is not None
    entries = cache.folder.glob("state/*/*.bin")
    states = {entry.stem: cache.load("state", entry.stem, EncodedState) for entry in entries}
    return {layout: state for layout, state in states.items() if state is not None}


def _as_info(finding: Any) -> Any:
    from dataclasses import replace

    return replace(finding, severity=Severity.INFO)


def _exponential_ir(levels: int) -> Combine:
    node = Combine((CONST,))
    for _ in range(levels):
        node = Combine((node, node))  # each level doubles the tree a reader walks
    return node


def _deep_ir(levels: int) -> Combine:
    node = Combine((CONST,))
    for _ in range(levels):
        node = Combine((node,))
    return node


LYING_ENTRIES: dict[str, tuple[str, object]] = {
    "facts of the wrong field types": ("facts", FileFacts(frozenset({1}), "yes")),  # type: ignore[arg-type]
    "facts of the wrong class": ("facts", ("words", True)),
    "a state whose findings are strings": (
        "state",
        (("x",), (), 0),  # in the real state, as its result
    ),
    "a module sharing subtrees exponentially": ("module", _exponential_ir(60)),
    "a module nested 600 records deep": ("module", _deep_ir(600)),
}


@pytest.mark.parametrize("name", sorted(LYING_ENTRIES))
def test_signed_entries_of_the_wrong_shape_are_dropped_and_rebuilt(
    tmp_path: Path, name: str
) -> None:
    project = leak_project(tmp_path)
    policy = load_policy(None, project)
    real = scan(policy, [], jobs=1).findings
    kind, value = LYING_ENTRIES[name]
    cache = Cache(project)
    assert cache.folder is not None
    entries = list(cache.folder.glob(f"{kind}/*/*.bin"))
    assert entries
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # pickling the deep entry recurses per level
    try:
        for entry in entries:
            if kind == "state":
                value = (*real_states(project)[entry.stem][:3], LYING_ENTRIES[name][1])
            cache.store(kind, entry.stem, value)  # signed with this machine's key
    finally:
        sys.setrecursionlimit(limit)
    expected: Any = {"facts": FileFacts, "module": ModuleIR, "state": tuple}[kind]
    if kind != "state":
        assert all(cache.load(kind, entry.stem, expected) is None for entry in entries)
    assert scan(policy, [], jobs=1).findings == real
    assert scan(policy, [], jobs=1).findings == real  # and the rebuilt entries are good


def _plant(entry: Path, what: str) -> None:
    entry.unlink()
    if what == "folder":
        entry.mkdir()
        (entry / "inside.bin").write_bytes(b"x")
    elif what == "fifo":
        os.mkfifo(entry)
    elif what == "symlink to /dev/zero":
        entry.symlink_to("/dev/zero")
    else:  # larger than any entry privlint writes
        with entry.open("wb") as stream:
            stream.truncate(65 * 1024 * 1024)


@pytest.mark.parametrize("what", ["folder", "fifo", "symlink to /dev/zero", "sparse 65 MB file"])
def test_entries_that_are_not_small_regular_files_are_never_read(tmp_path: Path, what: str) -> None:
    project = leak_project(tmp_path)
    assert_leak_found(run_privlint(project, "check"))
    for entry in (project / CACHE_DIR).rglob("*.bin"):
        if entry.parent.parent.name in ("facts", "state"):
            _plant(entry, what)
    assert_leak_found(run_privlint(project, "check", timeout=60))
    assert_leak_found(run_privlint(project, "check", timeout=60))


def test_read_only_cache_with_stale_entries_scans_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = leak_project(tmp_path)
    policy = load_policy(None, project)
    real = scan(policy, [], jobs=1).findings
    (project / "other.py").write_text("y = 2\n")  # its old entries are now stale
    stale = project / CACHE_DIR / "v0-older-build"
    stale.mkdir()

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "unlink", read_only)
    monkeypatch.setattr(shutil, "rmtree", read_only)
    again = scan(policy, [], jobs=1)
    assert again.findings == real
    assert len(again.warnings) == 1 and "scanning without the cache" in again.warnings[0]


def test_key_file_inside_the_project_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = leak_project(tmp_path)
    key = project / "committed.key"
    key.write_text("0" * 64)
    monkeypatch.setenv("PRIVLINT_CACHE_KEY_FILE", str(key))
    result = scan(load_policy(None, project), [], jobs=1)
    assert [f.path for f in result.findings] == ["leak.py"]
    assert "inside the project" in result.warnings[0]
    assert not (project / CACHE_DIR).exists()


@pytest.mark.parametrize("key", ["made on first use", "written from a secret"])
def test_cache_and_key_restored_by_ci_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """actions/cache restores both the cache folder and the key (or the key comes from a
    secret): the next job, on a fresh checkout, reuses the result."""
    home = tmp_path / "runner-home" / ".cache" / "privlint"
    monkeypatch.setenv("PRIVLINT_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("PRIVLINT_CACHE_KEY_FILE", str(home / "key"))
    if key == "written from a secret":
        home.mkdir(parents=True)
        (home / "key").write_text("a-secret-of-at-least-32-bytes-from-the-ci\n")
    first = leak_project(tmp_path / "job1" / "checkout")
    assert_leak_found(run_privlint(first, "check"))
    restored = tmp_path / "restored"
    subprocess.run(["cp", "-a", str(home), str(restored)], check=True)
    subprocess.run(["rm", "-rf", str(home), str(first)], check=True)
    subprocess.run(["cp", "-a", str(restored), str(home)], check=True)  # the restore step
    second = leak_project(tmp_path / "job1" / "checkout")  # the same path, a fresh checkout
    run = run_privlint(second, "check", "--stats")
    assert_leak_found(run)
    assert "previous result reused: yes" in run.stderr
    assert not (second / CACHE_DIR).exists()


def test_entries_decode_only_after_the_signature_verifies(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.folder is not None
    cache.store("facts", "ab" * 20, FileFacts(frozenset({"email"}), True))
    entry = next(cache.folder.rglob("*.bin"))
    signed = entry.read_bytes()
    assert cache.load("facts", "ab" * 20, FileFacts) == FileFacts(frozenset({"email"}), True)
    entry.write_bytes(signed[:-1] + bytes([signed[-1] ^ 1]))  # one bit of the payload
    assert cache.load("facts", "ab" * 20, FileFacts) is None
    entry.write_bytes(pickle.dumps(FileFacts(frozenset(), False)))  # a well-formed raw entry
    assert cache.load("facts", "ab" * 20, FileFacts) is None


@pytest.mark.parametrize("key", ["a folder", "too short", "a fifo"])
def test_unusable_key_scans_without_the_cache_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    project = leak_project(tmp_path / "project")
    path = tmp_path / "key"
    if key == "a folder":
        path.mkdir()
    elif key == "a fifo":
        os.mkfifo(path)
    else:
        path.write_text("short\n")
    monkeypatch.setenv("PRIVLINT_CACHE_KEY_FILE", str(path))
    result = scan(load_policy(None, project), [], jobs=1)
    assert [f.path for f in result.findings] == ["leak.py"]
    assert len(result.warnings) == 1 and "cache key" in result.warnings[0]
