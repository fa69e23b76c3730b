"""Renderers of the data inventory: a rich table, JSON, CSV and Markdown.

Plain functions `render(inventory) -> str`, registered in `INVENTORY_FORMATS`.
Every format lists the same flows in the same order (category → sink kind →
sink → location), so a table read in a review and a CSV in a spreadsheet agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from itertools import groupby

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from privlint.inventory import ALLOWED, REPORTED, Inventory, InventoryFlow
from privlint.reporters.text import printable

FORMAT_VERSION = 1
WIDTH = 200  # for a pipe or a file: long enough that most rows stay on one line
CSV_COLUMNS = (
    "category",
    "sink_kind",
    "sink_id",
    "sink_call",
    "path",
    "line",
    "function",
    "status",
    "rule_id",
    "reason",
)


def render_inventory_table(inventory: Inventory, *, color: bool = False, width: int = WIDTH) -> str:
    """A table grouped by category, sink kind and sink (each shown once per group),
    then notes on what the map leaves out. Deterministic for a given `width`."""
    buffer = io.StringIO()
    console = Console(
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
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("category", no_wrap=True)
    table.add_column("sink kind", no_wrap=True)
    table.add_column("sink", overflow="fold")
    table.add_column("location (function)", overflow="fold")
    table.add_column("verdict", overflow="fold", ratio=1, min_width=24)
    previous: InventoryFlow | None = None
    for flow in inventory.flows:
        new_category = previous is None or flow.category != previous.category
        if new_category and previous is not None:
            table.add_section()
        new_kind = new_category or previous is None or flow.sink_kind != previous.sink_kind
        new_sink = new_kind or previous is None or _sink(flow) != _sink(previous)
        table.add_row(
            Text(printable(flow.category), "cyan") if new_category else "",
            printable(flow.sink_kind) if new_kind else "",
            _sink_text(flow) if new_sink else "",
            _location_text(flow),
            _verdict_text(flow),
        )
        previous = flow
    console.print(_headline(inventory), soft_wrap=True)
    if inventory.flows:
        console.print(table)
    for note in _notes(inventory):
        console.print(note, soft_wrap=True)
    # Padding to the table's width would make every line end in spaces.
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def render_inventory_json(inventory: Inventory) -> str:
    """`{"version": 1, "tool", "categories": [{"category", "sink_kinds": [{"kind", "sinks":
    [{"id", "call", "flows": [{"path", "line", "function", "status", "rule_id", "reason"}]}]}]}],
    "summary"}`, indented by 2, keys in a fixed order."""
    categories = []
    for category, in_category in groupby(inventory.flows, key=lambda flow: flow.category):
        kinds = []
        for kind, of_kind in groupby(in_category, key=lambda flow: flow.sink_kind):
            sinks = []
            for (sink_id, call), of_sink in groupby(
                of_kind, key=lambda flow: (flow.sink_id, flow.sink_call)
            ):
                flows = [_json_flow(flow) for flow in of_sink]
                sinks.append({"id": sink_id, "call": call, "flows": flows})
            kinds.append({"kind": kind, "sinks": sinks})
        categories.append({"category": category, "sink_kinds": kinds})
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "privlint", "version": inventory.tool_version},
        "categories": categories,
        "summary": {
            "files_scanned": inventory.files_scanned,
            "flows": len(inventory.flows),
            "reported": inventory.count(REPORTED),
            "allowed": inventory.count(ALLOWED),
            "suppressed": inventory.suppressed,
            "unparsed": list(inventory.unparsed),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_flow(flow: InventoryFlow) -> dict[str, object]:
    return {
        "path": flow.path,
        "line": flow.line,
        "function": flow.function,
        "status": flow.status,
        "rule_id": flow.rule_id,
        "reason": flow.reason,
    }


def render_inventory_csv(inventory: Inventory) -> str:
    """One row per flow under a header row of `CSV_COLUMNS`; `\\n` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for flow in inventory.flows:
        writer.writerow(
            [
                flow.category,
                flow.sink_kind,
                flow.sink_id,
                flow.sink_call,
                flow.path,
                flow.line,
                flow.function,
                flow.status,
                flow.rule_id,
                flow.reason,
            ]
        )
    return buffer.getvalue()


