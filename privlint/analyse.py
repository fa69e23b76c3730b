"""The analysis proper, for a scan that cannot reuse the last result: triage the files,
propagate through the whole program, locate the hits and judge them.

`scan` imports this module only when it needs it: loading the engine costs
more than the rest of a warm run.

Besides the result, an analysis keeps its *evidence*: the hits with their
position placeholders, the position tables of the files they touch, and each
file's own findings and suppressions. When every file changed since either
cannot be reached (see `incremental`) or summarizes to the same IR and facts
as before (comments, blank lines, formatting, docstrings), propagation would
repeat itself exactly; the result is rebuilt from the evidence with the
changed files' positions and lines instead (`_relocated`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from privlint.analysis.guard import run_deep, unreadable_module
from privlint.analysis.ir import FileFacts, ModuleIR, Pos, Suppression
from privlint.analysis.locate import locate, paths_to_locate
from privlint.analysis.propagate import Propagation, SinkHit
from privlint.cache import Cache
from privlint.catalog import Catalog
from privlint.diagnostics import DIAGNOSTICS
from privlint.findings import Finding, with_fingerprints
from privlint.incremental import Result, ScanState
from privlint.judge import judge, module_findings
from privlint.policy import Policy
from privlint.prefilter import Prefilter
from privlint.sources import Source, Unreadable, known_facts, stored_facts
from privlint.stats import ScanStats
from privlint.suppressions import apply_suppressions, suppressions_by_path
from privlint.taxonomy import load_taxonomy
from privlint.triage import Triage, Workers, propagate_in_rounds, triage

# Evidence as the cache keeps it: `Cache.load` hands out only data of exactly this type.
EncodedEvidence = tuple[
    tuple[SinkHit, ...],
    dict[str, list[Pos]],
    tuple[Finding, ...],
    dict[str, tuple[Suppression, ...]],
]


@dataclass(frozen=True)
class Evidence:
    """What the result is judged from, kept per layout next to the state."""

    hits: tuple[SinkHit, ...]  # as propagation found them: positions are placeholders
    tables: Mapping[str, list[Pos]]  # real positions of the files the hits touch
    file_findings: tuple[Finding, ...]  # about files themselves (not analysed, unknown tags)
    suppressions: Mapping[str, tuple[Suppression, ...]]

    def encode(self) -> EncodedEvidence:
        return (self.hits, dict(self.tables), self.file_findings, dict(self.suppressions))

    @classmethod
    def decode(cls, data: EncodedEvidence | None) -> Evidence | None:
        """The evidence an `EncodedEvidence` entry holds (`Cache.load` checked its type)."""
        return None if data is None else cls(*data)

    def judged(self, policy: Policy, sources: Mapping[str, Source]) -> Result:
        """The result: hits located and judged, then suppressions and fingerprints."""
        hits = locate(self.hits, self.tables)
        lines = {
            path: _lines(sources[path].data) for path in {h.path for h in hits} if path in sources
        }
        verdict = judge(hits, policy, lines)
        known = {rule.id for rule in policy.rules} | DIAGNOSTICS.keys()
        found = [*verdict.findings, *self.file_findings]
        suppressed = apply_suppressions(found, self.suppressions, known)
        return (
            tuple(with_fingerprints(suppressed.findings)),
            tuple(verdict.allowed),
            suppressed.hidden,
        )


def analyse(
    policy: Policy,
    sources: dict[str, Source],
    unreadable: list[Unreadable],
    cache: Cache,
    layout: str,
    previous: ScanState | None,
    jobs: int | None,
    prefilter: Prefilter | None,
    stats: ScanStats,
    lap: Callable[[str], None],
) -> tuple[ScanState, tuple[tuple[str, str], ...]]:
    """The project's state for the next run (stored in the cache with its evidence unless an
    internal error occurred), and the tracebacks of internal errors."""
    if previous is not None:
        relocated = _relocated(policy, sources, cache, layout, previous, prefilter, stats)
        if relocated is not None:
            lap("previous result re-located (changed files summarize as before)")
            return relocated, ()
    workers = Workers(jobs)
    try:
        files = triage(list(sources.values()), cache, workers, stats, prefilter)
        lap("prefilter + summarize seeds")
        taxonomy = load_taxonomy()
        propagation = Propagation(files.program(), Catalog(policy), set(taxonomy.descriptions))
        # interpretation recurses per call and per IR level: on the thread with a deep stack
        hits, carried = run_deep(propagate_in_rounds, propagation, files)
        lap("propagate (summarizing what it reaches)")
        tables = files.positions(paths_to_locate(hits))
        lap("locate (positions of files with findings)")
    finally:
        workers.close()
    modules = files.modules() + [
        unreadable_module(file.path, file.module, file.is_package, file.reason)
        for file in unreadable
    ]
    evidence = Evidence(
        tuple(hits),
        tables,
        tuple(f for module in modules for f in module_findings(module, taxonomy)),
        suppressions_by_path(modules),
    )
    contents = {path: source.key for path, source in sources.items()}
    analysed = frozenset(module.path for module in modules)
    state = ScanState(contents, analysed, carried, evidence.judged(policy, sources))
    lap("judge")
    tracebacks = tuple(
        (m.path, m.error.detail) for m in modules if m.error and m.error.kind == "internal"
    )
    if not tracebacks:  # an internal error is retried next run, never cached
        _store(cache, layout, state, evidence)
    _LAST_ANALYSIS[:] = [files, propagation]  # see `_LAST_ANALYSIS`
    return state, tracebacks


# The last analysis' objects (millions of small ones on a large project) stay referenced
# until the next scan: freeing them one by one costs a quarter of a second on Django, and
# the command line exits without freeing anything (`cli.main`).
_LAST_ANALYSIS: list[object] = []


def _relocated(
    policy: Policy,
    sources: dict[str, Source],
    cache: Cache,
    layout: str,
    previous: ScanState,
    prefilter: Prefilter | None,
    stats: ScanStats,
) -> ScanState | None:
    """The previous result with the changed files' positions and lines brought up to date,
    if each changed file is unreachable or summarizes exactly as before; else None."""
    contents = {path: source.key for path, source in sources.items()}
    changed = previous.changed(contents)
    stored = cache.load("evidence", layout, EncodedEvidence) if changed is not None else None
    evidence = Evidence.decode(stored)
    if changed is None or evidence is None:
        return None
    files = Triage(list(sources.values()), cache, Workers(1), stats)
    for path in changed:
        facts = known_facts(sources[path], cache, prefilter)
        if not (
            previous.unreachable(path, facts)
            or _summarizes_as_before(path, facts, previous, files, cache, prefilter)
        ):
            return None
    located = {path for path in changed if path in evidence.tables}
    tables = {**evidence.tables, **files.positions(located)}
    evidence = Evidence(evidence.hits, tables, evidence.file_findings, evidence.suppressions)
    state = ScanState(contents, previous.read, previous.carried, evidence.judged(policy, sources))
    _store(cache, layout, state, evidence)
    stats.relocated = True
    return state


def _summarizes_as_before(
    path: str,
    new: FileFacts | None,
    previous: ScanState,
    files: Triage,
    cache: Cache,
    prefilter: Prefilter | None,
) -> bool:
    """Whether the changed file at `path`, with facts `new`, gives the analysis exactly
    what its previous content gave: the same IR, and facts that make the same seed and
    rounds."""
    old_key = previous.contents[path]
    old_module: ModuleIR | None = cache.load("module", old_key, ModuleIR, live=False)
    if path not in previous.read or old_module is None:
        return False
    if prefilter is not None:
        old = stored_facts(old_key, cache, prefilter, live=False)
        if old is None or new is None or (old.seed, old.error) != (new.seed, new.error):
            return False
        if old.words & previous.carried != new.words & previous.carried:
            return False
    return files.summary(path) == old_module


def _store(cache: Cache, layout: str, state: ScanState, evidence: Evidence) -> None:
    cache.store("evidence", layout, evidence.encode())
    cache.store("state", layout, state.encode())


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
