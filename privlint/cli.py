"""The `privlint` command: parse arguments, run the pipeline, pick a reporter, set the exit code.

Exit codes (SPEC §1): 0 no finding at or above `--severity`; 1 at least one;
2 usage error, invalid configuration or internal error.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import traceback
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from privlint import __version__
from privlint.baseline import (
    BASELINE_FILE,
    BaselineEntry,
    BaselineError,
    apply_baseline,
    baseline_entries,
    load_baseline,
    render_baseline,
)
from privlint.cache import CACHE_DIR_VARIABLE
from privlint.config import ConfigError, find_config, load_policy
from privlint.fileio import write_report
from privlint.findings import Finding, Severity
from privlint.gitdiff import NULL_REF, ChangedLines, GitDiffError, changed_lines, only_changed
from privlint.inventory import build_inventory
from privlint.policy import Policy
from privlint.policy_summary import describe_policy
from privlint.project_facts import inspect_project
from privlint.projects import by_nearest_policy, display_base, joined, rebased
from privlint.reporters import PLAIN_FORMATS, REPORTERS, render
from privlint.reporters.context import ReportContext
from privlint.reporters.github import step_summary_markdown
from privlint.reporters.inventory import INVENTORY_FORMATS, render_inventory_table
from privlint.reporters.statistics import render_statistics
from privlint.ruledocs import documented_rules, explain_text, rule_infos
from privlint.scan import ScanResult, scan
from privlint.selection import Selection, SelectionError, selection
from privlint.starter import starter_policy
from privlint.stats import Progress, ScanStats
from privlint.terminal import for_a_terminal, show_progress, use_color

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="privlint",
    help="Privacy policy-as-code linter: find personal data flowing into logs, exports, "
    "HTTP, analytics and messaging.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)

OutputFormat = Enum("OutputFormat", {name: name for name in REPORTERS}, type=str)  # type: ignore[misc]


class Level(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    _stderr().print(f"[bold red]privlint:[/] {message}", markup=True)
    raise typer.Exit(EXIT_ERROR)


def _policy(config: Path | None, paths: list[Path] | None = None) -> Policy:
    """The policy for `paths`: `--config`, else the nearest one above the first PATH or the cwd.

    Starting from the scanned path (as ruff does) lets `privlint check examples/walletapp`
    use that project's own policy.
    """
    start = Path.cwd()
    if config is None and paths:
        config = find_config(paths[0])
        if config is None and paths[0].is_dir():
            start = paths[0]  # no policy anywhere: the scanned folder is the project root
    try:
        return load_policy(config, start)
    except ConfigError as error:
        console = _stderr()
        for problem in error.problems:
            console.print(str(problem), markup=False)
        count = len(error.problems)
        console.print(
            f"privlint: invalid configuration ({count} problem{'s' * (count != 1)})", markup=False
        )
        raise typer.Exit(EXIT_ERROR) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"privlint {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """privlint: a privacy policy-as-code linter for Python."""


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to scan.")] = None,
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Report format (default: text)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    select: Annotated[
        str | None,
        typer.Option(metavar="RULE,...", help="Report only these rules (of the policy's)."),
    ] = None,
    ignore: Annotated[
        str | None, typer.Option(metavar="RULE,...", help="Do not report these rules.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Hide findings whose fingerprint is in this baseline file."),
    ] = None,
    diff: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="Report only findings on lines changed since this git ref "
            "(default: $PRE_COMMIT_FROM_REF when set).",
        ),
    ] = None,
    severity: Annotated[
        Level | None, typer.Option(help="Lowest severity that fails the run (default: error).")
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when findings fail the run.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print only the number of findings per rule.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Nothing on stderr but errors; a text report lists findings only."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More on stderr.")] = False,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: CPU count).")
    ] = None,
    no_cache: Annotated[
        bool | None, typer.Option("--no-cache", help="Neither read nor write the cache.")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            envvar=CACHE_DIR_VARIABLE,
            help="Where the cache lives (default: .privlint_cache/ in the project root).",
        ),
    ] = None,
    stats: Annotated[
        bool, typer.Option("--stats", help="Print file counts and time per stage on stderr.")
    ] = False,
) -> None:
    """Scan for personal data reaching sinks the policy forbids."""
    _check_paths_exist(paths)
    first = _policy(config, paths)  # the first PATH's: the report's format and rules
    format_name = output_format.value if output_format else first.check.format or "text"
    chosen = _selection(first, select, ignore)
    if statistics and format_name not in PLAIN_FORMATS:
        _fail(f"--statistics prints text; it does not combine with --format {format_name}")
    live = show_progress(sys.stderr, quiet, output is None, format_name in PLAIN_FORMATS)
    options = _RunOptions(baseline, diff, jobs, no_cache, quiet, verbose, cache_dir, live)
    projects = _check_projects(config, paths, options)
    policies = [project for project, _ in projects]
    policy = policies[0]
    runs = [run for _, run in projects]
    base = display_base([project.root for project in policies], Path.cwd())
    result = joined([rebased(run, project.root, base) for project, (run, _, _) in projects])
    _require_files(result, policy, paths)
    result = replace(result, findings=chosen.findings(result.findings))
    baselined = sum(hidden for _, hidden, _ in runs)
    outside = sum(left_out for _, _, left_out in runs)
    fail_severity = Severity(severity.value) if severity else _strictest(policies)
    rules = {rule.id: rule for p in policies for rule in rule_infos(p) if chosen.keeps(rule.id)}
    context = ReportContext(
        tool_version=__version__,
        root=base,
        files_scanned=result.files_scanned,
        color=output is None and use_color(sys.stdout),
        errors=result.errors,
        fail_severity=fail_severity,
        suppressed=result.suppressed,
        baselined=baselined,
        rules=tuple(rules.values()),
        outside_diff=outside,
        findings_only=quiet,
    )
    if statistics:
        report = render_statistics(result.findings, context)
    else:
        report = render(format_name, result.findings, context)
    failed = context.failed(result.findings) and not exit_zero
    if output is not None:
        _write_output(output, report)
        if not quiet:
            _stderr().print(
                _summary(len(result.findings), result.files_scanned, output), markup=False
            )
    else:
        _write_stdout(report)
    if format_name == "github" and "GITHUB_STEP_SUMMARY" in os.environ:
        _append_step_summary(Path(os.environ["GITHUB_STEP_SUMMARY"]), result.findings, context)
    if stats:
        for run, _, _ in runs:
            _stderr().print(_stats_text(run), markup=False)
    if verbose:
        for path, message in result.errors:
            _stderr().print(f"{path}: {message}", markup=False)
    if result.tracebacks:
        _report_internal_errors(result.tracebacks, verbose)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@dataclass(frozen=True)
class _RunOptions:
    """The options of `check` that every project of one run shares."""

    baseline: Path | None
    diff: str | None
    jobs: int | None
    no_cache: bool | None
    quiet: bool
    verbose: bool
    cache_dir: Path | None
    live: bool  # the progress display


def _check_projects(
    config: Path | None, paths: list[Path] | None, options: _RunOptions
) -> list[tuple[Policy, tuple[ScanResult, int, int]]]:
    """Every project of this run with its checked scan: PATHS grouped by their nearest
    policy, then each folder with a policy of its own that a scan came upon. With
    `--config`, one policy judges everything."""
    separate = config is None
    pending = [paths] if not separate or not paths else [g for _, g in by_nearest_policy(paths)]
    done = []
    while pending:
        group = pending.pop(0)
        policy = _policy(config, group)
        run = _check_project(policy, group, options, separate)
        done.append((policy, run))
        pending.extend([folder] for folder in run[0].nested)
    return done


def _check_project(
    policy: Policy, paths: list[Path] | None, options: _RunOptions, separate: bool
) -> tuple[ScanResult, int, int]:
    """One project's scan, narrowed by its baseline and the diff, how many findings the
    baseline hid and how many the diff left out; paths stay relative to the project root.
    With `separate`, folders that have a policy of their own are left to their own scans."""
    defaults = policy.check
    baseline = options.baseline
    if baseline is None and defaults.baseline is not None:
        baseline = policy.root / defaults.baseline
    no_cache = options.no_cache
    use_cache = not no_cache if no_cache is not None else defaults.cache is not False
    accepted = _load_baseline(baseline)
    changed = _changed_lines(policy.root, _diff_ref(options.diff))
    jobs = options.jobs or defaults.jobs
    try:
        with _progress(options.live) as progress:
            result = scan(
                policy,
                paths or [],
                jobs=jobs,
                use_cache=use_cache,
                progress=progress,
                cache_dir=options.cache_dir,
                separate=separate,
            )
    except Exception as error:  # a bug in privlint: say so, fail the run
        if options.verbose:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error} (run with --verbose for details)")
    root, quiet, verbose = policy.root, options.quiet, options.verbose
    if not quiet:
        _warn(result.warnings)
    return _narrow(result, accepted, changed, root, paths or [], quiet, verbose)


def _strictest(policies: list[Policy]) -> Severity:
    """The lowest `check.severity` of the projects in this run: none is checked laxer
    than its own policy asks."""
    levels = [Severity(project.check.severity or "error") for project in policies]
    return min(levels, key=lambda level: level.rank)


def _progress(live: bool) -> contextlib.AbstractContextManager[Progress]:
    """The live display on stderr, or a silent `Progress` (rich's progress module is
    loaded only for a display)."""
    if not live:
        return contextlib.nullcontext(Progress())
    from privlint.progress import LiveProgress

    return LiveProgress(_stderr())


def _selection(policy: Policy, select: str | None, ignore: str | None) -> Selection:
    try:
        return selection(select, ignore, {rule.id for rule in documented_rules(policy)})
    except SelectionError as error:
        _fail(str(error))


def _write_output(path: Path, text: str) -> None:
    """Write a file the user named (see `write_report`); a path that cannot be written (a
    folder, a read-only or full disk) is a one-line error, exit 2, not a traceback."""
    try:
        write_report(path, text)
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror or error}")


def _write_stdout(text: str) -> None:
    """Text on standard output, flushed here: an output that is closed or gone (a closed
    pipe) is an error, exit 2, rather than text lost at exit."""
    if sys.stdout is None:
        _fail("cannot write to standard output: it is closed")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else None
        _fail(f"cannot write to standard output: {reason or error}")


def _append_step_summary(path: Path, findings: list[Finding], context: ReportContext) -> None:
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(step_summary_markdown(findings, context))
    except OSError as error:
        _fail(f"cannot write the step summary {path}: {error.strerror or error}")


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        _stderr().print(f"privlint: warning: {warning}", markup=False)


def _check_paths_exist(paths: list[Path] | None) -> None:
    """A mistyped PATH is a usage error (exit 2), not a scan that passes on nothing."""
    for path in paths or []:
        if not os.path.lexists(path):
            _fail(f"no such file or folder: {path}")


def _report_internal_errors(tracebacks: tuple[tuple[str, str], ...], verbose: bool) -> NoReturn:
    """Files the engine failed on have `internal-error` findings; the run itself exits 2."""
    console = _stderr()
    if verbose:
        for path, text in tracebacks:
            console.print(f"privlint: internal error on {path}:\n{text.rstrip()}", markup=False)
    count = len(tracebacks)
    hint = "" if verbose else " (run with --verbose for the traceback)"
    _fail(f"internal error on {count} file{'s' * (count != 1)}; the scan is incomplete{hint}")


def _stats_text(result: ScanResult) -> str:
    stats = result.stats
    lines = [
        f"files discovered: {stats.discovered}",
        f"files analysed (their summaries read): {len(result.analysed)}",
        f"prefiltered out (no personal data of their own): {stats.prefiltered_out}",
        f"loaded on demand (the analysis reached them): {stats.on_demand}",
        f"summaries from cache: {stats.from_cache}",
        f"files parsed: {stats.parsed}",
        f"previous result reused: {_reuse_text(stats)}",
    ]
    lines += [f"{stage}: {seconds:.3f} s" for stage, seconds in stats.seconds.items()]
    return "\n".join(f"privlint stats: {line}" for line in lines)


def _reuse_text(stats: ScanStats) -> str:
    if stats.result_from_cache:
        return "yes"
    if stats.relocated:
        return "yes, re-located (the changed files summarize as before)"
    return "no"


def _summary(count: int, files: int, output: Path) -> str:
    return f"privlint: {count} finding{'s' * (count != 1)} in {files} files, report in {output}"


def _load_baseline(path: Path | None) -> tuple[BaselineEntry, ...] | None:
    """The `--baseline` entries, read before scanning so a bad file fails fast (exit 2)."""
    if path is None:
        return None
    try:
        return load_baseline(path)
    except BaselineError as error:
        _fail(str(error))


def _diff_ref(diff: str | None) -> str | None:
    """`--diff`, else the ref pre-commit sets on pre-push and `--from-ref` runs.

    The all-zero id pre-commit may pass for a new branch means "no base": report all.
    """
    if diff is not None:
        return diff
    ref = os.environ.get("PRE_COMMIT_FROM_REF", "")
    return ref if ref and ref != NULL_REF else None


def _changed_lines(root: Path, ref: str | None) -> ChangedLines | None:
    if ref is None:
        return None
    try:
        return changed_lines(root, ref)
    except GitDiffError as error:
        _fail(str(error))


def _narrow(
    result: ScanResult,
    accepted: tuple[BaselineEntry, ...] | None,
    changed: ChangedLines | None,
    root: Path,
    paths: list[Path],
    quiet: bool,
    verbose: bool,
) -> tuple[ScanResult, int, int]:
    """The findings this run reports (baseline first, then the diff), how many the
    baseline hid and how many the diff left out (said on stderr unless `quiet`).
    Stale baseline entries are counted on stderr, listed with -v."""
    findings, hidden = result.findings, 0
    if accepted is not None:
        match = apply_baseline(findings, accepted, root, paths)
        findings, hidden = match.findings, match.hidden
        if match.stale and not quiet:
            count = len(match.stale)
            _stderr().print(
                f"privlint: {count} baseline entr{'ies' if count != 1 else 'y'} no longer "
                "match (run `privlint baseline` to refresh)",
                markup=False,
            )
            if verbose:
                for entry in match.stale:
                    _stderr().print(
                        f"  {entry.path}: {entry.rule_id}: {entry.context} ({entry.fingerprint})",
                        markup=False,
                    )
    outside = 0
    if changed is not None:
        kept = only_changed(findings, changed)
        outside = len(findings) - len(kept)
        if not quiet:
            _stderr().print(
                f"privlint: --diff {changed.ref}: {outside} of {len(findings)} findings are "
                "outside the changed lines and not shown",
                markup=False,
            )
        findings = kept
    return replace(result, findings=findings), hidden, outside


def _scan(policy: Policy, paths: list[Path] | None, live: bool = False) -> ScanResult:
    """A whole scan for the commands other than `check` (`live`: with the progress
    display); a crash is an internal error."""
    try:
        with _progress(live) as progress:
            result = scan(policy, paths or [], progress=progress)
    except Exception as error:  # a bug in privlint: say so, fail the run
        _fail(f"internal error: {type(error).__name__}: {error}")
    _warn(result.warnings)
    _require_files(result, policy, paths)
    return result


def _require_files(result: ScanResult, policy: Policy, paths: list[Path] | None) -> None:
    """A scan of no file at all passes nothing: a mistyped include or a wrong folder
    must not look like a clean project (exit 2). Only PATHS that are all files other
    than Python (a YAML file pre-commit passes) ask for no scan."""
    asked_none = bool(paths) and all(p.suffix != ".py" and p.is_file() for p in paths or [])
    if result.files_scanned == 0 and not asked_none:
        for path, message in result.errors:
            _stderr().print(f"{path}: {message}", markup=False)
        where = " ".join(str(path) for path in paths or []) or str(policy.root)
        _fail(f"nothing to scan: no Python file in {where} (after include, exclude and ignores)")


@app.command()
def init(
    force: Annotated[bool, typer.Option(help="Overwrite an existing privlint.yaml.")] = False,
) -> None:
    """Write a commented privlint.yaml for the project in the current folder, fitted to
    the packages, tests, migrations, frameworks and vendor SDKs found there."""
    target = Path.cwd() / "privlint.yaml"
    if target.exists() and not force:
        _fail(f"{target.name} already exists (use --force to overwrite)")
    facts = inspect_project(Path.cwd())
    _write_output(target, starter_policy(facts))
    _write_stdout(
        f"wrote {target.name} (it says what privlint found in {facts.files_read} Python "
        "files); run `privlint check` to scan\n"
    )


@app.command()
def rules(
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
) -> None:
    """List the active rules."""
    table = Table("id", "severity", "sinks", "summary", box=None, pad_edge=False)
    for rule in documented_rules(_policy(config)):
        table.add_row(rule.id, rule.severity.value, ", ".join(rule.sinks) or "-", rule.summary)
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 200  # a pipe or a file gets whole lines
    console.print(table)


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. no-pii-in-logs.")],
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
) -> None:
    """Show what a rule checks, why, and what to write instead."""
    known = {rule.id: rule for rule in documented_rules(_policy(config))}
    if rule_id not in known:
        _fail(f"unknown rule '{rule_id}'; `privlint rules` lists them")
    text = explain_text(known[rule_id])
    if not for_a_terminal(sys.stdout):
        typer.echo(text, nl=False)  # Markdown as written: for a pipe, a file or a README
        return
    from rich.markdown import Markdown

    console = Console(force_terminal=True, no_color=not use_color(sys.stdout), highlight=False)
    console.print(Markdown(text, code_theme="ansi_dark"))


@app.command("config")
def config_command(
    path: Annotated[
        Path | None, typer.Argument(help="A file or folder (default: the current folder).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
) -> None:
    """Show which policy applies to PATH: its file, the packs it extends, and how many
    rules, sinks and sanitizers it resolves to."""
    _check_paths_exist([path] if path else None)
    policy = _policy(config, [path] if path else None)
    typer.echo(describe_policy(policy, Path.cwd()), nl=False)


@app.command("baseline")
def baseline_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to scan.")] = None,
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
    output: Annotated[
        Path | None,
        typer.Option(help=f"File to write (default: {BASELINE_FILE} in the project root)."),
    ] = None,
) -> None:
    """Accept today's findings: write their fingerprints to a file for `check --baseline`."""
    policy = _policy(config, paths)
    result = _scan(policy, paths, show_progress(sys.stderr, False, False, True))
    target = output or policy.root / BASELINE_FILE
    entries = baseline_entries(result.findings)
    _write_output(target, render_baseline(result.findings, __version__))
    unparsed = sum(1 for finding in result.findings if finding.rule_id == "parse-error")
    if unparsed:
        _stderr().print(
            f"privlint: {unparsed} file{'s' * (unparsed != 1)} that do not parse "
            "cannot be baselined; fix them",
            markup=False,
        )
    _write_stdout(
        f"wrote {len(entries)} finding{'s' * (len(entries) != 1)} to {target}; "
        f"run `privlint check --baseline {target}` to report only new ones\n"
    )
    if result.tracebacks:
        _report_internal_errors(result.tracebacks, verbose=False)


