"""`privlint init` inspects the project and writes a policy that says what it found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, REPO
from typer.testing import CliRunner

from privlint.cli import app
from privlint.config import load_policy
from privlint.policy import Policy
from privlint.starter import SCHEMA_FILE, SCHEMA_URL

PROJECTS = sorted(path for path in (FIXTURES / "init").iterdir() if path.is_dir())
SCHEMA = json.loads((REPO / SCHEMA_FILE).read_text(encoding="utf-8"))


def init_in_copy(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `privlint init` in a copy of `project`; the written policy's path."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("expected.yaml"))
    monkeypatch.chdir(copy)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    return copy / "privlint.yaml"


def found_items(text: str) -> list[str]:
    """The bullets of the "What `privlint init` found" comment, wrapped lines joined."""
    block = text.split("found (", 1)[1].split("\nversion:", 1)[0].splitlines()[1:]
    items: list[str] = []
    for line in block:
        if line.startswith("# - "):
            items.append(line[4:])
        else:
            items[-1] += " " + line.removeprefix("#").strip()
    return items


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_init_says_what_it_found_and_sets_exclude_and_roots(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected: dict[str, Any] = yaml.safe_load((project / "expected.yaml").read_text("utf-8"))
    written = init_in_copy(project, tmp_path, monkeypatch)
    text = written.read_text(encoding="utf-8")
    items = found_items(text)
    for line in expected["found"]:
        assert any(line in item for item in items), (line, items)
    for word in expected["not_found"]:
        assert not any(word in item for item in items), (word, items)
    policy: Policy = load_policy(written, written.parent)
    assert list(policy.exclude) == expected["exclude"]
    assert policy.source_roots == tuple(expected["source_roots"] or ("src", "."))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_init_policy_points_editors_at_the_schema_and_validates(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = init_in_copy(project, tmp_path, monkeypatch).read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_URL}"
    jsonschema.validate(yaml.safe_load(text), SCHEMA)


def test_schema_url_names_the_packaged_schema_at_this_version() -> None:
    from privlint import __version__

    assert SCHEMA_URL.endswith(f"/v{__version__}/{SCHEMA_FILE}")
    assert (REPO / SCHEMA_FILE).is_file()


def test_init_finds_a_vendor_sdk_the_catalog_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "app"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("", encoding="utf-8")
    (project / "app" / "chat.py").write_text("from slack_sdk import WebClient\n", encoding="utf-8")
    monkeypatch.chdir(project)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    items = found_items((project / "privlint.yaml").read_text(encoding="utf-8"))
    assert "slack_sdk is imported: messaging sinks are active (slack → Slack)" in items
    assert "packages: app" in items


def test_readme_shows_what_init_writes_for_the_django_fixture() -> None:
    from privlint.project_facts import inspect_project
    from privlint.starter import starter_policy

    text = starter_policy(inspect_project(FIXTURES / "init" / "django_shop"))
    header = text[: text.index("version: 1")]
    assert header in (REPO / "README.md").read_text(encoding="utf-8")


def test_init_in_a_folder_it_cannot_write_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "privlint.yaml").mkdir()  # a folder where the file should go
    result = CliRunner().invoke(app, ["init", "--force"])
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
