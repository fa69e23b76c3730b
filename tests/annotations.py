"""Read the expectations written in fixture files (`# expect: RULE` / `# ok: RULE`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def assert_file_matches(root: Path, name: str, reported: Iterable[Expectation]) -> None:
    """The findings `reported` in file `name` under `root` are exactly its `# expect:` lines,
    and the file has at least one `# expect:` and one `# ok:` line."""
    expected, clean = read_annotations(root)
    expected = {e for e in expected if e[1] == name}
    clean = {c for c in clean if c[1] == name}
    found = {r for r in reported if r[1] == name}
    assert expected, f"{name} has no '# expect:' line"
    assert clean, f"{name} has no '# ok:' line"
    assert found - expected == set(), "reported but not expected"
    assert expected - found == set(), "expected but not reported"
