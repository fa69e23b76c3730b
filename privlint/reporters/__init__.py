"""Reporters: one plain function per output format, `render(findings, context) -> str`.

A new format is a module with such a function plus one entry in `REPORTERS`.
Reporters see findings and a `ReportContext`, never the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from privlint.findings import Finding
from privlint.reporters.concise import render_concise
from privlint.reporters.context import ReportContext
from privlint.reporters.github import render_github
from privlint.reporters.json import render_json
from privlint.reporters.junit import render_junit
from privlint.reporters.sarif import render_sarif
from privlint.reporters.text import render_text

Reporter = Callable[[Sequence[Finding], ReportContext], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
}

# Formats a person reads; the others are for machines (a live display would get in their way).
PLAIN_FORMATS = ("text", "concise")


def render(fmt: str, findings: Sequence[Finding], context: ReportContext) -> str:
    """Render `findings` in format `fmt`; a name not in `REPORTERS` is a KeyError
    (the CLI offers only registered names)."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        known = ", ".join(sorted(REPORTERS))
        raise KeyError(f"unknown report format {fmt!r} (known: {known})") from None
    return reporter(findings, context)


__all__ = ["PLAIN_FORMATS", "REPORTERS", "ReportContext", "Reporter", "render"]
