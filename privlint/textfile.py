"""Reading the small text files a user or a pull request controls: policies, packs, baselines.

Only a regular file of bounded size is read, so that a path pointed at
`/dev/zero`, a FIFO or a folder ends in a message instead of a hang or an
exhausted memory; the file is opened without blocking and checked after opening,
so a swap between a check and the read changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

POLICY_MAX_BYTES = 1024 * 1024
BASELINE_MAX_BYTES = 64 * 1024 * 1024


class TextFileError(Exception):
    """Why a file cannot be read, in words for a `path: reason` message."""


def read_text_file(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of the regular file at `path` (symlinks followed), at most `max_bytes`."""
    if os.path.islink(path) and not os.path.exists(path):
        raise TextFileError(f"dangling symlink to {os.readlink(path)}")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise TextFileError(error.strerror or str(error)) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise TextFileError("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise TextFileError("not a regular file")
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        raise TextFileError(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise TextFileError(f"larger than {max_bytes // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = f"byte {error.start + 1} is 0x{data[error.start]:02x}"
        raise TextFileError(f"not UTF-8 ({byte})") from None
