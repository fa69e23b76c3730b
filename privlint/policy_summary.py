"""`privlint config`: the policy a path gets, as a person checks it, e.g. which file of
a monorepo applies to a folder and what it resolves to after `extends`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from privlint.policy import Policy


def describe_policy(policy: Policy, cwd: Path) -> str:
    """Policy file and project root, the packs it extends in the order they apply, the
    active rules, and the sinks (by kind) and sanitizers they resolve to."""
    file = _shown(policy.config_path, cwd) if policy.config_path else "none (builtin:default)"
    own = {_shown(policy.config_path, cwd)} if policy.config_path else set()
    packs = [layer for layer in policy.layers if layer not in own]
    active = policy.active_rules()
    disabled = len(policy.rules) - len(active)
    kinds = Counter(sink.kind for sink in policy.sinks)
    lines = [
        f"policy file: {file}",
        f"project root: {_shown(policy.root, cwd)}",
        f"extends: {', '.join(packs) or 'nothing'}",
        f"rules: {len(active)} active" + (f", {disabled} disabled" if disabled else ""),
        *(f"  {rule.id} ({rule.severity.value})" for rule in active),
        f"sinks: {len(policy.sinks)}"
        + (
            " (" + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) + ")"
            if kinds
            else ""
        ),
        f"sanitizers: {len(policy.sanitizers)}",
    ]
    return "\n".join(lines) + "\n"


def _shown(path: Path, cwd: Path) -> str:
    """`path` relative to the current folder when inside it (as the user typed it)."""
    resolved = path.resolve()
    if resolved.is_relative_to(cwd.resolve()):
        return resolved.relative_to(cwd.resolve()).as_posix() or "."
    return str(resolved)
