"""The concise reporter: one line per finding, as ruff's `--output-format concise`."""

from __future__ import annotations

from pathlib import Path

from report_samples import assert_matches_golden, sample_context, sample_findings

from privlint.reporters import REPORTERS
from privlint.reporters.concise import render_concise

GOLDEN = Path(__file__).parent / "golden" / "report.concise.txt"


def test_report_matches_golden() -> None:
    assert_matches_golden(render_concise(sample_findings(), sample_context()), GOLDEN)


def test_concise_is_registered() -> None:
    assert REPORTERS["concise"] is render_concise


def test_one_line_per_finding_then_the_summary_line() -> None:
    lines = render_concise(sample_findings(), sample_context()).splitlines()
    assert len(lines) == len(sample_findings()) + 1
    assert lines[0] == (
        "walletapp/legacy.py:4:17: error parse-error cannot parse file: expected ':'"
    )
    assert lines[-1].startswith("4 findings (2 errors, 1 warning, 1 info) in 6 files")


def test_quiet_lists_findings_only() -> None:
    output = render_concise(sample_findings(), sample_context(findings_only=True))
    assert len(output.splitlines()) == len(sample_findings())
    assert "findings" not in output.splitlines()[-1]
