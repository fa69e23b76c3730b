"""File paths to dotted module names, and relative imports to absolute ones (SPEC §3a)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def module_name(path: Path, root: Path, source_roots: Sequence[str]) -> tuple[str, bool]:
    """The module name of `path` and whether it is a package `__init__`.

    The path is taken below the first existing source root that contains it
    (default `src`, then the project root itself).
    """
    for source_root in source_roots:
        base = (root / source_root).resolve() if source_root != "." else root.resolve()
        try:
            relative = path.resolve().relative_to(base)
        except ValueError:
            continue
        if base.is_dir():
            return _dotted(relative)
    return _dotted(Path(path.name))


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
