"""Read the expectations written in fixture files (`# expect: RULE` / `# ok: RULE`)."""

from __future__ import annotations

import re
from pathlib import Path

_ANNOTATION = re.compile(r"#\s*(expect|ok):\s*([\w\-]+(?:\s*,\s*[\w\-]+)*)")

Expectation = tuple[str, str, int]  # rule id, path relative to the project, line


def read_annotations(root: Path) -> tuple[set[Expectation], set[Expectation]]:
    """(expected findings, places that must stay clean) of every .py file under root."""
    expected: set[Expectation] = set()
    clean: set[Expectation] = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _ANNOTATION.search(line)
            if match is None:
                continue
            bucket = expected if match.group(1) == "expect" else clean
            for rule in match.group(2).split(","):
                bucket.add((rule.strip(), relative, number))
    return expected, clean
