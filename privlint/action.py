"""The run step of the GitHub Action (`action.yml`): check the project once for code
scanning (SARIF) and once more for the job summary, then hand the verdict to the steps
after it. `python -m privlint.action`; its inputs arrive as `PRIVLINT_*` variables.

The second run is answered from the cache the first one wrote, so it costs little.
The exit code is handed on as the `exit-code` output rather than returned, so the SARIF
is uploaded before the job fails; a usage or configuration error (2) fails at once.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FAIL_LEVELS = ("error", "warning", "info", "none")


class ActionError(Exception):
    """An input the action cannot use; the step fails with its message."""


@dataclass(frozen=True)
class Inputs:
    paths: tuple[str, ...]
    config: str
    diff_base: str
    fail_level: str
    sarif_file: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Inputs:
        fail_level = environ.get("PRIVLINT_FAIL_LEVEL", "").strip() or "error"
        if fail_level not in FAIL_LEVELS:
            raise ActionError(f"fail-level must be one of {', '.join(FAIL_LEVELS)}: {fail_level!r}")
        return cls(
            paths=tuple(shlex.split(environ.get("PRIVLINT_PATHS", ""))),
            config=environ.get("PRIVLINT_CONFIG", "").strip(),
            diff_base=environ.get("PRIVLINT_DIFF_BASE", "").strip(),
            fail_level=fail_level,
            sarif_file=environ.get("PRIVLINT_SARIF_FILE", "").strip() or "privlint.sarif",
        )

    def check_arguments(self) -> list[str]:
        """The `privlint check` options both runs share."""
        arguments = []
        if self.config:
            arguments += ["--config", self.config]
        if self.diff_base:
            arguments += ["--diff", self.diff_base]
        if self.fail_level == "none":
            arguments.append("--exit-zero")
        else:
            arguments += ["--severity", self.fail_level]
        return [*arguments, "--", *self.paths]


def run(environ: Mapping[str, str]) -> int:
    """The whole step: the exit code the job ends with (0 unless privlint could not run)."""
    inputs = Inputs.from_environment(environ)
    shared = inputs.check_arguments()
    verdict = _privlint(["--format", "sarif", "--output", inputs.sarif_file, *shared], environ)
    if verdict.returncode not in (0, 1):
        sys.stderr.write(verdict.stderr)
        return verdict.returncode
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:  # `--format github` appends the Markdown summary; its annotations are dropped
        _privlint(["--format", "github", "--quiet", *shared], environ)
    results = json.loads(Path(inputs.sarif_file).read_text(encoding="utf-8"))["runs"][0]["results"]
    _set_outputs(
        environ,
        {
            "sarif-file": inputs.sarif_file,
            "findings": str(len(results)),
            "exit-code": str(verdict.returncode),
        },
    )
    sys.stderr.write(verdict.stderr)
    return 0


def _privlint(arguments: list[str], environ: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "privlint", "check", *arguments]
    return subprocess.run(command, env=dict(environ), capture_output=True, text=True, check=False)


def _set_outputs(environ: Mapping[str, str], outputs: dict[str, str]) -> None:
    """Step outputs, in GitHub's `name=value` file format (values here are one line)."""
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        handle.writelines(f"{name}={value}\n" for name, value in outputs.items())


def main() -> None:
    try:
        code = run(os.environ)
    except ActionError as error:
        print(f"::error title=privlint::{error}")  # a workflow command: on stdout
        code = 2
    raise SystemExit(code)


if __name__ == "__main__":
    main()
