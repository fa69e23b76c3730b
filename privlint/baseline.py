"""Baselines: accept today's findings so that only new ones fail a run (SPEC §4).

A baseline file lists finding fingerprints, which do not contain line numbers,
so it keeps matching while unrelated code moves. Each entry also carries the
rule, path and sink line for the humans who review the file in a diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privlint.discover import POLICY_FILES
from privlint.findings import Finding
from privlint.suppressions import UNSUPPRESSIBLE
from privlint.textfile import BASELINE_MAX_BYTES, TextFileError, read_text_file

BASELINE_FILE = "privlint-baseline.json"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One accepted finding. Only `fingerprint` is matched; the rest is for readers."""

    path: str
    rule_id: str
    context: str
    fingerprint: str


@dataclass(frozen=True)
class BaselineMatch:
    """What remains after a baseline: findings still reported, how many were hidden,
    and the entries in the scanned scope that matched no finding (stale)."""

    findings: list[Finding]
    hidden: int
    stale: tuple[BaselineEntry, ...]


def baseline_entries(findings: Iterable[Finding]) -> list[BaselineEntry]:
    """The entries for `findings`, sorted; files that did not parse are never baselined
    (a broken file was not checked at all, so accepting it would hide every new leak in it)."""
    entries = {
        BaselineEntry(finding.path, finding.rule_id, finding.snippet.strip(), finding.fingerprint)
        for finding in findings
        if finding.rule_id not in UNSUPPRESSIBLE and finding.fingerprint
    }
    return sorted(entries)


def render_baseline(findings: Iterable[Finding], tool_version: str) -> str:
    """The baseline document for `findings`: stable key order, sorted entries, final newline."""
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "privlint", "version": tool_version},
        "findings": [
            {
                "fingerprint": entry.fingerprint,
                "rule_id": entry.rule_id,
                "path": entry.path,
                "context": entry.context,
            }
            for entry in baseline_entries(findings)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> tuple[BaselineEntry, ...]:
    """The entries of a baseline file; any problem with it is a `BaselineError`."""
    if not os.path.lexists(path):
        raise BaselineError(f"{path}: baseline file not found (create it with `privlint baseline`)")
    try:
        text = read_text_file(path, BASELINE_MAX_BYTES)
    except TextFileError as error:
        raise BaselineError(f"{path}: cannot read baseline file: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{path}:{error.lineno}:{error.colno}: baseline file is not valid JSON: {error.msg}"
        ) from None
    except RecursionError:
        raise BaselineError(f"{path}: baseline file is nested too deeply to be one") from None
    except ValueError as error:  # an integer of thousands of digits
        raise BaselineError(f"{path}: baseline file holds an unreadable value: {error}") from None
    return _entries(document, path)


def _entries(document: Any, path: Path) -> tuple[BaselineEntry, ...]:
    if not isinstance(document, dict):
        raise BaselineError(f"{path}: a baseline file is a JSON object with a 'findings' list")
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: unsupported baseline version {version!r} (expected {FORMAT_VERSION})"
        )
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    entries = []
    for index, item in enumerate(findings):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise BaselineError(f"{path}: findings[{index}] has no 'fingerprint' string")
        entries.append(
            BaselineEntry(
                path=_text(item, "path"),
                rule_id=_text(item, "rule_id"),
                context=_text(item, "context"),
                fingerprint=fingerprint,
            )
        )
    return tuple(entries)


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value if isinstance(value, str) else str(value)


def apply_baseline(
    findings: Sequence[Finding],
    entries: Sequence[BaselineEntry],
    root: Path,
    paths: Sequence[Path],
) -> BaselineMatch:
    """Hide the findings whose fingerprint is in `entries`.

    An entry that matched nothing is stale only if its file was in the scope of
    this run (`paths`, as given to `check`): a pre-commit run on two files must
    not call the baseline entries of every other file stale.
    """
    accepted = {entry.fingerprint for entry in entries}
    kept = [f for f in findings if f.fingerprint not in accepted or f.rule_id in UNSUPPRESSIBLE]
    matched = {f.fingerprint for f in findings} & accepted
    in_scope = report_scope(root, paths)
    stale = tuple(
        sorted(
            entry for entry in entries if entry.fingerprint not in matched and in_scope(entry.path)
        )
    )
    return BaselineMatch(kept, len(findings) - len(kept), stale)


def report_scope(root: Path, paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a finding at a root-relative path could have been reported for `paths`.

    Mirrors `discover`: no paths or a policy file among them means the whole
    project; otherwise the given files and everything below the given folders.
    Unlike discovery it needs no file to exist, so entries of deleted files count.
    """
    if not paths or any(path.name in POLICY_FILES for path in paths):
        return lambda relative: True
    base = root.resolve()
    targets = [Path(os.path.abspath(path)).resolve() for path in paths]

    def in_scope(relative: str) -> bool:
        path = base / relative
        return any(path == target or target in path.parents for target in targets)

    return in_scope
