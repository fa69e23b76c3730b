"""The project's files as the pipeline carries them: bytes, module name and content key,
and what the prefilter reads off each file (cached by content).

Kept free of the engine: a warm run that reuses the last result needs only
this, the cache and the state, never the IR or the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from privlint.cache import Cache, digest
from privlint.textfile import read_regular

if TYPE_CHECKING:
    from privlint.analysis.ir import FileFacts
    from privlint.prefilter import Prefilter

MAX_BYTES = 2 * 1024 * 1024  # LibCST needs 1.5-5 s per MB, more on huge files
Work = tuple[bytes, str, str, bool]  # source, path, module name, is a package


@dataclass(frozen=True)
class Source:
    path: str
    module: str
    is_package: bool
    data: bytes
    key: str

    @property
    def work(self) -> Work:
        return (self.data, self.path, self.module, self.is_package)


@dataclass(frozen=True)
class Unreadable:
    """A discovered file that could not be read: it becomes a `parse-error` finding."""

    path: str
    module: str
    is_package: bool
    reason: str


def read_source(path: Path) -> bytes:
    """A file's bytes, at most one more than `MAX_BYTES`: enough to tell it is too large.

    A symlink to a huge file or a device must not exhaust memory before the
    screen can say "too large", nor a file swapped for a FIFO hang the scan.
    """
    return read_regular(path, MAX_BYTES + 1)


def facts_key(content_key: str, prefilter: Prefilter) -> str:
    return digest(content_key, prefilter.fingerprint())


def keep_live_entries(cache: Cache, sources: Iterable[Source], prefilter: Prefilter | None) -> None:
    """Mark the entries of these files as in use without reading them."""
    for source in sources:
        cache.keep("module", source.key)
        cache.keep("positions", source.key)
        if prefilter is not None:
            cache.keep("facts", facts_key(source.key, prefilter))


def stored_facts(
    content_key: str, cache: Cache, prefilter: Prefilter, live: bool = True
) -> FileFacts | None:
    """The facts of a content, if the cache has them (`live`: see `Cache.load`)."""
    from privlint.analysis.ir import FileFacts  # needed only once a file has changed

    facts: FileFacts | None = cache.load(
        "facts", facts_key(content_key, prefilter), FileFacts, live
    )
    return facts


def known_facts(source: Source, cache: Cache, prefilter: Prefilter | None) -> FileFacts | None:
    """One file's facts, from the cache or read now, without parsing it; None when they are
    unknown (no prefilter, or reading them failed): the file may then be anything."""
    if prefilter is None:
        return None
    facts = stored_facts(source.key, cache, prefilter)
    if facts is None:
        try:
            facts = prefilter.facts(source.data)
        except Exception:  # a bug in privlint: the analysis reports it as `internal-error`
            return None
        cache.store("facts", facts_key(source.key, prefilter), facts)
    return facts
