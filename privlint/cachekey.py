"""The per-machine key that signs cache entries, kept outside every working tree.

A cache entry decides what a scan reports, and anyone can compute entry names,
so an entry is trusted only if it carries an HMAC made with this key: entries
that arrived with a repository (committed, or planted by a pull request) fail
the check and are rebuilt. The key lives in the user's cache folder (or where
`PRIVLINT_CACHE_KEY_FILE` says), is created on first use with mode 0600, and
a key file inside the scanned project is refused: it could have been committed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

KEY_FILE_VARIABLE = "PRIVLINT_CACHE_KEY_FILE"
_MIN_KEY, _MAX_KEY = 32, 4096  # bytes of key material (a key from a CI secret may be longer)


class KeyProblem(Exception):
    """Why there is no usable key: the scan then runs without a cache."""


def key_file() -> Path:
    """`$PRIVLINT_CACHE_KEY_FILE`, else `$XDG_CACHE_HOME/privlint/key`, else
    `~/.cache/privlint/key`."""
    chosen = os.environ.get(KEY_FILE_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        folder = Path(base) if base else Path.home() / ".cache"
    except RuntimeError as error:  # no home folder to keep a key in
        raise KeyProblem(f"no place for the cache key ({error})") from None
    return folder / "privlint" / "key"


def load_key(path: Path, project: Path) -> bytes:
    """The key in `path`, created if missing; never a file inside `project`."""
    try:
        if path.resolve().is_relative_to(project.resolve()):
            raise KeyProblem(f"the cache key {path} is inside the project")
        try:
            return _read(path)
        except FileNotFoundError:
            _create(path)
            return _read(path)
    except OSError as error:
        raise KeyProblem(f"cannot use the cache key {path}: {error.strerror or error}") from None


def _read(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO: no hang
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise KeyProblem(f"the cache key {path} is not a regular file")
    with os.fdopen(descriptor, "rb") as stream:
        key = stream.read(_MAX_KEY + 1).strip()
    if not _MIN_KEY <= len(key) <= _MAX_KEY:
        raise KeyProblem(f"the cache key {path} must hold {_MIN_KEY} to {_MAX_KEY} bytes")
    return key


def _create(path: Path) -> None:
    """Write a fresh key under a temporary name, then link it into place: a concurrent run
    sees no key or a whole one, and the first key made wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
