"""Writing privlint's own files: atomically, so a reader sees the old file or the new one,
unless the target is no regular file (`/dev/stdout`, a FIFO), which is written in place."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(path: Path, text: str) -> None:
    """A report, baseline or inventory the user named: a device, FIFO or socket there (or a
    symlink to one, as `/dev/stdout` is) is written to, never replaced by a file; a regular
    file or a symlink to one is replaced atomically, the symlink itself, not followed."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = stat.S_IFREG
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # a folder: the rename says why it fails
        write_atomic(path, text)
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
