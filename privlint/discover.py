"""Which files to scan: include/exclude patterns, `.gitignore`, explicit files (SPEC §1, §3a).

In a git work tree, git's own view decides what the project is: every tracked file
and every untracked one git does not ignore. Elsewhere the folders are walked with
the `.gitignore` files found on the way.

Explicit files (what pre-commit passes) only narrow what is *reported*: the
whole project is still read, because a flow can start in any module.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

from privlint.config import policy_in
from privlint.gitdiff import GitDiffError, git_output
from privlint.textfile import POLICY_MAX_BYTES, TextFileError, read_text_file

# Folders of tools, not of the project. One of them that holds a .py file itself (a
# package named `venv`, say) is code and is scanned; `.git` and the cache never are.
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
NEVER_CODE = frozenset({".git", ".privlint_cache"})
UNTRACKED_TOOL_FOLDER = (
    "untracked tool folder (virtualenv, node_modules, cache): not scanned; "
    "add it to .gitignore, or commit what in it is the project's code"
)
LEFT_OUT = "left out by the policy's include/exclude or an ignore rule: not scanned"
POLICY_FILES = frozenset({"privlint.yaml", ".privlint.yaml", "pyproject.toml"})


@dataclass(frozen=True)
class Discovery:
    files: tuple[Path, ...]  # absolute, sorted: every .py file to analyse
    report_only: frozenset[Path] | None  # None: report findings in every file
    problems: tuple[tuple[Path, str], ...]  # paths that are missing or unreadable
    nested: tuple[Path, ...] = ()  # folders below with a policy of their own: other projects


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
    separate: bool = False  # whether a folder with its own policy is a project of its own
    nested: list[Path] = field(default_factory=list)

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

    def skipped(self, path: str, rel: str, ignores: tuple[_Ignore, ...]) -> bool:
        """Whether the folder at `path` and `rel` ('a/name/') is left out with all below it."""
        return tool_folder(path) or self.ignored(rel, ignores)

    def gitignore(self, folder: str, prefix: str) -> tuple[_Ignore, ...]:
        path = os.path.join(folder, ".gitignore")
        if not os.path.lexists(path):
            return ()
        try:  # bounded, and never a FIFO: a pull request can commit this file
            lines = read_text_file(Path(path), POLICY_MAX_BYTES, errors="replace").splitlines()
        except TextFileError as error:
            self.problems.append((Path(path), f"cannot read: {error}"))
            return ()
        return (_Ignore(prefix, GitIgnoreSpec.from_lines(lines)),)

    def walk(self, folder: str, rel: str = "", ignores: tuple[_Ignore, ...] = ()) -> None:
        """Add the wanted .py files below `folder`; `rel` is its path from the base, '' or 'a/'.

        Symlinked folders are not entered (no loops), and only regular files count.
        """
        top = folder
        pending = [(folder, rel, ignores)]
        while pending:
            folder, rel, ignores = pending.pop()
            try:
                with os.scandir(folder) as scan:
                    entries = list(scan)
            except OSError as error:
                self.problems.append((Path(folder), f"cannot list: {error.strerror or error}"))
                continue
            if folder != top and self.own_project(folder, {entry.name for entry in entries}):
                continue
            if any(entry.name == ".gitignore" for entry in entries):  # most folders have none
                ignores += self.gitignore(folder, rel)
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        sub = f"{rel}{entry.name}/"
                        if not self.skipped(entry.path, sub, ignores):
                            pending.append((entry.path, sub, ignores))
                    elif entry.name.endswith(".py"):
                        self.add(entry.path, rel + entry.name, ignores)
                except OSError as error:
                    self.problems.append((Path(entry.path), error.strerror or str(error)))

    def add(self, path: str, rel: str, ignores: tuple[_Ignore, ...]) -> None:
        """Take the wanted file at `path`; one that is no regular file is reported."""
        if not self.include.match_file(rel) or self.ignored(rel, ignores):
            return
        if not os.path.isfile(path):
            if os.path.lexists(path):  # else it vanished: nothing is left to read
                self.problems.append((Path(path), f"{_kind(path)}, not a regular file: skipped"))
        elif os.path.islink(path) and not self.inside_roots(Path(os.path.realpath(path))):
            # Findings quote source lines: a link must not carry files from outside
            # the project (say ~/.ssh) into a CI log.
            self.problems.append((Path(path), "symlink to a file outside the project: skipped"))
        else:
            self.files.add(Path(path))

    def own_project(self, folder: str, names: set[str]) -> bool:
        """Whether `folder` (holding files `names`) is another project, noted if so."""
        if not (self.separate and names & POLICY_FILES and policy_in(Path(folder))):
            return False
        self.nested.append(Path(folder))
        return True

    def add_listed(self, root: Path, listed: list[tuple[str, bool]], prefix: str) -> None:
        """Take the files below `prefix` ('' or 'a/b/') of git's list: tracked files
        always, untracked ones unless they lie in a tool folder (reported once each)."""
        reported: set[str] = set()
        others = self.projects_listed(root, listed, prefix)
        for rel, tracked in listed:
            if not (rel.startswith(prefix) and rel.endswith(".py")):
                continue
            if any(rel.startswith(other) for other in others):
                continue
            tool = None if tracked else _tool_ancestor(root, rel)
            if tool is None:
                self.add(os.path.join(root, rel), rel, ())
            elif tool not in reported:
                reported.add(tool)
                self.problems.append((root / tool, UNTRACKED_TOOL_FOLDER))

    def projects_listed(self, root: Path, listed: list[tuple[str, bool]], prefix: str) -> list[str]:
        """The outermost folders below `prefix` of git's list that hold a policy of their
        own ('a/b/'), noted as other projects."""
        folders: dict[str, set[str]] = {}
        for rel, tracked in listed:
            folder, _, name = rel.rpartition("/")
            if not (folder and rel.startswith(prefix) and name in POLICY_FILES):
                continue
            # as the walk would: not below an excluded folder or an untracked tool folder
            parts = folder.split("/")
            if any(self.ignored("/".join(parts[:n]) + "/", ()) for n in range(1, len(parts) + 1)):
                continue
            if tracked or _tool_ancestor(root, rel) is None:
                folders.setdefault(folder + "/", set()).add(name)
        others: list[str] = []
        for folder in sorted(folders):
            if folder == prefix or any(folder.startswith(other) for other in others):
                continue
            if self.own_project(os.path.join(root, folder), folders[folder]):
                others.append(folder)
        return others

    def inside_roots(self, path: Path) -> bool:
        return any(_inside(path, root) for root in self.roots)

    def walk_below(self, root: Path, target: Path) -> None:
        """Walk `target`, a folder inside `root`, under the patterns of the folders above it."""
        ignores: tuple[_Ignore, ...] = ()
        rel = ""
        for part in target.relative_to(root).parts:
            ignores += self.gitignore(os.path.join(root, rel), rel)
            rel = f"{rel}{part}/"
            if self.skipped(os.path.join(root, rel), rel, ignores):
                return
        self.walk(str(target), rel, ignores)


def discover(
    root: Path,
    paths: Sequence[Path],
    include: Sequence[str],
    exclude: Sequence[str],
    separate: bool = False,
) -> Discovery:
    """The files to analyse and the files to report on, for `privlint check PATHS`.

    With `separate`, a folder below that has a policy of its own is another project:
    its files are left to that project's scan, and the folder is in `nested`.
    """
    root = root.resolve()
    exclude = without_test_code(include, exclude)
    walk = _Walk(GitIgnoreSpec.from_lines(include), GitIgnoreSpec.from_lines(exclude))
    walk.separate = separate
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
    listed = git_view(root)
    inner = [root] if whole else [folder for folder in folders if _inside(folder, root)]
    for folder in inner:
        if listed is not None:
            walk.add_listed(root, listed, _prefix(folder, root))
        elif folder == root:
            walk.walk(str(root))
        else:
            walk.walk_below(root, folder)
    for folder in folders:
        if not _inside(folder, root):
            walk.walk(str(folder))
    walk.files.update(path for path in explicit if not _inside(path, root))
    said = {path for path, _ in walk.problems}
    for path in sorted(explicit - walk.files - said):  # asked for, so say why not
        walk.problems.append((path, LEFT_OUT))
    report_only = None
    if explicit and not report_all:
        report_only = frozenset(
            path
            for path in walk.files
            if path in explicit or any(_inside(path, folder) for folder in folders)
        )
    # Other projects to scan: those this run asks for, not all that a walk for files met.
    nested = (n for n in walk.nested if not paths or any(_inside(n, f) for f in folders))
    return Discovery(tuple(sorted(walk.files)), report_only, tuple(walk.problems), tuple(nested))


def git_view(root: Path) -> list[tuple[str, bool]] | None:
    """What git counts as the project below `root`: (path from `root`, tracked) for each
    file it tracks or would track (untracked, not ignored); None outside a work tree.

    A tracked file is the project's even where a `.gitignore` matches it. When git lists
    nothing (`root` is ignored, say an unpacked wheel), the folders are walked instead.
    """
    try:
        listed = git_output(
            root, "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "--",
            "*.py", *(f"*/{name}" for name in sorted(POLICY_FILES)),
        )  # fmt: skip
    except GitDiffError:
        return None
    files = [(entry[2:], entry[0] != "?") for entry in listed.split("\0") if len(entry) > 2]
    return files or None  # `root` is ignored (say an unpacked wheel): walk it instead


def tool_folder(path: str) -> bool:
    """Whether the folder at `path` belongs to a tool (virtualenv, cache, node_modules)."""
    name = os.path.basename(path)
    if name in NEVER_CODE:
        return True
    return name in ALWAYS_SKIPPED and not _holds_python(path)


def _holds_python(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(entry.name.endswith(".py") and entry.is_file() for entry in entries)
    except OSError:
        return False


def _tool_ancestor(root: Path, rel: str) -> str | None:
    """The first folder of `rel` (from `root`) that is a tool folder, or None."""
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        if parts[depth - 1] in ALWAYS_SKIPPED and tool_folder(os.path.join(root, *parts[:depth])):
            return "/".join(parts[:depth])
    return None


def _kind(path: str) -> str:
    """What a path that is no regular file is, in a user's words."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "a dangling symlink"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a device"


def _prefix(folder: Path, root: Path) -> str:
    """`folder` as a prefix of root-relative paths: '' for the root, else 'a/b/'."""
    return "" if folder == root else folder.relative_to(root).as_posix() + "/"


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
