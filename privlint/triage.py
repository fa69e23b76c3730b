"""Which files are parsed, when, and where: the stage between reading files and propagating.

Every file gets its facts (`privlint.prefilter`): seeds and broken files are
summarized up front on the process pool. Before each round of propagation the
modules the round will analyse, and the modules they import, are summarized
on the pool too, since the interpreter is about to look into them; anything
else a lookup reaches is summarized on the spot (`load`). Summaries and facts
are cached by content.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from functools import partial
from typing import TypeVar

from privlint.analysis.guard import (
    broken_module,
    internal_error_module,
    run_deep,
    summarize_guarded,
)
from privlint.analysis.ir import FileFacts, ModuleIR, Pos
from privlint.analysis.program import Program
from privlint.analysis.propagate import Propagation, SinkHit
from privlint.cache import Cache
from privlint.prefilter import Prefilter
from privlint.sources import Source, Work, facts_key
from privlint.stats import ANALYSED, SUMMARIZED, ScanStats

_Triaged = tuple[FileFacts, ModuleIR | None]
_PARALLEL_THRESHOLD = 16  # below this many files a process pool costs more than it saves
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
_SEED = FileFacts(frozenset(), True)  # what every file is when the prefilter is off

T = TypeVar("T")


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or `taskset` may allow fewer than the
    machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class Workers:
    """A process pool started on first use (`jobs` processes, at most one per CPU: more only
    cost memory, and `check.jobs` comes from a policy a pull request can edit), by a batch
    big enough to pay for it."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = min(jobs or usable_cpus(), usable_cpus())
        self._pool: Executor | None = None

    def map(
        self,
        function: Callable[[Source], T],
        sources: list[Source],
        done: Callable[[int], None] | None = None,
    ) -> list[T]:
        """`function` of each source, in order; `done(1)` as each result arrives here."""
        tick = done or _ignore
        small = len(sources) < (2 if self._pool is not None else _PARALLEL_THRESHOLD)
        if self.jobs <= 1 or small:  # starting the pool costs more than a few files
            serial = []
            for source in sources:
                serial.append(function(source))
                tick(1)
            return serial
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.jobs, initializer=_worker_started)
        # Biggest files first, so no worker is left parsing a large file at the end alone.
        order = sorted(range(len(sources)), key=lambda index: -len(sources[index].data))
        arriving = self._pool.map(function, [sources[index] for index in order], chunksize=2)
        results: dict[int, T] = {}
        for index, result in zip(order, arriving, strict=True):
            results[index] = result
            tick(1)
        return [results[index] for index in range(len(sources))]

    def submit(self, function: Callable[[Source], T], source: Source) -> Future[T]:
        """`function(source)` on the pool once a batch has started it, else right here."""
        if self._pool is not None:
            return self._pool.submit(function, source)
        done: Future[T] = Future()
        done.set_result(function(source))
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _worker_started() -> None:
    """A worker ignores Ctrl-C (the main process stops the scan) and dies with the process
    that started it: killed or terminated, that process must not leave workers behind,
    parsing on and holding its standard output open (`privlint check | cat` would hang)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if not _die_with_parent():  # no prctl: watch the parent instead
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)


def _die_with_parent() -> bool:
    """Linux: have the kernel send SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class Triage:
    """Each file's facts and IR, summarized up front, ahead of a round, or on demand."""

    def __init__(
        self, sources: list[Source], cache: Cache, workers: Workers, stats: ScanStats
    ) -> None:
        self.sources = {source.module: source for source in sources}  # last one wins
        self.by_path = {source.path: source for source in sources}
        self.cache = cache
        self.workers = workers
        self.stats = stats
        self.facts: dict[str, FileFacts] = {}
        self.summaries: dict[str, ModuleIR] = {}  # by path: seeds, broken and loaded files
        self._ready: dict[str, ModuleIR] = {}  # by module: summarized ahead, not loaded yet

    def seeds(self) -> list[ModuleIR]:
        return [m for m in self.summaries.values() if m.error is None]

    def program(self) -> Program:
        loadable = [
            name
            for name, source in self.sources.items()
            if source.path not in self.summaries and self.facts[source.path].error is None
        ]
        words = {name: self.facts[self.sources[name].path].words for name in loadable}
        return Program(self.seeds(), self.load, loadable, words)

    def load(self, name: str) -> ModuleIR | None:
        """A module the analysis reached that the prefilter left out."""
        source = self.sources[name]
        module = self._ready.pop(name, None) or self._summary(source)
        self.summaries[source.path] = module
        self.stats.on_demand += 1
        return module if module.error is None else None

    def summary(self, path: str) -> ModuleIR:
        """The IR of the file at `path`, from the cache or summarized now."""
        return self._summary(self.by_path[path])

    def prefetch(self, names: Iterable[str]) -> None:
        """Summarize `names` and the modules they import (anywhere in their code),
        transitively, on the pool: a round of propagation is about to look into them.
        Each module's imports are queued as soon as its summary arrives, so the workers
        never wait for a whole wave."""
        running: dict[Future[ModuleIR], Source] = {}
        seen: set[str] = set()
        ready = sorted(names)  # modules whose imports are to be visited
        while ready or running:
            while ready:
                name = ready.pop()
                if name in seen:
                    continue
                seen.add(name)
                source = self.sources.get(name)
                if source is None or not self._unsummarized(name) or self._cached(source):
                    ready.extend(self._imported(name))
                else:
                    summary = partial(_stored_summary, self.cache)
                    running[self.workers.submit(summary, source)] = source
            if running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    source = running.pop(future)
                    self._keep(source, future.result())
                    ready.extend(self._imported(source.module))

    def positions(self, paths: Iterable[str]) -> dict[str, list[Pos]]:
        """The real positions behind the placeholders of these files (computed on the pool,
        once per content: LibCST parses the file again with its position provider)."""
        chosen = [self.by_path[path] for path in sorted(paths) if path in self.by_path]
        tables: dict[str, list[Pos]] = {}
        missing = []
        for source in chosen:
            known = self.cache.load("positions", source.key, list[Pos])
            if known is not None:
                tables[source.path] = known
            else:
                missing.append(source)
        for source, table in zip(missing, self.workers.map(_positions, missing), strict=True):
            self.cache.store("positions", source.key, table)
            tables[source.path] = table
        return tables

    def unloaded_words(self) -> dict[str, frozenset[str]]:
        """The words of each module not parsed up front, by module name."""
        return {
            name: self.facts[source.path].words
            for name, source in self.sources.items()
            if source.path not in self.summaries
        }

    def modules(self) -> list[ModuleIR]:
        """The summaries the scan used, in discovery order."""
        order = {path: index for index, path in enumerate(self.by_path)}
        return sorted(self.summaries.values(), key=lambda m: order.get(m.path, len(order)))

    # ------------------------------------------------------------- helpers
    def _unsummarized(self, name: str) -> bool:
        source = self.sources.get(name)
        return (
            source is not None
            and source.path not in self.summaries
            and name not in self._ready
            and self.facts[source.path].error is None
        )

    def _cached(self, source: Source) -> bool:
        module = self.cache.load("module", source.key, ModuleIR)
        if module is not None:
            self._ready[source.module] = module
            self.stats.from_cache += 1
            return True
        return False

    def _summary(self, source: Source) -> ModuleIR:
        if self._cached(source):
            return self._ready.pop(source.module)
        self._keep(source, _stored_summary(self.cache, source))
        return self._ready.pop(source.module)

    def _keep(self, source: Source, module: ModuleIR) -> None:
        """A module summarized this run (`_stored_summary` wrote its cache entry, maybe in a
        worker process, whose cache cannot tell this one)."""
        self._ready[source.module] = module
        self.stats.parsed += 1
        if _cacheable(module):
            self.cache.adopt("module", source.key)

    def _imported(self, name: str) -> list[str]:
        """The project modules `name` imports, as far as its summary is known."""
        source = self.sources.get(name)
        module = self._ready.get(name) or (self.summaries.get(source.path) if source else None)
        targets = module.dependencies if module is not None else ()
        return [owner for target in targets if (owner := self._owner(target)) is not None]

    def _owner(self, qualname: str) -> str | None:
        """The project module `qualname` lives in (its longest module prefix), if any."""
        parts = qualname.split(".")
        for split in range(len(parts), 0, -1):
            prefix = ".".join(parts[:split])
            if prefix in self.sources:
                return prefix
        return None


