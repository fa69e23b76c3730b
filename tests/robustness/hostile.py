"""Helpers for the robustness suite: write a project, scan it, run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from privlint.config import load_policy
from privlint.findings import Finding
from privlint.scan import ScanResult, scan

REPO = Path(__file__).resolve().parents[2]

# A real leak: an e-mail address written to the log, which the default policy forbids.
LEAK = b"import logging\n\n\ndef remember(email):\n    logging.info('signed up: %s', email)\n"


def write_project(root: Path, files: dict[str, bytes | str]) -> Path:
    """Write `files` (relative path -> content) below `root`; bytes are written as they are."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return root


def scan_root(root: Path, jobs: int = 1) -> ScanResult:
    """A whole scan of `root` under the builtin default policy, without the cache."""
    return scan(load_policy(None, root), [], jobs=jobs, use_cache=False)


def findings_by_path(result: ScanResult) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in result.findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def verdict(result: ScanResult, path: str) -> list[str]:
    """The rule ids reported for one file, sorted."""
    return sorted(f.rule_id for f in result.findings if f.path == path)


def run_privlint(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m privlint ARGS` in a fresh interpreter, as a user or CI would run it."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "privlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