InventoryFormat = Enum(  # type: ignore[misc]
    "InventoryFormat", {name: name for name in INVENTORY_FORMATS}, type=str
)


@app.command("inventory")
def inventory_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to scan.")] = None,
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
    output_format: Annotated[
        InventoryFormat, typer.Option("--format", help="Inventory format.")
    ] = InventoryFormat["table"],
    output: Annotated[Path | None, typer.Option(help="Write the inventory to this file.")] = None,
) -> None:
    """Map which categories of personal data reach which sinks, where, and which flows
    the policy allows and why."""
    policy = _policy(config, paths)
    result = _scan(policy, paths)
    data = build_inventory(
        result.findings,
        result.allowed,
        tool_version=__version__,
        files_scanned=result.files_scanned,
        suppressed=result.suppressed,
        processors={sink.id: sink.processor for sink in policy.sinks if sink.processor},
    )
    if output_format.value == "table":
        console = Console()
        terminal = output is None and console.is_terminal
        color = terminal and "NO_COLOR" not in os.environ
        text = (
            render_inventory_table(data, color=color, width=console.width)
            if terminal
            else render_inventory_table(data)
        )
    else:
        text = INVENTORY_FORMATS[output_format.value](data)
    if output is None:
        _write_stdout(text)
    else:
        _write_output(output, text)
        _stderr().print(
            f"privlint: {len(data.flows)} flows in {data.files_scanned} files; wrote {output}",
            markup=False,
        )
    if data.unparsed:
        _stderr().print(
            f"privlint: the inventory is incomplete: {len(data.unparsed)} file(s) do not parse",
            markup=False,
        )
    if result.tracebacks:
        _report_internal_errors(result.tracebacks, verbose=False)


class Interrupted(BaseException):
    """Ctrl-C. Not `KeyboardInterrupt`: click would turn that into exit 1, which reads
    as "findings"."""


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C ends the process at once
    raise Interrupted


def main() -> None:
    """Console-script entry point. Ctrl-C exits 130; reports and cache entries are written
    atomically, so an interrupted run leaves no partial file behind."""
    signal.signal(signal.SIGINT, _interrupt)
    # A run is short and exits without freeing (below): the cyclic collector, once back on
    # after the scan, would re-walk the analysis' millions of objects (0.5 s on Django)
    # and free nothing.
    gc.disable()
    try:
        app()
    except Interrupted:
        _stderr().print("privlint: interrupted", markup=False)
        # Worker processes are shut down and every write is atomic, but a file may still
        # be parsing in the analysis thread: exit without waiting for it to finish.
        _exit_now(130)
    except SystemExit as done:
        # Everything is written and the pool is shut down: skip freeing the analysis
        # object by object at interpreter exit (a quarter of a second on Django).
        code = done.code
        if isinstance(code, str):
            _stderr().print(code, markup=False)
        _exit_now(code if isinstance(code, int) else int(code is not None))


def _exit_now(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None: it was closed
            stream.flush()
    os._exit(code)
