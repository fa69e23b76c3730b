"""Find, load and validate policy files into a typed `Policy` (SPEC §2).

Every problem in every file is collected with its location and raised once as
a `ConfigError`, which the CLI turns into exit code 2. Choices the SPEC leaves open:

- A project policy without an `extends` key extends `builtin:default`, so the
  defaults are on as in ruff; `extends: []` starts from nothing. Packs reached
  through `extends` never extend anything implicitly.
- `version: 1` is required in the project policy and optional in packs.
- Files apply in order: each `extends` entry depth-first (each pack at most
  once), then the file itself; a later file's settings win.
- Sinks, sanitizers, types and PII sources of a later file come first in the
  `Policy`, so a project's word about a call or name beats a pack's (the
  catalog takes the first match).
- A rule that tunes an inherited one and sets `sinks` replaces its `kinds` and
  `ids` together; a new rule without `severity` has severity error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from privlint.findings import Severity
from privlint.packs import builtin_pack, builtin_pack_names
from privlint.policy import (
    CheckDefaults,
    PiiSources,
    Policy,
    Rule,
    RuleDocs,
    SinkSpec,
)
from privlint.policy_schema import Layer, LayerReader, Origin, RulePatch, is_policy_document
from privlint.taxonomy import load_taxonomy
from privlint.textfile import POLICY_MAX_BYTES, TextFileError, read_text_file
from privlint.yamlpos import (
    ConfigProblem,
    Mark,
    Reader,
    did_you_mean,
    parse_toml_table,
    parse_yaml,
    toml_has_table,
)

__all__ = ["ConfigError", "ConfigProblem", "find_config", "load_policy"]

T = TypeVar("T")
_DEFAULTS = Policy(root=Path("."), config_path=None)
CONFIG_NAMES = ("privlint.yaml", ".privlint.yaml")
PYPROJECT_TABLE = ("tool", "privlint")
DEFAULT_PACK = "builtin:default"
PACK_SUFFIXES = (".yaml", ".yml")
MAX_EXTENDS_DEPTH = 32


class ConfigError(Exception):
    """Every problem found in the policy files; the CLI prints them and exits 2."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _later(earlier: T, later: T | None) -> T:
    return earlier if later is None else later


