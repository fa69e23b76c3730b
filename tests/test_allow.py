"""`allow` entries limited by category (SPEC §2): they allow only the categories they list."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES

from privlint.config import ConfigError, load_policy
from privlint.scan import scan

GATEWAY = FIXTURES / "projects" / "sms_gateway"
REASON = "the SMS gateway needs the number to deliver the message"


def test_gateway_allowed_for_phone_numbers_still_reports_the_name_in_the_same_message() -> None:
    result = scan(load_policy(GATEWAY / "privlint.yaml", GATEWAY), [], use_cache=False)
    reported = {(f.path, f.line): f.categories for f in result.findings}
    allowed = {(flow.path, flow.line): (flow.categories, flow.reason) for flow in result.allowed}
    assert reported == {
        ("shop/gateway.py", 11): ("user.name",),
        ("shop/support.py", 5): ("user.contact.phone_number",),
    }
    assert allowed == {
        ("shop/gateway.py", 7): (("user.contact.phone_number",), REASON),
        ("shop/gateway.py", 11): (("user.contact.phone_number",), REASON),
    }


def policy_problems(tmp_path: Path, allow: str) -> list[str]:
    text = f"""\
        version: 1
        extends: []
        rules:
          - id: r
            categories: [user]
            sinks: {{kinds: [logging]}}
            allow:
              - {allow}
        """
    (tmp_path / "privlint.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_policy(tmp_path / "privlint.yaml", tmp_path)
    return [str(problem) for problem in raised.value.problems]


def test_allow_categories_must_be_known(tmp_path: Path) -> None:
    allow = '{functions: ["a.*"], categories: [user.contact.phone], reason: "gateway"}'
    (problem,) = policy_problems(tmp_path, allow)
    assert "rules[0].allow[0].categories[0]: unknown data category 'user.contact.phone'" in problem
    assert "did you mean 'user.contact.phone_number'?" in problem


def test_allow_categories_must_not_be_empty(tmp_path: Path) -> None:
    allow = '{functions: ["a.*"], categories: [], reason: "gateway"}'
    assert policy_problems(tmp_path, allow) == [
        "privlint.yaml:8:42: rules[0].allow[0].categories: must list at least one data category"
    ]


def test_allow_without_categories_allows_every_category(tmp_path: Path) -> None:
    (tmp_path / "privlint.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            rules:
              - id: no-pii-in-logs
                allow: [{functions: ["app.*"], reason: "audit log"}]
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "app.py").write_text(
        "import logging\n\n\ndef f(email, phone_number):\n    logging.info(email, phone_number)\n",
        encoding="utf-8",
    )
    result = scan(load_policy(tmp_path / "privlint.yaml", tmp_path), [], use_cache=False)
    assert result.findings == []
    (flow,) = result.allowed
    assert flow.categories == ("user.contact.email", "user.contact.phone_number")
