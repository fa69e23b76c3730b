"""Real positions for the placeholders of files that end up in a finding.

Summaries skip LibCST's position computation (twice the cost of parsing) for
files without privlint comments; the few files a hit or a trace touches are
lowered once more with positions, and placeholders are swapped for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from privlint.analysis import ir
from privlint.analysis.propagate import SinkHit
from privlint.findings import Step


def paths_to_locate(hits: Iterable[SinkHit]) -> set[str]:
    """The files whose position tables `locate` needs for these hits."""
    needed = {hit.path for hit in hits if ir.is_placeholder(hit.pos)}
    needed |= {
        step.path for hit in hits for label in hit.labels for step in label.steps if step.line < 0
    }
    return needed


def locate(hits: Iterable[SinkHit], tables: Mapping[str, list[ir.Pos]]) -> list[SinkHit]:
    """`hits` with every placeholder replaced by the real position from its file's table."""

    def real(path: str, pos: ir.Pos) -> ir.Pos:
        table = tables.get(path)
        if not ir.is_placeholder(pos) or table is None or -pos[0] > len(table):
            return pos
        return table[-pos[0] - 1]

    def real_step(step: Step) -> Step:
        if step.line >= 0:
            return step
        line, column, _, _ = real(step.path, (step.line, step.column, step.line, step.column))
        return replace(step, line=line, column=column)

    return [
        replace(
            hit,
            pos=real(hit.path, hit.pos),
            labels=tuple(
                replace(label, steps=tuple(real_step(s) for s in label.steps))
                for label in hit.labels
            ),
        )
        for hit in hits
    ]
