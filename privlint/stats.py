"""What `--stats` prints: where the files of a scan went and where its time went."""

from __future__ import annotations

from dataclasses import dataclass, field


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