def render_inventory_markdown(inventory: Inventory) -> str:
    """A heading, a one-line summary, a table of every flow, and the notes."""
    lines = [
        "# Personal data inventory",
        "",
        f"{_headline(inventory)}.",
        "",
        "| category | sink kind | sink | location | function | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for flow in inventory.flows:
        cells = [
            _code(flow.category),
            _cell(flow.sink_kind),
            _code(_sink(flow)),
            _code(f"{flow.path}:{flow.line}"),
            _code(flow.function),
            _cell(_verdict(flow)),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    notes = _notes(inventory)
    if notes:
        lines.append("")
        lines.extend(f"- {_cell(note)}" for note in notes)
    return "\n".join(lines) + "\n"


def _headline(inventory: Inventory) -> str:
    reported, allowed = inventory.count(REPORTED), inventory.count(ALLOWED)
    files = _plural(inventory.files_scanned, "file")
    return (
        f"{_plural(len(inventory.flows), 'flow')} of personal data to sinks in {files}: "
        f"{reported} reported, {allowed} allowed"
    )


def _notes(inventory: Inventory) -> list[str]:
    """What the map does not show, so that nobody mistakes it for complete."""
    notes = []
    if inventory.suppressed:
        notes.append(
            f"{_plural(inventory.suppressed, 'finding')} hidden by `# privlint: ignore` "
            "comments are not listed."
        )
    if inventory.unparsed:
        notes.append(
            f"{_plural(len(inventory.unparsed), 'file')} could not be parsed and were not read: "
            + ", ".join(inventory.unparsed)
        )
    return notes


def _sink(flow: InventoryFlow) -> str:
    return f"{flow.sink_id} ({flow.sink_call})" if flow.sink_call else flow.sink_id


def _verdict(flow: InventoryFlow) -> str:
    if flow.status == ALLOWED:
        return f"allowed by {flow.rule_id}: {flow.reason}"
    return f"reported by {flow.rule_id}"


def _sink_text(flow: InventoryFlow) -> Text:
    """The sink id, and the call as written below it."""
    text = Text(printable(flow.sink_id))
    if flow.sink_call:
        text.append(f"\n{printable(flow.sink_call)}", "dim")
    return text


def _location_text(flow: InventoryFlow) -> Text:
    """`path:line`, and the function that contains the sink below it."""
    text = Text(printable(f"{flow.path}:{flow.line}"))
    if flow.function:
        text.append(f"\nin {printable(_local_name(flow.function, flow.path))}", "dim")
    return text


def _local_name(function: str, path: str) -> str:
    """`function` without the module part its file's path already shows:
    `pkg.mod.Class.method` in `src/pkg/mod.py` → `Class.method`."""
    module = path.removesuffix(".py").split("/")
    if module[-1] == "__init__":
        module.pop()
    parts = function.split(".")
    for size in range(min(len(module), len(parts) - 1), 0, -1):
        if parts[:size] == module[-size:]:
            return ".".join(parts[size:])
    return function


def _verdict_text(flow: InventoryFlow) -> Text:
    """`allowed by RULE:` and the reason below it, or `reported by RULE`."""
    if flow.status == ALLOWED:
        return Text.assemble(
            (f"allowed by {printable(flow.rule_id)}:", "green"), f"\n{printable(flow.reason)}"
        )
    return Text(printable(_verdict(flow)), "bold red")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _code(text: str) -> str:
    """A code span, or escaped plain text when the text itself holds a backtick."""
    if not text or "`" in text:
        return _cell(text)
    return "`" + " ".join(text.replace("|", "\\|").split()) + "`"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


InventoryRenderer = Callable[[Inventory], str]

INVENTORY_FORMATS: dict[str, InventoryRenderer] = {
    "table": render_inventory_table,
    "json": render_inventory_json,
    "csv": render_inventory_csv,
    "markdown": render_inventory_markdown,
}
