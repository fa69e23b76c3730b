"""File paths to dotted module names, and relative imports to absolute ones (SPEC §3a)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path


def module_name(path: Path, root: Path, source_roots: Sequence[str]) -> tuple[str, bool]:
    """The module name of `path` and whether it is a package `__init__`.

    The path is taken below the first existing source root that contains it
    (default `src`, then the project root itself). A source root that is itself a
    package (`privlint check mailman`, where `mailman/__init__.py` exists) keeps its
    package's name, as Python imports it: `mailman/app/x.py` is `mailman.app.x`, so
    the project's absolute imports (`from mailman.app.x import f`) reach their
    definitions. Both paths must be absolute and resolved, as discovery gives them.
    """
    for base in _existing_roots(root, tuple(source_roots)):
        if path.is_relative_to(base):
            return _dotted(Path(*_package_prefix(base), path.relative_to(base)))
    return _dotted(Path(path.name))


@lru_cache(maxsize=16)
def _package_prefix(folder: Path) -> tuple[str, ...]:
    """The names of the packages `folder` is inside of, itself included, outermost first."""
    names: list[str] = []
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        names.insert(0, folder.name)
        folder = folder.parent
    return tuple(names)


@lru_cache(maxsize=16)
def _existing_roots(root: Path, source_roots: tuple[str, ...]) -> tuple[Path, ...]:
    candidates = (
        root / source_root if source_root != "." else root for source_root in source_roots
    )
    return tuple(candidate for candidate in candidates if candidate.is_dir())


def _dotted(relative: Path) -> tuple[str, bool]:
    parts = list(relative.with_suffix("").parts)
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts) or "__init__", is_package


def absolute_import(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Resolve `from .{level}target import …` seen in `module` to an absolute module name."""
    if level == 0:
        return target or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    parts = [*package, *(target.split(".") if target else [])]
    return ".".join(part for part in parts if part)
