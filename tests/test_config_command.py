"""`privlint config [PATH]`: which policy file applies to a path, what it extends, and
what it resolves to."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from privlint.cli import app
from privlint.config import load_policy

STRICT_PACK = """\
version: 1
extends: [builtin:default]
sanitizers:
  - calls: ["payments.mask.*"]
    clears: [user]
"""

SERVICE_POLICY = """\
version: 1
extends: [../../packs/strict.yaml]
rules:
  - id: no-pii-to-stdout
    enabled: false
"""


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root policy, and a service with its own policy extending a shared pack."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "privlint.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "strict.yaml").write_text(STRICT_PACK, encoding="utf-8")
    service = tmp_path / "services" / "pay"
    service.mkdir(parents=True)
    (service / "privlint.yaml").write_text(SERVICE_POLICY, encoding="utf-8")
    (service / "app.py").write_text("x = 1\n", encoding="utf-8")
    return tmp_path


def config_of(*args: str) -> list[str]:
    result = CliRunner().invoke(app, ["config", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_a_file_in_a_service_gets_the_service_policy_and_its_packs(monorepo: Path) -> None:
    lines = config_of("services/pay/app.py")
    assert lines[:3] == [
        "policy file: services/pay/privlint.yaml",
        "project root: services/pay",
        "extends: builtin:propagators, builtin:frameworks, builtin:default, packs/strict.yaml",
    ]
    policy = load_policy(monorepo / "services/pay/privlint.yaml", monorepo)
    active = len(policy.active_rules())
    assert lines[3] == f"rules: {active} active, 1 disabled"
    assert "  no-pii-to-stdout (error)" not in lines
    assert f"sanitizers: {len(policy.sanitizers)}" in lines
    assert any(line.startswith(f"sinks: {len(policy.sinks)} (") for line in lines)


def test_the_root_gets_the_root_policy(monorepo: Path) -> None:
    lines = config_of()
    assert lines[:3] == [
        "policy file: privlint.yaml",
        "project root: .",
        "extends: builtin:propagators, builtin:frameworks, builtin:default",
    ]


def test_a_missing_path_is_a_usage_error(monorepo: Path) -> None:
    assert CliRunner().invoke(app, ["config", "nowhere.py"]).exit_code == 2
