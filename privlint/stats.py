"""What `--stats` prints: where the files of a scan went and where its time went; and
the hook a live progress display listens on while the scan runs."""

from __future__ import annotations

from dataclasses import dataclass, field

# The stages a scan reports progress in, by what their items become.
READ, SUMMARIZED, ANALYSED = "read", "summarized", "analysed"


class Progress:
    """Where a scan is: its stage and how many of that stage's items are done. This one
    does nothing; `privlint.progress` draws one. Called from the main process only."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Stage `name` (READ, SUMMARIZED, ANALYSED) begins, with `total` items if known."""

    def advance(self, count: int = 1) -> None:
        """`count` more items of the current stage are done."""


@dataclass
class ScanStats:
    discovered: int = 0
    prefiltered_out: int = 0  # not parsed up front: nothing in them holds personal data
    on_demand: int = 0  # of those, loaded later because the analysis reached them
    from_cache: int = 0
    parsed: int = 0
    result_from_cache: bool = False
    relocated: bool = False  # the previous result, re-located: changed files summarize as before
    seconds: dict[str, float] = field(default_factory=dict)
    progress: Progress = field(default_factory=Progress, repr=False, compare=False)
