"""Real positions for the placeholders of files that end up in a finding.

Summaries skip LibCST's position computation (twice the cost of parsing) for
files without privlint comments; the few files a hit or a trace touches are
lowered once more with positions, and placeholders are swapped for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from privlint.analysis import ir
from privlint.analysis.propagate import SinkHit
from privlint.findings import Step

PositionTable = Callable[[str], list[ir.Pos] | None]


def locate(hits: Iterable[SinkHit], table_of: PositionTable) -> list[SinkHit]:
    """`hits` with every placeholder replaced by the real position from `table_of(path)`."""
    hits = list(hits)
    needed = {hit.path for hit in hits if ir.is_placeholder(hit.pos)}
    needed |= {
        step.path for hit in hits for label in hit.labels for step in label.steps if step.line < 0
    }
    tables = {path: table for path in sorted(needed) if (table := table_of(path)) is not None}

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
