"""The built-in sink catalog, family by family: each fixture module states what must be
found and what must stay clean (`# expect:` / `# ok:`), and every built-in sink that a
built-in rule covers is found by some fixture."""

from __future__ import annotations

from functools import cache

import pytest
from annotations import Expectation, assert_file_matches, read_annotations
from conftest import FIXTURES, REPO, scan_project

from privlint.config import load_policy
from privlint.findings import Finding

CATALOG = FIXTURES / "catalog"
FILES = sorted(path.relative_to(CATALOG).as_posix() for path in CATALOG.rglob("*.py"))


@cache
def findings() -> tuple[Finding, ...]:
    return tuple(scan_project(CATALOG))


@cache
def reported() -> frozenset[Expectation]:
    return frozenset((f.rule_id, f.path, f.line) for f in findings())


@pytest.mark.parametrize("name", FILES)
def test_family_findings_match_annotations(name: str) -> None:
    assert_file_matches(CATALOG, name, reported())


def test_every_builtin_sink_a_rule_covers_is_found_by_a_fixture() -> None:
    policy = load_policy(None, REPO / "privlint")
    rules = policy.active_rules()
    covered = {s.id for s in policy.sinks if any(r.covers_sink(s.id, s.kind) for r in rules)}
    engine = scan_project(FIXTURES / "engine")
    found = {f.sink_id for f in (*findings(), *engine)}
    assert covered - found == set(), "built-in sinks without a fixture that finds them"


def test_every_builtin_rule_has_an_expect_and_an_ok_line_in_the_fixtures() -> None:
    rules = {rule.id for rule in load_policy(None, REPO / "privlint").active_rules()}
    expected, clean = read_annotations(CATALOG)
    more_expected, more_clean = read_annotations(FIXTURES / "engine")
    assert rules <= {rule for rule, _, _ in expected | more_expected}
    assert rules <= {rule for rule, _, _ in clean | more_clean}