def triage(
    sources: list[Source],
    cache: Cache,
    workers: Workers,
    stats: ScanStats,
    prefilter: Prefilter | None,
) -> Triage:
    """Every file's facts (from the cache when its content is known, else read now), and the
    IR of the seeds and of broken files."""
    result = Triage(sources, cache, workers, stats)
    progress = stats.progress
    progress.stage(SUMMARIZED, len(sources))
    pending: list[Source] = []
    for source in sources:
        facts = (
            cache.load("facts", facts_key(source.key, prefilter), FileFacts) if prefilter else _SEED
        )
        module = cache.load("module", source.key, ModuleIR) if _needs_summary(facts) else None
        if not isinstance(facts, FileFacts) or (_needs_summary(facts) and module is None):
            pending.append(source)
            continue
        result.facts[source.path] = facts
        progress.advance()
        if isinstance(module, ModuleIR):
            result.summaries[source.path] = module
            stats.from_cache += 1
    fresh = workers.map(partial(_facts_and_summary, prefilter, cache), pending, progress.advance)
    for source, (facts, module) in zip(pending, fresh, strict=True):
        result.facts[source.path] = facts
        if prefilter is not None:
            cache.adopt("facts", facts_key(source.key, prefilter))
        if module is not None:
            result.summaries[source.path] = module
            stats.parsed += 1
            if _cacheable(module):
                cache.adopt("module", source.key)
    stats.prefiltered_out = sum(1 for facts in result.facts.values() if not _needs_summary(facts))
    return result


