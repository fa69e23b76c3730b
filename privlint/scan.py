"""The pipeline of one scan: discover → summarize → propagate → judge.

Data flows one way; each stage gets plain data from the one before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from privlint.analysis.ir import ModuleIR
from privlint.analysis.locate import locate
from privlint.analysis.modules import module_name
from privlint.analysis.program import Program
from privlint.analysis.propagate import Propagation
from privlint.analysis.summarize import summarize_source
from privlint.catalog import Catalog
from privlint.discover import discover
from privlint.findings import Finding, with_fingerprints
from privlint.judge import AllowedFlow, judge, module_findings
from privlint.policy import Policy
from privlint.suppressions import apply_suppressions
from privlint.taxonomy import load_taxonomy


@dataclass(frozen=True)
class ScanResult:
    findings: list[Finding]
    files_scanned: int
    allowed: list[AllowedFlow] = field(default_factory=list)
    errors: tuple[tuple[str, str], ...] = ()
    suppressed: int = 0


def relative_path(path: Path, root: Path) -> str:
    """A path as findings show it: relative to the project root, '/' separated."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def summarize_file(path: Path, policy: Policy) -> tuple[ModuleIR | None, str | None]:
    """The IR of one file, or the reason it could not be read."""
    try:
        source = path.read_bytes()
    except OSError as error:
        return None, f"cannot read file: {error.strerror or error}"
    name, is_package = module_name(path, policy.root, policy.source_roots)
    return summarize_source(source, relative_path(path, policy.root), name, is_package), None


def scan(policy: Policy, paths: Sequence[Path]) -> ScanResult:
    discovery = discover(policy.root, paths, policy.include, policy.exclude)
    errors = [(relative_path(p, policy.root), message) for p, message in discovery.problems]
    modules: list[ModuleIR] = []
    for path in discovery.files:
        module, problem = summarize_file(path, policy)
        if module is None:
            errors.append((relative_path(path, policy.root), problem or "unreadable"))
        else:
            modules.append(module)
    taxonomy = load_taxonomy()
    program = Program(module for module in modules if module.error is None)
    propagation = Propagation(program, Catalog(policy), set(taxonomy.descriptions))
    by_path = {module.path: module for module in modules}
    hits = locate(propagation.run(), by_path, lambda path: _read_bytes(policy.root / path))
    lines = _source_lines({hit.path for hit in hits}, policy.root)
    verdict = judge(hits, policy, lines)
    findings = verdict.findings + [f for m in modules for f in module_findings(m, taxonomy)]
    suppressed = apply_suppressions(findings, modules)
    findings = suppressed.findings
    if discovery.report_only is not None:
        wanted = {relative_path(p, policy.root) for p in discovery.report_only}
        findings = [f for f in findings if f.path in wanted]
    return ScanResult(
        findings=with_fingerprints(findings),
        files_scanned=len(discovery.files),
        allowed=verdict.allowed,
        errors=tuple(errors),
        suppressed=suppressed.hidden,
    )


def _source_lines(paths: set[str], root: Path) -> dict[str, list[str]]:
    lines = {}
    for path in paths:
        try:
            lines[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines[path] = []
    return lines


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
