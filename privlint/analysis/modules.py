"""File paths to dotted module names, and relative imports to absolute ones (SPEC §3a)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path


def module_name(path: Path, root: Path, source_roots: Sequence[str]) -> tuple[str, bool]:
    """The module name of `path` and whether it is a package `__init__`.

    The path is taken below the first existing source root that contains it
    (default `src`, then the project root itself). A source root that is itself
    a package (a scanned `mypkg/` with its `__init__.py`) names its modules as
    Python does, `mypkg.…`, so the package's absolute imports of itself resolve.
    Both paths must be absolute and resolved, as discovery gives them.
    """
    for base in _existing_roots(root, tuple(source_roots)):
        if path.is_relative_to(base):
            return _dotted(Path(*_package_of(base), path.relative_to(base)))
    return _dotted(Path(path.name))


@lru_cache(maxsize=16)
def _package_of(folder: Path) -> tuple[str, ...]:
    """The dotted package a folder is, as names from the top (empty if it is no package)."""
    names: list[str] = []
    while (folder / "__init__.py").is_file() and folder.name:
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
