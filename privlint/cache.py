"""The on-disk cache: per-file facts and IR, and the last scan's state.

The cache is untrusted input: a repository can carry a `.privlint_cache/`
folder or a symlink of that name. So entries are signed with a per-machine key
kept outside the project (`privlint.cachekey`) and an entry whose signature
does not verify is rebuilt; a verified entry is still decoded through a
whitelist of privlint's own data classes and checked against the type its
reader expects (`privlint.entrycheck`). Only regular files of bounded size are
read, no symlink is ever followed below the cache folder, and a cache folder
that is a symlink or not a folder is not used. Entries are keyed by content
hashes and privlint's version and written atomically. A cache that cannot be
used, written or pruned turns itself off with a warning: the scan goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import io
import os
import pickle
import re
import shutil
import stat
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from privlint import __version__
from privlint.cachekey import KeyProblem, key_file, load_key
from privlint.entrycheck import conforms
from privlint.fileio import write_atomic

CACHE_DIR = ".privlint_cache"
CACHE_DIR_VARIABLE = "PRIVLINT_CACHE_DIR"
MAX_ENTRY = 64 * 1024 * 1024  # the IR of a 2 MB file (the largest analysed) is far smaller
_MAGIC = b"privlint-cache-1\n"
_MAC_SIZE = hashlib.sha256().digest_size

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


class _Unusable(Exception):
    """Why the cache cannot be used this run (the warning's text)."""


class _DataOnlyUnpickler(pickle.Unpickler):
    """Unpickling that can only build privlint's own data classes.

    Any other global a cache file names (a function to call, a module to import)
    is refused, so even an entry signed by mistake cannot run code.
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
BUILD = f"v{__version__}-{_CODE.hex()[:12]}"  # one folder per build: others never match
_BUILD_NAME = re.compile(r"v[\w.+!-]+-[0-9a-f]{12}")  # pruned: nothing else in `--cache-dir`


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(_CODE)
    for part in parts:
        hasher.update(b"\x1f")
        hasher.update(part.encode() if isinstance(part, str) else part)
    return hasher.hexdigest()


def cache_location(root: Path, chosen: Path | None = None) -> Path:
    """`--cache-dir`, else `$PRIVLINT_CACHE_DIR`, else `.privlint_cache/` in the project root."""
    if chosen is None and os.environ.get(CACHE_DIR_VARIABLE):
        chosen = Path(os.environ[CACHE_DIR_VARIABLE])
    return root / CACHE_DIR if chosen is None else chosen.expanduser()


class Cache:
    """A folder of signed entries; `enabled=False` (`--no-cache`) reads and writes nothing.
    `warnings`: why the cache turned itself off, one line each."""

    def __init__(self, root: Path, enabled: bool = True, location: Path | None = None) -> None:
        self.warnings: list[str] = []
        self._open(None, b"")
        if not enabled:
            return
        base = cache_location(root, location)
        try:
            key = load_key(key_file(), root)
            _ensure_folder(base, create_parents=base != root / CACHE_DIR)
            folder = base / BUILD
            _ensure_folder(folder)
            if not os.access(folder, os.W_OK):
                raise _Unusable(f"cannot write the cache folder {base}")
        except (KeyProblem, _Unusable) as problem:
            self._off(str(problem))
        except OSError as error:
            self._off(f"cannot use the cache folder {base}: {error.strerror or error}")
        else:
            self._open(folder, key)

    def _open(self, folder: Path | None, key: bytes) -> None:
        self.folder = folder
        self.enabled = folder is not None
        self._key = key
        self.used: dict[str, set[str]] = {}
        self.written = False  # whether this run stored any entry
        self._folders: set[Path] = set()  # entry folders known to be real folders

    def _off(self, reason: str) -> None:
        """Stop using the cache for the rest of the run, saying why once."""
        if self.enabled or not self.warnings:
            self.warnings.append(f"{reason}; scanning without the cache")
        self.enabled = False

    def __getstate__(self) -> tuple[Path | None, bytes]:
        """A worker process gets the folder and key only: what it stores, `adopt` counts here."""
        return (self.folder if self.enabled else None, self._key)

    def __setstate__(self, state: tuple[Path | None, bytes]) -> None:
        self.warnings = []
        self._open(*state)

    def prune_other_builds(self) -> None:
        """Remove the folders of other privlint builds: their entries can never match."""
        if not self.enabled or self.folder is None:
            return
        try:
            with os.scandir(self.folder.parent) as siblings:
                stale = [
                    entry.path
                    for entry in siblings
                    if entry.name != BUILD
                    and _BUILD_NAME.fullmatch(entry.name)
                    and entry.is_dir(follow_symlinks=False)
                ]
            for path in stale:
                shutil.rmtree(path)  # removes symlinks inside, never follows them
        except OSError as error:
            self._off(f"cannot prune the cache folder: {error.strerror or error}")

    def prune_unused(self) -> None:
        """Drop entries this run did not touch (contents that are gone); call it only
        after a full scan of the whole project, which touches every live entry."""
        if not self.enabled or self.folder is None:
            return
        try:
            for kind in _real_folders(self.folder):
                used = self.used.get(kind.name, set())
                for shard in _real_folders(Path(kind.path)):
                    with os.scandir(shard.path) as entries:
                        unused = [
                            entry.path
                            for entry in entries
                            if entry.name.endswith(".bin")
                            and entry.name[:-4] not in used
                            and not entry.is_dir(follow_symlinks=False)
                        ]
                    for path in unused:
                        os.unlink(path)  # a symlink goes, what it points to stays
        except OSError as error:
            self._off(f"cannot prune the cache folder: {error.strerror or error}")

    def keep(self, kind: str, key: str) -> None:
        """Count an entry as live for `prune_unused` without reading it."""
        self.used.setdefault(kind, set()).add(key)

    def adopt(self, kind: str, key: str) -> None:
        """Count an entry a worker process stored as this run's own: live, and written."""
        self.keep(kind, key)
        self.written = self.written or self.enabled

    def load(self, kind: str, key: str, expected: Any, live: bool = True) -> Any | None:
        """The entry if it is a signed `expected`, else None; `live=False`: an entry of a
        content that is gone, read for comparison, which `prune_unused` may drop."""
        if not self.enabled or self.folder is None:
            return None
        if live:
            self.used.setdefault(kind, set()).add(key)
        shard = self._shard(kind, key, create=False)
        if shard is None:
            return None
        path = shard / f"{key}.bin"
        try:
            payload = self._verified(kind, key, _read_entry(path))
            value = decode(payload)
            if not conforms(value, expected, len(payload)):
                raise CorruptEntry("not the data its reader expects")
            return value
        except FileNotFoundError:
            return None
        except (OSError, CorruptEntry):
            self._discard(path)  # forged, corrupt or truncated: rebuild it
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        self.used.setdefault(kind, set()).add(key)
        payload = encode(value)
        try:
            shard = self._shard(kind, key, create=True)
            assert shard is not None
            handle, temporary = tempfile.mkstemp(dir=shard, suffix=".tmp")
        except OSError as error:  # a read-only checkout still scans, just without a cache
            self._off(f"cannot write the cache: {error.strerror or error}")
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(_MAGIC + self._mac(kind, key, payload) + payload)
            os.replace(temporary, shard / f"{key}.bin")  # replaces a symlink, never follows it
            self.written = True
        except BaseException as error:  # a full disk, or Ctrl-C: leave no half entry behind
            Path(temporary).unlink(missing_ok=True)
            if not isinstance(error, OSError):
                raise
            self._off(f"cannot write the cache: {error.strerror or error}")
            return
        self._ensure_ignored()

    # ------------------------------------------------------------- helpers
    def _mac(self, kind: str, key: str, payload: bytes) -> bytes:
        """The signature binds the payload to its kind and name: no entry can stand in for
        another one."""
        signer = hmac.new(self._key, f"{BUILD}\x1f{kind}\x1f{key}\x1f".encode(), "sha256")
        signer.update(payload)
        return signer.digest()

    def _verified(self, kind: str, key: str, data: bytes) -> bytes:
        header = len(_MAGIC) + _MAC_SIZE
        payload = data[header:]
        if not data.startswith(_MAGIC) or not hmac.compare_digest(
            data[len(_MAGIC) : header], self._mac(kind, key, payload)
        ):
            raise CorruptEntry("not signed with this machine's key")
        return payload

    def _shard(self, kind: str, key: str, create: bool) -> Path | None:
        """The folder of an entry, each level checked to be a real folder (a symlink or
        file in its place is removed when `create`, else the entry counts as missing)."""
        assert self.folder is not None
        shard = self.folder / kind / key[:2]
        if shard in self._folders:  # checking each store cost 0.3 ms here
            return shard
        for folder in (shard.parent, shard):
            if not _is_real_folder(folder):
                if not create:
                    return None
                with contextlib.suppress(FileExistsError):  # another process may be first
                    folder.mkdir(mode=0o700)
                if not _is_real_folder(folder):  # a symlink or a file where a folder belongs
                    folder.unlink()
                    folder.mkdir(mode=0o700)
        self._folders.add(shard)
        return shard

    def _discard(self, path: Path) -> None:
        """Remove what is at `path` in the cache, never what a symlink there points to."""
        try:
            if _is_real_folder(path):
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as error:
            self._off(f"cannot remove {path} from the cache: {error.strerror or error}")

    def _ensure_ignored(self) -> None:
        """Keep the cache out of version control, as ruff and mypy do."""
        assert self.folder is not None
        marker = self.folder.parent / ".gitignore"
        if not os.path.lexists(marker):
            try:
                write_atomic(marker, "# created by privlint\n*\n")
            except OSError as error:
                self._off(f"cannot write the cache: {error.strerror or error}")


def _ensure_folder(path: Path, create_parents: bool = False) -> None:
    """Make `path` a folder unless it is one; refuse a symlink or anything else there."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=create_parents)
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        raise _Unusable(f"the cache folder {path} is a symlink, not used")
    if not stat.S_ISDIR(mode):
        raise _Unusable(f"the cache folder {path} is not a folder, not used")


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _real_folders(path: Path) -> list[os.DirEntry[str]]:
    with os.scandir(path) as entries:
        return [entry for entry in entries if entry.is_dir(follow_symlinks=False)]


def _read_entry(path: Path) -> bytes:
    """An entry's bytes: a regular file of at most `MAX_ENTRY` bytes, never through a symlink,
    and never blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY:
        os.close(descriptor)
        raise CorruptEntry("not a regular file of bounded size")
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(MAX_ENTRY + 1)
    if len(data) > MAX_ENTRY:
        raise CorruptEntry("grew past the size bound")
    return data


def module_key(source: bytes, path: str, module: str, is_package: bool) -> str:
    return digest(path, module, str(is_package), source)
