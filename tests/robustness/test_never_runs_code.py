"""privlint never runs the code it scans: no import, exec or eval of project files,
no network, and policies only through a safe YAML loader."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .hostile import LEAK, run_privlint, scan_root, write_project


def booby_trapped(marker: Path) -> str:
    """Top-level code that leaves `marker` behind if anything imports or runs the module."""
    return f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"


def test_modules_with_top_level_side_effects_are_scanned_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    project = tmp_path / "project"
    trap = booby_trapped(marker)
    files: dict[str, bytes | str] = {
        "pkg/__init__.py": trap,
        "pkg/models.py": trap,
        "conftest.py": trap,
        "setup.py": trap,
        "__main__.py": trap,
        "main.py": f"{trap}\nif __name__ == '__main__':\n    exec('print(1)')\n",
        "leak.py": LEAK,
    }
    write_project(project, {**files, **{f"filler{i}.py": trap for i in range(20)}})
    for jobs in (1, 2):  # in this process, and in the worker processes
        result = scan_root(project, jobs=jobs)
        assert [f.rule_id for f in result.findings] == ["no-pii-in-logs"]
        assert not marker.exists()


def test_project_modules_named_like_privlints_dependencies_are_not_imported(
    tmp_path: Path,
) -> None:
    # `python -m` puts the current folder first on sys.path: a project's own `yaml.py`
    # would shadow PyYAML and run as privlint imports it.
    marker = tmp_path / "marker"
    project = tmp_path / "project"
    trap = booby_trapped(marker)
    shadows = ["yaml", "typer", "rich", "libcst", "pathspec", "click", "privlint_helpers"]
    write_project(project, {f"{name}.py": trap for name in shadows})
    write_project(project, {"leak.py": LEAK})
    run = run_privlint(project, "check", "--no-cache")
    assert run.returncode == 1, run.stderr
    assert not marker.exists()


def test_scan_makes_no_network_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("privlint tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    write_project(tmp_path, {"leak.py": LEAK, "client.py": "import requests\nrequests.get('x')\n"})
    assert [f.rule_id for f in scan_root(tmp_path).findings] == ["no-pii-in-logs"]
