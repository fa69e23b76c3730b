"""Internal errors are reported, not hidden: the file the engine failed on gets an
`internal-error` finding, the rest of the scan goes on, and the run exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privlint.analysis import ir, summarize
from privlint.cli import app
from privlint.config import load_policy
from privlint.findings import Severity
from privlint.scan import scan

from .hostile import LEAK, scan_root, verdict, write_project

BOOM = "customer_email = None\n"  # mentions personal data, so the prefilter lets it through


def break_summarize_for(
    monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException | None = None
) -> None:
    """Make the engine fail on one file, as a bug in privlint would."""
    real = summarize.summarize_source

    def summarize_source(source: bytes, path: str, module: str, is_package: bool) -> ir.ModuleIR:
        if path == name:
            raise error or ValueError("unexpected node\nin the lowering")
        return real(source, path, module, is_package)

    monkeypatch.setattr(summarize, "summarize_source", summarize_source)


def test_failing_file_gets_an_internal_error_finding_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"boom.py": BOOM, "leak.py": LEAK})
    break_summarize_for(monkeypatch, "boom.py")
    result = scan_root(tmp_path)
    assert verdict(result, "leak.py") == ["no-pii-in-logs"]
    [finding] = [f for f in result.findings if f.path == "boom.py"]
    assert finding.rule_id == "internal-error"
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "privlint failed on this file (please report this bug): "
        "ValueError: unexpected node in the lowering"
    )
    [(path, trace)] = result.tracebacks
    assert path == "boom.py"
    assert "Traceback" in trace
    assert "ValueError: unexpected node" in trace


@pytest.mark.parametrize("error", [MemoryError(), RecursionError("too deep"), KeyError("x")])
def test_any_exception_becomes_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    write_project(tmp_path, {"boom.py": BOOM})
    break_summarize_for(monkeypatch, "boom.py", error)
    assert verdict(scan_root(tmp_path), "boom.py") == ["internal-error"]


def test_internal_error_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"boom.py": LEAK})
    policy = load_policy(None, tmp_path)
    with monkeypatch.context() as patch:
        break_summarize_for(patch, "boom.py")
        assert [f.rule_id for f in scan(policy, [], jobs=1).findings] == ["internal-error"]
    fixed = scan(policy, [], jobs=1)  # the bug is gone: the file is analysed again
    assert [f.rule_id for f in fixed.findings] == ["no-pii-in-logs"]
    assert fixed.stats.parsed == 1


def test_internal_error_cannot_be_suppressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"boom.py": "x = 1  # privlint: ignore[internal-error] nope\n"})
    break_summarize_for(monkeypatch, "boom.py")
    assert verdict(scan_root(tmp_path), "boom.py") == ["internal-error"]


def check(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(folder)
    return CliRunner().invoke(app, ["check", "--no-cache", "--jobs", "1", *args])


def test_check_exits_2_with_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"boom.py": BOOM, "leak.py": LEAK})
    break_summarize_for(monkeypatch, "boom.py")
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "boom.py:1:1" in result.stdout and "internal-error" in result.stdout
    assert "no-pii-in-logs" in result.stdout  # the rest of the report is still there
    assert "internal error on 1 file; the scan is incomplete" in result.stderr
    assert "--verbose" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_verbose_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"boom.py": BOOM})
    break_summarize_for(monkeypatch, "boom.py")
    result = check(tmp_path, monkeypatch, "--verbose")
    assert result.exit_code == 2
    assert "privlint: internal error on boom.py:" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    assert "ValueError: unexpected node" in result.stderr


def test_json_report_carries_the_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"boom.py": BOOM})
    break_summarize_for(monkeypatch, "boom.py")
    result = check(tmp_path, monkeypatch, "--format", "json", "--severity", "info")
    assert result.exit_code == 2
    assert '"rule_id": "internal-error"' in result.stdout


@pytest.mark.parametrize("command", [["baseline"], ["inventory", "--format", "json"]])
def test_baseline_and_inventory_exit_2_as_well(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    write_project(tmp_path, {"boom.py": BOOM, "leak.py": LEAK})
    break_summarize_for(monkeypatch, "boom.py")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert "internal error on 1 file; the scan is incomplete" in result.stderr


def test_internal_error_is_documented() -> None:
    result = CliRunner().invoke(app, ["explain", "internal-error"])
    assert result.exit_code == 0
    assert "exits 2" in result.stdout
