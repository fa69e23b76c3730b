"""Reusing the last scan's result when the files that changed cannot change it.

After each analysis the cache keeps, per project layout (policy and the set
of files; the reported scope only filters), what the analysis depended on: the
content key of every file, the files whose IR it read, and the names under
which analysed code hands out personal data. If the files changed since then were never read, are
not seeds now, and name none of those names, the next analysis would read
exactly the same IR in the same order, so its result is the stored one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privlint.findings import AllowedFlow, Finding

if TYPE_CHECKING:  # a warm run that reuses the state loads no IR
    from privlint.analysis.ir import FileFacts

Result = tuple[tuple[Finding, ...], tuple[AllowedFlow, ...], int]  # findings, allowed, hidden
# A state as the cache keeps it: `Cache.load` hands out only data of exactly this type.
EncodedState = tuple[dict[str, str], frozenset[str], frozenset[str], Result]


@dataclass(frozen=True)
class ScanState:
    contents: Mapping[str, str]  # path -> content key
    read: frozenset[str]  # paths of the files whose IR the analysis used
    carried: frozenset[str]  # names analysed code hands personal data out under
    result: Result

    def encode(self) -> EncodedState:
        """Plain data for the cache (its unpickler builds no classes but privlint's data)."""
        return (dict(self.contents), self.read, self.carried, self.result)

    @classmethod
    def decode(cls, data: EncodedState | None) -> ScanState | None:
        """The state an `EncodedState` entry holds (`Cache.load` checked its type)."""
        return None if data is None else cls(*data)

    def changed(self, contents: Mapping[str, str]) -> list[str] | None:
        """The files whose content changed since this state; None when files came or went
        (module names may then resolve differently)."""
        if contents.keys() != self.contents.keys():
            return None
        return [path for path, key in contents.items() if self.contents[path] != key]

    def reusable(
        self, contents: Mapping[str, str], facts_of: Callable[[str], FileFacts | None]
    ) -> bool:
        """Whether a scan of files with `contents` must give this state's result
        (`facts_of` gives a changed file's facts; None: unknown, it may be anything)."""
        changed = self.changed(contents)
        return changed is not None and all(self.unreachable(p, facts_of(p)) for p in changed)

    def unreachable(self, path: str, facts: FileFacts | None) -> bool:
        """Whether the analysis cannot reach the file at `path` with these facts: it did
        not read it, it is no seed, and it names nothing personal data is handed out under."""
        return (
            facts is not None
            and path not in self.read
            and not facts.seed
            and facts.error is None
            and facts.words.isdisjoint(self.carried)
        )


def layout_key_parts(
    policy_text: str, problems: Collection[str], paths: Collection[str]
) -> list[str]:
    """What a reusable state is filed under: everything an analysis depends on except the
    files' contents."""
    return [policy_text, "\x1e", *problems, "\x1e", *sorted(paths)]
