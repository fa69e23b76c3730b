"""Monorepos: PATHS from several projects, each judged under its nearest policy.

pre-commit passes the changed files of a whole repository at once. Each file
belongs to the project of the nearest policy above it (as ruff does with nested
configs), and each project is scanned as its own program; the results are then
joined into one report whose paths are relative to one base folder, so that
annotations and SARIF results attach to the right files.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from privlint.config import find_config
from privlint.findings import Finding, Step
from privlint.gitdiff import GitDiffError, git_output
from privlint.scan import ScanResult
from privlint.stats import ScanStats


def by_nearest_policy(paths: list[Path]) -> list[tuple[Path | None, list[Path]]]:
    """`paths` grouped by the policy file nearest above each (None: no policy), in the
    order the groups first appear."""
    groups: dict[Path | None, list[Path]] = {}
    for path in paths:
        groups.setdefault(find_config(path), []).append(path)
    return list(groups.items())


def display_base(roots: list[Path], cwd: Path) -> Path:
    """The folder report paths are relative to: the current folder when every project
    root is inside it (CI runs from the repository root), else the git work tree that
    holds them all (what GitHub annotations and SARIF resolve against), else the roots'
    common folder (a single project's own root)."""
    for base in (cwd.resolve(), _work_tree(roots[0])):
        if base is not None and all(_within(root, base) for root in roots):
            return base
    return Path(os.path.commonpath(roots))


def _work_tree(folder: Path) -> Path | None:
    try:
        return Path(git_output(folder, "rev-parse", "--show-toplevel")).resolve()
    except GitDiffError:
        return None


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def rebased(result: ScanResult, root: Path, base: Path) -> ScanResult:
    """`result` with its root-relative paths made relative to `base`."""
    prefix = os.path.relpath(root, base).replace(os.sep, "/")
    if prefix == ".":
        return result

    def move(path: str) -> str:
        return path if os.path.isabs(path) else f"{prefix}/{path}"

    def moved(trace: tuple[Step, ...]) -> tuple[Step, ...]:
        return tuple(replace(step, path=move(step.path)) for step in trace)

    def finding(item: Finding) -> Finding:
        others = tuple(moved(trace) for trace in item.other_traces)
        return replace(item, path=move(item.path), trace=moved(item.trace), other_traces=others)

    return replace(
        result,
        findings=[finding(item) for item in result.findings],
        allowed=[replace(flow, path=move(flow.path)) for flow in result.allowed],
        errors=tuple((move(path), message) for path, message in result.errors),
        tracebacks=tuple((move(path), text) for path, text in result.tracebacks),
    )


def joined(results: list[ScanResult]) -> ScanResult:
    """One result for several projects' scans: findings, files and errors of all."""
    if len(results) == 1:
        return results[0]
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    return ScanResult(
        findings,
        sum(r.files_scanned for r in results),
        [flow for r in results for flow in r.allowed],
        tuple(error for r in results for error in r.errors),
        sum(r.suppressed for r in results),
        ScanStats(),  # `--stats` prints each project's own
        tuple(traceback for r in results for traceback in r.tracebacks),
        frozenset(path for r in results for path in r.analysed),
    )
