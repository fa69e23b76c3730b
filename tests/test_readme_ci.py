"""The README's CI snippets work as written: they parse, use the action's real inputs,
ask for the permissions code scanning needs, and pin the release pyproject.toml names."""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml
from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

README = (REPO / "README.md").read_text(encoding="utf-8")
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SNIPPETS: list[Any] = [
    yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", README, re.S)
]
# YAML 1.1 (PyYAML, like GitHub's parser of old) reads the key `on` as true.
WORKFLOWS = [s for s in SNIPPETS if isinstance(s, dict) and "jobs" in s and True in s]


def action_steps() -> list[dict[str, Any]]:
    return [
        step
        for workflow in WORKFLOWS
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("privlint/privlint@")
    ]


def test_every_yaml_snippet_parses() -> None:
    assert len(SNIPPETS) >= 4
    assert all(snippet is not None for snippet in SNIPPETS)


def test_pre_commit_rev_is_the_version_in_pyproject() -> None:
    [hooks] = [s for s in SNIPPETS if isinstance(s, dict) and "repos" in s]
    assert hooks["repos"][0]["rev"] == f"v{VERSION}"


def test_workflows_use_the_action_at_the_release_with_inputs_it_has() -> None:
    steps = action_steps()
    assert len(steps) == len(WORKFLOWS) >= 2
    for step in steps:
        assert step["uses"] == f"privlint/privlint@v{VERSION}"
        assert set(step.get("with", {})) <= set(ACTION["inputs"])


def test_the_code_scanning_workflow_has_the_permissions_it_needs() -> None:
    uploading = [
        job
        for workflow in WORKFLOWS
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step in action_steps() and step.get("with", {}).get("upload-sarif", "true") == "true"
    ]
    assert uploading
    for job in uploading:
        assert job["permissions"] == {
            "security-events": "write",
            "actions": "read",
            "contents": "read",
        }


def test_no_snippet_installs_privlint_from_the_package_index() -> None:
    assert "pip install privlint" not in README


def test_every_action_input_is_documented() -> None:
    for name in ACTION["inputs"]:
        assert f"| `{name}` |" in README, name
