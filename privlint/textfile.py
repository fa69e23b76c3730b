"""Reading files a user or a pull request controls: sources, policies, packs, baselines.

Only a regular file of bounded size is read, so that a path pointed at
`/dev/zero`, a FIFO or a folder ends in a message instead of a hang or an
exhausted memory; the file is opened without blocking and checked after opening,
so a swap between a check and the read changes nothing.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

POLICY_MAX_BYTES = 1024 * 1024
BASELINE_MAX_BYTES = 64 * 1024 * 1024


class TextFileError(Exception):
    """Why a file cannot be read, in words for a `path: reason` message."""


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of the regular file at `path` (symlinks followed); any other
    kind of file is an `OSError` as if the system had refused it."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file")
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            return stream.read(limit)
    finally:
        os.close(descriptor)


def read_text_file(path: Path, max_bytes: int, errors: str = "strict") -> str:
    """The UTF-8 text of the regular file at `path`, at most `max_bytes` long."""
    if os.path.islink(path) and not os.path.exists(path):
        raise TextFileError(f"dangling symlink to {os.readlink(path)}")
    try:
        data = read_regular(path, max_bytes + 1)
    except OSError as error:
        raise TextFileError(error.strerror or str(error)) from None
    if len(data) > max_bytes:
        raise TextFileError(f"larger than {max_bytes // 1024} KiB")
    try:
        return data.decode("utf-8", errors)
    except UnicodeDecodeError as error:
        byte = f"byte {error.start + 1} is 0x{data[error.start]:02x}"
        raise TextFileError(f"not UTF-8 ({byte})") from None
