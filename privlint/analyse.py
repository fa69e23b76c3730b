"""The analysis proper, for a scan that cannot reuse the last result: triage the files,
propagate through the whole program, locate the hits and judge them.

`scan` imports this module only when it needs it: loading the engine costs
more than the rest of a warm run.
"""

from __future__ import annotations

from collections.abc import Callable

from privlint.analysis.guard import unreadable_module
from privlint.analysis.locate import locate, paths_to_locate
from privlint.analysis.propagate import Propagation
from privlint.cache import Cache
from privlint.catalog import Catalog
from privlint.findings import with_fingerprints
from privlint.incremental import ScanState
from privlint.judge import judge, module_findings
from privlint.policy import Policy
from privlint.prefilter import Prefilter
from privlint.sources import Source, Unreadable
from privlint.stats import ScanStats
from privlint.suppressions import apply_suppressions
from privlint.taxonomy import load_taxonomy
from privlint.triage import Workers, propagate_in_rounds, triage


def analyse(
    policy: Policy,
    sources: dict[str, Source],
    unreadable: list[Unreadable],
    cache: Cache,
    jobs: int | None,
    prefilter: Prefilter | None,
    stats: ScanStats,
    lap: Callable[[str], None],
) -> tuple[ScanState, tuple[tuple[str, str], ...]]:
    """The whole analysis of the project: its state for the next run, and the tracebacks
    of internal errors."""
    workers = Workers(jobs)
    try:
        files = triage(list(sources.values()), cache, workers, stats, prefilter)
        lap("prefilter + summarize seeds")
        taxonomy = load_taxonomy()
        propagation = Propagation(files.program(), Catalog(policy), set(taxonomy.descriptions))
        raw_hits, carried = propagate_in_rounds(propagation, files)
        lap("propagate (summarizing what it reaches)")
        hits = locate(raw_hits, files.positions(paths_to_locate(raw_hits)))
        lap("locate (positions of files with findings)")
    finally:
        workers.close()
    modules = files.modules() + [
        unreadable_module(file.path, file.module, file.is_package, file.reason)
        for file in unreadable
    ]
    lines = {path: _lines(sources[path].data) for path in {h.path for h in hits} if path in sources}
    verdict = judge(hits, policy, lines)
    findings = verdict.findings + [f for m in modules for f in module_findings(m, taxonomy)]
    suppressed = apply_suppressions(findings, modules)
    result = (
        tuple(with_fingerprints(suppressed.findings)),
        tuple(verdict.allowed),
        suppressed.hidden,
    )
    lap("judge")
    tracebacks = tuple(
        (m.path, m.error.detail) for m in modules if m.error and m.error.kind == "internal"
    )
    contents = {path: source.key for path, source in sources.items()}
    analysed = frozenset(module.path for module in modules)
    _LAST_ANALYSIS[:] = [files, propagation]  # see `_LAST_ANALYSIS`
    return ScanState(contents, analysed, carried, result), tracebacks


# The last analysis' objects (millions of small ones on a large project) stay referenced
# until the next scan: freeing them one by one costs a quarter of a second on Django, and
# the command line exits without freeing anything (`cli.main`).
_LAST_ANALYSIS: list[object] = []


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
