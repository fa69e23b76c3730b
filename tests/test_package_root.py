"""A folder that is itself a package is scanned with its modules named as Python names them."""

from __future__ import annotations

from pathlib import Path

from annotations import read_annotations
from conftest import FIXTURES, scan_project

from privlint.analysis.modules import module_name

PACKAGE = FIXTURES / "package_root" / "mailer"


def test_modules_of_a_scanned_package_are_named_from_the_package() -> None:
    root = PACKAGE.resolve()
    assert module_name(root / "tasks.py", root, ("src", ".")) == ("mailer.tasks", False)
    assert module_name(root / "__init__.py", root, ("src", ".")) == ("mailer", True)


def test_a_plain_folder_names_its_modules_from_itself(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("", encoding="utf-8")
    assert module_name(tmp_path / "app.py", tmp_path, ("src", ".")) == ("app", False)


def test_absolute_imports_of_the_package_itself_are_followed() -> None:
    expected, clean = read_annotations(PACKAGE)
    found = {(f.rule_id, f.path, f.line) for f in scan_project(PACKAGE)}
    assert found == expected
    assert clean and not clean & found
