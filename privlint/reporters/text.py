"""Human report: compiler-style diagnostics grouped by file, then a summary.

Each finding shows a `path:line:col:` header (column 1-based, as editors
expect), the sink line with one line of context, the numbered trace, and one
line for each other trace that reaches the same call.
Output is plain text unless `context.color` is set; source text is shown
with control characters escaped so a scanned file cannot inject terminal codes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from privlint.findings import Finding, Severity, Step
from privlint.reporters.context import (
    ReportContext,
    count_by_severity,
    other_traces_note,
    sorted_findings,
)
from privlint.reporters.summary import breakdown

WIDTH = 100
CONTEXT_LINES = 1
MAX_SPAN_LINES = 8  # lines of a multi-line sink call shown in its excerpt
MAX_EXCERPT_WIDTH = 160  # characters of a source line shown in an excerpt
_LEAD = 40  # characters kept before the sink call when a long line is cut

_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "bold blue",
}
_GUTTER_STYLE = "blue"
_DIM = "dim"

# C0/C1 control characters, DEL and bidirectional overrides ("Trojan Source").
_UNSAFE = [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _UNSAFE}


def render_text(findings: Sequence[Finding], context: ReportContext) -> str:
    """The whole report as one string: diagnostics, then the breakdown and next steps,
    ending with the summary line (diagnostics only when `context.findings_only`)."""
    buffer = io.StringIO()
    console = report_console(buffer, context.color)
    ordered = sorted_findings(findings)
    for path, group in groupby(ordered, key=lambda finding: finding.path):
        in_file = list(group)
        console.print(_file_heading(path, len(in_file)), soft_wrap=True)
        for finding in in_file:
            for line in _diagnostic(finding, context):
                console.print(line, soft_wrap=True)
            console.print()
    if context.findings_only:
        return buffer.getvalue()
    if context.errors:
        for line in _errors(context.errors):
            console.print(line, soft_wrap=True)
        console.print()
    for line in breakdown(ordered):
        console.print(line, soft_wrap=True)
    console.print(summary_line(ordered, context), soft_wrap=True)
    return buffer.getvalue()


def report_console(buffer: io.StringIO, color: bool, width: int = WIDTH) -> Console:
    """A console that writes a report into `buffer`: styled only when `color`, never
    interpreting markup or emoji in what it prints."""
    return Console(
        file=buffer,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        color_system="standard" if color else None,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
    )


def _file_heading(path: str, count: int) -> Text:
    return Text.assemble(
        (printable(path), "bold underline"), (f" ({_plural(count, 'finding')})", _DIM)
    )


def _diagnostic(finding: Finding, context: ReportContext) -> list[Text]:
    lines = [header(finding)]
    lines.extend(_excerpt(finding, context))
    if finding.sink_call or finding.sink_id:
        lines.append(_sink(finding))
    if finding.trace:
        lines.append(Text("  trace:", style=_DIM))
        lines.extend(_trace(finding))
    if finding.other_traces:
        lines.extend(_other_traces(finding))
    return lines


def header(finding: Finding) -> Text:
    """`path:line:col: severity rule-id message [categories]`."""
    header = Text.assemble(
        (f"{printable(finding.path)}:{finding.line}:{finding.column + 1}:", "bold"),
        " ",
        (finding.severity.value, _SEVERITY_STYLE[finding.severity]),
        " ",
        (printable(finding.rule_id), "magenta"),
        " ",
        printable(finding.message),
    )
    if finding.categories:
        header.append(" ")
        header.append(f"[{', '.join(printable(c) for c in finding.categories)}]", "cyan")
    if finding.other_categories:
        others = ", ".join(printable(c) for c in finding.other_categories)
        header.append(f" (by other traces: {others})", "cyan")
    return header


def _excerpt(finding: Finding, context: ReportContext) -> list[Text]:
    """The sink call's lines (a call over several lines whole, up to `MAX_SPAN_LINES`)
    marked with `>` between their neighbours, a caret under the call's first line.

    Falls back to the finding's own snippet when the file cannot be read.
    """
    if finding.line < 1:
        return []
    source = context.source_lines(finding.path)
    span_end = min(max(finding.line, finding.end_line), finding.line + MAX_SPAN_LINES - 1)
    if finding.line <= len(source):
        first = max(1, finding.line - CONTEXT_LINES)
        last = min(len(source), span_end + CONTEXT_LINES)
        numbered = [(number, source[number - 1]) for number in range(first, last + 1)]
    elif finding.snippet:
        numbered = [(finding.line, finding.snippet)]
    else:
        return []

    gutter = len(str(numbered[-1][0]))
    style = _SEVERITY_STYLE[finding.severity]
    lines = []
    for number, raw in numbered:
        is_sink = number == finding.line
        shown, finding_here = _window(raw, finding if is_sink else None)
        in_call = finding.line <= number <= span_end
        marker = Text("  > ", style=style) if in_call else Text("    ")
        line = Text.assemble(marker, (f"{number:>{gutter}} |", _GUTTER_STYLE), " ", _display(shown))
        line.rstrip()
        lines.append(line)
        if finding_here is not None:
            lines.append(
                Text.assemble(
                    " " * (4 + gutter),
                    (" |", _GUTTER_STYLE),
                    " ",
                    _caret(shown, finding_here),
                )
            )
    return lines


def _window(raw: str, finding: Finding | None) -> tuple[str, Finding | None]:
    """A line cut to `MAX_EXCERPT_WIDTH` characters around the sink call (a minified or
    generated line can be thousands long), and the finding with its columns moved to
    match; `…` marks what was cut."""
    if len(raw) <= MAX_EXCERPT_WIDTH:
        return raw, finding
    begin = 0
    if finding is not None:
        begin = max(0, min(finding.column - _LEAD, len(raw) - MAX_EXCERPT_WIDTH))
    end = begin + MAX_EXCERPT_WIDTH
    head = "…" if begin else ""
    shown = head + raw[begin:end] + ("…" if end < len(raw) else "")
    if finding is None:
        return shown, None
    shift = len(head) - begin
    moved = replace(
        finding,
        column=max(0, finding.column + shift),
        end_column=max(0, min(finding.end_column + shift, len(head) + MAX_EXCERPT_WIDTH)),
    )
    return shown, moved


def _caret(raw: str, finding: Finding) -> Text:
    """`^^^` under the sink call: its columns on one line, to line end if it spans lines."""
    start = min(finding.column, len(raw))
    if finding.end_line == finding.line and finding.end_column > finding.column:
        end = min(finding.end_column, len(raw))
    elif finding.end_line > finding.line:
        end = len(raw.rstrip())
    else:
        end = start
    offset = cell_len(_display(raw[:start]))
    width = max(1, cell_len(_display(raw[:end])) - offset)
    return Text.assemble(" " * offset, ("^" * width, _SEVERITY_STYLE[finding.severity]))


def _sink(finding: Finding) -> Text:
    """`sink: qualified.call (sink-id, kind)`: which catalog entry matched."""
    line = Text("  sink:", style=_DIM)
    if finding.sink_call:
        line.append(f" {printable(finding.sink_call)}")
    described = [printable(part) for part in (finding.sink_id, finding.sink_kind) if part]
    if described:
        line.append(f" ({', '.join(described)})", _DIM)
    return line


def _trace(finding: Finding) -> list[Text]:
    """`1. path:line  note`, notes aligned in one column."""
    number_width = len(str(len(finding.trace)))
    locations = [f"{printable(step.path)}:{step.line}" for step in finding.trace]
    location_width = max(len(location) for location in locations)
    lines = []
    for index, (step, location) in enumerate(zip(finding.trace, locations, strict=True), 1):
        line = Text.assemble(
            (f"    {index:>{number_width}}. ", _DIM),
            (location.ljust(location_width), "cyan"),
            "  ",
            printable(step.note),
        )
        line.rstrip()
        lines.append(line)
    return lines


def _other_traces(finding: Finding) -> list[Text]:
    """`also reached by N other traces:`, then per trace where it starts and where it hands
    the data to the function the sink is in (its last step if it never does)."""
    lines = [Text(f"  {other_traces_note(finding)}:", style=_DIM)]
    for trace in finding.other_traces:
        ends = dict.fromkeys((trace[0], _handoff(trace, finding.function) or trace[-1]))
        line = Text("    - ", style=_DIM)
        for index, step in enumerate(ends):
            if index:
                line.append(" … ", _DIM)
            line.append(f"{printable(step.path)}:{step.line}", "cyan")
            line.append(f" {printable(step.note)}")
        lines.append(line)
    return lines


def _handoff(trace: Sequence[Step], function: str) -> Step | None:
    """The step of `trace` that hands the data to `function` (qualified), where the sink is:
    the last call of it by name, else the last call into a project function, if any. Traces
    into one sink differ before it: for a sink in a helper, this is the caller's line."""
    parts = function.split(".")
    # A constructor's call is named after its class.
    name = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
    calls = [step for step in trace if step.note.startswith("passed to ")]
    named = [step for step in calls if step.note == f"passed to {name}()"]
    found = named or calls
    return found[-1] if found else None


