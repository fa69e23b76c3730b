"""The data map: which categories of personal data reach which sinks, and where (SPEC §5).

Built from a scan's plain results — policy findings (flows a rule reports)
and allowed flows (flows an `allow` entry accepts, with its reason) — so a
privacy review sees the sanctioned flows next to the forbidden ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privlint.findings import AllowedFlow, Finding

REPORTED, ALLOWED = "reported", "allowed"


@dataclass(frozen=True, order=True)
class InventoryFlow:
    """One category reaching one sink call at one location, and the policy's verdict.

    `status` is `reported` (a rule forbids it; `reason` is empty) or `allowed`
    (`reason` is the allow entry's). Field order is the inventory's sort order.
    """

    category: str
    sink_kind: str
    sink_id: str
    sink_call: str
    path: str
    line: int
    function: str
    status: str
    rule_id: str
    reason: str = ""


@dataclass(frozen=True)
class Inventory:
    """The flows, sorted and unique, plus what a reader needs to judge completeness:
    flows hidden by suppression comments are not listed, files that did not
    parse were not read."""

    flows: tuple[InventoryFlow, ...]
    tool_version: str
    files_scanned: int
    suppressed: int = 0
    unparsed: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for flow in self.flows if flow.status == status)


def build_inventory(
    findings: Iterable[Finding],
    allowed: Iterable[AllowedFlow],
    *,
    tool_version: str,
    files_scanned: int,
    suppressed: int = 0,
) -> Inventory:
    """One flow per category of every sink finding and every allowed flow.

    Findings without a sink (parse errors, suppression warnings) are not flows;
    parse errors are listed in `unparsed` instead.
    """
    findings = list(findings)
    flows = {
        InventoryFlow(
            category,
            finding.sink_kind,
            finding.sink_id,
            finding.sink_call,
            finding.path,
            finding.line,
            finding.function,
            REPORTED,
            finding.rule_id,
        )
        for finding in findings
        if finding.sink_id
        for category in finding.categories
    }
    flows.update(
        InventoryFlow(
            category,
            flow.sink_kind,
            flow.sink_id,
            flow.call,
            flow.path,
            flow.line,
            flow.function,
            ALLOWED,
            flow.rule_id,
            flow.reason,
        )
        for flow in allowed
        for category in flow.categories
    )
    unparsed = sorted({finding.path for finding in findings if finding.rule_id == "parse-error"})
    return Inventory(
        flows=tuple(sorted(flows)),
        tool_version=tool_version,
        files_scanned=files_scanned,
        suppressed=suppressed,
        unparsed=tuple(unparsed),
    )
