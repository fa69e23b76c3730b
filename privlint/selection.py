"""`check --select` / `--ignore`: narrow the policy's rules for one run, as ruff's options
do, without touching the policy (or the cache, which is keyed by it)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from privlint.findings import Finding
from privlint.yamlpos import did_you_mean

# A file that was not checked fails the run whatever is selected: privlint fails closed.
ALWAYS_REPORTED = frozenset({"parse-error", "internal-error", "analysis-incomplete"})


class SelectionError(Exception):
    """A rule id on the command line that no active rule has."""


@dataclass(frozen=True)
class Selection:
    """Rule ids to keep (None: all) and to drop; `ignore` wins over `select`."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()

    def keeps(self, rule_id: str) -> bool:
        if rule_id in ALWAYS_REPORTED:
            return True
        return (self.select is None or rule_id in self.select) and rule_id not in self.ignore

    def findings(self, findings: Sequence[Finding]) -> list[Finding]:
        return [finding for finding in findings if self.keeps(finding.rule_id)]


def rule_list(text: str | None) -> tuple[str, ...]:
    """`a,b, c` → ('a', 'b', 'c'); empty items are dropped."""
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def selection(select: str | None, ignore: str | None, known: Collection[str]) -> Selection:
    """The selection the options spell; an unknown rule id raises `SelectionError`."""
    chosen, dropped = rule_list(select), rule_list(ignore)
    for option, ids in (("--select", chosen), ("--ignore", dropped)):
        for rule_id in ids:
            if rule_id not in known:
                raise SelectionError(
                    f"{option}: unknown rule '{rule_id}'{did_you_mean(rule_id, known)} "
                    "(`privlint rules` lists them)"
                )
    return Selection(frozenset(chosen) if select is not None else None, frozenset(dropped))
