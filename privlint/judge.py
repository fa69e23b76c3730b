"""Sink hits, policy rules and allows → findings.

The judge sees plain data only (hits carry labels and steps, modules carry
tags and suppressions); it never touches LibCST.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pathspec import GitIgnoreSpec

from privlint.analysis.callnames import CUT
from privlint.analysis.ir import ModuleIR
from privlint.analysis.propagate import SinkHit
from privlint.analysis.values import Label
from privlint.findings import MAX_OTHER_TRACES, AllowedFlow, Finding, Severity, Step
from privlint.policy import Allow, Policy, Rule, name_matches
from privlint.taxonomy import Taxonomy, covers

SourceLines = dict[str, list[str]]


@dataclass(frozen=True)
class Verdict:
    findings: list[Finding]
    allowed: list[AllowedFlow]


def judge(hits: Iterable[SinkHit], policy: Policy, lines: SourceLines) -> Verdict:
    """One finding per sink location and rule, with every category that reaches it."""
    grouped: dict[tuple[str, int, int], list[SinkHit]] = defaultdict(list)
    for hit in hits:
        grouped[(hit.path, hit.pos[0], hit.pos[1])].append(hit)
    findings: list[Finding] = []
    allowed: list[AllowedFlow] = []
    for group in grouped.values():
        cuts = [label for hit in group if hit.sink.id == CUT.id for label in hit.labels]
        if cuts:
            cut = next(hit for hit in group if hit.sink.id == CUT.id)
            findings.append(_finding(_INCOMPLETE, cut, cuts, lines))
        for rule in policy.active_rules():
            # One sink call, one finding per rule, even where contexts matched it as two sinks.
            covered = [hit for hit in group if rule.covers_sink(hit.sink.id, hit.sink.kind)]
            if not covered:
                continue
            first = covered[0]
            labels = [label for hit in covered for label in hit.labels]
            relevant = [lb for lb in labels if any(covers(c, lb.category) for c in rule.categories)]
            if not relevant:
                continue
            parts, reported = _allowed_parts(rule, first, relevant)
            allowed.extend(_allowed_flow(rule, first, taken, allow) for allow, taken in parts)
            if reported:
                findings.append(_finding(rule, first, reported, lines))
    return Verdict(findings, allowed)


_INCOMPLETE = Rule(
    id="analysis-incomplete",
    severity=Severity.ERROR,
    message=(
        "privlint stopped following personal data here: the call chain is deeper than it "
        "analyses, so the sinks further down were not checked"
    ),
    categories=(),
)


def _finding(rule: Rule, hit: SinkHit, labels: list[Label], lines: SourceLines) -> Finding:
    """The finding of `labels` at `hit`: the shortest trace, the categories carried on it, and
    apart the categories and the traces that reach the same call otherwise (so the data map
    and the fingerprint still count those categories, and a reviewer sees every caller of a
    helper the sink is in)."""
    trace = _best_trace(labels)
    shown = _places(trace)
    categories = _categories(label for label in labels if _places(_shown(label)) == shown)
    others = tuple(c for c in _categories(labels) if c not in categories)
    line, column, end_line, end_column = hit.pos
    source = lines.get(hit.path, [])
    snippet = source[line - 1].strip() if 0 < line <= len(source) else ""
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        message=rule.message,
        path=hit.path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        sink_id=hit.sink.id,
        sink_kind=hit.sink.kind,
        sink_call=hit.call,
        function=hit.function,
        categories=categories,
        other_categories=others,
        trace=trace,
        snippet=snippet,
        other_traces=_other_traces(labels, trace),
    )


def _best_trace(labels: Sequence[Label]) -> tuple[Step, ...]:
    """The shortest real trace, without repeated steps; ties by position."""
    return _shown(min(labels, key=_trace_order))


def _other_traces(labels: Sequence[Label], trace: tuple[Step, ...]) -> tuple[tuple[Step, ...], ...]:
    """The traces of `labels` that go elsewhere than `trace`, each once, in the order
    `_best_trace` prefers them, at most `MAX_OTHER_TRACES`."""
    shown = _places(trace)
    others: dict[tuple[tuple[str, int, int], ...], tuple[Step, ...]] = {}
    for label in sorted(labels, key=_trace_order):
        steps = _shown(label)
        places = _places(steps)
        if places != shown:
            others.setdefault(places, steps)
        if len(others) == MAX_OTHER_TRACES:
            break
    return tuple(others.values())


def _trace_order(label: Label) -> tuple[int, list[tuple[str, int]]]:
    """Shorter traces first (counting each step once), then by where their steps are."""
    return (len(dict.fromkeys(label.steps)), [(s.path, s.line) for s in label.steps])


def _shown(label: Label) -> tuple[Step, ...]:
    """A label's trace as a finding shows it: each step once, and only steps with a place
    in the code (a `__repr__` run to show an object has none of its own)."""
    return tuple(dict.fromkeys(step for step in label.steps if step.line > 0))


def _places(trace: Sequence[Step]) -> tuple[tuple[str, int, int], ...]:
    """Where a trace goes; two categories of one tag differ only in their steps' notes."""
    return tuple((step.path, step.line, step.column) for step in trace)


