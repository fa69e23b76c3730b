"""`check --statistics`: findings per rule, most frequent first, and nothing else."""

from __future__ import annotations

from pathlib import Path

from report_samples import assert_matches_golden, sample_context, sample_findings

from privlint.reporters.statistics import render_statistics

GOLDEN = Path(__file__).parent / "golden" / "report.statistics.txt"


def test_statistics_match_golden() -> None:
    findings = sample_findings()
    assert_matches_golden(render_statistics([*findings, findings[0]], sample_context()), GOLDEN)


def test_the_most_frequent_rule_comes_first() -> None:
    findings = sample_findings()
    first = render_statistics([*findings, findings[-1]], sample_context()).splitlines()[0]
    assert first == f"  2  {findings[-1].rule_id}"


def test_no_findings_says_so() -> None:
    assert render_statistics([], sample_context()).startswith("No findings in 6 files")
