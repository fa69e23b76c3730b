"""Sample findings and report context shared by the reporter tests, with golden-file checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

from privlint.findings import Finding, Severity, Step, with_fingerprints
from privlint.reporters import ReportContext

PROJECT = Path(__file__).parent / "fixtures" / "report_project"


def sample_findings() -> list[Finding]:
    """The findings of `fixtures/report_project/findings.json`, fingerprinted."""
    raw = json.loads((PROJECT / "findings.json").read_text(encoding="utf-8"))
    findings = [
        Finding(
            **{
                **item,
                "severity": Severity(item["severity"]),
                "categories": tuple(item.get("categories", ())),
                "trace": tuple(Step(**step) for step in item.get("trace", ())),
                "other_traces": tuple(
                    tuple(Step(**step) for step in trace) for trace in item.get("other_traces", ())
                ),
            }
        )
        for item in raw
    ]
    return with_fingerprints(findings)


def sample_context(**overrides: object) -> ReportContext:
    settings: dict[str, object] = {
        "tool_version": "0.0.0-test",
        "root": PROJECT,
        "files_scanned": 6,
        "suppressed": 1,
        "baselined": 2,
        "errors": (("walletapp/secrets.py", "cannot read file: permission denied"),),
    }
    settings.update(overrides)
    return ReportContext(**settings)  # type: ignore[arg-type]


def assert_matches_golden(actual: str, golden: Path) -> None:
    if os.environ.get("PRIVLINT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"{golden.name} differs; rerun with PRIVLINT_UPDATE_GOLDEN=1"