def _categories(labels: Iterable[Label]) -> tuple[str, ...]:
    return tuple(sorted({label.category for label in labels}))


def _allowed_flow(rule: Rule, hit: SinkHit, labels: list[Label], allow: Allow) -> AllowedFlow:
    return AllowedFlow(
        rule.id,
        hit.path,
        hit.pos[0],
        hit.function,
        hit.sink.id,
        hit.sink.kind,
        _categories(labels),
        allow.reason,
        hit.call,
    )


def _allowed_parts(
    rule: Rule, hit: SinkHit, labels: list[Label]
) -> tuple[list[tuple[Allow, list[Label]]], list[Label]]:
    """The allow entries that apply where `hit` is, each with the labels it accepts (the
    first entry that covers a label takes it), and the labels no entry covers."""
    parts = []
    remaining = labels
    for allow in rule.allow:
        if not remaining or not _applies_at(allow, hit):
            continue
        accepted = [label for label in remaining if _allows_category(allow, label.category)]
        if accepted:
            parts.append((allow, accepted))
            remaining = [label for label in remaining if label not in accepted]
    return parts, remaining


def _applies_at(allow: Allow, hit: SinkHit) -> bool:
    if allow.paths and _path_spec(allow.paths).match_file(hit.path):
        return True
    return any(_function_matches(pattern, hit.function) for pattern in allow.functions)


def _allows_category(allow: Allow, category: str) -> bool:
    """An entry without `categories` allows all a rule covers; with them, only those
    categories and the ones below them (a broader category, such as `user`, stays reported)."""
    return allow.categories is None or any(covers(c, category) for c in allow.categories)


def _function_matches(pattern: str, function: str) -> bool:
    """A function pattern covers the function and everything nested in it."""
    parts = function.split(".")
    return any(name_matches(pattern, ".".join(parts[:n])) for n in range(len(parts), 0, -1))


_SPECS: dict[tuple[str, ...], GitIgnoreSpec] = {}


def _path_spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    spec = _SPECS.get(patterns)
    if spec is None:
        spec = GitIgnoreSpec.from_lines(patterns)
        _SPECS[patterns] = spec
    return spec


# ParseError.kind -> the finding's rule and the start of its message
_NOT_ANALYSED = {
    "parse": ("parse-error", "privlint could not parse this file"),
    "skipped": ("parse-error", "privlint did not analyse this file"),
    "internal": ("internal-error", "privlint failed on this file (please report this bug)"),
}


def module_findings(module: ModuleIR, taxonomy: Taxonomy) -> list[Finding]:
    """Findings about a file itself: it was not analysed, or it tags an unknown category."""
    if module.error is not None:
        error = module.error
        rule_id, verdict = _NOT_ANALYSED.get(error.kind, _NOT_ANALYSED["parse"])
        return [
            Finding(
                rule_id=rule_id,
                severity=Severity.ERROR,
                message=f"{verdict}: {error.message}",
                path=module.path,
                line=max(error.line, 1),
                column=max(error.column, 0),
            )
        ]
    return [
        Finding(
            rule_id="unknown-category",
            severity=Severity.ERROR,
            message=taxonomy.unknown_message(tag.category),
            path=module.path,
            line=tag.pos[0],
            column=tag.pos[1],
            snippet=tag.category,
        )
        for tag in module.tags
        if tag.category not in taxonomy
    ]
