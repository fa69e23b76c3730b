"""The pipeline of one scan: discover → summarize (parallel, cached) → propagate → judge.

Data flows one way; each stage gets plain data from the one before it. Per-file
summaries are cached by content, and a whole scan whose inputs (files, policy,
scope) are unchanged is answered from the cache without propagating again.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from privlint.analysis.guard import (
    broken_module,
    internal_error_module,
    read_source,
    run_deep,
    summarize_guarded,
    unreadable_module,
)
from privlint.analysis.ir import FileFacts, ModuleIR
from privlint.analysis.locate import locate
from privlint.analysis.modules import module_name
from privlint.analysis.program import Program
from privlint.analysis.propagate import Propagation, SinkHit
from privlint.cache import Cache, digest, module_key, scan_key
from privlint.catalog import Catalog
from privlint.discover import discover
from privlint.findings import Finding, with_fingerprints
from privlint.judge import AllowedFlow, judge, module_findings
from privlint.policy import Policy
from privlint.prefilter import Prefilter
from privlint.suppressions import apply_suppressions
from privlint.taxonomy import load_taxonomy

_Work = tuple[bytes, str, str, bool]  # source, path, module name, is a package
_Triaged = tuple[FileFacts, ModuleIR | None]
_PARALLEL_THRESHOLD = 16  # below this many files a process pool costs more than it saves
_IGNORE_SIGINT = (signal.SIGINT, signal.SIG_IGN)


@dataclass
class ScanStats:
    """What `--stats` prints: where the files went and where the time went."""

    discovered: int = 0
    prefiltered_out: int = 0  # not parsed up front: nothing in them holds personal data
    on_demand: int = 0  # of those, parsed or loaded later because a flow needed them
    from_cache: int = 0
    parsed: int = 0
    result_from_cache: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanResult:
    findings: list[Finding]
    files_scanned: int
    allowed: list[AllowedFlow] = field(default_factory=list)
    errors: tuple[tuple[str, str], ...] = ()
    suppressed: int = 0
    stats: ScanStats = field(default_factory=ScanStats)
    tracebacks: tuple[tuple[str, str], ...] = ()  # (path, traceback) of internal errors


@dataclass(frozen=True)
class _Source:
    path: str
    module: str
    is_package: bool
    data: bytes
    key: str


def relative_path(path: Path, root: Path) -> str:
    """A path as findings show it: relative to the (resolved) project root, '/' separated."""
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return path.as_posix()


def scan(
    policy: Policy,
    paths: Sequence[Path],
    jobs: int | None = None,
    use_cache: bool = True,
    prefilter: bool = True,
) -> ScanResult:
    """Scan `paths`; `prefilter=False` parses every file up front (the findings are the
    same, which the tests check)."""
    with _cyclic_gc_paused():
        return _scan(policy, paths, jobs, use_cache, Prefilter.of(policy) if prefilter else None)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Parsing and interpreting build millions of short-lived, acyclic objects; the cyclic
    collector re-walking them costs about a third of a cold scan and frees nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _scan(
    policy: Policy,
    paths: Sequence[Path],
    jobs: int | None,
    use_cache: bool,
    prefilter: Prefilter | None,
) -> ScanResult:
    stats = ScanStats()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.seconds[stage] = now - clock
        clock = now

    cache = Cache(policy.root, enabled=use_cache)
    cache.prune_other_builds()
    discovery = discover(policy.root, paths, policy.include, policy.exclude)
    errors = [(relative_path(p, policy.root), message) for p, message in discovery.problems]
    unreadable: list[ModuleIR] = []
    sources = _read(discovery.files, policy, errors, unreadable)
    stats.discovered = len(discovery.files)
    scope = sorted(relative_path(p, policy.root) for p in discovery.report_only or ())
    lap("discover")

    key = scan_key(
        repr(policy), [*scope, *map(repr, errors), *map(repr, unreadable)], [s.key for s in sources]
    )
    cached = cache.load("scan", key)
    if isinstance(cached, tuple) and len(cached) == 3:
        stats.result_from_cache = True
        findings, allowed, suppressed = cached
        lap("cached result")
        return ScanResult(
            list(findings), len(discovery.files), list(allowed), tuple(errors), suppressed, stats
        )

    triage = _triage(sources, cache, jobs, stats, prefilter)
    lap("prefilter + summarize")
    taxonomy = load_taxonomy()
    propagation = Propagation(triage.program(), Catalog(policy), set(taxonomy.descriptions))
    raw_hits = _propagate(propagation, triage)
    modules = triage.modules() + unreadable
    stats.on_demand = triage.on_demand
    lap("propagate")
    by_path = {source.path: source for source in sources}
    hits = locate(raw_hits, lambda path: _positions(by_path.get(path), cache))
    lap("locate (positions of files with findings)")
    lines = {path: _lines(by_path[path].data) for path in {h.path for h in hits} if path in by_path}
    verdict = judge(hits, policy, lines)
    findings = verdict.findings + [f for m in modules for f in module_findings(m, taxonomy)]
    suppressed = apply_suppressions(findings, modules)
    findings = suppressed.findings
    allowed = verdict.allowed
    if discovery.report_only is not None:
        findings = [f for f in findings if f.path in scope]
        allowed = [flow for flow in allowed if flow.path in scope]
    findings = with_fingerprints(findings)
    lap("judge")
    tracebacks = tuple(
        (m.path, m.error.detail) for m in modules if m.error and m.error.kind == "internal"
    )
    if not tracebacks:  # an internal error is retried next run, never cached
        cache.store("scan", key, (tuple(findings), tuple(allowed), suppressed.hidden))
    if all(path.resolve() == policy.root for path in paths):
        cache.prune_unused()  # a whole-project scan knows every entry worth keeping
    return ScanResult(
        findings,
        len(discovery.files),
        allowed,
        tuple(errors),
        suppressed.hidden,
        stats,
        tracebacks,
    )


def _read(
    files: Sequence[Path],
    policy: Policy,
    errors: list[tuple[str, str]],
    unreadable: list[ModuleIR],
) -> list[_Source]:
    """The discovered files' bytes; a file that exists but cannot be read goes to
    `unreadable` as a finding, since a file skipped in silence is a leak let through."""
    sources = []
    for path in files:
        relative = relative_path(path, policy.root)
        name, is_package = module_name(path, policy.root, policy.source_roots)
        try:
            data = read_source(path)
        except FileNotFoundError:
            errors.append((relative, "deleted during the scan; not analysed"))
            continue
        except OSError as error:
            reason = f"cannot read file: {error.strerror or error}"
            unreadable.append(unreadable_module(relative, name, is_package, reason))
            continue
        sources.append(
            _Source(relative, name, is_package, data, module_key(data, relative, name, is_package))
        )
    return sources


class _Triage:
    """Each file's facts and, for seeds, its IR; the other files are summarized on demand."""

    def __init__(self, sources: list[_Source], cache: Cache, stats: ScanStats) -> None:
        self.sources = {source.module: source for source in sources}
        self.cache = cache
        self.stats = stats
        self.facts: dict[str, FileFacts] = {}
        self.summaries: dict[str, ModuleIR] = {}  # by path: seeds, broken files, loaded ones
        self.on_demand = 0

    def seeds(self) -> list[ModuleIR]:
        return [m for m in self.summaries.values() if m.error is None]

    def program(self) -> Program:
        seeds = self.seeds()
        loadable = [
            name
            for name, source in self.sources.items()
            if source.path not in self.summaries and self.facts[source.path].error is None
        ]
        return Program(seeds, self.load, loadable)

    def load(self, name: str) -> ModuleIR | None:
        """A module a flow needs that the prefilter left out: from the cache or parsed now."""
        source = self.sources[name]
        module = self.cache.load("module", source.key)
        if isinstance(module, ModuleIR):
            self.stats.from_cache += 1
        else:
            module = _summarize((source.data, source.path, source.module, source.is_package))
            self.stats.parsed += 1
            _store_module(self.cache, source.key, module)
        self.summaries[source.path] = module
        self.on_demand += 1
        return module if module.error is None else None

    def unloaded_words(self) -> dict[str, frozenset[str]]:
        """The words of each module not analysed yet, by module name."""
        return {
            name: self.facts[source.path].words
            for name, source in self.sources.items()
            if not self.facts[source.path].seed and self.facts[source.path].error is None
        }

    def modules(self) -> list[ModuleIR]:
        order = {source.path: index for index, source in enumerate(self.sources.values())}
        return sorted(self.summaries.values(), key=lambda m: order.get(m.path, len(order)))


