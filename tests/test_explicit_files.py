"""`privlint check FILES`, as pre-commit runs it: the whole program is analysed and
every finding whose sink or any trace step lies in FILES is reported (the rule of
`--diff`), so a helper edited and committed alone still fails on the leak it causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from privlint.config import load_policy
from privlint.scan import scan

HELPER = "def digest(email):\n    return email\n"
CALLER = (
    "import logging\n\nfrom lib.hashing import digest\n\n\n"
    "def signup(email):\n    logging.info('signed up: %s', digest(email))\n"
)
UNRELATED = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in {
        "lib/__init__.py": "",
        "lib/hashing.py": HELPER,
        "lib/maths.py": UNRELATED,
        "app/__init__.py": "",
        "app/views.py": CALLER,
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def reported(root: Path, *files: str) -> list[tuple[str, int]]:
    result = scan(load_policy(None, root), [root / name for name in files], use_cache=False)
    return [(finding.path, finding.line) for finding in result.findings]


def test_a_helper_committed_alone_reports_the_leak_at_the_sink_elsewhere(project: Path) -> None:
    assert reported(project, "lib/hashing.py") == [("app/views.py", 7)]


def test_a_caller_of_a_helper_reports_the_helpers_finding_through_another_trace(
    project: Path,
) -> None:
    # Two callers hand an e-mail to one helper that logs it: one finding, in the helper,
    # its trace through one caller and its other trace through the other.
    (project / "lib" / "audit.py").write_text(
        "import logging\n\n\ndef note(email):\n    logging.info('%s', email)\n"
    )
    for name in ("app/a.py", "app/b.py"):
        (project / name).write_text(
            "from lib.audit import note\n\n\ndef f(email):\n    note(email)\n"
        )
    assert reported(project, "app/a.py") == reported(project, "app/b.py") == [("lib/audit.py", 5)]


def test_a_file_on_no_step_of_the_flow_reports_nothing(project: Path) -> None:
    assert reported(project, "lib/maths.py") == []


def test_the_sink_file_alone_reports_the_finding_as_before(project: Path) -> None:
    assert reported(project, "app/views.py") == [("app/views.py", 7)]
