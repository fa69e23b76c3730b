"""Each engine fixture states its own expectations in comments; the scan must match them exactly.

One file per feature (sink families, sources, propagation forms, sanitizers),
annotated `# expect: RULE` on sink lines that must be reported and `# ok: RULE`
on traps that must not be.
"""

from __future__ import annotations

from functools import cache

import pytest
from annotations import Expectation, assert_file_matches, read_annotations
from conftest import FIXTURES, scan_project

ENGINE = FIXTURES / "engine"
FILES = sorted(path.name for path in ENGINE.glob("*.py"))


@cache
def reported() -> frozenset[Expectation]:
    return frozenset((f.rule_id, f.path, f.line) for f in scan_project(ENGINE))


@pytest.mark.parametrize("name", FILES)
def test_fixture_findings_match_annotations(name: str) -> None:
    assert_file_matches(ENGINE, name, reported())


def test_every_builtin_rule_has_an_expect_and_an_ok_fixture() -> None:
    expected, clean = read_annotations(ENGINE)
    rules = {
        "no-pii-in-logs",
        "no-pii-to-stdout",
        "no-pii-in-exports",
        "no-pii-to-third-parties",
        "no-pii-in-messages",
        "no-pii-in-exceptions",
    }
    assert rules <= {rule for rule, _, _ in expected}
    assert rules <= {rule for rule, _, _ in clean}


def test_one_sink_call_is_one_finding_per_rule() -> None:
    findings = scan_project(ENGINE)
    places = [(f.rule_id, f.path, f.line, f.column) for f in findings]
    assert len(places) == len(set(places))
    sinks = {f.sink_id for f in findings if f.path == "precision_calls.py" and f.line == 40}
    assert len(sinks) == 1