def _triage(
    sources: list[_Source],
    cache: Cache,
    jobs: int | None,
    stats: ScanStats,
    prefilter: Prefilter | None,
) -> _Triage:
    """Every file's facts (from the cache when its content is known, else read now), and the
    IR of the seeds and of broken files; the rest waits until a flow needs it."""
    triage = _Triage(sources, cache, stats)
    fingerprint = prefilter.fingerprint() if prefilter else "all"
    pending: list[_Source] = []
    for source in sources:
        facts = cache.load("facts", digest(source.key, fingerprint)) if prefilter else _SEED
        module = cache.load("module", source.key) if _needs_summary(facts) else None
        if not isinstance(facts, FileFacts) or (_needs_summary(facts) and module is None):
            pending.append(source)
            continue
        triage.facts[source.path] = facts
        if isinstance(module, ModuleIR):
            triage.summaries[source.path] = module
            stats.from_cache += 1
    work = [(s.data, s.path, s.module, s.is_package) for s in pending]
    fresh = _parallel(partial(_facts_and_summary, prefilter), work, jobs)
    for source, (facts, module) in zip(pending, fresh, strict=True):
        triage.facts[source.path] = facts
        if prefilter is not None:
            cache.store("facts", digest(source.key, fingerprint), facts)
        if module is not None:
            triage.summaries[source.path] = module
            stats.parsed += 1
            _store_module(cache, source.key, module)
    stats.prefiltered_out = sum(1 for facts in triage.facts.values() if not _needs_summary(facts))
    return triage


