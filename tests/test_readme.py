"""The README is the front door: its rule table and commands must stay true."""

from __future__ import annotations

import re

from conftest import REPO

from privlint.config import load_policy
from privlint.ruledocs import documented_rules, markdown_table, regenerated, sink_table

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_the_shipped_rules(tmp_path: object) -> None:
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", README, re.S)
    assert table is not None
    assert table.group(1) == markdown_table(load_policy(None, REPO / "privlint"))


def test_sink_catalog_matches_the_shipped_packs() -> None:
    table = re.search(r"<!-- sinks:start -->\n(.*?)<!-- sinks:end -->", README, re.S)
    assert table is not None
    policy = load_policy(None, REPO / "privlint")
    assert table.group(1) == sink_table(policy)
    assert all(f"| `{sink.id}` |" in table.group(1) for sink in policy.sinks)


def test_regenerating_the_readme_changes_nothing_when_it_is_in_step() -> None:
    assert regenerated(README, load_policy(None, REPO / "privlint")) == README


def test_every_rule_is_documented() -> None:
    for rule in documented_rules(load_policy(None, REPO / "privlint")):
        assert rule.docs.summary, rule.id
        assert rule.docs.why, rule.id
        assert rule.docs.example and rule.docs.instead, rule.id


def test_quickstart_has_the_two_setup_commands() -> None:
    assert "python -m pip install . && privlint check examples/walletapp" in README
    assert "python -m pip install -e '.[dev]' && python -m pytest" in README
