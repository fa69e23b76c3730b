"""The data map as a Mermaid flowchart (categories → modules → recipients), which GitHub
renders inside Markdown.

Node ids are generated (`c1`, `m1`, `r1`), so names from the policy or the code never
reach Mermaid's syntax except as quoted, escaped labels.
"""

from __future__ import annotations

from privlint.inventory import ALLOWED, INTERNAL, PROCESSOR, Inventory

# Shapes: a processor is a subroutine box, an unnamed third party a box, an internal
# sink a cylinder (a store the organisation keeps).
_SHAPES = {PROCESSOR: ('[["', '"]]'), INTERNAL: ('[("', '")]')}
_BOX = ('["', '"]')
_ENTITIES = (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"))


# Mermaid refuses to draw a chart with more than 500 edges or 50,000 characters (its
# defaults, which GitHub keeps); a larger map groups modules into packages instead.
MAX_EDGES = 500
MAX_TEXT = 50_000


def render_mermaid(inventory: Inventory) -> str:
    """A `flowchart LR` with one node per category, module and recipient; an edge from a
    category to each module it is sent from, and from a module to each recipient,
    solid when a rule reports the flow, dotted when an allow entry accepts it.

    When that is more than Mermaid draws, modules are grouped by the first three, two,
    then one parts of their names, and a `%%` comment in the chart says so."""
    for depth in (None, 3, 2, 1):
        chart, edges = _chart(inventory, depth)
        if (edges <= MAX_EDGES and len(chart) <= MAX_TEXT) or depth == 1:
            break
    return chart


def _chart(inventory: Inventory, depth: int | None) -> tuple[str, int]:
    """The chart with modules cut to `depth` name parts (None: whole), and its edge count."""
    flows = inventory.flows
    module_of = {flow.module: ".".join(flow.module.split(".")[:depth]) for flow in flows}
    categories = _ids("c", sorted({flow.category for flow in flows}))
    modules = _ids("m", sorted(set(module_of.values())))
    recipients = _ids("r", [recipient.name for recipient in inventory.recipients()])
    types = {recipient.name: recipient.type for recipient in inventory.recipients()}
    lines = ["flowchart LR"]
    title = "Modules"
    if depth is not None:
        lines.append(f"  %% modules grouped by the first {depth} parts of their names")
        title = "Packages"
    for key, heading, nodes in (("data", "Personal data", categories), ("code", title, modules)):
        lines.append(f'  subgraph {key}["{heading}"]')
        lines.extend(f"    {node}{_BOX[0]}{_label(name)}{_BOX[1]}" for name, node in nodes.items())
        lines.append("  end")
    lines.append('  subgraph recipients["Recipients"]')
    for name, node in recipients.items():
        start, end = _SHAPES.get(types[name], _BOX)
        lines.append(f"    {node}{start}{_label(name)}{end}")
    lines.append("  end")
    sent = sorted({(categories[f.category], modules[module_of[f.module]]) for f in flows})
    lines.extend(f"  {category} --> {module}" for category, module in sent)
    edges = sorted(
        {(modules[module_of[f.module]], recipients[f.recipient], f.status) for f in flows}
    )
    for module, recipient, status in edges:
        arrow = "-.->|allowed|" if status == ALLOWED else "-->|reported|"
        lines.append(f"  {module} {arrow} {recipient}")
    return "\n".join(lines) + "\n", len(sent) + len(edges)


def _ids(prefix: str, names: list[str]) -> dict[str, str]:
    return {name: f"{prefix}{index}" for index, name in enumerate(names, 1)}


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes for what would end it)."""
    for char, code in _ENTITIES:
        text = text.replace(char, code)
    return " ".join(text.split())