_SEED = FileFacts(frozenset(), True)


def _needs_summary(facts: object) -> bool:
    return isinstance(facts, FileFacts) and (facts.seed or facts.error is not None)


def _propagate(propagation: Propagation, triage: _Triage) -> list[SinkHit]:
    """Seeds first, then, round by round, the modules that mention a name under which the
    modules analysed so far hand out personal data."""
    unloaded = triage.unloaded_words()
    pending = {module.name for module in triage.seeds()}
    done: set[str] = set()
    while pending:
        propagation.run(pending)
        done |= pending
        carried = propagation.carried_names(pending)
        pending = {
            name
            for name, words in unloaded.items()
            if name not in done and not words.isdisjoint(carried)
        }
    return propagation.hits


def _parallel(
    function: Callable[[_Work], _Triaged], work: list[_Work], jobs: int | None
) -> list[_Triaged]:
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(work) >= _PARALLEL_THRESHOLD:
        # Workers ignore Ctrl-C: the main process stops the scan and drops queued files.
        pool = ProcessPoolExecutor(jobs, initializer=signal.signal, initargs=_IGNORE_SIGINT)
        try:
            return list(pool.map(function, work, chunksize=8))
        finally:
            pool.shutdown(cancel_futures=True)
    return [function(item) for item in work]


def _facts_and_summary(prefilter: Prefilter | None, work: _Work) -> _Triaged:
    """A file's facts, and its IR when it is a seed or broken (the broken file's finding)."""
    try:
        facts = _SEED if prefilter is None else prefilter.facts(work[0])
    except Exception as error:  # a bug in privlint: an `internal-error` finding, exit 2
        return _SEED, internal_error_module(work[1], work[2], work[3], error)
    if facts.error is not None:
        return facts, broken_module(work[1], work[2], work[3], facts.error)
    return facts, _summarize(work) if facts.seed else None


def _store_module(cache: Cache, key: str, module: ModuleIR) -> None:
    if module.error is None or module.error.kind != "internal":  # an internal error is retried
        cache.store("module", key, module)


def _positions(source: _Source | None, cache: Cache) -> list[tuple[int, int, int, int]] | None:
    """The real positions behind a file's placeholders, computed once per content."""
    if source is None:
        return None
    known = cache.load("positions", source.key)
    if isinstance(known, list):
        return known
    from privlint.analysis.summarize import node_positions  # see `_summarize`

    # Deep code recurses deeply in LibCST's visitors: give it room (see `guard`).
    table = run_deep(node_positions, source.data, source.path, source.module, source.is_package)
    cache.store("positions", source.key, table)
    return table


def _summarize(work: _Work) -> ModuleIR:
    """One file's IR; whatever goes wrong is that file's finding, never the whole run's."""
    # `summarize_guarded` loads LibCST only when a file is parsed: loading it costs more
    # than a whole warm scan that parses nothing.
    try:
        return summarize_guarded(*work)
    except Exception as error:  # a bug in privlint: an `internal-error` finding, exit 2
        return internal_error_module(work[1], work[2], work[3], error)


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
