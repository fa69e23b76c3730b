"""The on-disk cache in `.privlint_cache/`: per-file facts and IR, and the last scan's state.

Entries are keyed by content hashes and privlint's version, written atomically
(temporary file + rename, so concurrent runs never see half an entry) and
unpickled through a whitelist of privlint's own data classes, so a cache
folder committed to a repository cannot run code. An entry that does
not decode is discarded and rebuilt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from privlint import __version__
from privlint.fileio import write_atomic

CACHE_DIR = ".privlint_cache"

# The classes an entry may name, by module; None: every data class of that module. Kept as
# names so that a warm run imports the engine's modules only if an entry holds their data.
_ALLOWED: dict[str, frozenset[str] | None] = {
    "privlint.analysis.ir": None,
    "privlint.analysis.propagate": frozenset({"SinkHit"}),
    "privlint.analysis.values": frozenset({"Label"}),
    "privlint.findings": frozenset({"Finding", "Step", "Severity", "AllowedFlow"}),
    "privlint.policy": frozenset({"SinkSpec"}),
}


class CorruptEntry(Exception):
    """A cache entry that does not decode to privlint's data."""


class _DataOnlyUnpickler(pickle.Unpickler):
    """Unpickling that can only build privlint's own data classes.

    Any other global a cache file names (a function to call, a module to import)
    is refused, so a crafted entry in a committed cache folder cannot run code.
    """

    def find_class(self, module: str, name: str) -> Any:
        names = _ALLOWED.get(module, frozenset())
        if names is None or name in names:
            found = super().find_class(module, name)  # imports only privlint's own modules
            if (
                isinstance(found, type)
                and found.__module__ == module
                and (names is not None or dataclasses.is_dataclass(found))
            ):
                return found
        raise CorruptEntry(f"refusing to load {module}.{name}")


def encode(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> Any:
    try:
        return _DataOnlyUnpickler(io.BytesIO(data)).load()
    except CorruptEntry:
        raise
    except Exception as error:  # truncated, garbled or foreign data
        raise CorruptEntry(str(error)) from error


def _code_fingerprint() -> bytes:
    """privlint's own code and packs: a changed engine never reads an older engine's entries."""
    hasher = hashlib.blake2b(__version__.encode(), digest_size=20)
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        hasher.update(path.read_bytes())
    for pack in sorted(resources.files("privlint.rules").iterdir(), key=lambda p: p.name):
        if pack.name.endswith(".yaml"):
            hasher.update(pack.read_bytes())
    return hasher.digest()


_CODE = _code_fingerprint()


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(_CODE)
    for part in parts:
        hasher.update(b"\x1f")
        hasher.update(part.encode() if isinstance(part, str) else part)
    return hasher.hexdigest()


class Cache:
    """A folder of entries; `enabled=False` (`--no-cache`) reads and writes nothing."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        # One folder per build of privlint: entries of other builds can never match.
        self._open(root / CACHE_DIR / f"v{__version__}-{_CODE.hex()[:12]}", enabled)

    def _open(self, folder: Path, enabled: bool) -> None:
        self.folder = folder
        self.enabled = enabled
        self.used: dict[str, set[str]] = {}
        self.written = False  # whether this run stored any entry
        self._folders: set[Path] = set()  # entry folders known to exist

    def __getstate__(self) -> tuple[Path, bool]:
        """A worker process gets the folder only: what it stores, `adopt` counts here."""
        return (self.folder, self.enabled)

    def __setstate__(self, state: tuple[Path, bool]) -> None:
        self._open(*state)

    def prune_other_builds(self) -> None:
        """Remove the folders of other privlint builds: their entries can never match."""
        if not self.enabled or not self.folder.parent.is_dir():
            return
        for sibling in self.folder.parent.iterdir():
            if sibling.is_dir() and sibling != self.folder:
                shutil.rmtree(sibling, ignore_errors=True)

    def prune_unused(self) -> None:
        """Drop entries this run did not touch (contents that are gone); call it only
        after a full scan of the whole project, which touches every live entry."""
        if not self.enabled or not self.folder.is_dir():
            return
        for kind_folder in self.folder.iterdir():
            used = self.used.get(kind_folder.name, set())
            for entry in kind_folder.glob("*/*.bin"):
                if entry.stem not in used:
                    entry.unlink(missing_ok=True)

    def keep(self, kind: str, key: str) -> None:
        """Count an entry as live for `prune_unused` without reading it."""
        self.used.setdefault(kind, set()).add(key)

    def adopt(self, kind: str, key: str) -> None:
        """Count an entry a worker process stored as this run's own: live, and written."""
        self.keep(kind, key)
        self.written = self.written or self.enabled

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.bin"

    def load(self, kind: str, key: str, live: bool = True) -> Any | None:
        """The entry, or None; `live=False`: an entry of a content that is gone, read for
        comparison, which `prune_unused` may drop."""
        if not self.enabled:
            return None
        if live:
            self.used.setdefault(kind, set()).add(key)
        path = self._path(kind, key)
        try:
            return decode(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, CorruptEntry):
            path.unlink(missing_ok=True)  # corrupt or truncated: rebuild it
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        self.used.setdefault(kind, set()).add(key)
        path = self._path(kind, key)
        data = encode(value)
        try:
            if path.parent not in self._folders:  # a mkdir per entry cost 0.3 ms here
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return  # a read-only checkout still scans, just without a cache
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
            self.written = True
        except BaseException as error:  # a full disk, or Ctrl-C: leave no half entry behind
            Path(temporary).unlink(missing_ok=True)
            if not isinstance(error, OSError):
                raise
        self._ensure_ignored()

    def _ensure_ignored(self) -> None:
        """Keep the cache out of version control, as ruff and mypy do."""
        marker = self.folder.parent / ".gitignore"
        if not marker.exists():
            with contextlib.suppress(OSError):
                write_atomic(marker, "# created by privlint\n*\n")


def module_key(source: bytes, path: str, module: str, is_package: bool) -> str:
    return digest(path, module, str(is_package), source)
