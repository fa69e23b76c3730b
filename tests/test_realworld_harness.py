"""The real-world harness, offline: paths, the seeded sample, label and leak matching."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "benchmarks" / "realworld.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realworld_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are built
    spec.loader.exec_module(module)
    return module


rw = _load()

KINDS = {
    "no-pii-in-logs": ("logging",),
    "no-pii-to-third-parties": ("http", "analytics"),
    "no-pii-in-exceptions": ("exception",),
}


def _finding(rule: str, path: str, line: int, column: int = 4) -> dict[str, Any]:
    return {
        "rule_id": rule,
        "path": path,
        "line": line,
        "column": column,
        "sink": {"id": "x", "kind": "logging", "call": "logger.info"},
        "categories": ["user.contact.email"],
        "trace": [{"path": path, "line": line, "column": column, "note": "read .email"}],
    }


def _app(name: str = "shop", root: str = "shop") -> Any:
    return rw.App(name, name, "1.0", f"{name}-1.0-py3-none-any.whl", "0" * 64, root, "customers")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_become_relative_to_the_scanned_root(tmp_path: Path) -> None:
    _write(tmp_path / "shop" / "orders" / "views.py", "")
    _write(tmp_path / "shop" / "shop" / "inner.py", "")  # a package named like the root
    where = tmp_path / "shop"
    assert rw.normalise_path("orders/views.py", tmp_path, "shop") == "orders/views.py"
    assert rw.normalise_path("shop/orders/views.py", tmp_path, "shop") == "orders/views.py"
    assert rw.normalise_path(str(where / "orders" / "views.py"), tmp_path, "shop") == (
        "orders/views.py"
    )
    assert rw.normalise_path("shop/inner.py", tmp_path, "shop") == "shop/inner.py"
    assert rw.normalise_path("src/shop/a.py", tmp_path, "src/shop") == "a.py"


def test_the_sample_is_seeded_by_app_and_independent_of_report_order() -> None:
    items = [_finding("no-pii-in-logs", f"m{i:02}.py", i) for i in range(60)]
    findings = rw.parse_report({"findings": items}, Path("/nowhere"), "shop")
    first = rw.seeded_sample(findings, "shop")
    again = rw.seeded_sample(list(reversed(findings)), "shop")
    assert len(first) == 40 and len(set(first)) == 40
    assert first == again
    assert rw.seeded_sample(findings, "other") != first
    assert sorted(rw.seeded_sample(findings[:7], "shop"), key=lambda f: f.line) == findings[:7]


def test_only_labels_of_current_findings_count(tmp_path: Path) -> None:
    labels = _write(
        tmp_path / "labels.csv",
        "rule,path,line,verdict,reason\n"
        "no-pii-in-logs,a.py,3,tp,the customer's e-mail\n"
        "no-pii-in-logs,a.py,9,fp,order.id is a primary key\n"
        "no-pii-in-logs,gone.py,1,fp,a finding that no longer appears\n",
    )
    report = {
        "summary": {"files_scanned": 2},
        "findings": [
            _finding("no-pii-in-logs", "a.py", 3),
            _finding("no-pii-in-logs", "a.py", 9),
            _finding("no-pii-in-exceptions", "a.py", 9),
            _finding("no-pii-in-logs", "b.py", 5),
        ],
    }
    findings = rw.parse_report(report, tmp_path, "shop")
    row = rw.figures(_app(), 2, findings, rw.read_labels(labels), [], KINDS, 1.5)
    assert (row.findings, row.labelled, row.tp, row.fp) == (4, 2, 1, 1)
    assert row.precision == 0.5
    assert (row.unlabelled, row.sample, row.sample_unlabelled) == (2, 4, 2)
    assert row.recall is None


def test_a_leak_is_found_by_a_rule_covering_its_kind_at_its_line(tmp_path: Path) -> None:
    leaks = _write(
        tmp_path / "leaks.csv",
        "kind,path,line,category,reason\n"
        "http,a.py,3,user.contact.email,e-mail posted to a CRM\n"
        "logging,a.py,9,user.contact.email,e-mail logged\n"
        "exception,b.py,5,user.name,name in the message\n",
    )
    findings = rw.parse_report(
        {
            "findings": [
                _finding("no-pii-to-third-parties", "a.py", 3),
                _finding("no-pii-in-exceptions", "a.py", 9),  # right line, wrong kind
                _finding("no-pii-in-exceptions", "b.py", 6),  # right kind, wrong line
            ]
        },
        tmp_path,
        "shop",
    )
    found = rw.found_leaks(findings, rw.read_leaks(leaks), KINDS)
    assert [(leak.path, leak.line) for leak in found] == [("a.py", 3)]


def _through(caller: int, read: int) -> list[dict[str, Any]]:
    """A trace from reports.py into the helper in export.py, handed over at line `caller`."""
    return [
        {"path": "reports.py", "line": read, "column": 8, "note": "read order.email"},
        {"path": "reports.py", "line": caller, "column": 4, "note": "passed to export()"},
        {"path": "export.py", "line": 4, "column": 11, "note": "argument 'row' of export()"},
        {"path": "export.py", "line": 6, "column": 8, "note": "sent by requests.post()"},
    ]


def test_a_leak_at_a_caller_is_found_through_a_call_on_any_trace_of_the_helpers_finding(
    tmp_path: Path,
) -> None:
    leaks = _write(
        tmp_path / "leaks.csv",
        "kind,path,line,category,reason\n"
        "http,reports.py,12,user.contact.email,the shown trace's caller posts the e-mail\n"
        "http,reports.py,22,user.contact.email,another caller posts the e-mail\n"
        "http,reports.py,30,user.contact.email,only where another caller reads the e-mail\n"
        "logging,reports.py,40,user.contact.email,a caller of a helper that posts (not logs)\n",
    )
    helper = _finding("no-pii-to-third-parties", "export.py", 6)
    helper["trace"] = _through(12, 11)
    helper["other_traces"] = [_through(22, 21), _through(31, 30), _through(40, 39)]
    findings = rw.parse_report({"findings": [helper]}, tmp_path, "shop")
    assert [len(trace) for trace in findings[0].other_traces] == [4, 4, 4]
    found = rw.found_leaks(findings, rw.read_leaks(leaks), KINDS)
    assert [(leak.path, leak.line) for leak in found] == [("reports.py", 12), ("reports.py", 22)]


def test_a_report_kept_from_before_other_traces_reads_as_having_none(tmp_path: Path) -> None:
    (finding,) = rw.parse_report(
        {"findings": [_finding("no-pii-in-logs", "a.py", 3)]}, tmp_path, ""
    )
    assert finding.other_traces == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rule,path,line,verdict\nr,a.py,1,tp\n", "header"),
        ("rule,path,line,verdict,reason\nr,a.py,1,maybe,x\n", "verdict"),
        ("rule,path,line,verdict,reason\nr,a.py,one,tp,x\n", "line"),
        ("rule,path,line,verdict,reason\nr,a.py,1,tp,\n", "value"),
        ("rule,path,line,verdict,reason\nr,a.py,1,tp,x\nr,a.py,1,fp,y\n", "different verdict"),
    ],
)
def test_malformed_labels_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(rw.HarnessError, match=problem):
        rw.read_labels(_write(tmp_path / "labels.csv", text))


def test_unpacking_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(archive, "w") as wheel:
        wheel.writestr("evil/ok.py", "x = 1\n")
        wheel.writestr("../escape.py", "x = 1\n")
    with pytest.raises(rw.HarnessError, match="outside"):
        rw.unpack(archive, tmp_path / "out")
    assert not (tmp_path / "escape.py").exists()


def test_unlabelled_findings_are_printed_with_their_trace_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rw, "APPS", tmp_path)
    _write(tmp_path / "shop" / "shop" / "a.py", "x = 1\nlog.info(user.email)\n")
    findings = rw.parse_report(
        {
            "findings": [
                _finding("no-pii-in-logs", "a.py", 2),
                _finding("no-pii-in-logs", "a.py", 1),
            ]
        },
        tmp_path / "shop",
        "shop",
    )
    label = rw.Label("no-pii-in-logs", "a.py", 1, "fp", "x is a constant")
    text = rw.render_unlabelled(_app(), findings, [label])
    assert "1 finding(s) of the sample need a label" in text
    assert "no-pii-in-logs,a.py,2" in text and "no-pii-in-logs,a.py,1 " not in text
    assert "log.info(user.email)" in text


def test_missed_leaks_are_printed_with_their_source_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rw, "APPS", tmp_path)
    _write(tmp_path / "shop" / "shop" / "a.py", "x = 1\nprint(user.phone)\nlog.info(user.email)\n")
    leaks = rw.read_leaks(
        _write(
            tmp_path / "leaks.csv",
            "kind,path,line,category,reason\n"
            "logging,a.py,3,user.contact.email,e-mail logged\n"
            "stdout,a.py,2,user.contact.phone_number,phone printed\n",
        )
    )
    findings = rw.parse_report(
        {"findings": [_finding("no-pii-in-logs", "a.py", 3)]}, tmp_path / "shop", "shop"
    )
    text = rw.render_missed(_app(), findings, leaks, KINDS)
    assert "1 of 2 hand-found leak(s) not reported" in text
    assert "stdout,a.py,2  [user.contact.phone_number] phone printed" in text
    assert "print(user.phone)" in text and "logging,a.py,3" not in text


def test_diagnostics_are_counted_apart_and_never_labelled(tmp_path: Path) -> None:
    findings = rw.parse_report(
        {
            "findings": [
                _finding("no-pii-in-logs", "a.py", 3),
                _finding("analysis-incomplete", "a.py", 7),
                _finding("parse-error", "b.py", 1),
            ]
        },
        tmp_path,
        "shop",
    )
    label = rw.Label("no-pii-in-logs", "a.py", 3, "tp", "e-mail logged")
    row = rw.figures(_app(), 2, findings, [label], [], KINDS, 1.0)
    assert (row.findings, row.diagnostics, row.labelled, row.unlabelled) == (1, 2, 1, 0)
    assert row.precision == 1.0 and row.sample == 1
