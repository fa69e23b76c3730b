"""Pull-request mode: which lines changed since a git ref, and which findings touch them.

The working tree is compared with the ref (`git diff REF`, staged and unstaged
edits alike), and untracked files count as wholly changed, so a leak in a new
module is reported before it is ever committed. Git runs without a shell.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from privlint.findings import Finding
from privlint.suppressions import UNSUPPRESSIBLE

# The all-zero object id git hooks pass for "no such commit" (e.g. a new branch).
NULL_REF = "0" * 40

_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class GitDiffError(Exception):
    """Diff mode cannot run: no git, not a repository, or an unknown ref."""


@dataclass(frozen=True)
class ChangedLines:
    """Lines added or changed since `ref`, by path relative to the project root.

    Line numbers are those of the working-tree file, as findings number them.
    """

    ref: str
    lines: dict[str, frozenset[int]] = field(default_factory=dict)
    whole_files: frozenset[str] = frozenset()

    def touches(self, path: str, first: int, last: int | None = None) -> bool:
        """Whether any of lines `first`..`last` (inclusive) of `path` changed."""
        if path in self.whole_files:
            return True
        changed = self.lines.get(path)
        if not changed:
            return False
        return any(line in changed for line in range(first, max(first, last or first) + 1))

    def touches_file(self, path: str) -> bool:
        return path in self.whole_files or bool(self.lines.get(path))


def in_diff(finding: Finding, changed: ChangedLines) -> bool:
    """Whether a finding belongs to the change: its sink call or a step of one of its traces
    (a new caller of a helper the sink is in, say) is on a changed line. A file that does
    not parse counts if it changed at all, since none of it could be checked."""
    if finding.rule_id in UNSUPPRESSIBLE:
        return changed.touches_file(finding.path)
    if changed.touches(finding.path, finding.line, finding.end_line):
        return True
    return any(changed.touches(step.path, step.line) for step in finding.steps())


def only_changed(findings: Iterable[Finding], changed: ChangedLines) -> list[Finding]:
    return [finding for finding in findings if in_diff(finding, changed)]


def changed_lines(root: Path, ref: str) -> ChangedLines:
    """The lines of files below `root` changed in the working tree since `ref`."""
    if not ref or ref.startswith("-"):
        raise GitDiffError(f"invalid git ref {ref!r}")
    try:
        toplevel = Path(git_output(root, "rev-parse", "--show-toplevel")).resolve()
    except GitDiffError:
        raise GitDiffError(f"--diff needs a git repository; {root} is not inside one") from None
    commit = _resolve_ref(root, ref)
    try:
        prefix = root.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        raise GitDiffError(f"{root} is not inside the git work tree {toplevel}") from None
    prefix = "" if prefix == "." else prefix
    pathspec = [f":(top,literal){prefix}"] if prefix else []
    diff = git_output(
        toplevel,
        "diff",
        "--unified=0",
        "--text",  # a `.gitattributes` marking *.py `-diff` (binary) must not hide changes
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        commit,
        "--",
        *pathspec,
    )
    untracked = git_output(
        toplevel, "ls-files", "-z", "--others", "--exclude-standard", "--", *pathspec
    ).split("\0")
    return ChangedLines(
        ref=ref,
        lines={
            _below(path, prefix): frozenset(lines)
            for path, lines in parse_unified_diff(diff).items()
            if _is_below(path, prefix)
        },
        whole_files=frozenset(_below(path, prefix) for path in untracked if path),
    )


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """Added line numbers (in the new file) per path, from `git diff --unified=0` output.

    Hunk bodies are consumed by their counts, so an added line that itself
    starts with `++` is never mistaken for a file header.
    """
    result: dict[str, set[int]] = {}
    current: set[int] | None = None
    lines = iter(text.split("\n"))
    for line in lines:
        if line.startswith("+++ "):
            path = _header_path(line[4:])
            current = None if path is None else result.setdefault(path, set())
        elif line.startswith("@@ ") and current is not None:
            match = _HUNK.match(line)
            if match is None:
                continue
            removed = int(match.group(1) or "1")
            start, added = int(match.group(2)), int(match.group(3) or "1")
            current.update(range(start, start + added))
            _skip_body(lines, removed + added)
    return result


def _skip_body(lines: Iterator[str], count: int) -> None:
    """Consume a hunk's `count` removed and added lines (and "\\ No newline" notes)."""
    while count > 0:
        line = next(lines, None)
        if line is None:
            return
        if not line.startswith("\\"):
            count -= 1


def _header_path(name: str) -> str | None:
    """The path in a `+++ b/path` header; None for `/dev/null` (a deleted file)."""
    name = name.rstrip("\t")
    if name.startswith('"') and name.endswith('"') and len(name) > 1:
        name = _unquote(name[1:-1])
    if name == "/dev/null" or not name.startswith("b/"):
        return None
    return name[2:]


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(quoted: str) -> str:
    """Undo git's C-style quoting of unusual path names (octal bytes, `\\t`, `\\"`)."""
    out = bytearray()
    index = 0
    while index < len(quoted):
        char = quoted[index]
        if char == "\\" and index + 1 < len(quoted):
            following = quoted[index + 1]
            if following in "01234567":
                out.append(int(quoted[index + 1 : index + 4], 8) & 0xFF)
                index += 4
                continue
            out.append(_ESCAPES.get(following, ord(following)))
            index += 2
            continue
        out.extend(char.encode("utf-8"))
        index += 1
    return out.decode("utf-8", errors="replace")


def _is_below(path: str, prefix: str) -> bool:
    return not prefix or path.startswith(prefix + "/")


def _below(path: str, prefix: str) -> str:
    return path[len(prefix) + 1 :] if prefix else path


def _resolve_ref(root: Path, ref: str) -> str:
    try:
        return git_output(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitDiffError:
        raise GitDiffError(
            f"unknown git ref {ref!r}: not a commit in the repository at {root}"
        ) from None


def git_output(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its stdout (stripped for rev-parse); any failure is a
    `GitDiffError`. Paths come unquoted unless they hold control characters or quotes."""
    command: Sequence[str] = ["git", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise GitDiffError("git is not installed or not on PATH") from None
    except OSError as error:
        raise GitDiffError(f"cannot run git in {cwd}: {error}") from None
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        detail = f": {message[-1]}" if message else ""
        raise GitDiffError(f"git {args[0]} failed{detail}")
    return done.stdout.strip() if args[0] == "rev-parse" else done.stdout