def _ahead(
    new: tuple[tuple[str, str], ...], old: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """`new` pattern pairs first; an old pair for the same pattern is replaced."""
    patterns = {pattern for pattern, _ in new}
    return new + tuple(pair for pair in old if pair[0] not in patterns)


def _tuned(rule: RulePatch, patch: RulePatch) -> RulePatch:
    """An inherited rule with the fields a later file sets; its allow entries are appended."""
    return replace(
        rule,
        severity=_later(rule.severity, patch.severity),
        message=_later(rule.message, patch.message),
        categories=_later(rule.categories, patch.categories),
        sinks=_later(rule.sinks, patch.sinks),
        allow=rule.allow + patch.allow,
        enabled=_later(rule.enabled, patch.enabled),
        docs=tuple({**dict(rule.docs), **dict(patch.docs)}.items()),
    )


def _rule(patch: RulePatch) -> Rule:
    docs = RuleDocs(**dict(patch.docs))
    kinds, ids = patch.sinks or ((), ())
    generic = f"personal data reaches a sink that rule '{patch.id}' forbids"
    return Rule(
        id=patch.id,
        severity=patch.severity or Severity.ERROR,
        message=patch.message or docs.summary or generic,
        categories=patch.categories or (),
        sink_kinds=kinds,
        sink_ids=ids,
        allow=patch.allow,
        enabled=patch.enabled is not False,
        docs=docs,
    )


class _Merged:
    """The policy so far: layers applied in order, each later one winning."""

    def __init__(self) -> None:
        self.layer = Layer(
            include=_DEFAULTS.include,
            exclude=_DEFAULTS.exclude,
            source_roots=_DEFAULTS.source_roots,
        )
        self.sinks: dict[str, SinkSpec] = {}
        self.rules: dict[str, RulePatch] = {}
        self.problems: list[ConfigProblem] = []

    def apply(self, layer: Layer) -> None:
        merged = self.layer
        merged.include = _later(merged.include, layer.include)
        merged.exclude = _later(merged.exclude, layer.exclude)
        merged.source_roots = _later(merged.source_roots, layer.source_roots)
        merged.fields = _ahead(layer.fields, merged.fields)
        merged.returns = _ahead(layer.returns, merged.returns)
        merged.names = layer.names + merged.names
        merged.disable_default_names = _later(
            merged.disable_default_names, layer.disable_default_names
        )
        merged.sanitizers = layer.sanitizers + merged.sanitizers
        merged.propagators = layer.propagators + merged.propagators
        merged.types = _ahead(layer.types, merged.types)
        merged.sink_refs.extend(layer.sink_refs)
        merged.check = _later_check(merged.check, layer.check)
        fresh = {sink.id: sink for sink in layer.sinks}
        self.sinks = fresh | {key: sink for key, sink in self.sinks.items() if key not in fresh}
        for patch in layer.rules:
            self._apply_rule(patch)

    def _apply_rule(self, patch: RulePatch) -> None:
        inherited = self.rules.get(patch.id)
        if inherited is not None:
            self.rules[patch.id] = _tuned(inherited, patch)
            return
        missing = [key for key in ("categories", "sinks") if key not in patch.written]
        if not missing:
            self.rules[patch.id] = patch
            return
        message = (
            f"rule '{patch.id}' has no {' and no '.join(missing)}; a rule that does not tune "
            "an inherited one needs 'categories' and 'sinks'"
        )
        self.problems.append(patch.origin.problem(message + did_you_mean(patch.id, self.rules)))

    def build(self, root: Path, config_path: Path | None) -> Policy:
        """The final `Policy`; sink ids that rules name but no sink defines become problems."""
        merged = self.layer
        for sink_id, origin in merged.sink_refs:
            if sink_id not in self.sinks:
                message = f"unknown sink id '{sink_id}': no sink in this policy or its packs has it"
                self.problems.append(origin.problem(message + did_you_mean(sink_id, self.sinks)))
        return Policy(
            root=root,
            config_path=config_path,
            include=merged.include or (),
            exclude=merged.exclude or (),
            source_roots=merged.source_roots or (),
            pii=PiiSources(
                merged.fields, merged.names, merged.returns, merged.disable_default_names is True
            ),
            sinks=tuple(self.sinks.values()),
            sanitizers=merged.sanitizers,
            propagators=merged.propagators,
            types=merged.types,
            rules=tuple(_rule(patch) for patch in self.rules.values()),
            check=merged.check or CheckDefaults(),
        )


def _later_check(
    earlier: CheckDefaults | None, later: CheckDefaults | None
) -> CheckDefaults | None:
    """A later file's `check:` settings win one by one."""
    if earlier is None or later is None:
        return later or earlier
    return CheckDefaults(
        **{
            name: getattr(later, name)
            if getattr(later, name) is not None
            else getattr(earlier, name)
            for name in ("format", "severity", "baseline", "jobs", "cache")
        }
    )


# --- files: reading, extends, discovery ---------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A policy file's text and identity; builtin packs have no folder."""

    key: str  # absolute path or builtin:NAME, to spot cycles and repeats
    display: str
    text: str
    folder: Path | None
    toml: bool = False


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


class _Loader:
    """Reads a policy file and, depth-first, every pack it extends, into one `_Merged`."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.taxonomy = load_taxonomy()
        self.merged = _Merged()
        self.problems: list[ConfigProblem] = []
        self.applied: set[str] = set()
        self.order: list[str] = []  # display names of the files applied, in order

    def load_project(self, path: Path) -> None:
        display = _display(path, self.cwd)
        try:
            text = read_text_file(path, POLICY_MAX_BYTES)
        except TextFileError as error:
            self.problems.append(ConfigProblem(display, 1, 1, f"cannot read policy file: {error}"))
            return
        toml = path.suffix == ".toml"
        self.load(_Source(str(path), display, text, path.parent, toml), (), project=True)

    def load_default(self) -> None:
        pack = self._builtin(DEFAULT_PACK, Origin(DEFAULT_PACK, Mark(1, 1)))
        if pack is not None:
            self.load(pack, ())

    def load(self, source: _Source, chain: tuple[_Source, ...], project: bool = False) -> None:
        if source.toml:
            node, problems = parse_toml_table(source.text, source.display, PYPROJECT_TABLE)
        else:
            node, problems = parse_yaml(source.text, source.display)
        self.problems.extend(problems)
        if node is None:
            return
        builtin = source.folder is None
        if not (project or builtin or is_policy_document(node)):
            # Name no key: `extends` may point at a file of secrets.
            message = "not a privlint policy: none of its top-level keys is a policy key"
            self.problems.append(ConfigProblem(source.display, node.mark.line, 1, message))
            return
        reader = Reader(source.display)
        layer = LayerReader(reader, self.taxonomy, builtin).read(node, project)
        self.problems.extend(reader.problems)
        extends = layer.extends
        if extends is None:
            extends = ((DEFAULT_PACK, Origin(source.display, node.mark)),) if project else ()
        for ref, origin in extends:
            self._extend(ref, origin, (*chain, source))
        self.merged.apply(layer)
        self.applied.add(source.key)
        self.order.append(source.display)

    def _extend(self, ref: str, origin: Origin, chain: tuple[_Source, ...]) -> None:
        if len(chain) > MAX_EXTENDS_DEPTH:
            message = f"'{ref}': extends chain longer than {MAX_EXTENDS_DEPTH} files"
            self.problems.append(origin.problem(message))
            return
        target = self._resolve(ref, origin, chain[-1])
        if target is None or target.key in self.applied:
            return
        keys = [link.key for link in chain]
        if target.key in keys:
            cycle = " -> ".join(link.display for link in chain[keys.index(target.key) :])
            self.problems.append(origin.problem(f"extends cycle: {cycle} -> {target.display}"))
            return
        self.load(target, chain)

    def _resolve(self, ref: str, origin: Origin, source: _Source) -> _Source | None:
        if ref.startswith("builtin:"):
            return self._builtin(ref, origin)
        if source.folder is None:
            message = f"'{ref}': a builtin pack can extend only other builtin packs"
            self.problems.append(origin.problem(message))
            return None
        path = (source.folder / ref).resolve()
        if path.suffix not in PACK_SUFFIXES:
            message = f"'{ref}': a policy pack is a .yaml or .yml file"
            self.problems.append(origin.problem(message))
            return None
        try:
            text = read_text_file(path, POLICY_MAX_BYTES)
        except TextFileError as error:
            message = f"cannot read extended policy '{ref}' ({path}): {error}"
            self.problems.append(origin.problem(message))
            return None
        return _Source(str(path), _display(path, self.cwd), text, path.parent)

    def _builtin(self, ref: str, origin: Origin) -> _Source | None:
        name = ref.removeprefix("builtin:")
        available = builtin_pack_names()
        pack = builtin_pack(name) if name in available else None
        if pack is None:
            listed = ", ".join(f"builtin:{known}" for known in available) or "none"
            message = f"unknown builtin pack '{ref}'; available: {listed}"
            hint = did_you_mean(name, available).replace("'", "'builtin:", 1)
            self.problems.append(origin.problem(message + hint))
            return None
        return _Source(ref, ref, pack.read_text(encoding="utf-8"), None)


def _in_file_order(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """Problems grouped by file (in the order files were read), then by position."""
    files = list(dict.fromkeys(problem.path for problem in problems))
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (files.index(p.path), p.line, p.column))


def load_policy(config: Path | None, cwd: Path) -> Policy:
    """The validated policy of `config`, or of the file `find_config(cwd)` finds.

    With no policy file anywhere, the result is `builtin:default` alone, rooted
    at `cwd`. Raises `ConfigError` with every problem of every file involved.
    """
    cwd = cwd.resolve()
    path = config if config is not None else find_config(cwd)
    loader = _Loader(cwd)
    if path is None:
        loader.load_default()
        root, config_path = cwd, None
    else:
        config_path = Path(os.path.abspath(cwd / path))
        if config_path.exists():  # a dangling link is reported under its own name
            config_path = config_path.resolve()
        loader.load_project(config_path)
        root = config_path.parent
    policy = replace(loader.merged.build(root, config_path), layers=tuple(loader.order))
    problems = loader.problems + loader.merged.problems
    if problems:
        raise ConfigError(_in_file_order(problems))
    return policy


def find_config(start: Path) -> Path | None:
    """The nearest policy at or above `start`: privlint.yaml, .privlint.yaml, then a
    pyproject.toml with a [tool.privlint] table, checked in that order in each folder."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        found = policy_in(folder)
        if found is not None:
            return found
    return None


def policy_in(folder: Path) -> Path | None:
    """The policy file of `folder` itself, by `find_config`'s rules."""
    for name in CONFIG_NAMES:
        if os.path.lexists(folder / name):
            return folder / name  # even if unreadable: loading it says why, exit 2
    pyproject = folder / "pyproject.toml"
    if os.path.lexists(pyproject) and _may_hold_policy(pyproject):
        return pyproject
    return None


def _may_hold_policy(pyproject: Path) -> bool:
    """Whether `pyproject` has a [tool.privlint] table, or cannot be read to tell: a
    policy that might be there is never replaced by the defaults in silence."""
    try:
        return toml_has_table(read_text_file(pyproject, POLICY_MAX_BYTES), PYPROJECT_TABLE)
    except TextFileError:
        return True
