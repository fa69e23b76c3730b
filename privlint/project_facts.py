"""What `privlint init` learns about a project before writing its policy: package, test and
migration folders, frameworks, and the vendor SDKs the code imports.

Imports are read with a regular expression over `import` / `from` lines: cheap, and
never runs or even parses the code. A file the expression misreads only costs a line
of the generated comment, never a finding.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Folders that hold someone else's code or build output, never the project's own.
_SKIPPED = frozenset(
    ("node_modules", "site-packages", "__pycache__", "build", "dist", "venv", "env", "htmlcov")
)
# Anchored on the newline rather than `^` with re.M: the engine then skips to each newline
# (three times faster over a few thousand files).
_IMPORT = re.compile(rb"\n[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w., \t]+))")
MAX_FILES = 20_000  # enough to see what a monorepo imports
MAX_BYTES = 64 * 1024  # imports sit near the top of a file

FRAMEWORKS = {
    "django": "Django",
    "flask": "Flask",
    "fastapi": "FastAPI",
    "sqlalchemy": "SQLAlchemy",
    "celery": "Celery",
}


@dataclass(frozen=True)
class ProjectFacts:
    """Paths are relative to the project root, '/'-separated, sorted."""

    packages: tuple[str, ...]  # top-level package folders (below `src/` in a src layout)
    src_layout: bool
    test_folders: tuple[str, ...]  # `tests/`, `pkg/tests/`, ...
    test_files: tuple[str, ...]  # the file-name patterns seen: test_*.py, *_test.py, conftest.py
    migrations: tuple[str, ...]  # folders named migrations, alembic
    frameworks: tuple[str, ...]  # display names, in FRAMEWORKS order
    imports: frozenset[str]  # top-level modules imported anywhere, the project's own excluded
    files_read: int


def inspect_project(root: Path) -> ProjectFacts:
    """The facts of the project in `root`, from at most `MAX_FILES` Python files."""
    test_folders: set[str] = set()
    test_files: set[str] = set()
    migrations: set[str] = set()
    imports: set[str] = set()
    count = 0
    for path in _python_files(root):
        if count >= MAX_FILES:
            break
        count += 1
        relative = PurePosixPath(path.relative_to(root).as_posix())
        folders = relative.parts[:-1]
        for depth, folder in enumerate(folders):
            where = "/".join(folders[: depth + 1])
            if folder in ("tests", "test"):
                test_folders.add(where)
            elif folder in ("migrations", "alembic"):
                migrations.add(where)
        name = relative.name
        if name.startswith("test_"):
            test_files.add("test_*.py")
        elif name.endswith("_test.py"):
            test_files.add("*_test.py")
        elif name == "conftest.py":
            test_files.add("conftest.py")
        imports |= _imports(path)
    src_layout = (root / "src").is_dir() and bool(_packages(root / "src"))
    packages = _packages(root / "src" if src_layout else root)
    imports -= _own_modules(root) | _own_modules(root / "src")
    return ProjectFacts(
        packages=tuple(packages),
        src_layout=src_layout,
        test_folders=tuple(sorted(_outermost(test_folders))),
        test_files=tuple(sorted(test_files)),
        migrations=tuple(sorted(_outermost(migrations))),
        frameworks=tuple(name for module, name in FRAMEWORKS.items() if module in imports),
        imports=frozenset(imports),
        files_read=count,
    )


def vendor_imports(imports: frozenset[str]) -> frozenset[str]:
    """The imported top-level modules that are not in the standard library."""
    return frozenset(name for name in imports if name not in sys.stdlib_module_names)


def _own_modules(folder: Path) -> set[str]:
    """Names the project's own code is imported by: the folders and modules in `folder`."""
    try:
        return {entry.name.removesuffix(".py") for entry in folder.iterdir()}
    except OSError:
        return set()


def _python_files(root: Path) -> Iterator[Path]:
    """The project's `.py` files, in a stable order, without hidden and vendored folders."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if _is_project_folder(folder, name))
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(folder) / name


def _is_project_folder(parent: str, name: str) -> bool:
    """Not hidden, not build output or vendored code, not a virtualenv."""
    if name.startswith(".") or name in _SKIPPED:
        return False
    return not os.path.isfile(os.path.join(parent, name, "pyvenv.cfg"))


def _imports(path: Path) -> set[str]:
    try:
        with path.open("rb") as file:
            data = b"\n" + file.read(MAX_BYTES)
    except OSError:
        return set()
    found = set()
    for module, names in _IMPORT.findall(data):
        if module:
            if not module.startswith(b"."):
                found.add(module.split(b".")[0])
            continue
        for item in names.split(b","):
            words = item.split()
            if words:
                found.add(words[0].split(b".")[0])
    return {name.decode("ascii", errors="replace") for name in found}


def _packages(folder: Path) -> list[str]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        entry.name
        for entry in entries
        if entry.is_dir()
        and (entry / "__init__.py").is_file()
        and entry.name not in ("tests", "test")
        and not entry.name.startswith(".")
    ]


def _outermost(folders: set[str]) -> set[str]:
    """Folders not inside another of `folders`: `tests` covers `tests/unit/tests`."""
    return {
        folder
        for folder in folders
        if not any(folder.startswith(other + "/") for other in folders if other != folder)
    }
