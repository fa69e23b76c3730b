"""The pipeline of one scan: discover → read → reuse the last result, or analyse
(`privlint.analyse`: triage, propagate, judge).

Data flows one way; each stage gets plain data from the one before it. Per-file
summaries are cached by content, and a scan whose changed files cannot change
its result (see `incremental`) is answered from the cache without propagating.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from privlint.analysis.modules import module_name
from privlint.cache import Cache, digest, module_key
from privlint.discover import discover
from privlint.findings import AllowedFlow, Finding
from privlint.incremental import EncodedState, ScanState, layout_key_parts
from privlint.policy import Policy
from privlint.prefilter import Prefilter
from privlint.sources import Source, Unreadable, keep_live_entries, known_facts, read_source
from privlint.stats import READ, Progress, ScanStats


@dataclass(frozen=True)
class ScanResult:
    findings: list[Finding]
    files_scanned: int
    allowed: list[AllowedFlow] = field(default_factory=list)
    errors: tuple[tuple[str, str], ...] = ()
    suppressed: int = 0
    stats: ScanStats = field(default_factory=ScanStats)
    tracebacks: tuple[tuple[str, str], ...] = ()  # (path, traceback) of internal errors
    analysed: frozenset[str] = frozenset()  # paths of the files whose IR the analysis read
    warnings: tuple[str, ...] = ()  # one line each: why the cache was not used
    nested: tuple[Path, ...] = ()  # folders below with their own policy, left to their scans


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
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    separate: bool = False,
) -> ScanResult:
    """Scan `paths`; `prefilter=False` parses every file up front (same findings on every
    fixture project, which the tests check; see "How privlint stays fast" in the README).
    `progress` hears of each stage and file as the scan goes; `cache_dir`: where the cache
    lives (default: see `cache_location`); `separate` leaves folders with a policy of their
    own to their own scans (`nested`)."""
    stats = ScanStats(progress=progress or Progress())
    cache = Cache(policy.root, enabled=use_cache, location=cache_dir)
    prefiltering = Prefilter.of(policy) if prefilter else None
    with _cyclic_gc_paused():
        result = _scan(policy, paths, jobs, cache, prefiltering, stats, separate)
    return replace(result, warnings=tuple(cache.warnings))


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
    cache: Cache,
    prefilter: Prefilter | None,
    stats: ScanStats,
    separate: bool,
) -> ScanResult:
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.seconds[stage] = now - clock
        clock = now

    cache.prune_other_builds()
    discovery = discover(policy.root, paths, policy.include, policy.exclude, separate)
    errors = [(relative_path(p, policy.root), message) for p, message in discovery.problems]
    unreadable: list[Unreadable] = []
    sources = _read(discovery.files, policy, errors, unreadable, stats.progress)
    stats.discovered = len(discovery.files)
    scope = {relative_path(p, policy.root) for p in discovery.report_only or ()}
    lap("discover")

    problems = [*map(repr, errors), *map(repr, unreadable)]
    by_path = {source.path: source for source in sources}
    contents = {source.path: source.key for source in sources}
    # Scope only filters what is reported: one state serves every set of explicit files.
    layout = digest(*layout_key_parts(repr(policy), problems, contents))
    whole_project = all(path.resolve() == policy.root for path in paths)
    tracebacks: tuple[tuple[str, str], ...] = ()
    previous = ScanState.decode(cache.load("state", layout, EncodedState))
    if previous is not None and previous.reusable(
        contents, lambda path: known_facts(by_path[path], cache, prefilter)
    ):
        stats.result_from_cache = True
        state = _refreshed(previous, contents, cache, layout)
        lap("previous result (no file changed that can change it)")
    else:
        from privlint.analyse import analyse  # the engine: a reusing run never loads it

        state, tracebacks = analyse(
            policy, by_path, unreadable, cache, layout, previous, jobs, prefilter, stats, lap
        )
    untouched = stats.result_from_cache and not cache.written  # as the last run left it
    if whole_project and not untouched:
        if stats.result_from_cache or stats.relocated:  # unread, these entries are still live
            keep_live_entries(cache, sources, prefilter)
            cache.keep("evidence", layout)
        cache.prune_unused()  # a whole-project scan knows every entry worth keeping
    findings, allowed, hidden = state.result
    if discovery.report_only is not None:
        findings = tuple(f for f in findings if _touches(f, scope))
        allowed = tuple(flow for flow in allowed if flow.path in scope)
    return ScanResult(
        list(findings),
        len(discovery.files),
        list(allowed),
        tuple(errors),
        hidden,
        stats,
        tracebacks,
        state.read,
        nested=discovery.nested,
    )


def _touches(finding: Finding, scope: set[str]) -> bool:
    """Whether a finding belongs to the given files: its sink or any step of its traces is
    in one (the rule of `--diff`), so committing an edited helper alone reports the leak
    it causes at a sink elsewhere."""
    return finding.path in scope or any(step.path in scope for step in finding.steps())


def _refreshed(state: ScanState, contents: dict[str, str], cache: Cache, layout: str) -> ScanState:
    """`state` for files with `contents` (changed files it cannot reach), stored if new."""
    if contents != state.contents:
        state = replace(state, contents=contents)
        cache.store("state", layout, state.encode())
    return state


def _read(
    files: Sequence[Path],
    policy: Policy,
    errors: list[tuple[str, str]],
    unreadable: list[Unreadable],
    progress: Progress,
) -> list[Source]:
    """The discovered files' bytes; a file that exists but cannot be read goes to
    `unreadable` as a finding, since a file skipped in silence is a leak let through."""
    sources = []
    progress.stage(READ, len(files))
    for path in files:
        progress.advance()
        relative = relative_path(path, policy.root)
        name, is_package = module_name(path, policy.root, policy.source_roots)
        try:
            data = read_source(path)
        except FileNotFoundError:
            errors.append((relative, "deleted during the scan; not analysed"))
            continue
        except OSError as error:
            reason = f"cannot read file: {error.strerror or error}"
            unreadable.append(Unreadable(relative, name, is_package, reason))
            continue
        sources.append(
            Source(relative, name, is_package, data, module_key(data, relative, name, is_package))
        )
    return sources
