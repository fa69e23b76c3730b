"""Broken policies and bad arguments explain themselves: exit 2, `file:line:col`, the
offending value and what was expected, in `privlint.yaml`, in `[tool.privlint]` and
on the command line alike. (`tests/test_config.py` checks the loader in depth.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from privlint.cli import app

from .hostile import LEAK, write_project

RULE = "categories: [user], sinks: {kinds: [logging]}"

# name -> (privlint.yaml, where and what it must say)
YAML_CASES = {
    "invalid YAML": ("version: 1\nrules: [\n", "privlint.yaml:3:1: invalid YAML: "),
    "top level not a mapping": (
        "- a\n- b\n",
        "privlint.yaml:1:1: top level: expected a mapping, found a list",
    ),
    "unknown key": (
        "version: 1\nextends: []\nexclud: [x]\n",
        "privlint.yaml:3:1: unknown key 'exclud' in policy; expected one of: ",
    ),
    "wrong type": (
        "version: 1\nextends: []\ninclude: 3\n",
        "privlint.yaml:3:10: include: expected a list of strings, found an integer",
    ),
    "unknown severity": (
        "version: 1\nrules:\n  - id: no-pii-in-logs\n    severity: fatal\n",
        "privlint.yaml:4:15: rules[0].severity: unknown severity 'fatal'; "
        "expected one of: error, warning, info",
    ),
    "bad regex": (
        "version: 1\nextends: []\npii:\n  names:\n"
        "    - {pattern: '(unclosed', category: user.contact.email}\n",
        "pii.names[0].pattern: invalid regular expression '(unclosed': missing )",
    ),
    "unknown category": (
        "version: 1\nextends: []\npii:\n  fields:\n    acme.User.mail: user.contact.emial\n",
        "privlint.yaml:5:21: pii.fields['acme.User.mail']: unknown data category "
        "'user.contact.emial'; did you mean 'user.contact.email'?",
    ),
    "unknown sink kind": (
        "version: 1\nextends: []\nsinks:\n  - {id: wa, kind: messages, calls: [acme.wa.send]}\n",
        "sinks[0].kind: unknown sink kind 'messages'; expected one of: ",
    ),
    "unknown extends": (
        "version: 1\nextends: [builtin:nope]\n",
        "privlint.yaml:2:11: unknown builtin pack 'builtin:nope'; available: builtin:default",
    ),
    "duplicate rule id": (
        f"version: 1\nextends: []\nrules:\n  - {{id: r1, {RULE}}}\n  - {{id: r1, {RULE}}}\n",
        "privlint.yaml:5:10: duplicate rule id 'r1' (first defined on line 4)",
    ),
    "unsupported version": (
        "version: 7\n",
        "privlint.yaml:1:10: unsupported version 7; supported versions: 1",
    ),
    "rule without categories": (
        "version: 1\nextends: []\nrules:\n  - {id: r1, sinks: {kinds: [logging]}}\n",
        "privlint.yaml:4:10: rule 'r1' has no categories",
    ),
    "python object tag": (
        "version: 1\nextends: !!python/object/apply:os.system ['touch pwned']\n",
        "privlint.yaml:2:10: unsupported YAML tag '!!python/object/apply:os.system'",
    ),
}

TOML_RULE = "categories = ['user']\nsinks = {kinds = ['logging']}\n"
HEAD = "[tool.privlint]\nversion = 1\nextends = []\n"

# name -> (pyproject.toml, where and what it must say)
TOML_CASES = {
    "invalid TOML": (
        "[tool.privlint]\nversion = \n",
        "pyproject.toml:2:11: invalid TOML: Invalid value",
    ),
    "table not a mapping": (
        "[tool]\nprivlint = 3\n",
        "pyproject.toml:1:1: top level: expected a mapping, found an integer",
    ),
    "unknown key": (
        HEAD + "exclud = ['x']\n",
        "pyproject.toml:4:1: unknown key 'exclud' in policy; expected one of: ",
    ),
    "wrong type": (
        HEAD + "include = 3\n",
        "pyproject.toml:4:1: include: expected a list of strings, found an integer",
    ),
    "unknown severity": (
        "[tool.privlint]\nversion = 1\n\n[[tool.privlint.rules]]\n"
        "id = 'no-pii-in-logs'\nseverity = 'fatal'\n",
        "pyproject.toml:6:1: rules[0].severity: unknown severity 'fatal'",
    ),
    "bad regex": (
        HEAD + "\n[[tool.privlint.pii.names]]\npattern = '(unclosed'\n"
        "category = 'user.contact.email'\n",
        "pyproject.toml:6:1: pii.names[0].pattern: invalid regular expression '(unclosed'",
    ),
    "unknown category": (
        HEAD + "\n[tool.privlint.pii.fields]\n'acme.User.mail' = 'user.contact.emial'\n",
        "pyproject.toml:6:1: pii.fields['acme.User.mail']: unknown data category "
        "'user.contact.emial'; did you mean 'user.contact.email'?",
    ),
    "unknown sink kind": (
        HEAD + "\n[[tool.privlint.sinks]]\nid = 'wa'\nkind = 'messages'\ncalls = ['a.send']\n",
        "pyproject.toml:7:1: sinks[0].kind: unknown sink kind 'messages'",
    ),
    "unknown extends": (
        "[tool.privlint]\nversion = 1\nextends = ['builtin:nope']\n",
        "pyproject.toml:3:1: unknown builtin pack 'builtin:nope'",
    ),
    "duplicate rule id": (
        HEAD + f"\n[[tool.privlint.rules]]\nid = 'r1'\n{TOML_RULE}"
        f"\n[[tool.privlint.rules]]\nid = 'r1'\n{TOML_RULE}",
        "pyproject.toml:11:1: duplicate rule id 'r1' (first defined on line 6)",
    ),
    "unsupported version": (
        "[tool.privlint]\nversion = 7\n",
        "pyproject.toml:2:1: unsupported version 7; supported versions: 1",
    ),
    "rule without categories": (
        HEAD + "\n[[tool.privlint.rules]]\nid = 'r1'\nsinks = {kinds = ['logging']}\n",
        "pyproject.toml:6:1: rule 'r1' has no categories",
    ),
}


def check_in(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(folder)
    return CliRunner().invoke(app, ["check", "--no-cache", *args])


def assert_config_error(result: Result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "invalid configuration" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("name", YAML_CASES)
def test_broken_privlint_yaml_exits_2_with_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    text, expected = YAML_CASES[name]
    write_project(tmp_path, {"privlint.yaml": text, "leak.py": LEAK})
    assert_config_error(check_in(tmp_path, monkeypatch), expected)


@pytest.mark.parametrize("name", TOML_CASES)
def test_broken_tool_privlint_table_exits_2_with_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    text, expected = TOML_CASES[name]
    write_project(tmp_path, {"pyproject.toml": text, "leak.py": LEAK})
    assert_config_error(check_in(tmp_path, monkeypatch), expected)


def test_python_tag_in_a_policy_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "pwned"
    text = f"version: 1\nextends: !!python/object/apply:os.system ['touch {marker}']\n"
    write_project(tmp_path, {"privlint.yaml": text})
    assert check_in(tmp_path, monkeypatch).exit_code == 2
    assert not marker.exists()


# arguments -> what stderr must say; every one exits 2 before or instead of a report
BAD_ARGUMENTS = {
    ("--jobs", "0"): "Invalid value for '--jobs'",
    ("--jobs", "many"): "Invalid value for '--jobs'",
    ("--severity", "fatal"): "Invalid value for '--severity'",
    ("--format", "xml"): "Invalid value for '--format'",
    ("--no-such-option",): "No such option: --no-such-option",
    ("missing.py",): "no such file or folder: missing.py",
    ("--config", "missing.yaml"): "missing.yaml:1:1: cannot read policy file",
    ("--config", "folder"): "folder:1:1: cannot read policy file",
    ("--baseline", "missing.json"): "missing.json: baseline file not found",
    ("--output", "folder"): "cannot write folder",
}


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS)
def test_bad_arguments_exit_2_and_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: tuple[str, ...]
) -> None:
    write_project(tmp_path, {"leak.py": LEAK})
    (tmp_path / "folder").mkdir()
    result = check_in(tmp_path, monkeypatch, *arguments)
    assert result.exit_code == 2, result.output
    assert BAD_ARGUMENTS[arguments] in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
