"""Renderers of the data inventory: a rich table, JSON, CSV and Markdown (with a Mermaid
flowchart).

Plain functions `render(inventory) -> str`, registered in `INVENTORY_FORMATS`.
Every format lists the same record of processing in the same order (category →
recipient, processors first → module → verdict), so a table read in a review and
a CSV in a spreadsheet agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from rich import box
from rich.table import Table
from rich.text import Text

from privlint.inventory import (
    ALLOWED,
    INTERNAL,
    PROCESSOR,
    REPORTED,
    THIRD_PARTY,
    Inventory,
    InventoryFlow,
    ProcessingRecord,
)
from privlint.reporters.mermaid import render_mermaid
from privlint.reporters.text import printable, report_console

FORMAT_VERSION = 2  # 2: the record of processing (recipients, modules) replaced the nesting
WIDTH = 200  # for a pipe or a file: long enough that most rows stay on one line
CSV_COLUMNS = (
    "category",
    "recipient",
    "recipient_type",
    "module",
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
    """The record of processing as a table (category and recipient shown once per group),
    then notes on what the map leaves out. Deterministic for a given `width`."""
    buffer = io.StringIO()
    console = report_console(buffer, color, width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("category", no_wrap=True)
    table.add_column("recipient", overflow="fold")
    table.add_column("module", overflow="fold")
    table.add_column("verdict", overflow="fold", ratio=1, min_width=24)
    table.add_column("locations", overflow="fold")
    previous: ProcessingRecord | None = None
    for record in inventory.records():
        new_category = previous is None or record.category != previous.category
        if new_category and previous is not None:
            table.add_section()
        new_recipient = new_category or previous is None or record.recipient != previous.recipient
        table.add_row(
            Text(printable(record.category), "cyan") if new_category else "",
            _recipient_text(record) if new_recipient else "",
            printable(record.module),
            _verdict_text(record),
            _locations_text(record),
        )
        previous = record
    console.print(_headline(inventory), soft_wrap=True)
    if inventory.flows:
        console.print(_recipients_line(inventory), soft_wrap=True)
        console.print(table)
    for note in _notes(inventory):
        console.print(note, soft_wrap=True)
    # Padding to the table's width would make every line end in spaces.
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def render_inventory_json(inventory: Inventory) -> str:
    """`{"version": 2, "tool", "recipients": [{"name", "type", "sink_kinds", "categories",
    "modules"}], "processing": [{"category", "recipient", "recipient_type", "module",
    "status", "rule_id", "reason", "locations": [{"path", "line", "function", "sink_id",
    "sink_kind", "sink_call"}]}], "summary"}`, indented by 2, keys in a fixed order."""
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "privlint", "version": inventory.tool_version},
        "recipients": [
            {
                "name": recipient.name,
                "type": recipient.type,
                "sink_kinds": list(recipient.sink_kinds),
                "categories": list(recipient.categories),
                "modules": list(recipient.modules),
            }
            for recipient in inventory.recipients()
        ],
        "processing": [
            {
                "category": record.category,
                "recipient": record.recipient,
                "recipient_type": record.recipient_type,
                "module": record.module,
                "status": record.status,
                "rule_id": record.rule_id,
                "reason": record.reason,
                "locations": [_json_location(flow) for flow in record.flows],
            }
            for record in inventory.records()
        ],
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


def _json_location(flow: InventoryFlow) -> dict[str, object]:
    return {
        "path": flow.path,
        "line": flow.line,
        "function": flow.function,
        "sink_id": flow.sink_id,
        "sink_kind": flow.sink_kind,
        "sink_call": flow.sink_call,
    }


def render_inventory_csv(inventory: Inventory) -> str:
    """One row per flow, in record order, under a header row of `CSV_COLUMNS`;
    `\\n` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in inventory.records():
        for flow in record.flows:
            writer.writerow(
                [
                    flow.category,
                    flow.recipient,
                    flow.recipient_type,
                    flow.module,
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
    """A heading, a one-line summary, the recipients, the record of processing, a Mermaid
    flowchart of it, and the notes."""
    lines = ["# Personal data inventory", "", f"{_headline(inventory)}.", ""]
    if inventory.flows:
        lines += [
            "## Recipients",
            "",
            "| recipient | type | categories | modules |",
            "|---|---|---|---|",
        ]
        for recipient in inventory.recipients():
            cells = [
                _cell(recipient.name),
                _cell(_TYPE_NAMES[recipient.type]),
                ", ".join(_code(category) for category in recipient.categories),
                ", ".join(_code(module) for module in recipient.modules),
            ]
            lines.append(f"| {' | '.join(cells)} |")
        lines += [
            "",
            "## Record of processing",
            "",
            "| category | recipient | module | verdict | locations |",
            "|---|---|---|---|---|",
        ]
        for record in inventory.records():
            locations = "<br>".join(
                f"{_code(f'{flow.path}:{flow.line}')} in "
                f"{_code(_local_name(flow.function, flow.module))} "
                f"via {_code(_sink(flow))}"
                for flow in record.flows
            )
            cells = [
                _code(record.category),
                _cell(record.recipient),
                _code(record.module),
                _cell(_verdict(record)),
                locations,
            ]
            lines.append(f"| {' | '.join(cells)} |")
        lines += ["", "## Data flow", "", "```mermaid", render_mermaid(inventory) + "```"]
    notes = _notes(inventory)
    if notes:
        lines.append("")
        lines.extend(f"- {_cell(note)}" for note in notes)
    return "\n".join(lines) + "\n"


_TYPE_NAMES = {PROCESSOR: "processor", THIRD_PARTY: "third party", INTERNAL: "internal"}


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


def _recipients_line(inventory: Inventory) -> str:
    """Who receives personal data, processors first: the answer before the detail."""
    names = [
        f"{recipient.name}" + (" (processor)" if recipient.type == PROCESSOR else "")
        for recipient in inventory.recipients()
    ]
    return printable(f"recipients: {', '.join(names)}")


def _sink(flow: InventoryFlow) -> str:
    return f"{flow.sink_id} ({flow.sink_call})" if flow.sink_call else flow.sink_id


def _verdict(record: ProcessingRecord) -> str:
    if record.status == ALLOWED:
        return f"allowed by {record.rule_id}: {record.reason}"
    return f"reported by {record.rule_id}"


def _recipient_text(record: ProcessingRecord) -> Text:
    """The recipient, and below it the sinks that reach it."""
    text = Text(printable(record.recipient), "bold" if record.recipient_type == PROCESSOR else "")
    sinks = ", ".join(dict.fromkeys(flow.sink_id for flow in record.flows))
    text.append(f"\nvia {printable(sinks)}", "dim")
    return text


def _locations_text(record: ProcessingRecord) -> Text:
    """`path:line in function` for each sink call behind the record, one per line."""
    text = Text()
    for index, flow in enumerate(record.flows):
        where = f"{flow.path}:{flow.line}"
        if flow.function:
            where += f" in {_local_name(flow.function, flow.module)}"
        text.append(("\n" if index else "") + printable(where))
    return text


def _local_name(function: str, module: str) -> str:
    """`function` without its module part, which the module column already shows:
    `pkg.mod.Class.method` in `pkg.mod` → `Class.method`."""
    local = function.removeprefix(module + ".")
    return function if local == module else local


def _verdict_text(record: ProcessingRecord) -> Text:
    """`allowed by RULE:` and the reason below it, or `reported by RULE`."""
    if record.status == ALLOWED:
        return Text.assemble(
            (f"allowed by {printable(record.rule_id)}:", "green"),
            f"\n{printable(record.reason)}",
        )
    return Text(printable(_verdict(record)), "bold red")


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
