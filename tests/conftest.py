"""Shared helpers: scan a fixture project the way `privlint check` does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from privlint.config import load_policy
from privlint.findings import Finding
from privlint.scan import scan

FIXTURES = Path(__file__).parent / "fixtures"
# Fixture projects hold test_*.py and conftest.py files of their own: never collect them.
collect_ignore = ["fixtures"]
REPO = Path(__file__).parent.parent


def scan_project(root: Path, config: Path | None = None) -> list[Finding]:
    """Findings of a scan of `root` with its own policy (or builtin:default)."""
    if config is None and (root / "privlint.yaml").exists():
        config = root / "privlint.yaml"
    policy = load_policy(config, root)
    return scan(policy, [], use_cache=False).findings


@pytest.fixture(autouse=True, scope="session")
def cache_key_outside_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The cache key the tests' scans (and the commands they run) sign entries with: never
    the user's own key file."""
    os.environ["PRIVLINT_CACHE_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "key")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
