"""Categories written in code: `# pii:` comments and `Annotated` markers."""

from __future__ import annotations

from pathlib import Path

from conftest import scan_project


def _project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    return tmp_path


def test_unknown_category_in_a_comment_is_a_finding_with_a_suggestion(tmp_path: Path) -> None:
    project = _project(tmp_path, "class Customer:\n    phone: str  # pii: user.contact.phone\n")
    (finding,) = scan_project(project)
    assert (finding.rule_id, finding.line, finding.severity.value) == (
        "unknown-category",
        2,
        "error",
    )
    assert "did you mean 'user.contact.phone_number'" in finding.message


def test_unknown_category_in_annotated_is_a_finding(tmp_path: Path) -> None:
    source = (
        "from typing import Annotated\n\n"
        'def notify(code: Annotated[str, "pii:user.ssn"]) -> None:\n    print(code)\n'
    )
    findings = scan_project(_project(tmp_path, source))
    unknown = [f for f in findings if f.rule_id == "unknown-category"]
    assert [f.line for f in unknown] == [3]
    assert "user.government_id.national_identification_number" in unknown[0].message


def test_comment_tag_makes_an_unremarkable_name_personal_data(tmp_path: Path) -> None:
    source = "def show(code: str) -> None:\n    handle = code  # pii: user.account.username\n"
    source += "    print(handle)\n"
    (finding,) = scan_project(_project(tmp_path, source))
    assert (finding.rule_id, finding.line) == ("no-pii-to-stdout", 3)
    assert finding.categories == ("user.account.username",)


GENERIC_REPOSITORY = """\
import logging
from typing import Generic, TypeVar

ModelT = TypeVar("ModelT")


class Member:
    id: int
    handle: str


class Repository(Generic[ModelT]):
    def get(self, pk: int) -> ModelT: ...


def show(repo: Repository[Member]) -> None:
    member = repo.get(1)
    logging.info("%s", member.handle)
    logging.info("%s", member.id)
"""


def test_pii_fields_reach_through_a_generic_repository(tmp_path: Path) -> None:
    (tmp_path / "privlint.yaml").write_text(
        'version: 1\npii:\n  fields:\n    "app.Member.handle": user.account.username\n',
        encoding="utf-8",
    )
    (finding,) = scan_project(_project(tmp_path, GENERIC_REPOSITORY))
    assert (finding.line, finding.categories) == (18, ("user.account.username",))
