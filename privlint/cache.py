"""The on-disk cache in `.privlint_cache/`: per-file IR and whole-scan results.

Entries are keyed by content hashes and privlint's version, written atomically
(temporary file + rename, so concurrent runs never see half an entry) and
decoded with a whitelist of privlint's own data classes — never `pickle`, so
a cache folder committed to a repository cannot run code. An entry that does
not decode is discarded and rebuilt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import marshal
import os
import tempfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from privlint import __version__
from privlint.analysis import ir
from privlint.findings import Finding, Severity, Step
from privlint.judge import AllowedFlow

CACHE_DIR = ".privlint_cache"

_CLASSES: tuple[type, ...] = (
    ir.Const,
    ir.Name,
    ir.Global,
    ir.Attr,
    ir.Item,
    ir.Arg,
    ir.Call,
    ir.Combine,
    ir.DictLit,
    ir.Drop,
    ir.Comprehension,
    ir.Walrus,
    ir.Yield,
    ir.TName,
    ir.TAttr,
    ir.TItem,
    ir.TTuple,
    ir.Tag,
    ir.Assign,
    ir.Eval,
    ir.Return,
    ir.Raise,
    ir.Branch,
    ir.Loop,
    ir.Param,
    ir.FunctionIR,
    ir.FieldIR,
    ir.ClassIR,
    ir.Suppression,
    ir.ParseError,
    ir.ModuleIR,
    Finding,
    Step,
    AllowedFlow,
)
_TAG = {cls: index for index, cls in enumerate(_CLASSES)}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES}
_SEVERITY_TAG = len(_CLASSES)


class CorruptEntry(Exception):
    """A cache entry that does not decode to privlint's data."""


def encode(value: Any) -> Any:
    """privlint data → nested lists/tuples of primitives that `marshal` can store."""
    kind = type(value)
    if kind in _TAG:
        return [_TAG[kind], *(encode(getattr(value, name)) for name in _FIELDS[kind])]
    if kind is tuple:
        return tuple(encode(item) for item in value)
    if isinstance(value, enum.Enum):
        return [_SEVERITY_TAG, value.value]
    return value


def decode(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        if not value or not isinstance(value[0], int) or not 0 <= value[0] <= _SEVERITY_TAG:
            raise CorruptEntry("unknown record")
        if value[0] == _SEVERITY_TAG:
            return Severity(value[1])
        cls = _CLASSES[value[0]]
        arguments = [decode(item) for item in value[1:]]
        if len(arguments) != len(_FIELDS[cls]):
            raise CorruptEntry(f"wrong arity for {cls.__name__}")
        return cls(*arguments)
    if kind is tuple:
        return tuple(decode(item) for item in value)
    if kind in (str, int, bool, float) or value is None:
        return value
    raise CorruptEntry(f"unexpected {kind.__name__}")


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
        self.folder = root / CACHE_DIR / f"v{__version__}"
        self.enabled = enabled

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.bin"

    def load(self, kind: str, key: str) -> Any | None:
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            return decode(marshal.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, EOFError, ValueError, TypeError, CorruptEntry, IndexError):
            path.unlink(missing_ok=True)  # corrupt or truncated: rebuild it
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(marshal.dumps(encode(value)))
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only checkout still scans, just without a cache
        self._ensure_ignored()

    def _ensure_ignored(self) -> None:
        """Keep the cache out of version control, as ruff and mypy do."""
        marker = self.folder.parent / ".gitignore"
        if not marker.exists():
            with contextlib.suppress(OSError):
                marker.write_text("# created by privlint\n*\n", encoding="utf-8")


def module_key(source: bytes, path: str, module: str, is_package: bool) -> str:
    return digest(path, module, str(is_package), source)


def scan_key(policy_text: str, scope: Iterable[str], module_keys: Iterable[str]) -> str:
    return digest(policy_text, *sorted(scope), *sorted(module_keys))
