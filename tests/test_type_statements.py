"""A Python 3.12 `type` statement is a type alias like `Alias: TypeAlias = ...` (it cannot
live in a fixture file: the project's own tools read those as Python 3.10)."""

from __future__ import annotations

from pathlib import Path

from conftest import scan_project

SOURCE = """\
import logging

logger = logging.getLogger(__name__)


class Member:
    handle: str  # pii: user.contact.email
    badge: str


type Someone = Member


def show(member: Someone) -> None:
    logger.info("member %s", member.handle)
    logger.info("badge %s", member.badge)
"""


def test_a_type_statement_names_its_class(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    lines = sorted(f.line for f in scan_project(tmp_path) if f.rule_id == "no-pii-in-logs")
    assert lines == [15]
