"""Multi-module fixture projects: the scan reports exactly what `expected.yaml` lists.

Each project under tests/fixtures/projects/ carries its policy and, as data,
every finding the whole-program analysis must report (rule, path, line,
categories, and files the trace must pass through, in order) — and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from annotations import read_annotations
from conftest import FIXTURES, scan_project

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


def _expected(project: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((project / "expected.yaml").read_text(encoding="utf-8"))
    return list(data["findings"])


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_project_findings_are_exactly_the_expected_ones(project: Path) -> None:
    found = {(f.rule_id, f.path, f.line): f for f in scan_project(project)}
    expected = {(e["rule"], e["path"], e["line"]): e for e in _expected(project)}
    assert sorted(set(found) - set(expected)) == [], "reported but not expected"
    assert sorted(set(expected) - set(found)) == [], "expected but not reported"
    for key, entry in expected.items():
        finding = found[key]
        reaching = sorted((*finding.categories, *finding.other_categories))
        assert reaching == entry["categories"], key  # on the trace shown or on others
        files = [step.path.rsplit("/", 1)[-1] for step in finding.trace]
        hops = iter(files)
        assert all(hop in hops for hop in entry.get("hops", [])), (key, files)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_expected_data_agrees_with_the_comments_in_the_code(project: Path) -> None:
    annotated, _ = read_annotations(project)
    listed = {(e["rule"], e["path"], e["line"]) for e in _expected(project)}
    assert listed == annotated
