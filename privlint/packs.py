"""Access to the YAML files shipped in `rules/` (packaged as `privlint.rules`)."""

from __future__ import annotations

import sys
from importlib import resources

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable


def builtin_pack(name: str) -> Traversable | None:
    """The shipped file `rules/NAME.yaml`, or None when there is no such pack."""
    candidate = resources.files("privlint.rules").joinpath(f"{name}.yaml")
    return candidate if candidate.is_file() else None


def builtin_pack_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in resources.files("privlint.rules").iterdir()
        if entry.name.endswith(".yaml") and entry.name != "taxonomy.yaml"
    )
