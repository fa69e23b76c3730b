"""Which files to scan: include/exclude patterns, `.gitignore`, explicit files (SPEC §1, §3a).

Explicit files (what pre-commit passes) only narrow what is *reported*: the
whole project is still read, because a flow can start in any module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

ALWAYS_SKIPPED = frozenset(
    {
        ".git",
        ".privlint_cache",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        "node_modules",
        ".mypy_cache",
        ".ruff_cache",
    }
)
POLICY_FILES = frozenset({"privlint.yaml", ".privlint.yaml", "pyproject.toml"})


@dataclass(frozen=True)
class Discovery:
    files: tuple[Path, ...]  # absolute, sorted: every .py file to analyse
    report_only: frozenset[Path] | None  # None: report findings in every file
    problems: tuple[tuple[Path, str], ...]  # paths that are missing or unreadable


@dataclass(frozen=True)
class _Ignore:
    """One `.gitignore`; `prefix` is its folder relative to the walk's base, '' or 'a/b/'."""

    prefix: str
    spec: GitIgnoreSpec


@dataclass
class _Walk:
    """The patterns of one scan and what walking has found so far."""

    include: GitIgnoreSpec
    exclude: GitIgnoreSpec
    files: set[Path] = field(default_factory=set)
    problems: list[tuple[Path, str]] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # where a symlinked file may point

    def ignored(self, rel: str, ignores: tuple[_Ignore, ...]) -> bool:
        """Whether `rel` (folders end in '/') is excluded or git-ignored.

        As in git, the deepest `.gitignore` with a matching pattern decides.
        """
        if self.exclude.match_file(rel):
            return True
        for ignore in reversed(ignores):
            verdict = ignore.spec.check_file(rel[len(ignore.prefix) :]).include
            if verdict is not None:
                return verdict
        return False

    def skipped(self, name: str, rel: str, ignores: tuple[_Ignore, ...]) -> bool:
        """Whether the folder `name`, at `rel` ('a/name/'), is left out with all below it."""
        return name in ALWAYS_SKIPPED or self.ignored(rel, ignores)

    def gitignore(self, folder: str, prefix: str) -> tuple[_Ignore, ...]:
        path = os.path.join(folder, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return ()
        except OSError as error:
            self.problems.append((Path(path), f"cannot read: {error.strerror or error}"))
            return ()
        return (_Ignore(prefix, GitIgnoreSpec.from_lines(lines)),)

    def walk(self, folder: str, rel: str = "", ignores: tuple[_Ignore, ...] = ()) -> None:
        """Add the wanted .py files below `folder`; `rel` is its path from the base, '' or 'a/'.

        Symlinked folders are not entered (no loops), and only regular files count.
        """
        pending = [(folder, rel, ignores)]
        while pending:
            folder, rel, ignores = pending.pop()
            try:
                with os.scandir(folder) as scan:
                    entries = list(scan)
            except OSError as error:
                self.problems.append((Path(folder), f"cannot list: {error.strerror or error}"))
                continue
            if any(entry.name == ".gitignore" for entry in entries):  # most folders have none
                ignores += self.gitignore(folder, rel)
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        sub = f"{rel}{entry.name}/"
                        if not self.skipped(entry.name, sub, ignores):
                            pending.append((entry.path, sub, ignores))
                    elif entry.name.endswith(".py") and entry.is_file():
                        self.add(entry.path, rel + entry.name, ignores)
                except OSError as error:
                    self.problems.append((Path(entry.path), error.strerror or str(error)))

    def add(self, path: str, rel: str, ignores: tuple[_Ignore, ...]) -> None:
        if self.include.match_file(rel) and not self.ignored(rel, ignores):
            if os.path.islink(path) and not self.inside_roots(Path(os.path.realpath(path))):
                # Findings quote source lines: a link must not carry files from outside
                # the project (say ~/.ssh) into a CI log.
                self.problems.append((Path(path), "symlink to a file outside the project: skipped"))
            else:
                self.files.add(Path(path))

    def inside_roots(self, path: Path) -> bool:
        return any(_inside(path, root) for root in self.roots)

    def walk_below(self, root: Path, target: Path) -> None:
        """Walk `target`, a folder inside `root`, under the patterns of the folders above it."""
        ignores: tuple[_Ignore, ...] = ()
        rel = ""
        for part in target.relative_to(root).parts:
            ignores += self.gitignore(os.path.join(root, rel), rel)
            rel = f"{rel}{part}/"
            if self.skipped(part, rel, ignores):
                return
        self.walk(str(target), rel, ignores)


def discover(
    root: Path, paths: Sequence[Path], include: Sequence[str], exclude: Sequence[str]
) -> Discovery:
    """The files to analyse and the files to report on, for `privlint check PATHS`."""
    root = root.resolve()
    exclude = without_test_code(include, exclude)
    walk = _Walk(GitIgnoreSpec.from_lines(include), GitIgnoreSpec.from_lines(exclude))
    walk.roots.append(root)
    folders: list[Path] = []
    explicit: set[Path] = set()
    report_all = not paths
    for given in paths:
        path = _absolute(given)
        if path.is_dir():
            folders.append(path.resolve())
            walk.roots.append(path.resolve())
        elif path.is_file():
            if path.suffix == ".py":
                explicit.add(path)
            report_all = report_all or path.name in POLICY_FILES
        else:
            reason = "not a file or folder" if os.path.lexists(path) else "no such file or folder"
            walk.problems.append((path, reason))
    whole = bool(explicit) or report_all
    if whole:
        walk.walk(str(root))
    for folder in folders:
        if not _inside(folder, root):
            walk.walk(str(folder))
        elif not whole:
            walk.walk_below(root, folder)
    walk.files.update(path for path in explicit if not _inside(path, root))
    report_only = None
    if explicit and not report_all:
        report_only = frozenset(
            path
            for path in walk.files
            if path in explicit or any(_inside(path, folder) for folder in folders)
        )
    return Discovery(tuple(sorted(walk.files)), report_only, tuple(walk.problems))


# Test code, gitignore-style at any depth (SPEC §3a): not analysed unless `include` names it.
TEST_CODE = ("tests/", "test/", "test_*.py", "*_test.py", "tests.py", "conftest.py")


def without_test_code(include: Sequence[str], exclude: Sequence[str]) -> tuple[str, ...]:
    """`exclude` plus test code, unless an `include` pattern of the policy asks for tests:
    flows that start in fixtures must not reach, or change, production findings."""
    if any("test" in pattern for pattern in include):
        return tuple(exclude)
    return (*exclude, *TEST_CODE)


def _absolute(path: Path) -> Path:
    """An absolute path with its folders resolved but a symlinked file's own name kept."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
