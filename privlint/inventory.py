"""The data map: a record of processing — which categories of personal data reach which
recipients (processors by name, internal sinks), from which modules, allowed or not (SPEC §5).

Built from a scan's plain results — policy findings (flows a rule reports)
and allowed flows (flows an `allow` entry accepts, with its reason) — so a
privacy review sees the sanctioned flows next to the forbidden ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby

from privlint.findings import AllowedFlow, Finding

REPORTED, ALLOWED = "reported", "allowed"
# Recipient types, in the order the map lists them.
PROCESSOR, THIRD_PARTY, INTERNAL = "processor", "third_party", "internal"
_TYPE_ORDER = {PROCESSOR: 0, THIRD_PARTY: 1, INTERNAL: 2}
# Sink kinds that hand data to someone outside the organisation even when the sink
# names no processor (a `requests.post` to some URL).
THIRD_PARTY_KINDS = frozenset(("http", "analytics", "messaging", "email"))


@dataclass(frozen=True, order=True)
class InventoryFlow:
    """One category reaching one sink call at one location, and the policy's verdict.

    `processor` is the sink's third party by name ("" when the sink names none).
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
    processor: str = ""
    module: str = ""

    @property
    def recipient_type(self) -> str:
        if self.processor:
            return PROCESSOR
        return THIRD_PARTY if self.sink_kind in THIRD_PARTY_KINDS else INTERNAL

    @property
    def recipient(self) -> str:
        """Who receives the data, in a privacy officer's words: the processor's name,
        else the kind of sink (`internal (logging)`, `unnamed third party (http)`)."""
        if self.processor:
            return self.processor
        if self.recipient_type == THIRD_PARTY:
            return f"unnamed third party ({self.sink_kind})"
        return f"internal ({self.sink_kind})"


@dataclass(frozen=True)
class ProcessingRecord:
    """One row of the record of processing: a category, a recipient, a module, a verdict,
    and the flows (sink locations) behind it."""

    category: str
    recipient: str
    recipient_type: str
    module: str
    status: str
    rule_id: str
    reason: str
    flows: tuple[InventoryFlow, ...]


@dataclass(frozen=True)
class Recipient:
    """Someone who receives personal data: a processor, an unnamed third party, or an
    internal sink, with the categories it receives and the modules that send them."""

    name: str
    type: str
    sink_kinds: tuple[str, ...]
    categories: tuple[str, ...]
    modules: tuple[str, ...]


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

    def records(self) -> tuple[ProcessingRecord, ...]:
        """The flows grouped by category, recipient, module and verdict, processors first."""
        ordered = sorted(self.flows, key=_record_key)
        return tuple(
            ProcessingRecord(*key, flows=tuple(group))
            for key, group in groupby(ordered, key=_record_fields)
        )

    def recipients(self) -> tuple[Recipient, ...]:
        """Each recipient once, processors first, with what it receives and from where."""
        ordered = sorted(self.flows, key=lambda f: (_TYPE_ORDER[f.recipient_type], f.recipient))
        recipients = []
        for (name, kind), group in groupby(ordered, key=lambda f: (f.recipient, f.recipient_type)):
            flows = list(group)
            recipients.append(
                Recipient(
                    name,
                    kind,
                    tuple(sorted({flow.sink_kind for flow in flows})),
                    tuple(sorted({flow.category for flow in flows})),
                    tuple(sorted({flow.module for flow in flows})),
                )
            )
        return tuple(recipients)


def _record_fields(flow: InventoryFlow) -> tuple[str, str, str, str, str, str, str]:
    return (
        flow.category,
        flow.recipient,
        flow.recipient_type,
        flow.module,
        flow.status,
        flow.rule_id,
        flow.reason,
    )


def _record_key(flow: InventoryFlow) -> tuple[object, ...]:
    return (flow.category, _TYPE_ORDER[flow.recipient_type], *_record_fields(flow)[1:], flow)


def module_of(function: str, path: str) -> str:
    """The module a sink is in: the longest leading part of its function's qualified name
    that the file's path ends with (`pkg.mod` for `pkg.mod.Class.run` in
    `src/pkg/mod.py`), else the path as a dotted name."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    names = function.split(".") if function else []
    for size in range(min(len(parts), len(names)), 0, -1):
        if names[:size] == parts[-size:]:
            return ".".join(names[:size])
    return ".".join(parts)


def build_inventory(
    findings: Iterable[Finding],
    allowed: Iterable[AllowedFlow],
    *,
    tool_version: str,
    files_scanned: int,
    suppressed: int = 0,
    processors: Mapping[str, str] | None = None,
) -> Inventory:
    """One flow per category of every sink finding and every allowed flow.

    `processors` maps sink ids to the third party each sink hands data to. Findings
    without a sink (parse errors, suppression warnings) are not flows; parse errors
    are listed in `unparsed` instead.
    """
    findings = list(findings)
    names = processors or {}

    def flow(source: Finding | AllowedFlow, category: str) -> InventoryFlow:
        if isinstance(source, Finding):
            call, status, reason = source.sink_call, REPORTED, ""
        else:
            call, status, reason = source.call, ALLOWED, source.reason
        return InventoryFlow(
            category,
            source.sink_kind,
            source.sink_id,
            call,
            source.path,
            source.line,
            source.function,
            status,
            source.rule_id,
            reason,
            names.get(source.sink_id, ""),
            module_of(source.function, source.path),
        )

    flows = {
        flow(finding, category)
        for finding in findings
        if finding.sink_id
        for category in (*finding.categories, *finding.other_categories)
    }
    flows.update(
        flow(accepted, category) for accepted in allowed for category in accepted.categories
    )
    unparsed = sorted({finding.path for finding in findings if finding.rule_id == "parse-error"})
    return Inventory(
        flows=tuple(sorted(flows)),
        tool_version=tool_version,
        files_scanned=files_scanned,
        suppressed=suppressed,
        unparsed=tuple(unparsed),
    )
