"""The `privlint` command: parse arguments, run the pipeline, pick a reporter, set the exit code.

Exit codes (SPEC §1): 0 no finding at or above `--severity`; 1 at least one;
2 usage error, invalid configuration or internal error.
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from privlint import __version__
from privlint.config import ConfigError, find_config, load_policy, starter_policy_text
from privlint.fileio import write_atomic
from privlint.findings import Severity
from privlint.policy import Policy
from privlint.reporters import REPORTERS, render
from privlint.reporters.context import ReportContext
from privlint.reporters.github import step_summary_markdown
from privlint.ruledocs import documented_rules, explain_text, rule_infos
from privlint.scan import scan

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="privlint",
    help="Privacy policy-as-code linter: find personal data flowing into logs, exports, "
    "HTTP, analytics and messaging.",
    add_completion=False,
    no_args_is_help=True,
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
    """The policy for this run: `--config`, else the nearest one above the first PATH or the cwd.

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
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """privlint: a privacy policy-as-code linter for Python."""


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to scan.")] = None,
    config: Annotated[Path | None, typer.Option(help="Policy file.")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Report format.")
    ] = OutputFormat["text"],
    output: Annotated[Path | None, typer.Option(help="Write the report to this file.")] = None,
    severity: Annotated[
        Level, typer.Option(help="Lowest severity that fails the run.")
    ] = Level.error,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Less on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More on stderr.")] = False,
) -> None:
    """Scan for personal data reaching sinks the policy forbids."""
    policy = _policy(config, paths)
    try:
        result = scan(policy, paths or [])
    except Exception as error:  # a bug in privlint: say so, fail the run
        if verbose:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error} (run with --verbose for details)")
    fail_severity = Severity(severity.value)
    to_terminal = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    context = ReportContext(
        tool_version=__version__,
        root=policy.root,
        files_scanned=result.files_scanned,
        color=to_terminal,
        errors=result.errors,
        fail_severity=fail_severity,
        suppressed=result.suppressed,
        rules=rule_infos(policy),
    )
    report = render(output_format.value, result.findings, context)
    failed = context.failed(result.findings)
    if output is not None:
        write_atomic(output, report)
        if not quiet:
            _stderr().print(
                _summary(len(result.findings), result.files_scanned, output), markup=False
            )
    else:
        sys.stdout.write(report)
    if output_format.value == "github" and "GITHUB_STEP_SUMMARY" in os.environ:
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(step_summary_markdown(result.findings, context))
    if verbose:
        for path, message in result.errors:
            _stderr().print(f"{path}: {message}", markup=False)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _summary(count: int, files: int, output: Path) -> str:
    return f"privlint: {count} finding{'s' * (count != 1)} in {files} files, report in {output}"


@app.command()
def init(
    force: Annotated[bool, typer.Option(help="Overwrite an existing privlint.yaml.")] = False,
) -> None:
    """Write a commented starter privlint.yaml in the current folder."""
    target = Path.cwd() / "privlint.yaml"
    if target.exists() and not force:
        _fail(f"{target.name} already exists (use --force to overwrite)")
    write_atomic(target, starter_policy_text())
    typer.echo(f"wrote {target.name}; run `privlint check` to scan")


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
    typer.echo(explain_text(known[rule_id]), nl=False)


def main() -> None:
    """Console-script entry point."""
    app()
