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

SourceReader = Callable[[str], bytes | None]


def locate(
    hits: Iterable[SinkHit], modules: dict[str, ir.ModuleIR], read: SourceReader
) -> list[SinkHit]:
    """`hits` with every placeholder position replaced by the real one."""
    hits = list(hits)
    needed = {hit.path for hit in hits if ir.is_placeholder(hit.pos)}
    needed |= {
        step.path for hit in hits for label in hit.labels for step in label.steps if step.line < 0
    }
    tables: dict[str, list[ir.Pos]] = {}
    if needed:  # imported only when needed: loading LibCST dominates a warm scan
        from privlint.analysis.summarize import node_positions
    for path in sorted(needed):
        module = modules.get(path)
        source = read(path)
        if module is not None and source is not None:
            tables[path] = node_positions(source, path, module.name, module.is_package)

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