def _errors(errors: tuple[tuple[str, str], ...]) -> list[Text]:
    lines = [Text("scan errors (not findings):", style="bold red")]
    for path, message in sorted(errors):
        lines.append(Text.assemble("  ", (f"{printable(path)}:", "bold"), " ", printable(message)))
    return lines


def summary_line(findings: Sequence[Finding], context: ReportContext) -> Text:
    """`N findings (E errors, W warnings, I info) in F files; S suppressed; B baselined`."""
    files = _plural(context.files_scanned, "file")
    extras = []
    if context.suppressed:
        extras.append(f"{context.suppressed} suppressed")
    if context.baselined:
        extras.append(f"{context.baselined} baselined")
    if context.outside_diff:
        extras.append(f"{context.outside_diff} outside the diff")
    if context.errors:
        extras.append(_plural(len(context.errors), "scan error"))
    tail = "".join(f"; {extra}" for extra in extras)

    if not findings:
        return Text(f"No findings in {files}{tail}.", style="bold green")
    counts = count_by_severity(findings)
    by_severity = ", ".join(
        [
            _plural(counts[Severity.ERROR], "error"),
            _plural(counts[Severity.WARNING], "warning"),
            f"{counts[Severity.INFO]} info",
        ]
    )
    style = "bold red" if context.failed(findings) else "bold yellow"
    return Text(f"{_plural(len(findings), 'finding')} ({by_severity}) in {files}{tail}", style)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _display(source: str) -> str:
    return printable(source.expandtabs(8))


def printable(text: str) -> str:
    """`text` with control and bidi-override characters shown as escapes."""
    return text.translate(_ESCAPES)
