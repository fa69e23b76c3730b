"""A project's policy is never replaced in silence: a policy, pack or baseline that
exists but cannot be read, is too deep, too large or not a policy at all ends the
run with exit 2 and the file's name, never with `builtin:default` or a traceback."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from privlint.config import load_policy
from privlint.scan import scan
from privlint.yamlpos import FAST_LOADER

from .hostile import LEAK, run_privlint, write_project

FAST = FAST_LOADER is not yaml.SafeLoader

# A policy whose own sink is the only one: under builtin:default `audit.record` is no sink.
CUSTOM = (
    "version: 1\n"
    "sinks: [{id: audit, kind: logging, calls: [audit.record]}]\n"
    "rules: [{id: no-pii-in-audit, categories: [user], sinks: {kinds: [logging]}}]\n"
)


def assert_refused_beside_a_leak(root: Path, make: Callable[[Path], None], expected: str) -> None:
    """With a leak in the project, the run ends in exit 2 naming the file, not a report."""
    write_project(root, {"leak.py": LEAK})
    make(root)
    done = run_privlint(root, "check", "--no-cache", timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr


def _non_utf8_pyproject(root: Path) -> None:
    (root / "pyproject.toml").write_bytes(b"[tool.privlint]\nversion = 1\n# caf\xe9\n")


def _policy_folder(root: Path) -> None:
    (root / "privlint.yaml").mkdir()


def _dangling_policy_link(root: Path) -> None:
    (root / "privlint.yaml").symlink_to(root / "gone.yaml")


UNREADABLE = {
    "non-UTF-8 pyproject.toml": (_non_utf8_pyproject, "pyproject.toml:1:1: cannot read policy"),
    "privlint.yaml is a folder": (_policy_folder, "privlint.yaml:1:1: cannot read policy"),
    "dangling privlint.yaml": (_dangling_policy_link, "privlint.yaml:1:1: cannot read policy"),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_a_policy_file_that_cannot_be_read_is_exit_2_never_the_defaults(
    tmp_path: Path, name: str
) -> None:
    assert_refused_beside_a_leak(tmp_path, *UNREADABLE[name])


def _deep_chain(root: Path) -> None:
    for index in range(3000):
        (root / f"p{index}.yaml").write_text(f"extends: [p{index + 1}.yaml]\n")
    (root / "p3000.yaml").write_text("{}\n")
    (root / "privlint.yaml").write_text("version: 1\nextends: [p0.yaml]\n")


def _files(files: dict[str, str]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_project(root, dict(files))

    return make


HOSTILE = {
    "deep YAML": (
        _files({"privlint.yaml": "version: 1\ninclude: " + "[" * 5000 + "]" * 5000 + "\n"}),
        # libyaml stops at its depth limit and says where; the pure-Python parser cannot
        f"privlint.yaml:{'2:1009' if FAST else '1:1'}: invalid YAML: nested more than 64 levels",
    ),
    "deep TOML": (
        _files({"pyproject.toml": "[tool.privlint]\nversion = 1\nx = " + "[" * 5000 + "]" * 5000}),
        "pyproject.toml:1:1: invalid TOML: nested more than 64 levels",
    ),
    "TOML tables 1,000 deep": (
        _files(
            {
                "pyproject.toml": "[tool.privlint]\nversion = 1\n\n[tool.privlint.pii."
                + ".".join(["x"] * 1000)
                + "]\n"
            }
        ),
        "pyproject.toml:4:1: nested more than 64 levels",
    ),
    "5,000-digit YAML integer": (
        _files({"privlint.yaml": "version: " + "9" * 5000 + "\n"}),
        "privlint.yaml:1:10: unreadable value: Exceeds the limit",
    ),
    "5,000-digit TOML integer": (
        _files({"pyproject.toml": "[tool.privlint]\nversion = " + "9" * 5000 + "\n"}),
        "pyproject.toml:1:1: invalid TOML: Exceeds the limit",
    ),
    "huge repetition in a regex": (
        _files(
            {
                "privlint.yaml": "version: 1\npii:\n  names:\n"
                "    - {pattern: 'a{4294967296}', category: user.contact.email}\n"
            }
        ),
        "privlint.yaml:4:17: pii.names[0].pattern: invalid regular expression 'a{4294967296}'",
    ),
    "3,000-deep extends chain": (_deep_chain, "extends chain longer than 32 files"),
    "baseline with a 5,000-digit integer": (
        _files(
            {
                "privlint.yaml": "version: 1\ncheck: {baseline: b.json}\n",
                "b.json": '{"version": ' + "9" * 5000 + "}",
            }
        ),
        "b.json: baseline file holds an unreadable value: Exceeds the limit",
    ),
    "baseline nested 100,000 deep": (
        _files(
            {
                "privlint.yaml": "version: 1\ncheck: {baseline: b.json}\n",
                "b.json": "[" * 100_000 + "]" * 100_000,
            }
        ),
        "b.json: baseline file is nested too deeply",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_policy_input_is_exit_2_with_the_file_and_no_traceback(
    tmp_path: Path, name: str
) -> None:
    assert_refused_beside_a_leak(tmp_path, *HOSTILE[name])


def test_only_regular_files_of_bounded_size_are_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "big.yaml").write_text("#" * (2 * 1024 * 1024) + "\n")
    policy = "version: 1\nextends: [fifo.yaml, zero.yaml, big.yaml]\n"
    write_project(tmp_path, {"privlint.yaml": policy, "leak.py": LEAK})
    started = time.monotonic()
    done = run_privlint(tmp_path, "check", "--no-cache", timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 2, done.stderr
    stderr = " ".join(done.stderr.split())
    assert "'fifo.yaml'" in stderr and "not a regular file" in stderr
    assert "'zero.yaml'" in stderr
    assert "'big.yaml'" in stderr and "larger than 1024 KiB" in stderr


def test_a_catastrophic_name_pattern_costs_bounded_time_and_still_matches(
    tmp_path: Path,
) -> None:
    policy = (
        "version: 1\npii:\n  names:\n"
        "    - {pattern: '(?i)^([a-z0-9]+_?)+_msisdn$', category: user.contact.phone_number}\n"
    )
    victim = "a" * 30 + "x"  # backtracking `re` needs minutes on this identifier
    code = (
        f"import logging\n\n\ndef f({victim}, home_msisdn):\n"
        f"    logging.info({victim})\n    logging.info(home_msisdn)\n"
    )
    write_project(tmp_path, {"privlint.yaml": policy, "app.py": code})
    started = time.monotonic()
    result = scan(load_policy(None, tmp_path), [], jobs=1, use_cache=False)
    assert time.monotonic() - started < 20
    assert [(f.rule_id, f.line) for f in result.findings] == [("no-pii-in-logs", 6)]


def test_a_lookaround_pattern_is_refused_with_the_accepted_syntax(tmp_path: Path) -> None:
    policy = (
        "version: 1\npii:\n  names:\n"
        "    - {pattern: '^(?!is_)msisdn$', category: user.contact.phone_number}\n"
    )
    write_project(tmp_path, {"privlint.yaml": policy, "app.py": "x = 1\n"})
    done = run_privlint(tmp_path, "check", "--no-cache")
    assert done.returncode == 2
    assert "privlint.yaml:4:17: pii.names[0].pattern: invalid regular expression" in done.stderr
    assert "no lookaround" in done.stderr
    assert "RE2" not in done.stdout and "re2.cc" not in done.stderr  # RE2 logs nothing


@pytest.mark.parametrize("target", ["secrets.env", "secrets.yaml"])
def test_extends_never_echoes_the_keys_of_a_file_that_is_not_a_policy(
    tmp_path: Path, target: str
) -> None:
    secrets = "AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI\nDATABASE_PASSWORD: hunter2\n"
    write_project(tmp_path / "outside", {target: secrets})
    project = write_project(
        tmp_path / "project",
        {"privlint.yaml": f"version: 1\nextends: [../outside/{target}]\n", "leak.py": LEAK},
    )
    done = run_privlint(project, "check", "--no-cache")
    assert done.returncode == 2
    assert target in done.stderr
    for secret in ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI", "DATABASE_PASSWORD", "hunter2"):
        assert secret not in done.stderr + done.stdout


def test_custom_policy_still_applies_when_readable(tmp_path: Path) -> None:
    code = "import audit\n\n\ndef f(email):\n    audit.record(email)\n"
    write_project(tmp_path, {"privlint.yaml": CUSTOM, "app.py": code})
    done = run_privlint(tmp_path, "check", "--no-cache")
    assert done.returncode == 1 and "no-pii-in-audit" in done.stdout
