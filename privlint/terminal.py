"""What the terminal gets: colour (NO_COLOR, FORCE_COLOR) and whether a live progress
display belongs on stderr. Decided once per run, from the environment and the streams."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO


def _set(environ: Mapping[str, str], name: str) -> bool:
    """no-color.org and force-color.org: set to anything but the empty string."""
    return bool(environ.get(name))


def use_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour on a terminal or with FORCE_COLOR; never with NO_COLOR, which wins."""
    return not _set(environ, "NO_COLOR") and for_a_terminal(stream, environ)


def for_a_terminal(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to write for a person's terminal (rendered, styled) rather than for a pipe:
    `stream` is a terminal, or FORCE_COLOR asks to treat it as one."""
    return _set(environ, "FORCE_COLOR") or _isatty(stream)


def show_progress(
    stderr: TextIO,
    quiet: bool,
    report_to_stdout: bool,
    text_report: bool,
    environ: Mapping[str, str] = os.environ,
) -> bool:
    """A live display on stderr only for a person watching a terminal: not when stderr is
    piped, in CI (`CI` set), with `--quiet`, or while a machine-readable report streams
    to stdout."""
    if quiet or _set(environ, "CI") or (report_to_stdout and not text_report):
        return False
    return _isatty(stderr) and environ.get("TERM") != "dumb"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