def propagate_in_rounds(
    propagation: Propagation, files: Triage
) -> tuple[list[SinkHit], frozenset[str]]:
    """Seeds first, then, round by round, the modules that mention a name under which the
    modules analysed so far hand out personal data. Returns the hits and all such names."""
    unloaded = files.unloaded_words()
    pending = files.seeds()
    done = {module.name for module in pending}
    carried_so_far: set[str] = set()
    progress = files.stats.progress
    progress.stage(ANALYSED)
    while pending:
        files.prefetch(module.name for module in pending)
        propagation.run(pending)
        progress.advance(len(pending))
        carried = propagation.carried_names(pending)
        carried_so_far |= carried
        names = sorted(
            name
            for name, words in unloaded.items()
            if name not in done and not words.isdisjoint(carried)
        )
        done.update(names)
        files.prefetch(names)  # on the pool, rather than one by one as they load below
        pending = [m for m in map(propagation.program.module, names) if m is not None]
    return propagation.hits, frozenset(carried_so_far)


def _ignore(count: int) -> None:
    """No one is listening for results as they arrive."""


def _needs_summary(facts: object) -> bool:
    return isinstance(facts, FileFacts) and (facts.seed or facts.error is not None)


def _facts_and_summary(prefilter: Prefilter | None, cache: Cache, source: Source) -> _Triaged:
    """A file's facts, and its IR when it is a seed or broken (the broken file's finding);
    both go to the cache right here, on the worker that made them."""
    work = source.work
    try:
        facts = _SEED if prefilter is None else prefilter.facts(source.data)
    except Exception as error:  # a bug in privlint: an `internal-error` finding, exit 2
        return _SEED, internal_error_module(work[1], work[2], work[3], error)
    if prefilter is not None:
        cache.store("facts", facts_key(source.key, prefilter), facts)
    if facts.error is not None:
        module = broken_module(work[1], work[2], work[3], facts.error)
    elif facts.seed:
        module = summarize_work(work, screened=prefilter is not None)
    else:
        return facts, None
    store_module(cache, source.key, module)
    return facts, module


def summarize_work(work: Work, screened: bool = False) -> ModuleIR:
    """One file's IR; whatever goes wrong is that file's finding, never the whole run's.
    `screened`: the prefilter has already screened it (a seed)."""
    # `summarize_guarded` loads LibCST only when a file is parsed: loading it costs more
    # than a whole warm scan that parses nothing.
    try:
        return summarize_guarded(*work, screened=screened)
    except Exception as error:  # a bug in privlint: an `internal-error` finding, exit 2
        return internal_error_module(work[1], work[2], work[3], error)


def _stored_summary(cache: Cache, source: Source) -> ModuleIR:
    """A file's IR, written to the cache by the process that made it (on the pool: in
    parallel, and the main process neither encodes nor writes it)."""
    module = summarize_work(source.work)
    store_module(cache, source.key, module)
    return module


def _positions(source: Source) -> list[Pos]:
    from privlint.analysis.summarize import node_positions  # see `summarize_work`

    # Deep code recurses deeply in LibCST's visitors: give it room (see `guard`).
    return run_deep(node_positions, *source.work)


def _cacheable(module: ModuleIR) -> bool:
    return module.error is None or module.error.kind != "internal"  # an internal error is retried


def store_module(cache: Cache, key: str, module: ModuleIR) -> None:
    if _cacheable(module):
        cache.store("module", key, module)
